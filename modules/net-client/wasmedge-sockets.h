/*
 * WasmEdge's socket extension of WASI preview 1, as a C program built with
 * wasi-libc imports it (the functions live in module wasi_snapshot_preview1,
 * beside preview 1's own). The layouts are WasmEdge's: an address is a
 * buffer and its length (4 bytes of IPv4 address in network order), ports
 * are host-order integers, and every function returns a WASI errno.
 */
#ifndef WASMEDGE_SOCKETS_H
#define WASMEDGE_SOCKETS_H

#include <stdint.h>

#define WASMEDGE_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))

#include "wasmedge-types.h"

uint32_t sock_open(uint32_t family, uint32_t type, uint32_t* fd) WASMEDGE_IMPORT("sock_open");
uint32_t sock_bind(uint32_t fd, wasi_address_t* address, uint32_t port) WASMEDGE_IMPORT("sock_bind");
uint32_t sock_connect(uint32_t fd, wasi_address_t* address, uint32_t port) WASMEDGE_IMPORT("sock_connect");
uint32_t sock_send(uint32_t fd, const wasi_iovec_t* data, uint32_t count, uint32_t flags, uint32_t* sent) WASMEDGE_IMPORT("sock_send");
uint32_t sock_recv(uint32_t fd, wasi_iovec_t* data, uint32_t count, uint32_t flags, uint32_t* received, uint16_t* out_flags) WASMEDGE_IMPORT("sock_recv");
uint32_t sock_send_to(uint32_t fd, const wasi_iovec_t* data, uint32_t count, wasi_address_t* address, uint32_t port, uint32_t flags, uint32_t* sent) WASMEDGE_IMPORT("sock_send_to");
uint32_t sock_recv_from(uint32_t fd, wasi_iovec_t* data, uint32_t count, wasi_address_t* address, uint32_t flags, uint32_t* port, uint32_t* received, uint16_t* out_flags) WASMEDGE_IMPORT("sock_recv_from");
uint32_t sock_shutdown(uint32_t fd, uint32_t how) WASMEDGE_IMPORT("sock_shutdown");
uint32_t sock_getpeeraddr(uint32_t fd, wasi_address_t* address, uint32_t* type, uint32_t* port) WASMEDGE_IMPORT("sock_getpeeraddr");
uint32_t sock_getlocaladdr(uint32_t fd, wasi_address_t* address, uint32_t* type, uint32_t* port) WASMEDGE_IMPORT("sock_getlocaladdr");
uint32_t sock_getsockopt(uint32_t fd, uint32_t level, uint32_t name, int32_t* value, uint32_t* size) WASMEDGE_IMPORT("sock_getsockopt");
uint32_t sock_getaddrinfo(const char* node, uint32_t node_len, const char* service, uint32_t service_len,
                          const wasi_addrinfo_t* hints, wasi_addrinfo_t** result, uint32_t max, uint32_t* count)
    WASMEDGE_IMPORT("sock_getaddrinfo");

#endif
