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

static struct sockaddr_in native_address(const wasi_address_t* address, uint32_t port) {
  struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  memcpy(&in.sin_addr, address->buf, 4);
  return in;
}

static uint32_t sock_open(uint32_t family, uint32_t type, uint32_t* fd) {
  (void)family;
  int made = socket(AF_INET, type == SOCK_DATAGRAM ? SOCK_DGRAM : SOCK_STREAM, 0);
  if (made < 0) return (uint32_t)errno;
  *fd = (uint32_t)made;
  return 0;
}

static uint32_t sock_connect(uint32_t fd, wasi_address_t* address, uint32_t port) {
  struct sockaddr_in in = native_address(address, port);
  return connect((int)fd, (struct sockaddr*)&in, sizeof in) == 0 ? 0 : (uint32_t)errno;
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
  struct sockaddr_in in = native_address(address, port);
  ssize_t done = sendto((int)fd, data->buf, data->buf_len, 0, (struct sockaddr*)&in, sizeof in);
  if (done < 0) return (uint32_t)errno;
  *sent = (uint32_t)done;
  return 0;
}

static uint32_t sock_recv_from(uint32_t fd, wasi_iovec_t* data, uint32_t count, wasi_address_t* address, uint32_t flags, uint32_t* port, uint32_t* received, uint16_t* out_flags) {
  (void)count, (void)flags;
  struct sockaddr_in in;
  socklen_t size = sizeof in;
  ssize_t done = recvfrom((int)fd, data->buf, data->buf_len, 0, (struct sockaddr*)&in, &size);
  if (done < 0) return (uint32_t)errno;
  memcpy(address->buf, &in.sin_addr, 4);
  *port = ntohs(in.sin_port);
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
  struct sockaddr_in in;
  socklen_t size = sizeof in;
  if (getpeername((int)fd, (struct sockaddr*)&in, &size) != 0) return (uint32_t)errno;
  memcpy(address->buf, &in.sin_addr, 4);
  *type = 4;
  *port = ntohs(in.sin_port);
  return 0;
}

/** The first IPv4 address of `node` in results[0]'s sa_data (port, then address), as WasmEdge lays it out. */
static uint32_t sock_getaddrinfo(const char* node, uint32_t node_len, const char* service, uint32_t service_len,
                                 const wasi_addrinfo_t* hints, wasi_addrinfo_t** result, uint32_t max, uint32_t* count) {
  (void)node_len, (void)service, (void)service_len, (void)hints, (void)max;
  struct addrinfo want = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM};
  struct addrinfo* found = NULL;
  int error = getaddrinfo(node, NULL, &want, &found);
  if (error != 0) return 84;  // as WasmEdge's AINONAME
  struct sockaddr_in* in = (struct sockaddr_in*)found->ai_addr;
  uint8_t* data = (*result)->ai_addr->sa_data;
  memset(data, 0, 14);
  memcpy(data + 2, &in->sin_addr, 4);
  *count = 1;
  freeaddrinfo(found);
  return 0;
}

#endif
