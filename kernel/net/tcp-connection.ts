// A TCP connection's state (the TCB of RFC 9293 3.3.1) and a listener's.
//
// Memory per connection: the Connection object (about 330 bytes), and once
// it is established a send ring and a receive ring (NetConfig's
// sendBufferBytes and receiveBufferBytes, 64 KiB each by default) and the
// out-of-order range table (OOO_RANGES pairs). A half-open connection (SYN
// received, not yet acknowledged) holds only its object, so a SYN flood
// costs little; the listener keeps at most synQueueLimit of them.
//
// The send ring holds the bytes from sndUna on (sent and not acknowledged,
// then not yet sent). The receive ring holds the in-order bytes the app has
// not read; bytes that arrived out of order sit in the same ring at their
// place past them, the table noting which ranges are there, until the gap
// before them fills (so out-of-order data costs no memory beyond the
// window we advertised).
//
// Timers are deadlines (0: off) the stack's runTimers looks at.

import { ByteRing } from "./buffers";
import { Endpoint, ENDPOINT_LISTENER, ENDPOINT_CONNECTION } from "./endpoint";

export const CLOSED = 0;
export const SYN_SENT = 1;
export const SYN_RECEIVED = 2;
export const ESTABLISHED = 3;
export const FIN_WAIT_1 = 4;
export const FIN_WAIT_2 = 5;
export const CLOSE_WAIT = 6;
export const CLOSING = 7;
export const LAST_ACK = 8;
export const TIME_WAIT = 9;
/** Not a connection state: what socket state queries answer for a listener. */
export const LISTEN = 10;

const MILLISECOND: u64 = 1_000_000;
const SECOND: u64 = 1_000_000_000;
/** RFC 6298: 1 s before any round trip is measured. */
export const RTO_INITIAL: u64 = SECOND;
/** RFC 6298 says 1 s; 200 ms (as Linux) suits the LANs and virtual links a unikernel sits on. */
export const RTO_MIN: u64 = 200 * MILLISECOND;
export const RTO_MAX: u64 = 60 * SECOND;
/** The clock granularity G of RFC 6298. */
export const RTO_GRANULARITY: u64 = MILLISECOND;
/** Retransmissions of one segment before the connection is given up (ETIMEDOUT). */
export const MAX_RETRANSMITS: u32 = 12;
/** Retransmissions of a SYN or SYN-ACK before giving up. */
export const MAX_SYN_RETRANSMITS: u32 = 6;
/** A lone segment's ACK waits at most this long (RFC 9293 3.8.6.3 allows 500 ms). */
export const DELAYED_ACK: u64 = 40 * MILLISECOND;
/** Zero-window probes back off up to this. */
export const PERSIST_MAX: u64 = 60 * SECOND;
/** Our MSS when the peer names none (RFC 9293 3.7.1). */
export const DEFAULT_MSS: u32 = 536;
/** The congestion window never grows past this (1 GiB: far beyond any window the peer can offer). */
export const CWND_MAX: u32 = 1 << 30;
/** Out-of-order ranges held per connection; a segment that would need one more is dropped. */
export const OOO_RANGES: i32 = 8;

export class Listener extends Endpoint {
  next: Listener | null = null;
  /** Half-open connections (SYN_RECEIVED), oldest first, and established ones waiting for accept, oldest first. */
  synQueue: Connection | null = null;
  synCount: u32 = 0;
  acceptQueue: Connection | null = null;
  acceptCount: u32 = 0;
  /** Whether it takes connections over IPv6 as well as IPv4 (an IPv6 socket's, as Linux's dual-stack ones). */
  acceptsIpv6: bool = true;
  constructor(public port: u32, public backlog: u32, public synQueueLimit: u32) {
    super();
    this.kind = ENDPOINT_LISTENER;
  }
}

export class Connection extends Endpoint {
  /** The stack's list of connections. */
  next: Connection | null = null;
  /** The listener whose SYN or accept queue holds it, and its place there. */
  listener: Listener | null = null;
  queueNext: Connection | null = null;
  state: i32 = CLOSED;
  /** The addresses, as ip.ts pairs (an IPv4 one mapped). */
  localHigh: u64 = 0;
  localLow: u64 = 0;
  localPort: u32 = 0;
  remoteHigh: u64 = 0;
  remoteLow: u64 = 0;
  remotePort: u32 = 0;

  // Send sequence space.
  iss: u32 = 0;
  sndUna: u32 = 0;
  sndNxt: u32 = 0;
  /** The highest sequence number sent so far (plus one); sndNxt goes back after a timeout. */
  sndMax: u32 = 0;
  sndWnd: u32 = 0;
  sndWl1: u32 = 0;
  sndWl2: u32 = 0;
  /** The peer's window scale shift, and ours (both 0 unless both SYNs carried the option). */
  sndShift: u32 = 0;
  rcvShift: u32 = 0;
  /** We put the window scale option in our SYN (active open; passive: the peer's SYN had it). */
  offerScale: bool = false;
  /** Bytes per segment we send: the peer's MSS, within our MTU. */
  mss: u32 = DEFAULT_MSS;
  sendRing: ByteRing | null = null;
  /** The app shut the sending side: a FIN follows the data. */
  finQueued: bool = false;
  finAcked: bool = false;

  // Receive sequence space.
  irs: u32 = 0;
  rcvNxt: u32 = 0;
  /** The right edge of the window last advertised. */
  rcvAdvertised: u32 = 0;
  receiveRing: ByteRing | null = null;
  /** Out-of-order ranges (start, end sequence numbers), `oooCount` of them. */
  ooo: StaticArray<u32> | null = null;
  oooCount: i32 = 0;
  finReceived: bool = false;

  // Round-trip time (RFC 6298), nanoseconds.
  srtt: u64 = 0;
  rttvar: u64 = 0;
  rto: u64 = RTO_INITIAL;
  /** A round trip has been measured (srtt and rttvar hold it). */
  measured: bool = false;
  rttTiming: bool = false;
  rttSeq: u32 = 0;
  rttStart: u64 = 0;
  /** Retransmissions since the last new acknowledgment. */
  retransmits: u32 = 0;

  // Congestion control (RFC 5681, NewReno RFC 6582), bytes.
  cwnd: u32 = 0;
  ssthresh: u32 = 0xffff_ffff;
  dupAcks: u32 = 0;
  inRecovery: bool = false;
  recover: u32 = 0;

  // Timers (deadlines; 0 is off).
  retransmitAt: u64 = 0;
  persistAt: u64 = 0;
  persistBackoff: u32 = 0;
  delayedAckAt: u64 = 0;
  /** TIME_WAIT's end, or an orphan's FIN_WAIT_2 limit. */
  lingerAt: u64 = 0;
  /** In-order segments received since we last sent an ACK. */
  unacked: u32 = 0;
  ackNow: bool = false;

  // The app's side.
  /** -ECONNRESET, -ECONNREFUSED or -ETIMEDOUT once the connection failed. */
  error: i32 = 0;
  shutRead: bool = false;
  /** The app let go of it (socketClose): it is freed when the state machine ends. */
  orphan: bool = false;

  /** Bytes queued but not yet sent. */
  get unsent(): u32 {
    const ring = this.sendRing;
    if (ring === null) return 0;
    const sent = this.sndNxt - this.sndUna;
    return ring.length > sent ? ring.length - sent : 0;
  }

  /** The sequence number of our FIN (valid while finQueued and not acknowledged). */
  get finSeq(): u32 {
    const ring = this.sendRing;
    return this.sndUna + (ring === null ? 0 : ring.length);
  }

  /** Room in the receive ring: the window we may advertise. */
  get receiveRoom(): u32 {
    const ring = this.receiveRing;
    return ring === null ? 0 : ring.room;
  }

  get synchronized(): bool {
    return this.state >= ESTABLISHED;
  }
}

export const CONNECTION_BYTES: u64 = offsetof<Connection>() + 8;
export const LISTENER_BYTES: u64 = offsetof<Listener>() + 8;
export const OOO_BYTES: u64 = <u64>(OOO_RANGES * 2 * 4) + 8;
