// UDP sockets for apps: a bound port (udp.ts) whose datagrams wait in a
// queue until the app takes them, by number in the stack's socket table
// (endpoint.ts). None of these waits: each answers at once, -EAGAIN where a
// blocking call would wait (the front door, index.ts, does the waiting).
//
//   udpOpen        a socket bound to a port (0: an ephemeral one)
//   udpConnect     names the default peer (sends without an address go
//                  there; datagrams from anyone else are dropped), or
//                  forgets it (the unspecified address)
//   udpSendTo      one datagram to an address and port, or to the peer
//   udpReceiveFrom the oldest datagram: as much as fits (the rest of it is
//                  lost, and receivedFull says how long it was), its sender
//                  in receivedHigh / receivedLow / receivedPort; RECEIVE_PEEK
//                  leaves it
//   udpReadiness   READY_READ when a datagram waits; READY_WRITE always
//                  (a send never waits: it is queued or dropped whole)
//
// Addresses are ip.ts pairs: a socket talks to either family.
//
// Memory: each datagram is one block (its header and bytes) counted in the
// stack's budget; a socket holds at most queueLimit bytes of them (64 KiB
// by default) and drops what would exceed it, counted in udp.queue.full
// (no.buffer when the budget refuses).

import { Stack } from "./stack";
import { Endpoint, ENDPOINT_DATAGRAM, endpointOf, attachEndpoint, detachEndpoint, setFound } from "./endpoint";
import { UdpReceiver, udpBind, udpUnbind, udpSend, UDP_HEADER } from "./udp";
import { checkDestination, payloadRoom } from "./ip";
import { isAnyAddress } from "./ipv6-address";
import { UDP_QUEUE_FULL, UDP_WRONG_PEER, NO_BUFFER } from "./counters";
import { RECEIVE_PEEK, READY_READ, READY_WRITE } from "./tcp-sockets";
import { MAX_SOCKETS } from "./stack";
import { EADDRINUSE, EAGAIN, EBADF, EDESTADDRREQ, EINVAL, EMSGSIZE, ENOMEM, ENOTCONN } from "../errno";

/** Bytes of datagrams a socket keeps waiting, by default. */
export const UDP_QUEUE_BYTES: u32 = 64 * 1024;
const EPHEMERAL_FIRST: u32 = 49152;
const SOCKET_BYTES: u64 = offsetof<UdpSocket>() + offsetof<SocketReceiver>() + 16;

/** One waiting datagram: this header, then its bytes, in one block. */
@unmanaged
class Datagram {
  next: usize;
  sourceHigh: u64;
  sourceLow: u64;
  port: u32;
  length: u32;
}
const DATAGRAM_HEADER: u32 = <u32>offsetof<Datagram>();

export class UdpSocket extends Endpoint {
  /** The default peer (udpConnect); port 0 when there is none. */
  peerHigh: u64 = 0;
  peerLow: u64 = 0;
  peerPort: u32 = 0;
  first: usize = 0;
  last: usize = 0;
  queuedBytes: u32 = 0;
  queueLimit: u32 = UDP_QUEUE_BYTES;
  /** Made by udpOpen right after the socket (it points back to it). */
  receiver: SocketReceiver = changetype<SocketReceiver>(0);

  constructor(public stack: Stack, public localPort: u32) {
    super();
    this.kind = ENDPOINT_DATAGRAM;
  }
}

class SocketReceiver extends UdpReceiver {
  constructor(public socket: UdpSocket) {
    super();
  }

  receive(stack: Stack, sourceHigh: u64, sourceLow: u64, sourcePort: u32, port: u32, data: usize, length: u32): void {
    const s = this.socket;
    if (s.peerPort != 0 && (sourceLow != s.peerLow || sourceHigh != s.peerHigh || sourcePort != s.peerPort)) {
      return stack.counters.drop(UDP_WRONG_PEER);
    }
    if (s.queuedBytes + length > s.queueLimit) return stack.counters.drop(UDP_QUEUE_FULL);
    const block = stack.budget.take(DATAGRAM_HEADER + length);
    if (block == 0) return stack.counters.drop(NO_BUFFER);
    const datagram = changetype<Datagram>(block);
    datagram.next = 0;
    datagram.sourceHigh = sourceHigh;
    datagram.sourceLow = sourceLow;
    datagram.port = sourcePort;
    datagram.length = length;
    memory.copy(block + DATAGRAM_HEADER, data, length);
    if (s.last == 0) s.first = block;
    else changetype<Datagram>(s.last).next = block;
    s.last = block;
    s.queuedBytes += length;
    stack.changed();
  }
}

/** The sender and full length of the datagram udpReceiveFrom took last. */
export let receivedHigh: u64 = 0;
export let receivedLow: u64 = 0;
export let receivedPort: u32 = 0;
export let receivedFull: u32 = 0;

function socketOf(stack: Stack, socket: i32): UdpSocket | null {
  const endpoint = endpointOf(stack, socket);
  return endpoint === null || !endpoint.isDatagram ? null : changetype<UdpSocket>(endpoint);
}

function portTaken(stack: Stack, port: u32): bool {
  let binding = stack.udpBindings;
  while (binding !== null) {
    if (binding.port == port) return true;
    binding = binding.next;
  }
  return false;
}

/** A UDP socket bound to `port` (0: the next free ephemeral port); its number, or -EADDRINUSE, -ENOMEM, -EMFILE. */
export function udpOpen(stack: Stack, port: u32): i32 {
  if (port > 0xffff) return -EINVAL;
  if (port == 0) {
    for (let tries = 0; tries < 16384 && port == 0; tries++) {
      const candidate = stack.nextPort;
      stack.nextPort = candidate == 0xffff ? EPHEMERAL_FIRST : candidate + 1;
      if (!portTaken(stack, candidate)) port = candidate;
    }
    if (port == 0) return -EADDRINUSE;
  } else if (portTaken(stack, port)) {
    return -EADDRINUSE;
  }
  if (!stack.budget.allows(SOCKET_BYTES)) return -ENOMEM;
  const s = new UdpSocket(stack, port);
  s.receiver = new SocketReceiver(s);
  stack.budget.count(SOCKET_BYTES);
  let result = udpBind(stack, port, s.receiver);
  if (result == 0) result = attachEndpoint(stack, s);
  if (result < 0) {
    udpUnbind(stack, port);
    release(stack, s);
  }
  return result;
}

/** Sets the default peer to (high, low):`port`, or forgets it (the unspecified address, or an IPv4 0.0.0.0); 0 or -errno. */
export function udpConnect(stack: Stack, socket: i32, high: u64, low: u64, port: u32): i32 {
  const s = socketOf(stack, socket);
  if (s === null) return -EBADF;
  if (isAnyAddress(high, low)) {
    s.peerHigh = 0;
    s.peerLow = 0;
    s.peerPort = 0;
    return 0;
  }
  const refused = checkDestination(stack, high, low, port);
  if (refused != 0) return refused;
  s.peerHigh = high;
  s.peerLow = low;
  s.peerPort = port;
  return 0;
}

/** Sends `length` bytes as one datagram to (high, low):`port` (unspecified: the peer); the length, or -errno. */
export function udpSendTo(stack: Stack, socket: i32, high: u64, low: u64, port: u32, data: usize, length: u32): i64 {
  const s = socketOf(stack, socket);
  if (s === null) return -EBADF;
  if (isAnyAddress(high, low)) {
    if (s.peerPort == 0) return -EDESTADDRREQ;
    high = s.peerHigh;
    low = s.peerLow;
    port = s.peerPort;
  }
  const refused = checkDestination(stack, high, low, port);
  if (refused != 0) return refused;
  if (length > payloadRoom(stack, high, low) - UDP_HEADER) return -EMSGSIZE;
  const sent = udpSend(stack, s.localPort, high, low, port, data, length);
  return sent < 0 ? <i64>sent : <i64>length;
}

/** Copies the oldest datagram (as much as fits) to `buffer`; its sender in receivedHigh/receivedLow/receivedPort; the count, or -EAGAIN. */
export function udpReceiveFrom(stack: Stack, socket: i32, buffer: usize, length: usize, flags: u32): i64 {
  const s = socketOf(stack, socket);
  if (s === null) return -EBADF;
  if (s.first == 0) return -EAGAIN;
  const datagram = changetype<Datagram>(s.first);
  const count = <u32>min<usize>(length, <usize>datagram.length);
  memory.copy(buffer, s.first + DATAGRAM_HEADER, count);
  receivedHigh = datagram.sourceHigh;
  receivedLow = datagram.sourceLow;
  receivedPort = datagram.port;
  receivedFull = datagram.length;
  if ((flags & RECEIVE_PEEK) == 0) {
    const block = s.first;
    s.first = datagram.next;
    if (s.first == 0) s.last = 0;
    s.queuedBytes -= datagram.length;
    stack.budget.give(block, DATAGRAM_HEADER + datagram.length);
  }
  return count;
}

/** READY_READ when a datagram waits, and READY_WRITE; 0 for a number that is not a UDP socket. */
export function udpReadiness(stack: Stack, socket: i32): u32 {
  const s = socketOf(stack, socket);
  if (s === null) return 0;
  return (s.first != 0 ? READY_READ : 0) | READY_WRITE;
}

/**
 * The socket's port (its address in endpoint.ts's foundHigh/foundLow: the
 * unspecified one, as it takes datagrams to any of ours), or with `peer`
 * its default peer's; -EBADF, or -ENOTCONN when it has no peer.
 */
export function udpAddress(stack: Stack, socket: i32, peer: bool): i64 {
  const s = socketOf(stack, socket);
  if (s === null) return -EBADF;
  if (!peer) {
    setFound(0, 0);
    return <i64>s.localPort;
  }
  if (s.peerPort == 0) return -ENOTCONN;
  setFound(s.peerHigh, s.peerLow);
  return <i64>s.peerPort;
}

/** Sets how many bytes of datagrams may wait (SO_RCVBUF), at least one full datagram's worth. */
export function udpSetQueueLimit(stack: Stack, socket: i32, bytes: u32): i32 {
  const s = socketOf(stack, socket);
  if (s === null) return -EBADF;
  s.queueLimit = max<u32>(bytes, stack.device.mtu);
  return 0;
}

export function udpQueueLimit(stack: Stack, socket: i32): i64 {
  const s = socketOf(stack, socket);
  return s === null ? -EBADF : <i64>s.queueLimit;
}

/** Closes the socket: its waiting datagrams are freed, its port unbound. */
export function udpClose(stack: Stack, socket: i32): i32 {
  const s = socketOf(stack, socket);
  if (s === null) return -EBADF;
  detachEndpoint(stack, s);
  udpUnbind(stack, s.localPort);
  release(stack, s);
  return 0;
}

/** Closes every UDP socket (the stack's teardown). */
export function udpDiscardAll(stack: Stack): void {
  for (let i = 0; i < MAX_SOCKETS; i++) if (socketOf(stack, i) !== null) udpClose(stack, i);
}

function release(stack: Stack, s: UdpSocket): void {
  while (s.first != 0) {
    const block = s.first;
    const datagram = changetype<Datagram>(block);
    s.first = datagram.next;
    stack.budget.give(block, DATAGRAM_HEADER + datagram.length);
  }
  s.last = 0;
  s.queuedBytes = 0;
  heap.free(changetype<usize>(s.receiver));
  stack.budget.release(changetype<usize>(s), SOCKET_BYTES);
}
