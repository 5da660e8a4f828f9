// net-client: a WASI program that talks to the network the way programs
// built for WasmEdge's socket extension do (wasmedge-sockets.h), to show
// and test Wisp's support for it. Usage: net-client [-6] COMMAND [+ COMMAND]...
// where -6 makes every command use IPv6 (AAAA lookups, IPv6 sockets, IPv6
// addresses such as fec0::2); the commands:
//
//   get HOST PORT PATH        resolve HOST (sock_getaddrinfo), connect, send
//                             an HTTP/1.0 GET, print the whole response
//   echo HOST PORT BYTES      send BYTES of a pattern to a TCP echo server
//                             while reading them back; print the count and
//                             their FNV-1a hash ("echoed N bytes, fnv1a H")
//   udp HOST PORT TEXT        send TEXT in one datagram, print the reply
//                             and who sent it
//   nonblocking HOST PORT     connect with O_NONBLOCK: INPROGRESS, then
//                             poll for writing and read SO_ERROR
//   refused HOST PORT         connect where nothing listens: print the errno
//   resolve NAME              print NAME's first address and the count
//   loop HOST PORT PATH N     N times: connect, GET, read the whole answer,
//                             close; print "N round trips in MS ms"
//   lookups NAME N            resolve NAME N times (the first asks the
//                             server, the rest hit the cache); print the time
//   lookups-fresh SUFFIX N    resolve n0.SUFFIX ... n<N-1>.SUFFIX, each a
//                             new name for the server; print the time
//
// Several commands separated by "+" run in turn (one boot for many checks).
// Built natively (clang -O2 net-client.c, for `wisp bench net`'s native
// column), native-sockets.h provides the functions it uses over POSIX
// sockets. Exit status 0 when the command did what it says, 1 with a message on
// stderr otherwise, 2 for a bad command line.

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <time.h>

#ifdef __wasi__
#include "wasmedge-sockets.h"
#else
#include "native-sockets.h"
#endif

#define SOL_SOCKET_ 0
#define SO_ERROR_ 2
#define WASI_ERRNO_INPROGRESS 26
#define CHUNK 65536
/** sa_data's size for either family (an IPv6 answer needs 26 bytes: port, flow label, address, scope). */
#define SA_DATA 26

/** The family every command uses (-6: IPv6) and its address size. */
static uint32_t family = AF_INET4;
static uint32_t address_bytes = 4;

/** An address's text (inet_ntop), in a static buffer. */
static const char* address_text(const uint8_t* address) {
  static char text[64];
  return inet_ntop(family == AF_INET6_ ? AF_INET6 : AF_INET, address, text, sizeof text);
}

static int fail(const char* what, uint32_t error) {
  // (wasi-libc's strerror knows preview 1's errnos, not WasmEdge's getaddrinfo ones: the number says it all.)
  fprintf(stderr, "net-client: %s: WASI errno %u\n", what, error);
  return 1;
}

/** HOST's first address of the family (network order bytes in `out`), via sock_getaddrinfo; 0 or a WASI errno. */
static uint32_t resolve(const char* host, uint8_t out[16], uint32_t* count_out) {
  enum { MAX = 8 };
  static wasi_addrinfo_t results[MAX];
  static wasi_sockaddr_t addresses[MAX];
  static uint8_t data[MAX][SA_DATA];
  static char names[MAX][64];
  for (int i = 0; i < MAX; i++) {
    addresses[i] = (wasi_sockaddr_t){.sa_data_len = SA_DATA, .sa_data = data[i]};
    results[i] = (wasi_addrinfo_t){.ai_addr = &addresses[i], .ai_canonname = names[i], .ai_canonname_len = 64,
                                   .ai_next = i + 1 < MAX ? &results[i + 1] : NULL};
  }
  wasi_addrinfo_t hints = {.ai_family = (uint8_t)family, .ai_socktype = SOCK_STREAM_};
  wasi_addrinfo_t* list = results;
  uint32_t count = 0;
  uint32_t error = sock_getaddrinfo(host, (uint32_t)strlen(host), "", 0, &hints, &list, MAX, &count);
  if (error) return error;
  if (count == 0) return 83;  // AINODATA
  memcpy(out, data[0] + (family == AF_INET6_ ? 6 : 2), address_bytes);
  if (count_out) *count_out = count;
  return 0;
}

/** A TCP connection to HOST:PORT (`nonblocking`: left connecting); the fd, or -errno. */
static int64_t connect_to(const char* host, uint32_t port, int nonblocking) {
  uint8_t ip[16];
  uint32_t error = resolve(host, ip, NULL);
  if (error) return -(int64_t)error;
  uint32_t fd;
  if ((error = sock_open(family, SOCK_STREAM_, &fd))) return -(int64_t)error;
  if (nonblocking && fcntl((int)fd, F_SETFL, O_NONBLOCK) != 0) return -(int64_t)errno;
  wasi_address_t address = {.buf = ip, .buf_len = address_bytes};
  error = sock_connect(fd, &address, port);
  if (error && !(nonblocking && error == WASI_ERRNO_INPROGRESS)) {
    close((int)fd);
    return -(int64_t)error;
  }
  return fd;
}

static uint32_t send_all(uint32_t fd, const uint8_t* bytes, uint32_t length) {
  while (length > 0) {
    wasi_iovec_t piece = {.buf = (uint8_t*)bytes, .buf_len = length};
    uint32_t sent = 0;
    uint32_t error = sock_send(fd, &piece, 1, 0, &sent);
    if (error) return error;
    bytes += sent;
    length -= sent;
  }
  return 0;
}

static int command_get(const char* host, uint32_t port, const char* path) {
  int64_t fd = connect_to(host, port, 0);
  if (fd < 0) return fail("connect", (uint32_t)-fd);
  char request[512];
  int length = snprintf(request, sizeof request, "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
  uint32_t error = send_all((uint32_t)fd, (const uint8_t*)request, (uint32_t)length);
  if (error) return fail("send", error);
  static uint8_t buffer[CHUNK];
  for (;;) {
    wasi_iovec_t piece = {.buf = buffer, .buf_len = sizeof buffer};
    uint32_t got = 0;
    uint16_t flags = 0;
    if ((error = sock_recv((uint32_t)fd, &piece, 1, 0, &got, &flags))) return fail("recv", error);
    if (got == 0) break;
    fwrite(buffer, 1, got, stdout);
  }
  close((int)fd);
  return 0;
}

static uint8_t pattern(uint64_t at) {
  return (uint8_t)((at * 2654435761u) >> 13);
}

static int command_echo(const char* host, uint32_t port, uint64_t total) {
  int64_t fd = connect_to(host, port, 0);
  if (fd < 0) return fail("connect", (uint32_t)-fd);
  static uint8_t out[CHUNK], in[CHUNK];
  uint64_t sent = 0, received = 0;
  uint32_t hash = 2166136261u;
  while (received < total) {
    if (sent < total) {  // one chunk out, then read until its bytes are back
      uint32_t length = total - sent < CHUNK ? (uint32_t)(total - sent) : CHUNK;
      for (uint32_t i = 0; i < length; i++) out[i] = pattern(sent + i);
      uint32_t error = send_all((uint32_t)fd, out, length);
      if (error) return fail("send", error);
      sent += length;
    }
    while (received < sent) {
      wasi_iovec_t piece = {.buf = in, .buf_len = (uint32_t)(sent - received < CHUNK ? sent - received : CHUNK)};
      uint32_t got = 0;
      uint16_t flags = 0;
      uint32_t error = sock_recv((uint32_t)fd, &piece, 1, 0, &got, &flags);
      if (error) return fail("recv", error);
      if (got == 0) {
        fprintf(stderr, "net-client: the server closed after %llu of %llu bytes\n", (unsigned long long)received, (unsigned long long)total);
        return 1;
      }
      for (uint32_t i = 0; i < got; i++) {
        if (in[i] != pattern(received + i)) {
          fprintf(stderr, "net-client: byte %llu came back as %u, not %u\n", (unsigned long long)(received + i), in[i], pattern(received + i));
          return 1;
        }
        hash = (hash ^ in[i]) * 16777619u;
      }
      received += got;
    }
  }
  sock_shutdown((uint32_t)fd, 2);
  close((int)fd);
  printf("echoed %llu bytes, fnv1a %08x\n", (unsigned long long)received, hash);
  return 0;
}

static int command_udp(const char* host, uint32_t port, const char* text) {
  uint8_t ip[16];
  uint32_t error = resolve(host, ip, NULL);
  if (error) return fail("resolve", error);
  uint32_t fd;
  if ((error = sock_open(family, SOCK_DATAGRAM, &fd))) return fail("sock_open", error);
  wasi_address_t to = {.buf = ip, .buf_len = address_bytes};
  wasi_iovec_t out = {.buf = (uint8_t*)text, .buf_len = (uint32_t)strlen(text)};
  uint32_t sent = 0;
  if ((error = sock_send_to(fd, &out, 1, &to, port, 0, &sent))) return fail("sock_send_to", error);
  uint8_t reply[2048];
  uint8_t from[16] = {0};
  wasi_address_t source = {.buf = from, .buf_len = address_bytes};
  wasi_iovec_t in = {.buf = reply, .buf_len = sizeof reply - 1};
  uint32_t from_port = 0, got = 0;
  uint16_t flags = 0;
  if ((error = sock_recv_from(fd, &in, 1, &source, 0, &from_port, &got, &flags))) return fail("sock_recv_from", error);
  reply[got] = 0;
  printf(family == AF_INET6_ ? "reply from [%s]:%u: %s\n" : "reply from %s:%u: %s\n", address_text(from), from_port, (char*)reply);
  close((int)fd);
  return 0;
}

static int command_nonblocking(const char* host, uint32_t port) {
  int64_t fd = connect_to(host, port, 1);
  if (fd < 0) return fail("connect", (uint32_t)-fd);
  struct pollfd wait = {.fd = (int)fd, .events = POLLOUT};
  if (poll(&wait, 1, 30000) != 1) return fail("poll", (uint32_t)errno);
  int32_t result = -1;
  uint32_t size = sizeof result;
  uint32_t error = sock_getsockopt((uint32_t)fd, SOL_SOCKET_, SO_ERROR_, &result, &size);
  if (error) return fail("getsockopt", error);
  if (result != 0) return fail("SO_ERROR", (uint32_t)result);
  uint8_t ip[16];
  wasi_address_t peer = {.buf = ip, .buf_len = address_bytes};
  uint32_t type = 0, peer_port = 0;
  if ((error = sock_getpeeraddr((uint32_t)fd, &peer, &type, &peer_port))) return fail("getpeeraddr", error);
  printf(family == AF_INET6_ ? "connected without blocking to [%s]:%u (type %u)\n" : "connected without blocking to %s:%u (type %u)\n",
         address_text(ip), peer_port, type);
  close((int)fd);
  return 0;
}

static int command_refused(const char* host, uint32_t port) {
  int64_t fd = connect_to(host, port, 0);
  if (fd >= 0) {
    fprintf(stderr, "net-client: the connection to %s:%u was accepted\n", host, port);
    return 1;
  }
  printf("connect: WASI errno %lld\n", (long long)-fd);
  return 0;
}

static int command_resolve(const char* name) {
  uint8_t ip[16];
  uint32_t count = 0;
  uint32_t error = resolve(name, ip, &count);
  if (error) return fail("resolve", error);
  printf("%s: %s (%u records)\n", name, address_text(ip), count);
  return 0;
}

static double now_ms(void) {
  struct timespec at;
  clock_gettime(CLOCK_MONOTONIC, &at);
  return (double)at.tv_sec * 1e3 + (double)at.tv_nsec / 1e6;
}

static int command_loop(const char* host, uint32_t port, const char* path, unsigned count) {
  static uint8_t buffer[CHUNK];
  char request[512];
  int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
  double start = now_ms();
  for (unsigned i = 0; i < count; i++) {
    int64_t fd = connect_to(host, port, 0);
    if (fd < 0) return fail("connect", (uint32_t)-fd);
    uint32_t error = send_all((uint32_t)fd, (const uint8_t*)request, (uint32_t)length);
    if (error) return fail("send", error);
    uint64_t total = 0;
    for (;;) {
      wasi_iovec_t piece = {.buf = buffer, .buf_len = sizeof buffer};
      uint32_t got = 0;
      uint16_t flags = 0;
      if ((error = sock_recv((uint32_t)fd, &piece, 1, 0, &got, &flags))) return fail("recv", error);
      if (got == 0) break;
      total += got;
    }
    close((int)fd);
    if (total == 0) {
      fprintf(stderr, "net-client: round trip %u got no answer\n", i);
      return 1;
    }
  }
  printf("%u round trips in %.3f ms\n", count, now_ms() - start);
  return 0;
}

static int command_lookups(const char* name, unsigned count, int fresh) {
  uint8_t ip[16];
  char fresh_name[300];
  double start = now_ms();
  for (unsigned i = 0; i < count; i++) {
    if (fresh) snprintf(fresh_name, sizeof fresh_name, "n%u.%s", i, name);
    uint32_t error = resolve(fresh ? fresh_name : name, ip, NULL);
    if (error) return fail("resolve", error);
  }
  printf("%u lookups in %.3f ms\n", count, now_ms() - start);
  return 0;
}

static int usage(void) {
  fprintf(stderr,
          "usage: net-client [-6] COMMAND [+ COMMAND]...\n"
          "  COMMAND: get HOST PORT PATH | echo HOST PORT BYTES | udp HOST PORT TEXT\n"
          "         | nonblocking HOST PORT | refused HOST PORT | resolve NAME\n"
          "         | loop HOST PORT PATH N | lookups NAME N | lookups-fresh SUFFIX N\n");
  return 2;
}

/** One command: argv[0] is its name. */
static int run_command(int argc, char** argv) {
  if (argc < 2) return usage();
  const char* command = argv[0];
  if (strcmp(command, "resolve") == 0 && argc == 2) return command_resolve(argv[1]);
  if (strcmp(command, "lookups") == 0 && argc == 3) return command_lookups(argv[1], (unsigned)strtoul(argv[2], NULL, 10), 0);
  if (strcmp(command, "lookups-fresh") == 0 && argc == 3) return command_lookups(argv[1], (unsigned)strtoul(argv[2], NULL, 10), 1);
  if (argc < 3) return usage();
  uint32_t port = (uint32_t)strtoul(argv[2], NULL, 10);
  if (strcmp(command, "get") == 0 && argc == 4) return command_get(argv[1], port, argv[3]);
  if (strcmp(command, "echo") == 0 && argc == 4) return command_echo(argv[1], port, strtoull(argv[3], NULL, 10));
  if (strcmp(command, "udp") == 0 && argc == 4) return command_udp(argv[1], port, argv[3]);
  if (strcmp(command, "nonblocking") == 0 && argc == 3) return command_nonblocking(argv[1], port);
  if (strcmp(command, "refused") == 0 && argc == 3) return command_refused(argv[1], port);
  if (strcmp(command, "loop") == 0 && argc == 5) return command_loop(argv[1], port, argv[3], (unsigned)strtoul(argv[4], NULL, 10));
  return usage();
}

int main(int argc, char** argv) {
  // Commands separated by "+" run in turn; the first to fail ends the run with its status.
  int start = 1;
  if (argc > 1 && strcmp(argv[1], "-6") == 0) {
    family = AF_INET6_;
    address_bytes = 16;
    start = 2;
  }
  for (int i = start; i <= argc; i++) {
    if (i < argc && strcmp(argv[i], "+") != 0) continue;
    int status = run_command(i - start, argv + start);
    fflush(stdout);
    if (status != 0) return status;
    start = i + 1;
  }
  return 0;
}
