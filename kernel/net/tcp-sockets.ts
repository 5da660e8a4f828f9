// The socket operations of one stack, none of which waits: each answers at
// once, -EAGAIN where a blocking call would wait (kernel/net/index.ts adds
// the waiting for the kernel's stack; the host tests call these directly).
//
// Sockets are numbers in the stack's table (endpoint.ts). Closing
// a connection's socket lets go of it; the connection lives on until its
// state machine is done (FIN exchanged and TIME_WAIT over, or reset). A
// connection closed with unread data is reset instead (RFC 2525 2.17). A
// listener's close resets the connections waiting in its queues.

import { Stack, MAX_SOCKETS } from "./stack";
import { Endpoint, endpointOf as anyEndpointOf, attachEndpoint as attach, detachEndpoint as detach, setFound } from "./endpoint";
import { checkDestination, localAddress, localHigh, localLow } from "./ip";
import { seqGt } from "./tcp-header";
import {
  Connection, Listener, LISTEN, CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2,
  CLOSE_WAIT, LAST_ACK, LISTENER_BYTES,
} from "./tcp-connection";
import {
  portInUse, newConnection, allocateBuffers, closeConnection, initialSequence, reapConnections, unqueue,
  lingerOrphan,
} from "./tcp";
import { tcpOutput, sendSyn, sendAck, resetConnection } from "./tcp-output";
import {
  EAGAIN, EADDRINUSE, EBADF, EINVAL, EINPROGRESS, ENOMEM, ENOTCONN, EPIPE, EACCES,
} from "../errno";

/** tcpReceive's flags (WASI's riflags; RECEIVE_WAITALL is the front door's to honour). */
export const RECEIVE_PEEK: u32 = 1;
export const RECEIVE_WAITALL: u32 = 2;
/** tcpShutdown's `how` bits (WASI's sdflags). */
export const SHUT_RD: u32 = 1;
export const SHUT_WR: u32 = 2;
/** tcpReadiness bits: what a call would not wait for. */
export const READY_READ: u32 = 1;
export const READY_WRITE: u32 = 2;
export const READY_HANGUP: u32 = 4;
export const READY_ERROR: u32 = 8;
const BACKLOG_MAX: u32 = 128;
const EPHEMERAL_FIRST: u32 = 49152;

/** The TCP endpoint at `socket` (a listener or a connection), or null. */
function endpointOf(stack: Stack, socket: i32): Endpoint | null {
  const endpoint = anyEndpointOf(stack, socket);
  return endpoint === null || endpoint.isDatagram ? null : endpoint;
}

function connectionOf(stack: Stack, socket: i32): Connection | null {
  const endpoint = endpointOf(stack, socket);
  return endpoint === null || endpoint.isListener ? null : changetype<Connection>(endpoint);
}

/** A listener on `port` of every local address (IPv4 only unless `acceptsIpv6`): its socket, or -errno. */
export function tcpListen(stack: Stack, port: u32, backlog: i32, acceptsIpv6: bool = true): i32 {
  if (port == 0 || port > 0xffff) return -EINVAL;
  if (portInUse(stack, port)) return -EADDRINUSE;
  const queue = <u32>max<i32>(1, min<i32>(backlog, <i32>BACKLOG_MAX));
  if (!stack.budget.allows(LISTENER_BYTES)) return -ENOMEM;
  const listener = new Listener(port, queue, max<u32>(8, 2 * queue));
  listener.acceptsIpv6 = acceptsIpv6;
  stack.budget.count(LISTENER_BYTES);
  const socket = attach(stack, listener);
  if (socket < 0) {
    stack.budget.release(changetype<usize>(listener), LISTENER_BYTES);
    return socket;
  }
  listener.next = stack.listeners;
  stack.listeners = listener;
  return socket;
}

/**
 * Opens a connection to (high, low):`port` (an ip.ts pair, either family);
 * its socket at once, in SYN_SENT (tcpState tells when it is established).
 */
export function tcpConnect(stack: Stack, high: u64, low: u64, port: u32): i32 {
  const refused = checkDestination(stack, high, low, port);
  if (refused != 0) return refused == -EACCES ? -EINVAL : refused; // no TCP to a broadcast address
  let localPort: u32 = 0;
  for (let tries = 0; tries < 16384 && localPort == 0; tries++) {
    const candidate = stack.nextPort;
    stack.nextPort = candidate == 0xffff ? EPHEMERAL_FIRST : candidate + 1;
    if (!portInUse(stack, candidate)) localPort = candidate;
  }
  if (localPort == 0) return -EADDRINUSE;
  localAddress(stack, high, low);
  const c = newConnection(stack, localHigh, localLow, localPort, high, low, port);
  if (c === null) return -ENOMEM;
  if (!allocateBuffers(stack, c)) {
    reapConnections(stack); // CLOSED with no socket: freed
    return -ENOMEM;
  }
  const socket = attach(stack, c);
  if (socket < 0) {
    reapConnections(stack);
    return socket;
  }
  c.offerScale = true;
  c.iss = initialSequence(stack, c);
  c.sndUna = c.iss;
  c.sndNxt = c.iss + 1;
  c.sndMax = c.sndNxt;
  c.recover = c.iss;
  c.state = SYN_SENT;
  const now = stack.clock.now();
  c.rttTiming = true;
  c.rttSeq = c.iss;
  c.rttStart = now;
  c.retransmitAt = now + c.rto;
  sendSyn(stack, c);
  return socket;
}

/** The next established connection of a listener (a new socket); -EAGAIN when none waits. */
export function tcpAccept(stack: Stack, socket: i32): i32 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  if (!endpoint.isListener) return -EINVAL;
  const listener = changetype<Listener>(endpoint);
  const c = listener.acceptQueue;
  if (c === null) return -EAGAIN;
  const made = attach(stack, c);
  if (made < 0) return made;
  unqueue(c);
  stack.changed();
  return made;
}

/** Copies up to `length` bytes to the send ring and sends what the windows allow: the count, or -EAGAIN when full. */
export function tcpSend(stack: Stack, socket: i32, buffer: usize, length: usize): i64 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  if (endpoint.isListener) return -ENOTCONN;
  const c = changetype<Connection>(endpoint);
  if (c.error != 0) return c.error;
  if (c.finQueued || c.state == CLOSED) return -EPIPE;
  if (c.state == SYN_SENT || c.state == SYN_RECEIVED) return -EAGAIN;
  if (c.state != ESTABLISHED && c.state != CLOSE_WAIT) return -EPIPE;
  if (length == 0) return 0;
  const ring = c.sendRing!;
  const taken = ring.append(buffer, <u32>min<usize>(length, 0x7fff_ffff));
  if (taken == 0) return -EAGAIN;
  tcpOutput(stack, c);
  return taken;
}

/** Copies up to `length` received bytes to `buffer` (and keeps them with RECEIVE_PEEK): the count, 0 at the end, -EAGAIN. */
export function tcpReceive(stack: Stack, socket: i32, buffer: usize, length: usize, flags: u32): i64 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  if (endpoint.isListener) return -ENOTCONN;
  const c = changetype<Connection>(endpoint);
  if (c.error != 0) return c.error;
  const ring = c.receiveRing;
  const available = ring === null ? 0 : ring.length;
  if (available > 0 && length > 0 && !c.shutRead) {
    const count = <u32>min<usize>(length, <usize>available);
    ring!.readAt(0, buffer, count);
    if ((flags & RECEIVE_PEEK) == 0) {
      ring!.discard(count);
      windowUpdate(stack, c);
    }
    return count;
  }
  if (c.finReceived || c.shutRead || c.state == CLOSED || length == 0) return 0;
  return -EAGAIN;
}

/** Tells the peer the window opened once it has by enough to matter (RFC 9293 3.8.6.2.2). */
function windowUpdate(stack: Stack, c: Connection): void {
  if (c.state != ESTABLISHED && c.state != FIN_WAIT_1 && c.state != FIN_WAIT_2) return;
  const ring = c.receiveRing!;
  const field = min<u32>(ring.room >> c.rcvShift, 0xffff);
  const edge = c.rcvNxt + (field << c.rcvShift);
  if (seqGt(edge, c.rcvAdvertised) && edge - c.rcvAdvertised >= min<u32>(ring.capacity / 2, c.mss)) sendAck(stack, c);
}

/** Queues our FIN after the data (SHUT_WR, close). */
function shutWrite(stack: Stack, c: Connection): void {
  if (c.finQueued) return;
  c.finQueued = true;
  if (c.state == ESTABLISHED) c.state = FIN_WAIT_1;
  else if (c.state == CLOSE_WAIT) c.state = LAST_ACK;
  tcpOutput(stack, c);
  stack.changed();
}

export function tcpShutdown(stack: Stack, socket: i32, how: u32): i32 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  if (endpoint.isListener) return -ENOTCONN;
  if ((how & (SHUT_RD | SHUT_WR)) == 0 || (how & ~(SHUT_RD | SHUT_WR)) != 0) return -EINVAL;
  const c = changetype<Connection>(endpoint);
  if (c.state == SYN_SENT || (c.state == CLOSED && c.error == 0 && !c.finReceived)) return -ENOTCONN;
  if (how & SHUT_RD) {
    c.shutRead = true;
    const ring = c.receiveRing;
    if (ring !== null) ring.discard(ring.length);
    stack.changed();
  }
  if ((how & SHUT_WR) && c.state != CLOSED) shutWrite(stack, c);
  return 0;
}

/** Lets go of the socket: a listener stops (its queued connections are reset); a connection closes in the background. */
export function tcpClose(stack: Stack, socket: i32): i32 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  detach(stack, endpoint);
  if (endpoint.isListener) {
    closeListener(stack, changetype<Listener>(endpoint), true);
  } else {
    const c = changetype<Connection>(endpoint);
    c.orphan = true;
    const unread = c.receiveRing !== null && c.receiveRing!.length > 0;
    if (c.state == SYN_SENT) {
      closeConnection(stack, c, 0);
    } else if (c.state == ESTABLISHED || c.state == CLOSE_WAIT || c.state == FIN_WAIT_1 || c.state == FIN_WAIT_2 ||
        c.state == SYN_RECEIVED) {
      if (unread) {
        resetConnection(stack, c);
        closeConnection(stack, c, 0);
      } else {
        shutWrite(stack, c);
        lingerOrphan(stack, c);
      }
    } else {
      lingerOrphan(stack, c);
    }
  }
  stack.changed();
  reapConnections(stack);
  return 0;
}

/** Frees a listener, after resetting (when `reset`) and closing the connections in its queues. */
export function closeListener(stack: Stack, listener: Listener, reset: bool): void {
  while (listener.synQueue !== null || listener.acceptQueue !== null) {
    const c = listener.synQueue !== null ? listener.synQueue! : listener.acceptQueue!;
    if (reset) resetConnection(stack, c);
    closeConnection(stack, c, 0);
  }
  if (stack.listeners === listener) {
    stack.listeners = listener.next;
  } else {
    let before = stack.listeners!;
    while (before.next !== listener) before = before.next!;
    before.next = listener.next;
  }
  stack.budget.release(changetype<usize>(listener), LISTENER_BYTES);
}

/** READY_* bits for the socket (0 for a bad one... READY_ERROR). */
export function tcpReadiness(stack: Stack, socket: i32): u32 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return READY_ERROR;
  if (endpoint.isListener) return changetype<Listener>(endpoint).acceptCount > 0 ? READY_READ : 0;
  const c = changetype<Connection>(endpoint);
  let ready: u32 = 0;
  const ring = c.receiveRing;
  const unread = ring === null ? 0 : ring.length;
  if (c.error != 0) return READY_READ | READY_WRITE | READY_HANGUP | READY_ERROR;
  if (unread > 0 || c.finReceived || c.shutRead || c.state == CLOSED) ready |= READY_READ;
  if (c.finQueued || c.state == CLOSED) ready |= READY_WRITE;
  else if ((c.state == ESTABLISHED || c.state == CLOSE_WAIT) && c.sendRing!.room > 0) ready |= READY_WRITE;
  if ((c.finReceived && unread == 0) || c.state == CLOSED) ready |= READY_HANGUP;
  return ready;
}

/** The socket's TCP state (tcp-connection.ts; LISTEN for a listener), or -EBADF. */
export function tcpState(stack: Stack, socket: i32): i32 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  return endpoint.isListener ? LISTEN : changetype<Connection>(endpoint).state;
}

/** A connection's outcome so far: 0 once established, -EINPROGRESS while the handshake runs, or why it failed. */
export function tcpConnectResult(stack: Stack, socket: i32): i32 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  if (endpoint.isListener) return -EINVAL;
  const c = changetype<Connection>(endpoint);
  if (c.error != 0) return c.error;
  return c.state == SYN_SENT || c.state == SYN_RECEIVED ? -EINPROGRESS : 0;
}

/**
 * The socket's own address and port, or with `peer` its peer's: the port,
 * the address in endpoint.ts's foundHigh/foundLow (a listener's own: the
 * unspecified address); -EBADF, or -ENOTCONN for a listener's peer.
 */
export function tcpAddress(stack: Stack, socket: i32, peer: bool): i64 {
  const endpoint = endpointOf(stack, socket);
  if (endpoint === null) return -EBADF;
  if (endpoint.isListener) {
    if (peer) return -ENOTCONN;
    setFound(0, 0);
    return <i64>changetype<Listener>(endpoint).port;
  }
  const c = changetype<Connection>(endpoint);
  if (peer) {
    setFound(c.remoteHigh, c.remoteLow);
    return <i64>c.remotePort;
  }
  setFound(c.localHigh, c.localLow);
  return <i64>c.localPort;
}

/** The connection behind a socket (for tests and reports), or null. */
export function tcpConnectionOf(stack: Stack, socket: i32): Connection | null {
  return connectionOf(stack, socket);
}

/** Closes everything without a word to the peers (the stack is going away). */
export function tcpDiscardAll(stack: Stack): void {
  for (let i = 0; i < MAX_SOCKETS; i++) {
    const endpoint = endpointOf(stack, i);
    if (endpoint !== null) detach(stack, endpoint);
  }
  while (stack.listeners !== null) closeListener(stack, stack.listeners!, false);
  let c = stack.connections;
  while (c !== null) {
    c.state = CLOSED;
    c.listener = null;
    c = c.next;
  }
  reapConnections(stack);
}
