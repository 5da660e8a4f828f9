// The network stack's front door (issue: networking). What the rest of the
// kernel calls: the WASI socket functions (loader/wasi/sockets.ts), the boot
// (kernel/init), the self-tests.
//
// Sockets are small integers (>= 0); every function returns 0, a count or a
// socket, or a negative errno (kernel/errno.ts). Functions that wait
// (accept, receive, send without `nonblocking`) sleep the calling thread.

import { ENOSYS } from "../errno";

/** socketReceive flags (WASI's riflags). */
export const RECEIVE_PEEK: u32 = 1;
export const RECEIVE_WAITALL: u32 = 2;
/** socketShutdown's `how` bits (WASI's sdflags). */
export const SHUT_RD: u32 = 1;
export const SHUT_WR: u32 = 2;
/** socketReadiness bits. */
export const READY_READ: u32 = 1;
export const READY_WRITE: u32 = 2;
export const READY_HANGUP: u32 = 4;
export const READY_ERROR: u32 = 8;

/** Declares the network's kernel options (ip=...), before the command line is read. */
export function declareNetworkOptions(): void {}

/** Brings the stack up on the first network device with the configuration ip= gave; 0 or -errno with the reason. */
export function startNetwork(): i32 {
  return -ENOSYS;
}

/** A TCP socket listening on `port` of every local address, with a backlog of `backlog` connections. */
export function tcpListen(port: u32, backlog: i32): i32 {
  return -ENOSYS;
}

/** The next connection of the listening `socket` (a new socket); -EAGAIN if none is waiting and `nonblocking`. */
export function socketAccept(socket: i32, nonblocking: bool): i32 {
  return -ENOSYS;
}

/** Receives up to `length` bytes into `buffer`; 0 at the end of the stream; -EAGAIN if nothing is waiting and `nonblocking`. */
export function socketReceive(socket: i32, buffer: usize, length: usize, flags: u32, nonblocking: bool): i64 {
  return -ENOSYS;
}

/** Queues up to `length` bytes from `buffer` to send; the count (all of it unless `nonblocking`); -EPIPE after SHUT_WR. */
export function socketSend(socket: i32, buffer: usize, length: usize, nonblocking: bool): i64 {
  return -ENOSYS;
}

export function socketShutdown(socket: i32, how: u32): i32 {
  return -ENOSYS;
}

/** Lets go of the socket: a connection is closed gracefully (FIN) in the background; a listener stops. */
export function socketClose(socket: i32): i32 {
  return -ENOSYS;
}

/** READY_* bits: what a call on the socket would not wait for now. */
export function socketReadiness(socket: i32): u32 {
  return READY_ERROR;
}

/** Sleeps until some socket's readiness may have changed, or until `deadline` (kernel/time now() units). */
export function waitForNetwork(deadline: u64): void {}
