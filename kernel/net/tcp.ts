// TCP connections and listeners of one stack: finding them, making and
// freeing them, the state changes shared by input and timers, and the
// timers themselves (retransmission, persist, delayed ACK, TIME_WAIT).
//
// A connection is freed when it is CLOSED and nothing refers to it: no
// socket (the app closed it, or never had it) and no listener queue. That
// sweep (reapConnections) runs after each input and timer run, so no code
// frees a connection another frame down the call stack still uses.
//
// Retransmission (RFC 6298): RTO from SRTT and RTTVAR, RTO_INITIAL before a
// sample, clamped to [RTO_MIN, RTO_MAX], doubled on each timeout; Karn's
// rule (no sample from a retransmitted segment). A timeout sets ssthresh to
// half the flight (the first time), cwnd to one segment, and goes back to
// the first unacknowledged byte. Initial sequence numbers follow RFC 6528:
// a 4-microsecond clock plus a keyed hash of the connection's addresses.

import { ENDPOINT_CONNECTION } from "./endpoint";
import { Stack } from "./stack";
import { ByteRing } from "./buffers";
import { Segment } from "./tcp-header";
import {
  Connection, Listener, CLOSED, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT, RTO_MIN, RTO_MAX,
  RTO_GRANULARITY, MAX_RETRANSMITS, MAX_SYN_RETRANSMITS, CONNECTION_BYTES, OOO_BYTES, OOO_RANGES,
} from "./tcp-connection";
import { sendSyn, sendAck, sendProbe, retransmitFirst, resetConnection } from "./tcp-output";
import { ETIMEDOUT } from "../errno";
import { TCP_RETRANSMIT_TIMEOUTS, TCP_ABORTS, TCP_DELAYED_ACKS } from "./counters";

const RING_BYTES: u64 = offsetof<ByteRing>() + 8;

export function findConnection(stack: Stack, seg: Segment): Connection | null {
  let c = stack.connections;
  while (c !== null) {
    if (c.localPort == seg.destinationPort && c.remotePort == seg.sourcePort && c.remoteLow == seg.sourceLow &&
        c.remoteHigh == seg.sourceHigh && c.localLow == seg.destinationLow && c.localHigh == seg.destinationHigh &&
        c.state != CLOSED) {
      return c;
    }
    c = c.next;
  }
  return null;
}

export function findListener(stack: Stack, port: u32): Listener | null {
  let l = stack.listeners;
  while (l !== null && l.port != port) l = l.next;
  return l;
}

/** Whether a connection or listener uses local port `port`. */
export function portInUse(stack: Stack, port: u32): bool {
  if (findListener(stack, port) !== null) return true;
  let c = stack.connections;
  while (c !== null) {
    if (c.localPort == port) return true;
    c = c.next;
  }
  return false;
}

/** A CLOSED connection object on the stack's list (no buffers yet) between the given addresses and ports, or null when the budget refuses. */
export function newConnection(
  stack: Stack, localHigh: u64, localLow: u64, localPort: u32, remoteHigh: u64, remoteLow: u64, remotePort: u32,
): Connection | null {
  if (!stack.budget.allows(CONNECTION_BYTES)) return null;
  const c = new Connection();
  c.kind = ENDPOINT_CONNECTION;
  stack.budget.count(CONNECTION_BYTES);
  c.localHigh = localHigh;
  c.localLow = localLow;
  c.localPort = localPort;
  c.remoteHigh = remoteHigh;
  c.remoteLow = remoteLow;
  c.remotePort = remotePort;
  c.rcvShift = stack.windowShift;
  c.next = stack.connections;
  stack.connections = c;
  return c;
}

/** Gives the connection its send and receive rings and out-of-order table; false when the budget refuses. */
export function allocateBuffers(stack: Stack, c: Connection): bool {
  if (c.sendRing !== null) return true;
  const budget = stack.budget;
  const config = stack.config;
  if (!budget.allows(2 * RING_BYTES + OOO_BYTES + <u64>config.sendBufferBytes + <u64>config.receiveBufferBytes)) return false;
  const sendData = budget.take(config.sendBufferBytes);
  if (sendData == 0) return false;
  const receiveData = budget.take(config.receiveBufferBytes);
  if (receiveData == 0) {
    budget.give(sendData, config.sendBufferBytes);
    return false;
  }
  c.sendRing = new ByteRing(sendData, config.sendBufferBytes);
  c.receiveRing = new ByteRing(receiveData, config.receiveBufferBytes);
  c.ooo = new StaticArray<u32>(OOO_RANGES * 2);
  budget.count(2 * RING_BYTES + OOO_BYTES);
  return true;
}

/** Gives back the rings (the connection keeps its state). */
export function releaseBuffers(stack: Stack, c: Connection): void {
  const budget = stack.budget;
  if (c.sendRing === null) return;
  budget.give(c.sendRing!.data, c.sendRing!.capacity);
  budget.give(c.receiveRing!.data, c.receiveRing!.capacity);
  budget.release(changetype<usize>(c.sendRing), RING_BYTES);
  budget.release(changetype<usize>(c.receiveRing), RING_BYTES);
  budget.release(changetype<usize>(c.ooo), OOO_BYTES);
  c.sendRing = null;
  c.receiveRing = null;
  c.ooo = null;
  c.oooCount = 0;
}

/** Becomes ESTABLISHED: buffers (false without memory), the initial congestion window (RFC 5681 3.1). */
export function establish(stack: Stack, c: Connection): bool {
  if (!allocateBuffers(stack, c)) return false;
  c.state = ESTABLISHED;
  c.retransmitAt = 0;
  c.retransmits = 0;
  c.rttTiming = false;
  const mss = c.mss;
  c.cwnd = mss > 2190 ? 2 * mss : mss > 1095 ? 3 * mss : 4 * mss;
  c.ssthresh = 0x3fff_ffff;
  c.recover = c.sndUna;
  if (c.finQueued) c.state = FIN_WAIT_1; // the app shut its side before the handshake ended
  stack.changed();
  return true;
}

/** Puts `c` on the listener's SYN queue or accept queue (at the end). */
export function enqueue(listener: Listener, c: Connection, accepted: bool): void {
  c.listener = listener;
  c.queueNext = null;
  let head = accepted ? listener.acceptQueue : listener.synQueue;
  if (head === null) {
    if (accepted) listener.acceptQueue = c;
    else listener.synQueue = c;
  } else {
    while (head.queueNext !== null) head = head.queueNext!;
    head.queueNext = c;
  }
  if (accepted) listener.acceptCount++;
  else listener.synCount++;
}

/** Takes `c` off whichever listener queue holds it. */
export function unqueue(c: Connection): void {
  const listener = c.listener;
  if (listener === null) return;
  if (!unlinkFrom(listener, c, true)) unlinkFrom(listener, c, false);
  c.listener = null;
  c.queueNext = null;
}

function unlinkFrom(listener: Listener, c: Connection, accepted: bool): bool {
  let head = accepted ? listener.acceptQueue : listener.synQueue;
  if (head === c) {
    if (accepted) listener.acceptQueue = c.queueNext;
    else listener.synQueue = c.queueNext;
  } else {
    while (head !== null && head.queueNext !== c) head = head.queueNext;
    if (head === null) return false;
    head.queueNext = c.queueNext;
  }
  if (accepted) listener.acceptCount--;
  else listener.synCount--;
  return true;
}

/** The connection is over: CLOSED, with `error` (0 or -errno) for the app. Freed by the next sweep unless a socket holds it. */
export function closeConnection(stack: Stack, c: Connection, error: i32): void {
  c.state = CLOSED;
  if (error != 0) c.error = error;
  c.retransmitAt = 0;
  c.persistAt = 0;
  c.delayedAckAt = 0;
  c.lingerAt = 0;
  unqueue(c);
  stack.changed();
}

export function enterTimeWait(stack: Stack, c: Connection): void {
  c.state = TIME_WAIT;
  c.retransmitAt = 0;
  c.persistAt = 0;
  c.lingerAt = stack.clock.now() + 2 * stack.config.mslNanoseconds;
  if (c.socket < 0) releaseBuffers(stack, c);
  stack.changed();
}

/** Takes a round-trip sample of `sample` nanoseconds (RFC 6298 2.2, 2.3). */
export function updateRtt(c: Connection, sample: u64): void {
  if (!c.measured) {
    c.srtt = sample;
    c.rttvar = sample / 2;
    c.measured = true;
  } else {
    const delta = c.srtt > sample ? c.srtt - sample : sample - c.srtt;
    c.rttvar = (3 * c.rttvar + delta) / 4;
    c.srtt = (7 * c.srtt + sample) / 8;
  }
  let rto = c.srtt + max<u64>(RTO_GRANULARITY, 4 * c.rttvar);
  if (rto < RTO_MIN) rto = RTO_MIN;
  if (rto > RTO_MAX) rto = RTO_MAX;
  c.rto = rto;
}

/** An initial sequence number (RFC 6528): a 4 µs clock plus a keyed hash of the four-tuple. */
export function initialSequence(stack: Stack, c: Connection): u32 {
  let h = stack.config.secret ^ (<u64>c.localPort << 16 | <u64>c.remotePort);
  h = mix(h ^ c.localHigh);
  h = mix(h ^ c.localLow);
  h = mix(h ^ c.remoteHigh);
  h = mix(h ^ c.remoteLow);
  return <u32>h + <u32>(stack.clock.now() / 4000);
}

/** A 64-bit finalizer: every input bit reaches every output bit. */
function mix(h: u64): u64 {
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9;
  h = (h ^ (h >> 27)) * 0x94d049bb133111eb;
  return h ^ (h >> 31);
}

/** Frees CLOSED connections nothing refers to any more. */
export function reapConnections(stack: Stack): void {
  let before: Connection | null = null;
  let c = stack.connections;
  while (c !== null) {
    const next = c.next;
    if (c.state == CLOSED && c.socket < 0 && c.listener === null) {
      if (before === null) stack.connections = next;
      else before.next = next;
      releaseBuffers(stack, c);
      stack.budget.release(changetype<usize>(c), CONNECTION_BYTES);
    } else {
      before = c;
    }
    c = next;
  }
}

/** The earliest timer of any connection, or u64.MAX_VALUE. */
export function tcpNextDeadline(stack: Stack): u64 {
  let earliest = u64.MAX_VALUE;
  let c = stack.connections;
  while (c !== null) {
    earliest = earliestOf(earliest, c.retransmitAt);
    earliest = earliestOf(earliest, c.persistAt);
    earliest = earliestOf(earliest, c.delayedAckAt);
    earliest = earliestOf(earliest, c.lingerAt);
    c = c.next;
  }
  return earliest;
}

function earliestOf(earliest: u64, deadline: u64): u64 {
  return deadline != 0 && deadline < earliest ? deadline : earliest;
}

function due(deadline: u64, now: u64): bool {
  return deadline != 0 && deadline <= now;
}

export function tcpRunTimers(stack: Stack, now: u64): void {
  let c = stack.connections;
  while (c !== null) {
    if (c.state != CLOSED) {
      if (due(c.lingerAt, now)) {
        if (c.state != TIME_WAIT && c.state != FIN_WAIT_2) {
          stack.counters.bump(TCP_ABORTS);
          resetConnection(stack, c);
        }
        closeConnection(stack, c, 0);
      } else {
        if (due(c.retransmitAt, now)) retransmitTimeout(stack, c, now);
        if (due(c.persistAt, now)) sendProbe(stack, c);
        if (due(c.delayedAckAt, now)) {
          stack.counters.bump(TCP_DELAYED_ACKS);
          sendAck(stack, c);
        }
      }
    }
    c = c.next;
  }
}

function retransmitTimeout(stack: Stack, c: Connection, now: u64): void {
  c.retransmitAt = 0;
  c.retransmits++;
  c.rttTiming = false;
  const limit = c.state == SYN_SENT || c.state == SYN_RECEIVED ? MAX_SYN_RETRANSMITS : MAX_RETRANSMITS;
  if (c.retransmits > limit) {
    stack.counters.bump(TCP_ABORTS);
    if (c.state != SYN_SENT) resetConnection(stack, c);
    closeConnection(stack, c, c.state == SYN_RECEIVED && c.listener !== null ? 0 : -ETIMEDOUT);
    return;
  }
  c.rto = min<u64>(c.rto * 2, RTO_MAX);
  stack.counters.bump(TCP_RETRANSMIT_TIMEOUTS);
  if (c.state == SYN_SENT || c.state == SYN_RECEIVED) {
    sendSyn(stack, c);
    c.retransmitAt = now + c.rto;
    return;
  }
  if (c.sndMax == c.sndUna) return;
  if (c.retransmits == 1) c.ssthresh = max<u32>((c.sndMax - c.sndUna) / 2, 2 * c.mss);
  c.cwnd = c.mss;
  c.inRecovery = false;
  c.recover = c.sndMax;
  c.dupAcks = 0;
  const sent = retransmitFirst(stack, c);
  c.sndNxt = c.sndUna + sent;
  c.retransmitAt = now + c.rto;
}

/**
 * After the app let go of `c`: it may wait for the peer only so long, 2 MSL
 * for the peer's FIN in FIN_WAIT_2, 4 MSL to get our data and FIN through
 * (a peer whose window stays shut would otherwise keep it for ever; it is
 * reset then). In TIME_WAIT it needs its buffers no more.
 */
export function lingerOrphan(stack: Stack, c: Connection): void {
  const msl = stack.config.mslNanoseconds;
  const now = stack.clock.now();
  if (c.state == FIN_WAIT_2) c.lingerAt = now + 2 * msl;
  else if (c.state == FIN_WAIT_1 || c.state == CLOSING || c.state == LAST_ACK) c.lingerAt = now + 4 * msl;
  if (c.state == TIME_WAIT) releaseBuffers(stack, c);
}
