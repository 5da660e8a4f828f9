/*
 * The functions of wasmedge-sockets.h that net-client uses, over POSIX
 * sockets, so that the same program builds natively (the native column of
 * `wisp bench net`). Errors come back as errno values, where the WASI build
 * gets WASI errnos: the numbers differ, the messages say which.
 */
#ifndef NATIVE_SOCKETS_H
#define NATIVE_SOCKETS_H

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <errno.h>

#include "wasmedge-types.h"

/** The POSIX socket address for a WasmEdge one (4 bytes: IPv4, 16: IPv6) and a port; its size in `size`. */
static struct sockaddr_storage native_address(const wasi_address_t* address, uint32_t port, socklen_t* size) {
  struct sockaddr_storage storage;
  memset(&storage, 0, sizeof storage);
  if (address->buf_len == 16) {
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)&storage;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)port);
    memcpy(&in6->sin6_addr, address->buf, 16);
    *size = sizeof *in6;
  } else {
    struct sockaddr_in* in = (struct sockaddr_in*)&storage;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)port);
    memcpy(&in->sin_addr, address->buf, 4);
    *size = sizeof *in;
  }
  return storage;
}

/** Copies a POSIX socket address's bytes to `address` (as many as it holds) and returns its port. */
static uint32_t wasi_address(const struct sockaddr_storage* storage, wasi_address_t* address) {
  if (storage->ss_family == AF_INET6) {
    const struct sockaddr_in6* in6 = (const struct sockaddr_in6*)storage;
    if (address->buf_len >= 16) memcpy(address->buf, &in6->sin6_addr, 16);
    return ntohs(in6->sin6_port);
  }
  const struct sockaddr_in* in = (const struct sockaddr_in*)storage;
  if (address->buf_len >= 4) memcpy(address->buf, &in->sin_addr, 4);
  return ntohs(in->sin_port);
}

static uint32_t sock_open(uint32_t family, uint32_t type, uint32_t* fd) {
  int made = socket(family == AF_INET6_ ? AF_INET6 : AF_INET, type == SOCK_DATAGRAM ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (made < 0) return (uint32_t)errno;
  *fd = (uint32_t)made;
  return 0;
}

static uint32_t sock_connect(uint32_t fd, wasi_address_t* address, uint32_t port) {
  socklen_t size;
  struct sockaddr_storage to = native_address(address, port, &size);
  return connect((int)fd, (struct sockaddr*)&to, size) == 0 ? 0 : (uint32_t)errno;
}

static uint32_t sock_send(uint32_t fd, const wasi_iovec_t* data, uint32_t count, uint32_t flags, uint32_t* sent) {
  (void)count, (void)flags;
  ssize_t done = send((int)fd, data->buf, data->buf_len, MSG_NOSIGNAL);
  if (done < 0) return (uint32_t)errno;
  *sent = (uint32_t)done;
  return 0;
}

static uint32_t sock_recv(uint32_t fd, wasi_iovec_t* data, uint32_t count, uint32_t flags, uint32_t* received, uint16_t* out_flags) {
  (void)count, (void)flags;
  ssize_t done = recv((int)fd, data->buf, data->buf_len, 0);
  if (done < 0) return (uint32_t)errno;
  *received = (uint32_t)done;
  *out_flags = 0;
  return 0;
}

static uint32_t sock_send_to(uint32_t fd, const wasi_iovec_t* data, uint32_t count, wasi_address_t* address, uint32_t port, uint32_t flags, uint32_t* sent) {
  (void)count, (void)flags;
  socklen_t size;
  struct sockaddr_storage to = native_address(address, port, &size);
  ssize_t done = sendto((int)fd, data->buf, data->buf_len, 0, (struct sockaddr*)&to, size);
  if (done < 0) return (uint32_t)errno;
  *sent = (uint32_t)done;
  return 0;
}

static uint32_t sock_recv_from(uint32_t fd, wasi_iovec_t* data, uint32_t count, wasi_address_t* address, uint32_t flags, uint32_t* port, uint32_t* received, uint16_t* out_flags) {
  (void)count, (void)flags;
  struct sockaddr_storage from;
  socklen_t size = sizeof from;
  ssize_t done = recvfrom((int)fd, data->buf, data->buf_len, 0, (struct sockaddr*)&from, &size);
  if (done < 0) return (uint32_t)errno;
  *port = wasi_address(&from, address);
  *received = (uint32_t)done;
  *out_flags = 0;
  return 0;
}

static uint32_t sock_shutdown(uint32_t fd, uint32_t how) {
  return shutdown((int)fd, how == 1 ? SHUT_RD : how == 2 ? SHUT_WR : SHUT_RDWR) == 0 ? 0 : (uint32_t)errno;
}

static uint32_t sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name, int32_t* value, uint32_t* size) {
  (void)level, (void)name;
  socklen_t length = *size;
  if (getsockopt((int)fd, SOL_SOCKET, SO_ERROR, value, &length) != 0) return (uint32_t)errno;
  *size = length;
  return 0;
}

static uint32_t sock_getpeeraddr(uint32_t fd, wasi_address_t* address, uint32_t* type, uint32_t* port) {
  struct sockaddr_storage peer;
  socklen_t size = sizeof peer;
  if (getpeername((int)fd, (struct sockaddr*)&peer, &size) != 0) return (uint32_t)errno;
  *type = peer.ss_family == AF_INET6 ? 6 : 4;
  *port = wasi_address(&peer, address);
  return 0;
}

/**
 * The first address of `node` of the hints' family in results[0]'s sa_data
 * as WasmEdge lays it out: what follows the family in a sockaddr_in (port,
 * address) or a sockaddr_in6 (port, flow label, address, scope id).
 */
static uint32_t sock_getaddrinfo(const char* node, uint32_t node_len, const char* service, uint32_t service_len,
                                 const wasi_addrinfo_t* hints, wasi_addrinfo_t** result, uint32_t max, uint32_t* count) {
  (void)node_len, (void)service, (void)service_len, (void)max;
  int ipv6 = hints->ai_family == AF_INET6_;
  struct addrinfo want = {.ai_family = ipv6 ? AF_INET6 : AF_INET, .ai_socktype = SOCK_STREAM};
  struct addrinfo* found = NULL;
  int error = getaddrinfo(node, NULL, &want, &found);
  if (error != 0) return 84;  // as WasmEdge's AINONAME
  uint8_t* data = (*result)->ai_addr->sa_data;
  memset(data, 0, (*result)->ai_addr->sa_data_len);
  if (ipv6) memcpy(data + 6, &((struct sockaddr_in6*)found->ai_addr)->sin6_addr, 16);
  else memcpy(data + 2, &((struct sockaddr_in*)found->ai_addr)->sin_addr, 4);
  *count = 1;
  freeaddrinfo(found);
  return 0;
}

#endif
