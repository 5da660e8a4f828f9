// http-static: a small HTTP/1.1 static file server, a WASI preview 1 app.
//
// It serves the files under a document root (--root, default /www) on the
// listening sockets it is handed the way wasmtime's --tcplisten and systemd's
// socket activation hand them over: LISTEN_FDS=N in the environment, the
// sockets at fds 3..3+N-1. Built natively (clang -O2: for the host tests and
// as a benchmark baseline), --port N or HTTP_STATIC_PORT=N makes it listen on
// 127.0.0.1:N itself instead (0: any free port; the startup line says which).
//
// What it speaks: GET and HEAD; Content-Length on every response; Content-Type
// by extension; index.html for a path ending in "/" (a directory without the
// "/" is redirected to it); keep-alive by default in HTTP/1.1 and on request
// in HTTP/1.0, "Connection: close" honoured; pipelined requests answered in
// order; request bodies (Content-Length) skipped. 400 for a malformed request
// or a path that climbs out of the root ("..", also percent-encoded), 404 for
// a missing file, 405 for other methods, 414 / 431 for a request line / header
// block that does not fit REQUEST_BUFFER, 501 for Transfer-Encoding, 505 for
// HTTP/2+. GET /__exit?status=N answers "bye\n", then the server exits with
// status N (the boot tests end their VM this way).
//
// Design: one thread and one poll() loop over the listening sockets and up to
// MAX_CONNECTIONS connections, every socket non-blocking. A connection is
// READING a request (polled for POLLIN), SENDING its response (POLLOUT) or
// LINGERING (shut down for writing, reading until the peer closes so that
// unread input does not turn the close into a reset that destroys the
// response). A response's header and its file's next chunk go through the
// connection's output buffer, so a file is never read whole; a connection
// sends at most SEND_BUDGET bytes per round, so a large file does not starve
// the others. The next pipelined request is parsed only once the response
// before it is sent, which keeps responses in request order. When every slot
// is taken, a new client takes the place of the connection idle longest
// between requests; a connection without progress for IDLE_TIMEOUT_MS is
// dropped.
//
// wasi-libc notes: accept() writes through its address arguments without
// checking them, so they always point somewhere. At start-up wasi-libc walks
// fds from 3 with fd_prestat_get to find the preopened directories, and stops
// at the first EBADF (any other error ends the program with status 71): a
// runtime answers EBADF for the first listening socket (as wasmtime does),
// which hides the preopens after the sockets from open(), so the root's is
// looked up here directly and files are opened with openat(). There is no
// setsockopt (TCP_NODELAY is native only), and send() refuses any flag with
// ENOTSUP (MSG_NOSIGNAL is native only).

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#define SEND_FLAGS 0
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#define SEND_FLAGS MSG_NOSIGNAL
#endif

#define MAX_LISTENERS 16
#define MAX_CONNECTIONS 64
#define REQUEST_BUFFER 8192       // request line + headers; past it: 414 / 431
#define OUTPUT_BUFFER 32768       // a response header and a chunk of its file
#define SEND_BUDGET (256 * 1024)  // bytes one connection sends per poll round
#define IDLE_TIMEOUT_MS 30000     // a connection without progress is dropped
#define LINGER_MS 2000            // how long a closing connection is drained
#define ACCEPT_PAUSE_MS 100       // after accept() fails for want of resources

enum state { READING, SENDING, LINGERING };

struct connection {
  int fd;  // -1: a free slot
  enum state state;
  long long last_active;  // ms: the last progress (LINGERING: when it began)
  char in[REQUEST_BUFFER];
  size_t in_length;
  unsigned long long discard;  // request body bytes still to skip
  bool peer_closed;
  char out[OUTPUT_BUFFER];
  size_t out_start, out_end;
  int file;  // the file being sent, or -1
  unsigned long long file_left;
  bool close_after;
  int exit_after;  // >= 0: exit with this status once the response is sent
  bool answered;   // a response has been sent: between requests, the connection is idle
};

/** A parsed request: what respond() needs, pointing into the connection's input. */
struct request {
  int status;  // 0: serve it; otherwise the error status to answer
  bool get, head, keep_alive;
  unsigned long long body;
  const char* raw_path;  // the target's path as sent, up to '?'
  size_t raw_length;
  const char* query;  // after '?', or ""
  size_t query_length;
  bool directory;                  // the target ends in "/" (or "/.")
  char path[REQUEST_BUFFER + 16];  // decoded, normalised, relative to the root ("": the root)
};

static int listeners[MAX_LISTENERS];
static bool listener_nonblocking[MAX_LISTENERS];
static int listener_count;
static int root_fd = -1;
static struct connection connections[MAX_CONNECTIONS];
static int open_connections;
static long long accept_paused_until;
static int exit_status = -1;
static struct request request;  // one at a time: too large for the stack

static long long now;  // ms on the monotonic clock, read once per poll round

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char* http_date(void) {
  static char text[40];
  static time_t cached = -1;
  time_t t = time(NULL);
  if (t != cached) {
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = t;
  }
  return text;
}

static void warn_once(bool* warned, const char* what) {
  if (*warned) return;
  *warned = true;
  fprintf(stderr, "http-static: %s: %s\n", what, strerror(errno));
}

static bool set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

// ---- Responses ----

static const struct {
  const char* extension;
  const char* type;
} CONTENT_TYPES[] = {
    {"html", "text/html; charset=utf-8"}, {"htm", "text/html; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"}, {"css", "text/css; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"}, {"mjs", "text/javascript; charset=utf-8"},
    {"json", "application/json"}, {"png", "image/png"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
    {"gif", "image/gif"}, {"svg", "image/svg+xml"}, {"ico", "image/x-icon"}, {"wasm", "application/wasm"},
};

static const char* content_type(const char* path) {
  const char* slash = strrchr(path, '/');
  const char* dot = strrchr(slash ? slash : path, '.');
  if (dot)
    for (size_t i = 0; i < sizeof CONTENT_TYPES / sizeof CONTENT_TYPES[0]; i++)
      if (strcasecmp(dot + 1, CONTENT_TYPES[i].extension) == 0) return CONTENT_TYPES[i].type;
  return "application/octet-stream";
}

static const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
    default: return "Internal Server Error";
  }
}

/** Puts a response header in the connection's (empty) output buffer. */
static void begin_response(struct connection* c, int status, const char* type, unsigned long long length,
                           const char* extra_headers) {
  int n = snprintf(c->out, OUTPUT_BUFFER,
                   "HTTP/1.1 %d %s\r\nServer: http-static\r\nDate: %s\r\nContent-Type: %s\r\n"
                   "Content-Length: %llu\r\n%sConnection: %s\r\n\r\n",
                   status, reason(status), http_date(), type, length, extra_headers,
                   c->close_after ? "close" : "keep-alive");
  c->out_start = 0;
  c->out_end = n < 0 || n >= OUTPUT_BUFFER ? 0 : (size_t)n;
}

/** A response whose body is `body` (left out for HEAD). */
static void small_response(struct connection* c, int status, bool head, const char* body, const char* extra_headers) {
  size_t length = strlen(body);
  begin_response(c, status, "text/plain; charset=utf-8", length, extra_headers);
  if (!head && c->out_end + length <= OUTPUT_BUFFER) {
    memcpy(c->out + c->out_end, body, length);
    c->out_end += length;
  }
}

static void error_response(struct connection* c, int status, bool head) {
  char body[64];
  snprintf(body, sizeof body, "%d %s\n", status, reason(status));
  small_response(c, status, head, body, status == 405 ? "Allow: GET, HEAD\r\n" : "");
}

/** Reads the file's next bytes into the output buffer's free space; false if the file failed or shrank. */
static bool refill(struct connection* c) {
  if (c->out_start == c->out_end) c->out_start = c->out_end = 0;
  size_t want = OUTPUT_BUFFER - c->out_end;
  if (want > c->file_left) want = c->file_left;
  if (want == 0) return true;
  ssize_t n;
  do n = read(c->file, c->out + c->out_end, want);
  while (n < 0 && errno == EINTR);
  if (n <= 0) return false;  // the Content-Length sent can no longer be kept
  c->out_end += n;
  c->file_left -= n;
  return true;
}

static int status_for_errno(int error) {
  switch (error) {
    case ENOENT: case ENOTDIR: case ENAMETOOLONG: case ELOOP:
#ifdef ENOTCAPABLE
    case ENOTCAPABLE:
#endif
      return 404;
    case EACCES: case EPERM: return 403;
    default: return 500;
  }
}

static void serve_file(struct connection* c, struct request* r) {
  char* path = r->path;
  if (r->directory) strcat(path, path[0] ? "/index.html" : "index.html");
  int fd = openat(root_fd, path[0] ? path : ".", O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    int status = status_for_errno(errno);
    if (fd >= 0) close(fd);
    error_response(c, status, r->head);
    return;
  }
  if (S_ISDIR(st.st_mode) && !r->directory) {
    close(fd);
    char location[REQUEST_BUFFER + 32];
    snprintf(location, sizeof location, "Location: %.*s/%s%.*s\r\n", (int)r->raw_length, r->raw_path,
             r->query_length ? "?" : "", (int)r->query_length, r->query);
    small_response(c, 301, r->head, "moved\n", location);
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    error_response(c, 404, r->head);
    return;
  }
  begin_response(c, 200, content_type(path), (unsigned long long)st.st_size, "");
  if (r->head || st.st_size == 0) {
    close(fd);
    return;
  }
  c->file = fd;
  c->file_left = (unsigned long long)st.st_size;
  refill(c);  // the first chunk goes out with the header; a short file fails again in pump(), which drops the connection
}

/** GET /__exit?status=N: "bye\n", then the server exits with N once it is sent. */
static void exit_response(struct connection* c, struct request* r) {
  int status = 0;
  const char* end = r->query + r->query_length;
  c->close_after = true;
  for (const char* q = r->query; q < end; q++) {
    const char* next = memchr(q, '&', end - q);
    if (!next) next = end;
    if (next - q > 7 && memcmp(q, "status=", 7) == 0) {
      status = 0;
      for (const char* d = q + 7; d < next; d++) {
        if (*d >= '0' && *d <= '9') status = status * 10 + (*d - '0');
        if (*d < '0' || *d > '9' || status > 255) {
          error_response(c, 400, false);
          return;
        }
      }
    }
    q = next;
  }
  c->exit_after = status;
  small_response(c, 200, false, "bye\n", "");
}

static void respond(struct connection* c, struct request* r) {
  c->close_after = !r->keep_alive || r->status == 400 || r->status >= 500;
  if (r->status != 0) error_response(c, r->status, r->head);
  else if (r->get && strcmp(r->path, "__exit") == 0 && !r->directory) exit_response(c, r);
  else serve_file(c, r);
}

// ---- Requests ----

static bool is_tchar(unsigned char ch) {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
         (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static int hex_value(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/** Where the header block in `buffer` ends (just past its blank line), or 0 if it has not yet. */
static size_t header_end(const char* buffer, size_t length) {
  for (const char* lf = memchr(buffer, '\n', length); lf; lf = memchr(lf + 1, '\n', buffer + length - lf - 1)) {
    size_t at = lf - buffer;
    if (at + 1 < length && lf[1] == '\n') return at + 2;
    if (at + 2 < length && lf[1] == '\r' && lf[2] == '\n') return at + 3;
  }
  return 0;
}

/** The line at `p` (in a complete header block ending at `limit`): its end without CR LF; returns the next line. */
static const char* next_line(const char* p, const char* limit, const char** end) {
  const char* lf = memchr(p, '\n', limit - p);
  *end = lf > p && lf[-1] == '\r' ? lf - 1 : lf;
  return lf + 1;
}

/** Percent-decodes and normalises the target's path [p, end) into r->path; false if it is malformed or climbs out. */
static bool parse_path(struct request* r, const char* p, const char* end) {
  size_t length = 0;
  bool last_was_dot = false;
  while (p <= end) {
    // Decode one segment (up to the next '/') into r->path after the segments kept so far.
    char* segment = r->path + length + (length > 0);
    size_t n = 0;
    for (; p < end && *p != '/'; p++) {
      char ch = *p;
      if (ch == '%') {
        if (end - p < 3 || hex_value(p[1]) < 0 || hex_value(p[2]) < 0) return false;
        ch = (char)(hex_value(p[1]) * 16 + hex_value(p[2]));
        p += 2;
        if (ch == '\0') return false;
      }
      segment[n++] = ch;
    }
    p++;  // past the '/' (or the end)
    last_was_dot = n == 1 && segment[0] == '.';
    if (n == 2 && segment[0] == '.' && segment[1] == '.') return false;
    if (n == 0 || last_was_dot) continue;
    if (memchr(segment, '/', n)) return false;  // an encoded "/" inside a segment
    if (length > 0) r->path[length] = '/';
    length = segment + n - r->path;
  }
  r->path[length] = '\0';
  r->directory = end[-1] == '/' || last_was_dot || length == 0;
  return true;
}

/** Parses the request target [p, end): origin form, or absolute form (the authority is ignored). */
static int parse_target(struct request* r, const char* p, const char* end) {
  for (const char* q = p; q < end; q++)
    if ((unsigned char)*q < 0x21 || *q == 0x7f) return 400;
  if (*p != '/') {
    size_t scheme = 0;
    if (end - p > 7 && strncasecmp(p, "http://", 7) == 0) scheme = 7;
    else if (end - p > 8 && strncasecmp(p, "https://", 8) == 0) scheme = 8;
    else return 400;
    const char* slash = memchr(p + scheme, '/', end - p - scheme);
    if (slash) p = slash;
    else p = "/", end = p + 1;
  }
  const char* question = memchr(p, '?', end - p);
  const char* path_end = question ? question : end;
  const char* hash = memchr(p, '#', path_end - p);
  if (hash) path_end = hash;
  r->raw_path = p;
  r->raw_length = path_end - p;
  r->query = question ? question + 1 : "";
  r->query_length = question ? end - question - 1 : 0;
  return parse_path(r, p, path_end) ? 0 : 400;
}

/** Whether the comma-separated list [p, end) holds `token` (case-insensitive). */
static bool has_token(const char* p, const char* end, const char* token) {
  size_t length = strlen(token);
  while (p < end) {
    while (p < end && (*p == ' ' || *p == '\t' || *p == ',')) p++;
    const char* start = p;
    while (p < end && *p != ',') p++;
    const char* stop = p;
    while (stop > start && (stop[-1] == ' ' || stop[-1] == '\t')) stop--;
    if ((size_t)(stop - start) == length && strncasecmp(start, token, length) == 0) return true;
  }
  return false;
}

/** Parses a complete header block, [block, limit) with its blank line, into `r`; 0, or the error status to answer. */
static int parse_request(const char* block, const char* limit, struct request* r) {
  memset(r, 0, offsetof(struct request, path));
  r->path[0] = '\0';
  const char* end;
  const char* next = next_line(block, limit, &end);
  // The request line: METHOD SP target SP HTTP/d.d
  const char* sp1 = memchr(block, ' ', end - block);
  const char* sp2 = sp1 ? memchr(sp1 + 1, ' ', end - sp1 - 1) : NULL;
  if (!sp1 || !sp2 || sp1 == block || sp2 == sp1 + 1 || end - sp2 != 9 || memcmp(sp2 + 1, "HTTP/", 5) != 0 ||
      sp2[6] < '0' || sp2[6] > '9' || sp2[7] != '.' || sp2[8] < '0' || sp2[8] > '9')
    return 400;
  for (const char* q = block; q < sp1; q++)
    if (!is_tchar(*q)) return 400;
  if (sp2[6] != '1') return 505;
  bool http11 = sp2[8] >= '1';
  r->get = sp1 - block == 3 && memcmp(block, "GET", 3) == 0;
  r->head = sp1 - block == 4 && memcmp(block, "HEAD", 4) == 0;
  // The header fields.
  int hosts = 0;
  bool close = false, keep_alive = false, has_length = false, chunked = false;
  for (const char* line = next; (next = next_line(line, limit, &end)), end != line; line = next) {
    const char* colon = memchr(line, ':', end - line);
    if (!colon || colon == line || memchr(line, '\r', end - line)) return 400;
    for (const char* q = line; q < colon; q++)
      if (!is_tchar(*q)) return 400;  // also whitespace before the colon, and obs-fold
    const char* value = colon + 1;
    const char* value_end = end;
    while (value < value_end && (*value == ' ' || *value == '\t')) value++;
    while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) value_end--;
    size_t name_length = colon - line;
    if (name_length == 4 && strncasecmp(line, "host", 4) == 0) hosts++;
    else if (name_length == 10 && strncasecmp(line, "connection", 10) == 0) {
      close |= has_token(value, value_end, "close");
      keep_alive |= has_token(value, value_end, "keep-alive");
    } else if (name_length == 14 && strncasecmp(line, "content-length", 14) == 0) {
      unsigned long long length = 0;
      if (value == value_end) return 400;
      for (const char* d = value; d < value_end; d++) {
        if (*d < '0' || *d > '9' || length > (1ULL << 50)) return 400;
        length = length * 10 + (*d - '0');
      }
      if (has_length && length != r->body) return 400;
      has_length = true;
      r->body = length;
    } else if (name_length == 17 && strncasecmp(line, "transfer-encoding", 17) == 0) {
      chunked = true;
    }
  }
  if (hosts > 1 || (http11 && hosts == 0)) return 400;
  if (chunked) return 501;
  r->keep_alive = !close && (http11 || keep_alive);
  if (!r->get && !r->head) return 405;
  return parse_target(r, sp1 + 1, sp2);
}

// ---- Connections ----

static void close_connection(struct connection* c) {
  if (c->file >= 0) close(c->file);
  close(c->fd);
  c->fd = -1;
  c->file = -1;
  open_connections--;
}

static void consume(struct connection* c, size_t n) {
  memmove(c->in, c->in + n, c->in_length - n);
  c->in_length -= n;
}

/** Parses the next buffered request and starts its response; false if it is not all here yet (or the connection ended). */
static bool next_request(struct connection* c) {
  size_t skip = c->discard < c->in_length ? c->discard : c->in_length;
  c->discard -= skip;
  if (c->discard == 0)  // empty lines before a request line are allowed
    while (skip < c->in_length && (c->in[skip] == '\r' || c->in[skip] == '\n')) skip++;
  consume(c, skip);
  size_t length = c->discard > 0 ? 0 : header_end(c->in, c->in_length);
  if (length == 0 && (c->discard > 0 || c->in_length < REQUEST_BUFFER)) {
    if (c->peer_closed) close_connection(c);
    return false;
  }
  c->state = SENDING;
  c->exit_after = -1;
  if (length == 0) {  // the buffer is full and the header block has not ended
    c->close_after = true;
    error_response(c, memchr(c->in, '\n', c->in_length) ? 431 : 414, memcmp(c->in, "HEAD ", 5) == 0);
    c->in_length = 0;
    return true;
  }
  request.status = parse_request(c->in, c->in + length, &request);
  respond(c, &request);
  consume(c, length);
  c->discard = request.body;
  return true;
}

/**
 * Sends the output buffer, refilled from the file, until the response is
 * sent (1), the socket is full or this round's budget is spent (0), or the
 * connection failed (-1).
 */
static int pump(struct connection* c) {
  size_t budget = SEND_BUDGET;
  for (;;) {
    if (c->out_start == c->out_end) {
      if (c->file_left == 0) return 1;
      if (!refill(c)) return -1;
    }
    if (budget == 0) return 0;
    ssize_t n = send(c->fd, c->out + c->out_start, c->out_end - c->out_start, SEND_FLAGS);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
    }
    c->out_start += n;
    c->last_active = now;
    budget = (size_t)n >= budget ? 0 : budget - n;
  }
}

static void finish_response(struct connection* c) {
  if (c->file >= 0) {
    close(c->file);
    c->file = -1;
  }
  c->answered = true;
  if (c->exit_after >= 0) {
    exit_status = c->exit_after;
    shutdown(c->fd, SHUT_WR);
    close_connection(c);
  } else if (c->close_after) {
    c->state = LINGERING;
    c->last_active = now;
    c->in_length = 0;
    if (shutdown(c->fd, SHUT_WR) != 0) close_connection(c);
  } else {
    c->state = READING;
  }
}

/** Moves the connection on as far as it goes without waiting. */
static void drive(struct connection* c) {
  while (c->fd >= 0) {
    if (c->state == READING && !next_request(c)) return;
    if (c->state != SENDING) return;
    int sent = pump(c);
    if (sent < 0) close_connection(c);
    if (sent <= 0) return;
    finish_response(c);
  }
}

static void on_readable(struct connection* c) {
  size_t room = sizeof c->in - c->in_length;
  if (c->state == LINGERING) room = sizeof c->in;  // read and throw away
  if (room == 0) {
    drive(c);
    return;
  }
  ssize_t n = recv(c->fd, c->in + (c->state == LINGERING ? 0 : c->in_length), room, 0);
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close_connection(c);
    return;
  }
  if (c->state == LINGERING) {
    if (n == 0) close_connection(c);
    return;
  }
  if (n == 0) c->peer_closed = true;
  c->in_length += n;
  c->last_active = now;
  drive(c);
}

/** The connection idle longest between two requests (a keep-alive), or NULL. */
static struct connection* idlest(void) {
  struct connection* found = NULL;
  for (struct connection* c = connections; c < connections + MAX_CONNECTIONS; c++)
    if (c->fd >= 0 && c->state == READING && c->answered && c->in_length == 0 && c->discard == 0 &&
        (!found || c->last_active < found->last_active))
      found = c;
  return found;
}

/**
 * Frees a slot for a new client by closing the connection idle longest,
 * unless its next request turns out to be on its way (then it is served and
 * the next idlest is tried); false if no connection is idle.
 */
static bool make_room(void) {
  while (open_connections == MAX_CONNECTIONS) {
    struct connection* idle = idlest();
    if (!idle) return false;
    ssize_t n = recv(idle->fd, idle->in, sizeof idle->in, 0);
    if (n > 0) {
      idle->in_length = n;
      idle->last_active = now;
      drive(idle);
    } else {
      close_connection(idle);
    }
  }
  return true;
}

static void accept_connections(int index) {
  static bool warned_accept, warned_nonblocking;
  do {
    if (!make_room()) return;
    struct sockaddr_storage address;  // wasi-libc's accept() writes through both, unchecked
    socklen_t address_length = sizeof address;
    int fd = accept(listeners[index], (struct sockaddr*)&address, &address_length);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      warn_once(&warned_accept, "accept failed");
      accept_paused_until = now + ACCEPT_PAUSE_MS;
      return;
    }
    if (!set_nonblocking(fd)) warn_once(&warned_nonblocking, "cannot make connections non-blocking");
#ifndef __wasi__
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // pipelined responses leave at once
#endif
    struct connection* c = connections;
    while (c->fd >= 0) c++;
    c->fd = fd;
    c->state = READING;
    c->last_active = now;
    c->in_length = 0;
    c->discard = 0;
    c->peer_closed = false;
    c->out_start = c->out_end = 0;
    c->file = -1;
    c->file_left = 0;
    c->answered = false;
    open_connections++;
  } while (listener_nonblocking[index]);  // a blocking listener: one accept per readiness
}

static long long deadline(const struct connection* c) {
  return c->last_active + (c->state == LINGERING ? LINGER_MS : IDLE_TIMEOUT_MS);
}

/** The poll loop; returns the status an /__exit request asked for. */
static int serve(void) {
  static struct pollfd fds[MAX_LISTENERS + MAX_CONNECTIONS];
  static struct connection* polled[MAX_CONNECTIONS];
  while (exit_status < 0) {
    now = now_ms();
    int count = 0, timeout = -1;
    bool room = open_connections < MAX_CONNECTIONS || idlest() != NULL;
    if (room && now >= accept_paused_until) {
      for (int i = 0; i < listener_count; i++) fds[count++] = (struct pollfd){.fd = listeners[i], .events = POLLIN};
    } else if (room) {
      timeout = (int)(accept_paused_until - now);
    }
    int first = count;
    for (struct connection* c = connections; c < connections + MAX_CONNECTIONS; c++) {
      if (c->fd < 0) continue;
      if (now >= deadline(c)) {
        close_connection(c);
        continue;
      }
      if (timeout < 0 || deadline(c) - now < timeout) timeout = (int)(deadline(c) - now);
      polled[count - first] = c;
      fds[count++] = (struct pollfd){.fd = c->fd, .events = c->state == SENDING ? POLLOUT : POLLIN};
    }
    if (poll(fds, count, timeout) < 0) {
      if (errno == EINTR) continue;
      perror("http-static: poll");
      return 1;
    }
    now = now_ms();
    for (int i = 0; i < first; i++)
      if (fds[i].revents) accept_connections(i);
    for (int i = first; i < count && exit_status < 0; i++) {
      struct connection* c = polled[i - first];
      if (fds[i].revents == 0 || c->fd != fds[i].fd) continue;
      if (fds[i].revents & POLLNVAL) close_connection(c);
      else if (c->state == SENDING) drive(c);
      else on_readable(c);
    }
  }
  return exit_status;
}

// ---- Start-up ----

/** The listening sockets of LISTEN_FDS (fds 3..3+N-1); 0, or 2 with a message. */
static int inherited_listeners(void) {
  const char* text = getenv("LISTEN_FDS");
  if (!text) {
#ifdef __wasi__
    fprintf(stderr, "http-static: LISTEN_FDS is not set: start it with listening sockets at fds 3... and LISTEN_FDS=N\n");
#else
    fprintf(stderr, "http-static: LISTEN_FDS is not set: give it listening sockets at fds 3... and LISTEN_FDS=N, or --port N\n");
#endif
    return 2;
  }
  char* end;
  long n = strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || n < 1 || n > MAX_LISTENERS) {
    fprintf(stderr, "http-static: LISTEN_FDS=%s: expected a count of listening sockets from 1 to %d\n", text, MAX_LISTENERS);
    return 2;
  }
  for (int fd = 3; fd < 3 + n; fd++) {
    struct stat st;
    int stat_result = fstat(fd, &st);
    if (stat_result != 0 && errno == EBADF) {
      fprintf(stderr, "http-static: LISTEN_FDS=%s, but fd %d is not open\n", text, fd);
      return 2;
    }
    if (stat_result == 0 && !S_ISSOCK(st.st_mode)) {  // (when fstat cannot tell, accept() will)
      fprintf(stderr, "http-static: LISTEN_FDS=%s, but fd %d is not a socket\n", text, fd);
      return 2;
    }
    listeners[listener_count++] = fd;
  }
  return 0;
}

/** A directory fd for the document root. */
static int open_root(const char* root) {
#ifdef __wasi__
  // The preopen that holds the root: the longest whose name is a prefix of it, after the listening sockets.
  int best = -1;
  size_t best_length = 0;
  for (int fd = 3 + listener_count; fd < 3 + listener_count + 1024; fd++) {
    __wasi_prestat_t prestat;
    __wasi_errno_t error = __wasi_fd_prestat_get(fd, &prestat);
    if (error == __WASI_ERRNO_BADF) break;
    char name[256];
    size_t length = prestat.u.dir.pr_name_len;
    if (error != 0 || prestat.tag != __WASI_PREOPENTYPE_DIR || length >= sizeof name ||
        __wasi_fd_prestat_dir_name(fd, (uint8_t*)name, length) != 0)
      continue;
    while (length > 0 && name[length - 1] == '/') length--;
    if (strncmp(root, name, length) == 0 && (root[length] == '/' || root[length] == '\0') &&
        (best < 0 || length > best_length)) {
      best = fd;
      best_length = length;
    }
  }
  if (best >= 0) {
    const char* rest = root + best_length;
    while (*rest == '/') rest++;
    return openat(best, *rest ? rest : ".", O_RDONLY | O_DIRECTORY);
  }
#endif
  return open(root, O_RDONLY | O_DIRECTORY);
}

static int usage(void) {
#ifdef __wasi__
  fprintf(stderr, "usage: http-static [--root DIR]   (listening sockets from LISTEN_FDS)\n");
#else
  fprintf(stderr, "usage: http-static [--root DIR] [--port N]   (without --port or HTTP_STATIC_PORT: LISTEN_FDS)\n");
#endif
  return 2;
}

#ifndef __wasi__
/** A socket listening on 127.0.0.1:port (0: any free port); its port, or -1 with a message. */
static int listen_on_port(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t length = sizeof address;
  if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
      bind(fd, (struct sockaddr*)&address, sizeof address) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, (struct sockaddr*)&address, &length) != 0) {
    fprintf(stderr, "http-static: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
    return -1;
  }
  listeners[listener_count++] = fd;
  return ntohs(address.sin_port);
}
#endif

/**
 * The listening sockets: a new one on 127.0.0.1:`port` when a port is given
 * (native builds only), else LISTEN_FDS's. 0, or an exit status with a
 * message; `where` says what the server listens on.
 */
static int take_listeners(const char* port, char* where, size_t size) {
#ifdef __wasi__
  (void)port;
#else
  if (port) {
    char* end;
    long number = strtol(port, &end, 10);
    if (*port == '\0' || *end != '\0' || number < 0 || number > 65535) return usage();
    int bound = listen_on_port((int)number);
    if (bound < 0) return 1;
    snprintf(where, size, "127.0.0.1:%d", bound);
    return 0;
  }
#endif
  int status = inherited_listeners();
  snprintf(where, size, "%d listening socket%s", listener_count, listener_count == 1 ? "" : "s");
  return status;
}

int main(int argc, char** argv) {
  const char* root = "/www";
  const char* port = NULL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--root") == 0 && i + 1 < argc) root = argv[++i];
#ifndef __wasi__
    else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = argv[++i];
#endif
    else return usage();
  }
#ifndef __wasi__
  if (!port) port = getenv("HTTP_STATIC_PORT");
#endif
  char where[64];
  int status = take_listeners(port, where, sizeof where);
  if (status != 0) return status;
  for (int i = 0; i < listener_count; i++) listener_nonblocking[i] = set_nonblocking(listeners[i]);
  if ((root_fd = open_root(root)) < 0) {
    fprintf(stderr, "http-static: cannot open the document root %s: %s\n", root, strerror(errno));
    return 1;
  }
  for (int i = 0; i < MAX_CONNECTIONS; i++) connections[i].fd = connections[i].file = -1;
  fprintf(stderr, "http-static: serving %s on %s\n", root, where);
  return serve();
}
