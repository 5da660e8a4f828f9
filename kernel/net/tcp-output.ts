// Sending TCP segments: what the windows allow (tcpOutput), one segment
// (sendSegment), a retransmission of the first unacknowledged one, a
// zero-window probe, and resets.
//
// tcpOutput sends new data while it fits both the peer's window and the
// congestion window, a segment at most an MSS, and the FIN after the last
// byte once the app shut the sending side. It sends a short segment only
// when it carries the last queued byte or nothing is in flight (sender-side
// silly window avoidance, RFC 9293 3.8.6.2.1; there is no Nagle delay: a
// lone small write goes at once). Every segment carries an ACK and our
// window (the receive ring's room, scaled), which satisfies a pending
// delayed ACK.

import { Stack } from "./stack";
import { ipSend, payloadAt, payloadRoom } from "./ip";
import { PROTOCOL_TCP } from "./ipv4";
import { writeHeader, finishChecksum, seqGt, seqLeq, SYN, ACK, FIN, PSH, RST, TCP_HEADER } from "./tcp-header";
import {
  Connection, SYN_SENT, SYN_RECEIVED, ESTABLISHED, CLOSED, PERSIST_MAX,
} from "./tcp-connection";
import { TCP_SEGMENTS_OUT, TCP_RESETS_SENT, TCP_PROBES } from "./counters";

/** The window field for a segment of `c` (a SYN's is not scaled), noting the edge advertised. */
function windowField(stack: Stack, c: Connection, flags: u32): u32 {
  const room = c.receiveRing === null ? stack.config.receiveBufferBytes : c.receiveRoom;
  if (flags & SYN) return min<u32>(room, 0xffff);
  const field = min<u32>(room >> c.rcvShift, 0xffff);
  const edge = c.rcvNxt + (field << c.rcvShift);
  if (seqGt(edge, c.rcvAdvertised)) c.rcvAdvertised = edge;
  return field;
}

/** Sends one segment of `c`: `length` bytes from `offset` in the send ring (seq is the first's number). */
export function sendSegment(stack: Stack, c: Connection, seq: u32, flags: u32, offset: u32, length: u32): void {
  const packet = payloadAt(stack, c.remoteHigh, c.remoteLow);
  let mss: u32 = 0;
  let shift: i32 = -1;
  if (flags & SYN) {
    mss = payloadRoom(stack, c.remoteHigh, c.remoteLow) - TCP_HEADER;
    if (c.offerScale) shift = <i32>c.rcvShift;
  }
  const window = windowField(stack, c, flags);
  const headerLength = writeHeader(packet, c.localPort, c.remotePort, seq, flags & ACK ? c.rcvNxt : 0, flags, window, mss, shift);
  if (length > 0) c.sendRing!.readAt(offset, packet + headerLength, length);
  finishChecksum(packet, c.localHigh, c.localLow, c.remoteHigh, c.remoteLow, headerLength + length);
  if (flags & ACK) {
    c.unacked = 0;
    c.delayedAckAt = 0;
    c.ackNow = false;
  }
  stack.counters.bump(TCP_SEGMENTS_OUT);
  ipSend(stack, c.localHigh, c.localLow, c.remoteHigh, c.remoteLow, PROTOCOL_TCP, headerLength + length);
}

/** Sends our SYN (SYN_SENT) or SYN-ACK (SYN_RECEIVED). */
export function sendSyn(stack: Stack, c: Connection): void {
  sendSegment(stack, c, c.iss, c.state == SYN_SENT ? SYN : SYN | ACK, 0, 0);
}

/**
 * A pure ACK. Its sequence number is sndMax, not sndNxt: after a timeout
 * sndNxt goes back, and an ACK numbered below what the peer has received
 * would fail the peer's sequence check and be dropped with its news.
 */
export function sendAck(stack: Stack, c: Connection): void {
  if (c.state == SYN_RECEIVED) return sendSyn(stack, c);
  sendSegment(stack, c, c.sndMax, ACK, 0, 0);
}

/** Sends whatever the windows allow, and a pending immediate ACK. */
export function tcpOutput(stack: Stack, c: Connection): void {
  const state = c.state;
  if (state == CLOSED || state == SYN_SENT) return;
  if (state == SYN_RECEIVED) {
    if (c.ackNow) sendSyn(stack, c);
    c.ackNow = false;
    return;
  }
  const now = stack.clock.now();
  let sent = false;
  while (c.sendRing !== null) {
    const unsent = c.unsent;
    const window = min<u32>(c.sndWnd, c.cwnd);
    const inFlight = c.sndNxt - c.sndUna;
    const usable = window > inFlight ? window - inFlight : 0;
    let length = min<u32>(min<u32>(unsent, c.mss), usable);
    const fin = c.finQueued && !c.finAcked && length == unsent && c.sndNxt + length == c.finSeq;
    if (length == 0 && !fin) break;
    if (length < c.mss && length < unsent && inFlight > 0) break;
    const flags = ACK | (length > 0 && length == unsent ? PSH : 0) | (fin ? FIN : 0);
    sendSegment(stack, c, c.sndNxt, flags, c.sndNxt - c.sndUna, length);
    if (!c.rttTiming && c.sndNxt == c.sndMax && length > 0) {
      c.rttTiming = true;
      c.rttSeq = c.sndNxt;
      c.rttStart = now;
    }
    c.sndNxt += length + (fin ? 1 : 0);
    if (seqGt(c.sndNxt, c.sndMax)) c.sndMax = c.sndNxt;
    if (c.retransmitAt == 0) c.retransmitAt = now + c.rto;
    c.persistAt = 0;
    sent = true;
    if (fin) break;
  }
  if (!sent && c.ackNow) sendAck(stack, c);
  armPersist(stack, c);
}

/** Starts the persist timer when the peer's window is closed, data waits, and nothing is in flight to time. */
export function armPersist(stack: Stack, c: Connection): void {
  if (c.sndWnd != 0 || c.persistAt != 0 || c.retransmitAt != 0) return;
  if (c.unsent == 0 && c.sndMax == c.sndUna) return;
  c.persistAt = stack.clock.now() + persistInterval(c);
}

function persistInterval(c: Connection): u64 {
  let interval = c.rto << min<u32>(c.persistBackoff, 16);
  return interval > PERSIST_MAX ? PERSIST_MAX : interval;
}

/**
 * The persist timer ran out: sends one byte past the closed window (the
 * outstanding probe byte again if there is one), and backs off.
 */
export function sendProbe(stack: Stack, c: Connection): void {
  if (c.sendRing === null || c.sendRing!.length == 0) {
    c.persistAt = 0; // nothing to probe with
    return;
  }
  stack.counters.bump(TCP_PROBES);
  if (c.sndMax != c.sndUna) {
    sendSegment(stack, c, c.sndUna, ACK, 0, 1);
  } else if (c.unsent > 0) {
    sendSegment(stack, c, c.sndNxt, ACK, c.sndNxt - c.sndUna, 1);
    c.sndNxt++;
    c.sndMax = c.sndNxt;
  }
  c.persistBackoff++;
  c.persistAt = stack.clock.now() + persistInterval(c);
}

/** Sends the first unacknowledged segment again (its FIN too when it holds the last byte). */
export function retransmitFirst(stack: Stack, c: Connection): u32 {
  const ring = c.sendRing;
  const queued = ring === null ? 0 : ring.length;
  const length = min<u32>(queued, c.mss);
  const fin = c.finQueued && !c.finAcked && length == queued && seqLeq(c.finSeq, c.sndMax - 1);
  sendSegment(stack, c, c.sndUna, ACK | (fin ? FIN : 0), 0, length);
  return length + (fin ? 1 : 0);
}

/** A reset from us to the segment's sender (RFC 9293 3.10.7.1): seq and ack as given, no connection needed. */
export function sendReset(
  stack: Stack, localHigh: u64, localLow: u64, remoteHigh: u64, remoteLow: u64, localPort: u32, remotePort: u32, seq: u32,
  ack: u32, withAck: bool,
): void {
  const packet = payloadAt(stack, remoteHigh, remoteLow);
  const headerLength = writeHeader(packet, localPort, remotePort, seq, withAck ? ack : 0, RST | (withAck ? ACK : 0), 0, 0, -1);
  finishChecksum(packet, localHigh, localLow, remoteHigh, remoteLow, headerLength);
  stack.counters.bump(TCP_RESETS_SENT);
  stack.counters.bump(TCP_SEGMENTS_OUT);
  ipSend(stack, localHigh, localLow, remoteHigh, remoteLow, PROTOCOL_TCP, headerLength);
}

/**
 * Resets an established connection from our side (abort). The reset is
 * numbered sndNxt, or the right edge of the peer's window when sndNxt is
 * past it (a probe byte into a shut window), so the peer takes it.
 */
export function resetConnection(stack: Stack, c: Connection): void {
  if (c.state >= ESTABLISHED || c.state == SYN_RECEIVED) {
    const edge = c.sndUna + c.sndWnd;
    const seq = seqLeq(c.sndNxt, edge) ? c.sndNxt : edge;
    sendReset(stack, c.localHigh, c.localLow, c.remoteHigh, c.remoteLow, c.localPort, c.remotePort, seq, c.rcvNxt, true);
  }
}
