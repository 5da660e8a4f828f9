/*
 * The types of WasmEdge's socket extension (wasmedge-sockets.h), shared
 * with native-sockets.h: its address and iovec pairs, and its addrinfo and
 * sockaddr records (wasm32 layouts: pointers are 4 bytes there).
 */
#ifndef WASMEDGE_TYPES_H
#define WASMEDGE_TYPES_H

#include <stdint.h>

enum { AF_INET4 = 1, AF_INET6_ = 2 };
enum { SOCK_DATAGRAM = 1, SOCK_STREAM_ = 2 };

typedef struct {
  uint8_t* buf;
  uint32_t buf_len;
} wasi_address_t;

typedef struct {
  uint8_t* buf;
  uint32_t buf_len;
} wasi_iovec_t;

typedef struct {
  uint8_t sa_family;
  uint32_t sa_data_len;
  uint8_t* sa_data;
} wasi_sockaddr_t;

typedef struct {
  uint16_t ai_flags;
  uint8_t ai_family;
  uint8_t ai_socktype;
  uint8_t ai_protocol;
  uint32_t ai_addrlen;
  wasi_sockaddr_t* ai_addr;
  char* ai_canonname;
  uint32_t ai_canonname_len;
  void* ai_next;
} wasi_addrinfo_t;

#endif
