// TCP segment arrival (RFC 9293 3.10.7): finds the connection, or the
// listener, or answers with a reset; then the state machine, in the RFC's
// order: sequence check, RST, SYN, ACK, data, FIN.
//
// Drops, each counted: a segment to a port nothing listens on (a reset is
// sent); outside the receive window (an ACK is sent, as the RFC says); an
// ACK of something never sent; flags that make no sense for the state; a
// SYN on a synchronized connection (answered by a challenge ACK, RFC 5961
// 4); data after the app closed the connection (answered by a reset). An
// in-window RST is believed (RFC 5961's exact-match check is not done).
// Out-of-order data is kept (tcp-connection.ts) and answered with an
// immediate duplicate ACK; in-order data is acknowledged every second
// segment or after DELAYED_ACK.

import { Stack } from "./stack";
import {
  Segment, parseSegment, seqLt, seqLeq, seqGt, seqGeq, SYN, ACK, FIN, RST, TCP_HEADER,
} from "./tcp-header";
import { isIpv4Mapped } from "./ipv6-address";
import {
  Connection, Listener, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK,
  TIME_WAIT, DEFAULT_MSS, DELAYED_ACK, OOO_RANGES, CWND_MAX,
} from "./tcp-connection";
import { tcpOutput, sendSyn, sendAck, sendReset, retransmitFirst, resetConnection } from "./tcp-output";
import {
  findConnection, findListener, newConnection, closeConnection, enterTimeWait, establish, updateRtt,
  initialSequence, unqueue, enqueue,
} from "./tcp";
import { ECONNREFUSED, ECONNRESET } from "../errno";
import { isUnicastPair, payloadRoom } from "./ip";
import {
  TCP_SEGMENTS_IN, TCP_BAD_ADDRESS, TCP_NO_LISTENER, TCP_BAD_ACK, TCP_BAD_FLAGS, TCP_BACKLOG_FULL, TCP_SYN_QUEUE_OVERFLOW,
  NO_BUFFER, TCP_OUTSIDE_WINDOW, TCP_RESETS_RECEIVED, TCP_AFTER_CLOSE, TCP_OUT_OF_ORDER, TCP_OUT_OF_ORDER_FULL,
  TCP_FAST_RETRANSMITS,
} from "./counters";

/** A TCP packet of `length` bytes at `packet`, from and to the given addresses (ip.ts pairs). */
export function tcpInput(
  stack: Stack, sourceHigh: u64, sourceLow: u64, destinationHigh: u64, destinationLow: u64, packet: usize, length: u32,
): void {
  const counters = stack.counters;
  const seg = stack.segment;
  const refused = parseSegment(seg, sourceHigh, sourceLow, destinationHigh, destinationLow, packet, length);
  if (refused != 0) return counters.drop(refused);
  counters.bump(TCP_SEGMENTS_IN);
  if (!isUnicastPair(stack, sourceHigh, sourceLow, destinationHigh, destinationLow) || seg.sourcePort == 0 ||
      seg.destinationPort == 0) {
    return counters.drop(TCP_BAD_ADDRESS);
  }
  let c = findConnection(stack, seg);
  if (c !== null && c.state == TIME_WAIT && seg.has(SYN) && !seg.has(ACK) && !seg.has(RST) && seqGt(seg.seq, c.rcvNxt)) {
    // A new connection reusing the pair while TIME_WAIT lingers (RFC 1122 4.2.2.13): its
    // SYN lies past everything the old one sent, so no old segment can be taken for a new
    // one; the old connection ends and the SYN goes to the listener.
    closeConnection(stack, c, 0);
    c = null;
  }
  if (c === null) {
    const listener = findListener(stack, seg.destinationPort);
    if (listener === null) {
      replyReset(stack, seg);
      return counters.drop(TCP_NO_LISTENER);
    }
    return listenInput(stack, listener, seg);
  }
  if (c.state == SYN_SENT) return synSentInput(stack, c, seg);
  segmentArrives(stack, c, seg);
}

/** A reset for a segment no connection takes (RFC 9293 3.10.7.1); none for a reset. */
function replyReset(stack: Stack, seg: Segment): void {
  if (seg.has(RST)) return;
  if (seg.has(ACK)) {
    sendReset(
      stack, seg.destinationHigh, seg.destinationLow, seg.sourceHigh, seg.sourceLow, seg.destinationPort, seg.sourcePort,
      seg.ack, 0, false,
    );
  } else {
    sendReset(
      stack, seg.destinationHigh, seg.destinationLow, seg.sourceHigh, seg.sourceLow, seg.destinationPort, seg.sourcePort,
      0, seg.seq + seg.length, true,
    );
  }
}

/** Takes the MSS and window scale options of the peer's SYN. */
function applyOptions(stack: Stack, c: Connection, seg: Segment): void {
  const mss = seg.mss == 0 ? DEFAULT_MSS : seg.mss;
  c.mss = max<u32>(64, min<u32>(mss, payloadRoom(stack, c.remoteHigh, c.remoteLow) - TCP_HEADER));
  if (c.offerScale && seg.windowShift >= 0) {
    c.sndShift = <u32>seg.windowShift;
  } else {
    c.sndShift = 0;
    c.rcvShift = 0;
  }
}

function listenInput(stack: Stack, listener: Listener, seg: Segment): void {
  const counters = stack.counters;
  if (seg.has(RST)) return counters.drop(TCP_BAD_FLAGS);
  if (seg.has(ACK)) {
    replyReset(stack, seg);
    return counters.drop(TCP_BAD_ACK);
  }
  if (!seg.has(SYN) || seg.has(FIN)) return counters.drop(TCP_BAD_FLAGS);
  if (listener.acceptCount >= listener.backlog) return counters.drop(TCP_BACKLOG_FULL);
  if (listener.synCount >= listener.synQueueLimit) {
    // A SYN flood: the oldest half-open connection makes room.
    const oldest = listener.synQueue!;
    closeConnection(stack, oldest, 0);
    counters.bump(TCP_SYN_QUEUE_OVERFLOW);
  }
  if (!listener.acceptsIpv6 && !isIpv4Mapped(seg.sourceHigh, seg.sourceLow)) {
    replyReset(stack, seg);
    return counters.drop(TCP_NO_LISTENER);
  }
  const c = newConnection(
    stack, seg.destinationHigh, seg.destinationLow, seg.destinationPort, seg.sourceHigh, seg.sourceLow, seg.sourcePort,
  );
  if (c === null) return counters.drop(NO_BUFFER);
  c.offerScale = seg.windowShift >= 0;
  applyOptions(stack, c, seg);
  c.iss = initialSequence(stack, c);
  c.irs = seg.seq;
  c.rcvNxt = seg.seq + 1;
  c.rcvAdvertised = c.rcvNxt;
  c.sndUna = c.iss;
  c.sndNxt = c.iss + 1;
  c.sndMax = c.sndNxt;
  c.recover = c.iss;
  c.sndWnd = seg.window;
  c.sndWl1 = seg.seq;
  c.state = SYN_RECEIVED;
  enqueue(listener, c, false);
  startSynTimer(stack, c);
  sendSyn(stack, c);
}

function startSynTimer(stack: Stack, c: Connection): void {
  const now = stack.clock.now();
  c.rttTiming = true;
  c.rttSeq = c.iss;
  c.rttStart = now;
  c.retransmitAt = now + c.rto;
}

function synSentInput(stack: Stack, c: Connection, seg: Segment): void {
  const counters = stack.counters;
  if (seg.has(ACK) && (seqLeq(seg.ack, c.iss) || seqGt(seg.ack, c.sndMax))) {
    replyReset(stack, seg);
    return counters.drop(TCP_BAD_ACK);
  }
  if (seg.has(RST)) {
    if (!seg.has(ACK)) return counters.drop(TCP_BAD_FLAGS);
    counters.bump(TCP_RESETS_RECEIVED);
    return closeConnection(stack, c, -ECONNREFUSED);
  }
  if (!seg.has(SYN)) return counters.drop(TCP_BAD_FLAGS);
  c.irs = seg.seq;
  c.rcvNxt = seg.seq + 1;
  c.rcvAdvertised = c.rcvNxt;
  applyOptions(stack, c, seg);
  c.sndWnd = seg.window;
  c.sndWl1 = seg.seq;
  c.sndWl2 = seg.ack;
  if (seg.has(ACK)) {
    c.sndUna = seg.ack;
    if (c.rttTiming && c.retransmits == 0) updateRtt(c, stack.clock.now() - c.rttStart);
    establish(stack, c);
    c.ackNow = true;
    tcpOutput(stack, c);
    return;
  }
  // Simultaneous open: both SYNs crossed.
  c.state = SYN_RECEIVED;
  c.rttTiming = false;
  sendSyn(stack, c);
}

/** The receive window for the sequence check. */
function receiveWindow(stack: Stack, c: Connection): u32 {
  if (c.receiveRing !== null) return c.receiveRoom;
  return c.state == SYN_RECEIVED ? stack.config.receiveBufferBytes : 0;
}

function inWindow(x: u32, start: u32, window: u32): bool {
  return seqGeq(x, start) && seqLt(x, start + window);
}

function segmentArrives(stack: Stack, c: Connection, seg: Segment): void {
  const counters = stack.counters;
  const now = stack.clock.now();
  // Simultaneous open: the peer's SYN-ACK repeats the SYN we have; its ACK is what matters.
  if (c.state == SYN_RECEIVED && seg.has(SYN) && seg.has(ACK) && seg.seq == c.irs) {
    seg.flags &= ~SYN;
    seg.seq++;
  }
  // 1. Sequence number check (RFC 9293 3.10.7.4, the four cases).
  const window = receiveWindow(stack, c);
  const length = seg.length;
  let acceptable: bool;
  if (length == 0) acceptable = window == 0 ? seg.seq == c.rcvNxt : inWindow(seg.seq, c.rcvNxt, window);
  else acceptable = window != 0 && (inWindow(seg.seq, c.rcvNxt, window) || inWindow(seg.seq + length - 1, c.rcvNxt, window));
  if (!acceptable) {
    if (!seg.has(RST)) {
      if (c.state == TIME_WAIT && seg.has(FIN)) c.lingerAt = now + 2 * stack.config.mslNanoseconds;
      sendAck(stack, c);
    }
    return counters.drop(TCP_OUTSIDE_WINDOW);
  }
  // Keep only the part inside the window.
  if (seqLt(seg.seq, c.rcvNxt)) {
    if (seg.has(SYN)) {
      seg.flags &= ~SYN;
      seg.seq++;
    }
    const cut = min<u32>(c.rcvNxt - seg.seq, seg.dataLength);
    seg.data += cut;
    seg.dataLength -= cut;
    seg.seq += cut;
  }
  const end = c.rcvNxt + window;
  if (seqGt(seg.seq + seg.dataLength, end)) {
    seg.dataLength = end - seg.seq;
    seg.flags &= ~FIN;
  }
  // 2. RST.
  if (seg.has(RST)) {
    counters.bump(TCP_RESETS_RECEIVED);
    if (c.state == SYN_RECEIVED) return closeConnection(stack, c, c.listener !== null ? 0 : -ECONNREFUSED);
    if (c.state >= CLOSING) return closeConnection(stack, c, 0);
    return closeConnection(stack, c, -ECONNRESET);
  }
  // 3. A SYN on a synchronized connection: a challenge ACK.
  if (seg.has(SYN)) {
    sendAck(stack, c);
    return counters.drop(TCP_BAD_FLAGS);
  }
  // 4. Everything else carries an ACK.
  if (!seg.has(ACK)) return counters.drop(TCP_BAD_FLAGS);
  if (c.state == SYN_RECEIVED) {
    if (!seqGt(seg.ack, c.sndUna) || seqGt(seg.ack, c.sndMax)) {
      replyReset(stack, seg);
      return counters.drop(TCP_BAD_ACK);
    }
    const listener = c.listener;
    if (listener !== null && listener.acceptCount >= listener.backlog) return counters.drop(TCP_BACKLOG_FULL);
    if (c.rttTiming && c.retransmits == 0) updateRtt(c, now - c.rttStart);
    c.sndUna = seg.ack;
    c.sndWnd = seg.window << c.sndShift;
    c.sndWl1 = seg.seq;
    c.sndWl2 = seg.ack;
    if (!establish(stack, c)) {
      resetConnection(stack, c);
      closeConnection(stack, c, -ECONNRESET);
      return counters.drop(NO_BUFFER);
    }
    if (listener !== null) {
      unqueue(c);
      enqueue(listener, c, true);
    }
  } else {
    if (seqGt(seg.ack, c.sndMax)) {
      sendAck(stack, c);
      return counters.drop(TCP_BAD_ACK);
    }
    processAck(stack, c, seg, now);
    if (c.state == FIN_WAIT_1 && c.finAcked) {
      c.state = FIN_WAIT_2;
      if (c.orphan) c.lingerAt = now + 2 * stack.config.mslNanoseconds;
      stack.changed();
    } else if (c.state == CLOSING && c.finAcked) {
      enterTimeWait(stack, c);
    } else if (c.state == LAST_ACK && c.finAcked) {
      return closeConnection(stack, c, 0);
    }
  }
  // 7. Data.
  if (seg.dataLength > 0 && (c.state == ESTABLISHED || c.state == FIN_WAIT_1 || c.state == FIN_WAIT_2)) {
    if (c.orphan) {
      resetConnection(stack, c);
      closeConnection(stack, c, -ECONNRESET);
      return counters.drop(TCP_AFTER_CLOSE);
    }
    receiveData(stack, c, seg, now);
  }
  // 8. FIN, once everything before it has arrived.
  if (seg.has(FIN) && seg.seq + seg.dataLength == c.rcvNxt && c.state != CLOSE_WAIT && c.state != CLOSING &&
      c.state != LAST_ACK) {
    if (c.state == TIME_WAIT) {
      c.lingerAt = now + 2 * stack.config.mslNanoseconds;
    } else {
      c.rcvNxt++;
      c.finReceived = true;
      if (c.state == ESTABLISHED) c.state = CLOSE_WAIT;
      else if (c.state == FIN_WAIT_1) c.state = c.finAcked ? TIME_WAIT : CLOSING;
      else if (c.state == FIN_WAIT_2) c.state = TIME_WAIT;
      if (c.state == TIME_WAIT) enterTimeWait(stack, c);
      stack.changed();
    }
    c.ackNow = true;
  }
  tcpOutput(stack, c);
}

/** The ACK field of a synchronized connection's segment (RFC 9293 3.10.7.4 fifth step; RFC 5681, RFC 6582). */
function processAck(stack: Stack, c: Connection, seg: Segment, now: u64): void {
  const ack = seg.ack;
  const window = seg.window << c.sndShift;
  const flight = c.sndMax - c.sndUna;
  const mss = c.mss;
  if (seqGt(ack, c.sndUna)) {
    const acked = ack - c.sndUna;
    const ring = c.sendRing;
    const queued: u32 = ring === null ? 0 : ring.length;
    let dataAcked = acked;
    if (acked > queued) {
      dataAcked = queued;
      if (c.finQueued) c.finAcked = true;
    }
    if (ring !== null) ring.discard(dataAcked);
    if (c.rttTiming && seqGt(ack, c.rttSeq)) {
      updateRtt(c, now - c.rttStart);
      c.rttTiming = false;
    }
    c.retransmits = 0;
    c.persistBackoff = 0;
    c.dupAcks = 0;
    c.sndUna = ack;
    if (seqLt(c.sndNxt, ack)) c.sndNxt = ack;
    c.retransmitAt = c.sndUna == c.sndMax ? 0 : now + c.rto;
    if (c.inRecovery) {
      if (seqGeq(ack, c.recover)) {
        c.inRecovery = false;
        c.cwnd = min<u32>(c.ssthresh, max<u32>(c.sndMax - ack, mss) + mss);
      } else {
        // A partial ACK: the next hole is lost too (RFC 6582 3.2 step 3).
        retransmitFirst(stack, c);
        c.cwnd = c.cwnd > acked ? c.cwnd - acked : 0;
        if (acked >= mss) c.cwnd += mss;
        if (c.cwnd < mss) c.cwnd = mss;
      }
    } else if (c.cwnd < c.ssthresh) {
      c.cwnd += min<u32>(acked, mss);
    } else {
      c.cwnd += max<u32>(1, <u32>(<u64>mss * mss / c.cwnd));
    }
    if (c.cwnd > CWND_MAX) c.cwnd = CWND_MAX;
    stack.changed();
  } else if (ack == c.sndUna && flight > 0) {
    if (window == 0) {
      c.retransmits = 0; // the peer answers: it is alive, its window is shut
    } else if (seg.dataLength == 0 && (seg.flags & (SYN | FIN)) == 0 && window == c.sndWnd) {
      c.dupAcks++;
      if (c.inRecovery) {
        c.cwnd += mss;
      } else if (c.dupAcks == 3 && seqGt(ack - 1, c.recover)) {
        // Fast retransmit, then fast recovery (RFC 6582 3.2 steps 1 and 2).
        c.ssthresh = max<u32>(flight / 2, 2 * mss);
        c.recover = c.sndMax;
        c.inRecovery = true;
        c.rttTiming = false;
        retransmitFirst(stack, c);
        stack.counters.bump(TCP_FAST_RETRANSMITS);
        c.cwnd = c.ssthresh + 3 * mss;
        c.retransmitAt = now + c.rto;
      }
    }
  }
  // The window, from a segment no older than the last that set it (RFC 9293 3.10.7.4), and not from an old ACK.
  if (seqGeq(ack, c.sndUna) && (seqLt(c.sndWl1, seg.seq) || (c.sndWl1 == seg.seq && seqLeq(c.sndWl2, ack)))) {
    if (window > c.sndWnd) stack.changed();
    c.sndWnd = window;
    c.sndWl1 = seg.seq;
    c.sndWl2 = ack;
  }
  if (c.sndWnd > 0 && c.persistAt != 0) {
    c.persistAt = 0;
    c.persistBackoff = 0;
    if (c.sndMax != c.sndUna && c.retransmitAt == 0) c.retransmitAt = now + c.rto;
  }
}

/** In-window data: appended when in order (with any out-of-order ranges it reaches), else kept at its place. */
function receiveData(stack: Stack, c: Connection, seg: Segment, now: u64): void {
  const ring = c.receiveRing!;
  const offset = seg.seq - c.rcvNxt;
  const length = seg.dataLength;
  if (c.shutRead) {
    // Shut for reading: acknowledged and thrown away.
    if (offset == 0) c.rcvNxt += length;
    c.ackNow = true;
    return;
  }
  ring.writeAt(ring.length + offset, seg.data, length);
  if (offset != 0) {
    if (addRange(c, seg.seq, seg.seq + length)) stack.counters.bump(TCP_OUT_OF_ORDER);
    else stack.counters.drop(TCP_OUT_OF_ORDER_FULL);
    c.ackNow = true;
    return;
  }
  ring.grow(length);
  c.rcvNxt += length;
  const hadHoles = c.oooCount > 0;
  absorbRanges(c);
  stack.changed();
  if (hadHoles) {
    c.ackNow = true;
    return;
  }
  c.unacked++;
  if (c.unacked >= 2) c.ackNow = true;
  else if (c.delayedAckAt == 0) c.delayedAckAt = now + DELAYED_ACK;
}

/** Notes [start, end) as held out of order, merged with its neighbours; false when the table is full. */
function addRange(c: Connection, start: u32, end: u32): bool {
  const ranges = c.ooo!;
  let i = 0;
  while (i < c.oooCount) {
    const s = ranges[2 * i];
    const e = ranges[2 * i + 1];
    if (seqLeq(s, end) && seqGeq(e, start)) {
      if (seqLt(s, start)) start = s;
      if (seqGt(e, end)) end = e;
      removeRange(c, i);
      i = 0;
      continue;
    }
    i++;
  }
  if (c.oooCount >= OOO_RANGES) return false;
  ranges[2 * c.oooCount] = start;
  ranges[2 * c.oooCount + 1] = end;
  c.oooCount++;
  return true;
}

function removeRange(c: Connection, i: i32): void {
  const ranges = c.ooo!;
  const last = c.oooCount - 1;
  ranges[2 * i] = ranges[2 * last];
  ranges[2 * i + 1] = ranges[2 * last + 1];
  c.oooCount = last;
}

/** Adopts the out-of-order ranges the in-order data now reaches. */
function absorbRanges(c: Connection): void {
  const ranges = c.ooo!;
  let i = 0;
  while (i < c.oooCount) {
    const s = ranges[2 * i];
    const e = ranges[2 * i + 1];
    if (seqLeq(s, c.rcvNxt)) {
      if (seqGt(e, c.rcvNxt)) {
        c.receiveRing!.grow(e - c.rcvNxt);
        c.rcvNxt = e;
      }
      removeRange(c, i);
      i = 0;
      continue;
    }
    i++;
  }
}
