// The Node side of the harness's net part (net/harness.ts): the typings of
// its exports, kernel/net's constants, and NetWorld: stacks in one harness
// joined by a link the test controls. Frames a stack transmits are copied
// out at once and queued with an arrival time; the link may drop, duplicate,
// delay (and so reorder) them, drawing from a seeded Random; a tap may
// capture or swallow them. Time is the world's (`now`, nanoseconds): run()
// moves it to the next arrival or stack deadline and does what is due.

import type { Ptr } from "../core/client";
import type { Harness } from "../harness-client";
import { Random } from "../random";
import { arpFrame, parseFrame, tcpFrame, Parsed, TcpSpec } from "./frames";

export interface NetExports {
  netSetTime(now: bigint): void;
  netCreate(mac: bigint, address: number, prefix: number, gateway: number, bufferBytes: number, mslMilliseconds: number,
    memoryLimit: number, secret: bigint, mtu: number): number;
  netDestroy(handle: number): void;
  netInput(handle: number, frame: number, length: number): void;
  netRunTimers(handle: number): void;
  netNextDeadline(handle: number): bigint;
  netListen(handle: number, port: number, backlog: number): number;
  netListen4(handle: number, port: number, backlog: number): number;
  netConnect(handle: number, address: number, port: number): number;
  netConnect6(handle: number, address: number, port: number): number;
  netSocketAddress(handle: number, socket: number, peer: number, into: number): bigint;
  netAccept(handle: number, socket: number): number;
  netSend(handle: number, socket: number, buffer: number, length: number): bigint;
  netReceive(handle: number, socket: number, buffer: number, length: number, flags: number): bigint;
  netShutdown(handle: number, socket: number, how: number): number;
  netClose(handle: number, socket: number): number;
  netReadiness(handle: number, socket: number): number;
  netState(handle: number, socket: number): number;
  netConnectionField(handle: number, socket: number, which: number): bigint;
  netCounter(handle: number, index: number): bigint;
  netCounterName(index: number): Ptr;
  netCounterCount(): number;
  netHeldBytes(handle: number): bigint;
  netConnectionCount(handle: number): number;
  netConnectionsIn(handle: number, state: number): number;
  netEvents(handle: number): number;
  netArpLookup(handle: number, address: number): bigint;
  netArpSize(handle: number): number;
  netPing(handle: number, address: number, identifier: number, sequence: number, length: number): void;
  netLastEchoReply(handle: number): number;
  netUdpRecordInto(buffer: number, room: number): void;
  netUdpBind(handle: number, port: number): number;
  netUdpUnbind(handle: number, port: number): number;
  netUdpSend(handle: number, sourcePort: number, address: number, port: number, data: number, length: number): number;
  netUdpSend6(handle: number, sourcePort: number, address: number, port: number, data: number, length: number): number;
  netUdpReceived(which: number): number;
  netUdpOpen(handle: number, port: number): number;
  netUdpConnect(handle: number, socket: number, address: number, port: number): number;
  netUdpConnect6(handle: number, socket: number, address: number, port: number): number;
  netUdpSendTo(handle: number, socket: number, address: number, port: number, data: number, length: number): bigint;
  netUdpSendTo6(handle: number, socket: number, address: number, port: number, data: number, length: number): bigint;
  netUdpReceiveFrom(handle: number, socket: number, buffer: number, length: number, flags: number): bigint;
  netUdpLastReceived(which: number): number;
  netUdpLastSender(into: number): void;
  netUdpReadiness(handle: number, socket: number): number;
  netUdpEndpoints(handle: number, socket: number): bigint;
  netUdpSetQueueLimit(handle: number, socket: number, bytes: number): number;
  netUdpClose(handle: number, socket: number): number;
  netParseIp(text: Ptr): number;
  netParsed(which: number): number;
  netParseFailure(): Ptr;
  netDhcpStart(handle: number): number;
  netDhcpState(handle: number): number;
  netAddressOf(handle: number, which: number): number;
  netIpv6Start(handle: number): void;
  netConfigureIp6(handle: number, text: Ptr): number;
  netIpv6Address(handle: number, which: number, into: number): number;
  netPing6(handle: number, address: number, identifier: number, sequence: number, length: number): void;
  netNeighborLookup(handle: number, address: number): bigint;
  netFormatIpv6(address: number): Ptr;
}

/** netIpv6Address's addresses. */
export const IPV6 = { LINK_LOCAL: 0, GLOBAL: 1, ROUTER: 2 } as const;

/** kernel/net/dhcp.ts states. */
export const DHCP = { INIT: 0, SELECTING: 1, REQUESTING: 2, BOUND: 3, RENEWING: 4, REBINDING: 5 } as const;

/** kernel/net/tcp-connection.ts states. */
export const TCP = {
  CLOSED: 0, SYN_SENT: 1, SYN_RECEIVED: 2, ESTABLISHED: 3, FIN_WAIT_1: 4, FIN_WAIT_2: 5, CLOSE_WAIT: 6, CLOSING: 7,
  LAST_ACK: 8, TIME_WAIT: 9, LISTEN: 10,
} as const;

/** netConnectionField's fields. */
export const FIELD = {
  cwnd: 0, ssthresh: 1, rto: 2, srtt: 3, sndWnd: 4, mss: 5, sndShift: 6, rcvShift: 7, inRecovery: 8, dupAcks: 9,
  unsent: 10, sendQueued: 11, receiveQueued: 12, sndUna: 13, sndNxt: 14, rcvNxt: 15, iss: 16, irs: 17,
  retransmitAt: 18, persistAt: 19, delayedAckAt: 20, lingerAt: 21, sndMax: 22, error: 23, oooRanges: 24,
  localPort: 25, remotePort: 26,
} as const;

export const READY = { READ: 1, WRITE: 2, HANGUP: 4, ERROR: 8 } as const;
export const SHUT = { RD: 1, WR: 2 } as const;
export const PEEK = 1;
export const NET_ERRNO = {
  EAGAIN: 11, EBADF: 9, EINVAL: 22, EPIPE: 32, EADDRINUSE: 98, ECONNRESET: 104, ENOTCONN: 107, ETIMEDOUT: 110,
  ECONNREFUSED: 111, EMSGSIZE: 90, ENETUNREACH: 101,
} as const;

export const MS = 1_000_000n;
export const SECOND = 1_000_000_000n;

/** 10.0.0.x as a u32. */
export const ip = (text: string): number => text.split(".").reduce((value, part) => value * 256 + Number(part), 0) >>> 0;

export interface StackOptions {
  mac: bigint;
  address: string;
  prefix?: number;
  gateway?: string;
  bufferBytes?: number;
  mslMilliseconds?: number;
  memoryLimit?: number;
  secret?: bigint;
  mtu?: number;
}

/** What the link does to frames: each is dropped with `loss`, else delivered once more with `duplicate`, after `delay` plus up to `jitter`. */
export interface LinkModel {
  loss: number;
  duplicate: number;
  delay: bigint;
  jitter: bigint;
  random: Random;
}

export interface Frame {
  from: number;
  bytes: Uint8Array;
  at: bigint;
}

interface InFlight {
  at: bigint;
  order: number;
  to: number;
  bytes: Uint8Array;
}

/** What a tap decides for a frame: deliver it as the link would, or swallow it. */
export type Tap = (from: number, bytes: Uint8Array) => "deliver" | "drop";

export class NetWorld {
  now = 1n * SECOND;
  readonly stacks: number[] = [];
  /** Every frame transmitted, in order (cleared by the test when it likes). */
  readonly transmitted: Frame[] = [];
  link: LinkModel = { loss: 0, duplicate: 0, delay: 100_000n, jitter: 0n, random: new Random() };
  tap: Tap | null = null;
  /** Where a stack's frames go: peers[from] = to (-1: nowhere). */
  readonly peers = new Map<number, number>();
  private flying: InFlight[] = [];
  private order = 0;
  /** Scratch in the harness: frames in, and the socket I/O buffer. */
  readonly frameBuffer: number;
  readonly io: number;
  readonly ioBytes = 1 << 20;

  constructor(readonly harness: Harness) {
    this.frameBuffer = harness.exports.mmMalloc(64 * 1024) >>> 0;
    this.io = harness.exports.mmMalloc(this.ioBytes) >>> 0;
    if (this.frameBuffer === 0 || this.io === 0) throw new Error("NetWorld: no memory for its buffers");
    harness.fake.netTransmit = (device, frame, length) => {
      const bytes = harness.bytes().slice(frame >>> 0, (frame >>> 0) + (length >>> 0));
      this.transmitted.push({ from: device, bytes, at: this.now });
      this.carry(device, bytes);
      return 0;
    };
    this.e.netSetTime(this.now);
  }

  get e() {
    return this.harness.exports;
  }

  /** Gives back the world's buffers (the stacks first: destroy()). */
  dispose(): void {
    for (const handle of this.stacks.splice(0)) this.e.netDestroy(handle);
    this.e.mmFree(this.frameBuffer);
    this.e.mmFree(this.io);
  }

  addStack(options: StackOptions): number {
    const handle = this.e.netCreate(
      options.mac, ip(options.address), options.prefix ?? 24, options.gateway ? ip(options.gateway) : 0,
      options.bufferBytes ?? 64 * 1024, options.mslMilliseconds ?? 30_000, options.memoryLimit ?? 32 << 20,
      options.secret ?? 1n, options.mtu ?? 1500,
    );
    if (handle < 0) throw new Error("no free stack slot");
    this.stacks.push(handle);
    return handle;
  }

  destroy(handle: number): void {
    this.e.netDestroy(handle);
    this.stacks.splice(this.stacks.indexOf(handle), 1);
  }

  /** Joins two stacks both ways. */
  connect(a: number, b: number): void {
    this.peers.set(a, b);
    this.peers.set(b, a);
  }

  private carry(from: number, bytes: Uint8Array): void {
    if (this.tap !== null && this.tap(from, bytes) === "drop") return;
    const to = this.peers.get(from) ?? -1;
    if (to < 0) return;
    const link = this.link;
    if (link.loss > 0 && link.random.bool(link.loss)) return;
    const copies = link.duplicate > 0 && link.random.bool(link.duplicate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const jitter = link.jitter > 0n ? BigInt(link.random.int(0, Number(link.jitter))) : 0n;
      this.flying.push({ at: this.now + link.delay + jitter, order: this.order++, to, bytes });
    }
  }

  /** Puts `bytes` on the way to stack `to`, arriving after `delay` (the link's by default). */
  deliverLater(to: number, bytes: Uint8Array, delay: bigint = this.link.delay): void {
    this.flying.push({ at: this.now + delay, order: this.order++, to, bytes });
  }

  /** Delivers `bytes` to stack `to` now. */
  inject(to: number, bytes: Uint8Array): void {
    this.harness.write(this.frameBuffer, bytes);
    this.e.netInput(to, this.frameBuffer, bytes.length);
  }

  /** Frames in flight. */
  get pending(): number {
    return this.flying.length;
  }

  /** Throws away every frame in flight. */
  flush(): void {
    this.flying = [];
  }

  setTime(now: bigint): void {
    if (now < this.now) throw new Error("time goes forward only");
    this.now = now;
    this.e.netSetTime(now);
  }

  /** The earliest thing due: an arrival or a stack's deadline (or null when nothing is). */
  nextEvent(): bigint | null {
    let next: bigint | null = null;
    for (const f of this.flying) if (next === null || f.at < next) next = f.at;
    for (const handle of this.stacks) {
      const deadline = BigInt.asUintN(64, this.e.netNextDeadline(handle));
      if (deadline !== 0xffff_ffff_ffff_ffffn && (next === null || deadline < next)) next = deadline;
    }
    return next;
  }

  /** Delivers what has arrived by now and runs the stacks' due timers. */
  settle(): void {
    for (;;) {
      let index = -1;
      for (let i = 0; i < this.flying.length; i++) {
        const f = this.flying[i];
        if (f.at <= this.now && (index < 0 || f.at < this.flying[index].at || (f.at === this.flying[index].at && f.order < this.flying[index].order))) index = i;
      }
      if (index < 0) break;
      const [frame] = this.flying.splice(index, 1);
      this.inject(frame.to, frame.bytes);
    }
    for (const handle of this.stacks) this.e.netRunTimers(handle);
  }

  /** Moves to the next event (at most `limit`) and settles; false when nothing is due before the limit. */
  step(limit: bigint): boolean {
    const next = this.nextEvent();
    if (next === null || next > limit) {
      if (limit > this.now) this.setTime(limit);
      this.settle();
      return false;
    }
    if (next > this.now) this.setTime(next);
    this.settle();
    return true;
  }

  /** Steps until `done()` holds (checked after each step) or `span` of time has passed; whether it held. */
  runUntil(done: () => boolean, span: bigint = 60n * SECOND): boolean {
    const limit = this.now + span;
    this.settle();
    while (!done()) {
      if (this.now >= limit) return false;
      this.step(limit);
    }
    return true;
  }

  /** Runs for `span` of time. */
  runFor(span: bigint): void {
    const limit = this.now + span;
    while (this.step(limit)) {}
  }

  // --- IPv6, with addresses as 16-byte arrays ---

  /** A stack's link-local or global address or its default router (IPV6), or null while it has none. */
  ipv6Address(handle: number, which: number): Uint8Array | null {
    if (!this.e.netIpv6Address(handle, which, this.io)) return null;
    return this.harness.bytes().slice(this.io, this.io + 16);
  }

  ping6(handle: number, address: Uint8Array, identifier: number, sequence: number, length: number): void {
    this.harness.write(this.io, address);
    this.e.netPing6(handle, this.io, identifier, sequence, length);
  }

  /** The MAC the stack's neighbor cache holds for `address` (0n: none). */
  neighbor(handle: number, address: Uint8Array): bigint {
    this.harness.write(this.io, address);
    return BigInt.asUintN(64, this.e.netNeighborLookup(handle, this.io));
  }

  /** The kernel's RFC 5952 text for an address. */
  formatIpv6(address: Uint8Array): string {
    this.harness.write(this.io, address);
    return this.harness.string(this.e.netFormatIpv6(this.io));
  }

  /** Starts a TCP connection to an IPv6 address: the socket, or -errno. */
  connect6(handle: number, address: Uint8Array, port: number): number {
    this.harness.write(this.io, address);
    return this.e.netConnect6(handle, this.io, port);
  }

  /** A TCP socket's own address and port (`peer`: its peer's), or the -errno. */
  socketAddress(handle: number, socket: number, peer: boolean): { address: Uint8Array; port: number } | number {
    const port = Number(this.e.netSocketAddress(handle, socket, peer ? 1 : 0, this.io));
    if (port < 0) return port;
    return { address: this.harness.bytes().slice(this.io, this.io + 16), port };
  }

  /** One datagram from a UDP socket to an IPv6 address: the length, or -errno. */
  udpSendTo6(handle: number, socket: number, address: Uint8Array, port: number, data: Uint8Array): number {
    this.harness.write(this.io, address);
    this.harness.write(this.io + 16, data);
    return Number(this.e.netUdpSendTo6(handle, socket, this.io, port, this.io + 16, data.length));
  }

  /** The oldest datagram of a UDP socket, with its sender; or the -errno. */
  udpReceive6(handle: number, socket: number): { data: Uint8Array; from: Uint8Array; port: number } | number {
    const got = Number(this.e.netUdpReceiveFrom(handle, socket, this.io + 16, 64 * 1024, 0));
    if (got < 0) return got;
    const data = this.harness.bytes().slice(this.io + 16, this.io + 16 + got);
    this.e.netUdpLastSender(this.io);
    return { data, from: this.harness.bytes().slice(this.io, this.io + 16), port: this.e.netUdpLastReceived(1) };
  }

  // --- Sockets, with JS values ---

  send(handle: number, socket: number, data: Uint8Array): number {
    if (data.length > this.ioBytes) throw new Error("send: more than the I/O buffer");
    this.harness.write(this.io, data);
    return Number(this.e.netSend(handle, socket, this.io, data.length));
  }

  /** Up to `length` bytes received, or -errno. */
  receive(handle: number, socket: number, length = 64 * 1024, flags = 0): Uint8Array | number {
    const got = Number(this.e.netReceive(handle, socket, this.io, Math.min(length, this.ioBytes), flags));
    if (got < 0) return got;
    return this.harness.bytes().slice(this.io, this.io + got);
  }

  state(handle: number, socket: number): number {
    return this.e.netState(handle, socket);
  }

  field(handle: number, socket: number, which: number): bigint {
    return this.e.netConnectionField(handle, socket, which);
  }

  /** Counters by name ("ip.bad.checksum"). */
  counters(handle: number): Record<string, number> {
    const out: Record<string, number> = {};
    const count = this.e.netCounterCount();
    for (let i = 0; i < count; i++) out[this.harness.string(this.e.netCounterName(i))] = Number(this.e.netCounter(handle, i));
    return out;
  }

  counter(handle: number, name: string): number {
    return this.counters(handle)[name];
  }
}

export const MAC_A = 0x02_00_00_00_00_0an;
export const MAC_B = 0x02_00_00_00_00_0bn;
export const IP_A = "10.0.0.1";
export const IP_B = "10.0.0.2";

/** Two stacks, A (10.0.0.1) and B (10.0.0.2), joined by the world's link. */
export function twoStacks(world: NetWorld, a: Partial<StackOptions> = {}, b: Partial<StackOptions> = {}): [number, number] {
  const first = world.addStack({ mac: MAC_A, address: IP_A, secret: 0x1111n, ...a });
  const second = world.addStack({ mac: MAC_B, address: IP_B, secret: 0x2222n, ...b });
  world.connect(first, second);
  return [first, second];
}

/** A connection from A to B's `port`: [A's socket, B's listener, B's socket], established. */
export function establish(world: NetWorld, a: number, b: number, port = 80): [number, number, number] {
  const listener = world.e.netListen(b, port, 8);
  if (listener < 0) throw new Error(`listen: ${listener}`);
  const client = world.e.netConnect(a, ip(IP_B), port);
  if (client < 0) throw new Error(`connect: ${client}`);
  let server = -1;
  const done = world.runUntil(() => {
    if (server < 0) server = world.e.netAccept(b, listener);
    return server >= 0 && world.state(a, client) === TCP.ESTABLISHED;
  }, 30n * SECOND);
  if (!done) throw new Error(`no connection: client state ${world.state(a, client)}`);
  return [client, listener, server];
}

/** Pushes `data` out of one end and collects what arrives at the other, both ways at once; what each side received. */
export function exchange(world: NetWorld, a: number, sa: number, b: number, sb: number, toB: Uint8Array, toA: Uint8Array, span: bigint): [Uint8Array, Uint8Array] {
  const gotB = new Uint8Array(toB.length);
  const gotA = new Uint8Array(toA.length);
  let sentB = 0;
  let sentA = 0;
  let atB = 0;
  let atA = 0;
  const chunk = 48 * 1024;
  world.runUntil(() => {
    if (sentB < toB.length) {
      const n = world.send(a, sa, toB.subarray(sentB, sentB + chunk));
      if (n > 0) sentB += n;
    }
    if (sentA < toA.length) {
      const n = world.send(b, sb, toA.subarray(sentA, sentA + chunk));
      if (n > 0) sentA += n;
    }
    for (let r = world.receive(b, sb); typeof r !== "number" && r.length > 0; r = world.receive(b, sb)) {
      gotB.set(r, atB);
      atB += r.length;
    }
    for (let r = world.receive(a, sa); typeof r !== "number" && r.length > 0; r = world.receive(a, sa)) {
      gotA.set(r, atA);
      atA += r.length;
    }
    return atB === toB.length && atA === toA.length;
  }, span);
  return [gotB.subarray(0, atB), gotA.subarray(0, atA)];
}

/** `length` bytes of a seeded pattern. */
export function pattern(length: number, random: Random): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const word = random.u32();
    bytes[i] = word & 0xff;
    if (i + 1 < length) bytes[i + 1] = (word >>> 8) & 0xff;
    if (i + 2 < length) bytes[i + 2] = (word >>> 16) & 0xff;
    if (i + 3 < length) bytes[i + 3] = word >>> 24;
  }
  return bytes;
}

/**
 * A peer played by the test: MAC `mac`, address `address`, on the same
 * network as `stack`. introduce() teaches the stack its MAC (an ARP request
 * for the stack's address); tcp() sends it a segment; heard() is what the
 * stack sent to the peer's MAC since the last call.
 */
export class ScriptedPeer {
  private seen: number;

  constructor(readonly world: NetWorld, readonly stack: number, readonly stackMac: bigint, readonly stackAddress: string,
    readonly mac = 0x02_00_00_00_00_0cn, readonly address = "10.0.0.3") {
    this.seen = world.transmitted.length;
  }

  introduce(): void {
    this.world.inject(this.stack, arpFrame(1, this.mac, ip(this.address), 0n, ip(this.stackAddress)));
  }

  tcp(spec: Omit<TcpSpec, "srcMac" | "dstMac" | "src" | "dst">): void {
    this.world.inject(this.stack, tcpFrame({ ...spec, srcMac: this.mac, dstMac: this.stackMac, src: ip(this.address), dst: ip(this.stackAddress) }));
  }

  heard(): Parsed[] {
    const frames = this.world.transmitted.slice(this.seen).filter((f) => f.from === this.stack).map((f) => parseFrame(f.bytes));
    this.seen = this.world.transmitted.length;
    return frames.filter((p) => p.dst === this.mac);
  }
}
