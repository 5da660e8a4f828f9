// The host-test harness's part for kernel/net: whole stacks over fake
// devices, by handle. A device's transmit() hands the frame to Node through
// the import net.transmit (test/host/fake-arch.ts routes it to
// FakeArch.netTransmit, which test/host/net/client.ts's NetWorld sets): the
// test decides when, whether and how often it arrives anywhere. Time is the
// test's: netSetTime sets the clock every stack reads. The socket exports
// are tcp-sockets.ts's (nothing waits). Strings passed in are consumed.
// Addresses: a u32 is an IPv4 one (10.0.0.1 is 0x0a000001); the exports
// ending in 6 take a pointer to 16 bytes of an IPv6 one.

import { NetworkDevice } from "../../../kernel/net/device";
import { Stack, NetClock } from "../../../kernel/net/stack";
import { NetConfig, parseIpOption, parseIp6Option } from "../../../kernel/net/config";
import {
  tcpListen, tcpConnect, tcpAccept, tcpSend, tcpReceive, tcpShutdown, tcpClose, tcpReadiness, tcpState, tcpConnectionOf,
  tcpAddress,
} from "../../../kernel/net/tcp-sockets";
import { counterName, COUNTER_COUNT } from "../../../kernel/net/counters";
import { icmpEcho } from "../../../kernel/net/icmp";
import { icmpv6Echo } from "../../../kernel/net/icmpv6";
import { formatIpv6, loadHigh, loadLow, storeAddress, ipv4MappedLow, ipv4OfMapped } from "../../../kernel/net/ipv6-address";
import { foundHigh, foundLow } from "../../../kernel/net/endpoint";
import { UdpReceiver, udpBind, udpUnbind, udpSend } from "../../../kernel/net/udp";
import {
  udpOpen, udpConnect, udpSendTo, udpReceiveFrom, udpReadiness, udpAddress, udpClose, udpSetQueueLimit,
  receivedHigh, receivedLow, receivedPort, receivedFull,
} from "../../../kernel/net/udp-sockets";
import { failureDetail } from "../../../kernel/failure";

@external("net", "transmit")
declare function hostTransmit(device: u32, frame: usize, length: u32): i32;

class HostDevice extends NetworkDevice {
  constructor(public index: u32) {
    super();
  }

  transmit(frame: usize, length: u32): i32 {
    return hostTransmit(this.index, frame, length);
  }

  nextFrame(): usize {
    return 0;
  }

  releaseFrame(): void {}
}

let testNow: u64 = 0;

class TestClock extends NetClock {
  now(): u64 {
    return testNow;
  }
}

const MAX_STACKS: i32 = 8;
/** MAX_STACKS Stack addresses (0: free), made on first use and kept. */
let slots: usize = 0;

function stackOf(handle: i32): Stack {
  return changetype<Stack>(load<usize>(slots + (<usize>handle << 3)));
}

export function netSetTime(now: u64): void {
  testNow = now;
}

/** A stack on device `handle` (its transmit import's first argument); the handle, or -1 when all are taken. */
export function netCreate(
  mac: u64, address: u32, prefix: u32, gateway: u32, bufferBytes: u32, mslMilliseconds: u32, memoryLimit: u32,
  secret: u64, mtu: u32,
): i32 {
  if (slots == 0) {
    slots = heap.alloc(<usize>MAX_STACKS << 3);
    memory.fill(slots, 0, <usize>MAX_STACKS << 3);
  }
  let handle = 0;
  while (handle < MAX_STACKS && load<usize>(slots + (<usize>handle << 3)) != 0) handle++;
  if (handle == MAX_STACKS) return -1;
  const device = new HostDevice(<u32>handle);
  device.mac = mac;
  device.mtu = mtu;
  const config = new NetConfig();
  config.address = address;
  config.prefix = prefix;
  config.gateway = gateway;
  config.sendBufferBytes = bufferBytes;
  config.receiveBufferBytes = bufferBytes;
  config.mslNanoseconds = <u64>mslMilliseconds * 1_000_000;
  config.memoryLimit = <u64>memoryLimit;
  config.secret = secret;
  const stack = new Stack(device, config, new TestClock());
  store<usize>(slots + (<usize>handle << 3), changetype<usize>(stack));
  return handle;
}

/** Frees the stack and everything it holds (connections vanish without a word to peers). */
export function netDestroy(handle: i32): void {
  const stack = stackOf(handle);
  stack.destroy();
  heap.free(changetype<usize>(stack.device));
  heap.free(changetype<usize>(stack.config));
  heap.free(changetype<usize>(stack.clock));
  heap.free(changetype<usize>(stack));
  store<usize>(slots + (<usize>handle << 3), 0);
}

export function netInput(handle: i32, frame: usize, length: u32): void {
  stackOf(handle).input(frame, length);
}

export function netRunTimers(handle: i32): void {
  stackOf(handle).runTimers(testNow);
}

export function netNextDeadline(handle: i32): u64 {
  return stackOf(handle).nextDeadline();
}

export function netListen(handle: i32, port: u32, backlog: i32): i32 {
  return tcpListen(stackOf(handle), port, backlog, true);
}

/** A listener that takes IPv4 connections only (an IPv4 socket's). */
export function netListen4(handle: i32, port: u32, backlog: i32): i32 {
  return tcpListen(stackOf(handle), port, backlog, false);
}

export function netConnect(handle: i32, address: u32, port: u32): i32 {
  return tcpConnect(stackOf(handle), 0, ipv4MappedLow(address), port);
}

export function netConnect6(handle: i32, address: usize, port: u32): i32 {
  return tcpConnect(stackOf(handle), loadHigh(address), loadLow(address), port);
}

/** A TCP socket's own address (`peer` false) or its peer's, as 16 bytes at `into`: its port, or -errno. */
export function netSocketAddress(handle: i32, socket: i32, peer: bool, into: usize): i64 {
  const result = tcpAddress(stackOf(handle), socket, peer);
  if (result >= 0) storeAddress(into, foundHigh, foundLow);
  return result;
}

export function netAccept(handle: i32, socket: i32): i32 {
  return tcpAccept(stackOf(handle), socket);
}

export function netSend(handle: i32, socket: i32, buffer: usize, length: u32): i64 {
  return tcpSend(stackOf(handle), socket, buffer, length);
}

export function netReceive(handle: i32, socket: i32, buffer: usize, length: u32, flags: u32): i64 {
  return tcpReceive(stackOf(handle), socket, buffer, length, flags);
}

export function netShutdown(handle: i32, socket: i32, how: u32): i32 {
  return tcpShutdown(stackOf(handle), socket, how);
}

export function netClose(handle: i32, socket: i32): i32 {
  return tcpClose(stackOf(handle), socket);
}

export function netReadiness(handle: i32, socket: i32): u32 {
  return tcpReadiness(stackOf(handle), socket);
}

export function netState(handle: i32, socket: i32): i32 {
  return tcpState(stackOf(handle), socket);
}

/**
 * One field of a socket's connection (u64; ~0 for no connection): 0 cwnd,
 * 1 ssthresh, 2 rto, 3 srtt, 4 sndWnd, 5 mss, 6 sndShift, 7 rcvShift,
 * 8 inRecovery, 9 dupAcks, 10 unsent, 11 send ring bytes, 12 receive ring
 * bytes, 13 sndUna, 14 sndNxt, 15 rcvNxt, 16 iss, 17 irs, 18 retransmitAt,
 * 19 persistAt, 20 delayedAckAt, 21 lingerAt, 22 sndMax, 23 error (as i64),
 * 24 out-of-order ranges, 25 local port, 26 remote port.
 */
export function netConnectionField(handle: i32, socket: i32, which: i32): u64 {
  const c = tcpConnectionOf(stackOf(handle), socket);
  if (c === null) return u64.MAX_VALUE;
  switch (which) {
    case 0: return c.cwnd;
    case 1: return c.ssthresh;
    case 2: return c.rto;
    case 3: return c.srtt;
    case 4: return c.sndWnd;
    case 5: return c.mss;
    case 6: return c.sndShift;
    case 7: return c.rcvShift;
    case 8: return c.inRecovery ? 1 : 0;
    case 9: return c.dupAcks;
    case 10: return c.unsent;
    case 11: return c.sendRing === null ? 0 : c.sendRing!.length;
    case 12: return c.receiveRing === null ? 0 : c.receiveRing!.length;
    case 13: return c.sndUna;
    case 14: return c.sndNxt;
    case 15: return c.rcvNxt;
    case 16: return c.iss;
    case 17: return c.irs;
    case 18: return c.retransmitAt;
    case 19: return c.persistAt;
    case 20: return c.delayedAckAt;
    case 21: return c.lingerAt;
    case 22: return c.sndMax;
    case 23: return <u64>(<i64>c.error);
    case 24: return <u64>c.oooCount;
    case 25: return c.localPort;
    case 26: return c.remotePort;
  }
  return u64.MAX_VALUE;
}

export function netCounter(handle: i32, index: i32): u64 {
  return stackOf(handle).counters.get(index);
}

/** The counter's name (a static string: not freed). */
export function netCounterName(index: i32): string {
  return counterName(index);
}

export function netCounterCount(): i32 {
  return COUNTER_COUNT;
}

export function netHeldBytes(handle: i32): u64 {
  return stackOf(handle).heldBytes();
}

/** Connection objects the stack holds (in any state). */
export function netConnectionCount(handle: i32): i32 {
  return netConnectionsIn(handle, -1);
}

/** Connection objects in `state` (-1: any). */
export function netConnectionsIn(handle: i32, state: i32): i32 {
  let count = 0;
  let c = stackOf(handle).connections;
  while (c !== null) {
    if (state < 0 || c.state == state) count++;
    c = c.next;
  }
  return count;
}

export function netEvents(handle: i32): u32 {
  return stackOf(handle).events;
}

export function netArpLookup(handle: i32, address: u32): u64 {
  return stackOf(handle).arp.lookupAddress(address);
}

export function netArpSize(handle: i32): u32 {
  return stackOf(handle).arp.size;
}

export function netPing(handle: i32, address: u32, identifier: u32, sequence: u32, length: u32): void {
  icmpEcho(stackOf(handle), address, identifier, sequence, length);
}

export function netLastEchoReply(handle: i32): u32 {
  return stackOf(handle).lastEchoReply;
}

// --- IPv6: addresses as 16 bytes in the test's buffers ---

export function netIpv6Start(handle: i32): void {
  stackOf(handle).startIpv6();
}

/** Parses ip6= text (consumed) into the stack's configuration, before netIpv6Start: 0 or -errno (netParseFailure says why). */
export function netConfigureIp6(handle: i32, text: string): i32 {
  const result = parseIp6Option(text, stackOf(handle).config);
  heap.free(changetype<usize>(text));
  parseFailure = result < 0 ? failureDetail(result) : "";
  return result;
}

/** Writes address `which` (0 link-local, 1 global, 2 default router) to `into`; whether there is one. */
export function netIpv6Address(handle: i32, which: u32, into: usize): bool {
  const nd = stackOf(handle).nd;
  return nd !== null && nd.writeAddress(which, into);
}

export function netPing6(handle: i32, address: usize, identifier: u32, sequence: u32, length: u32): void {
  icmpv6Echo(stackOf(handle), loadHigh(address), loadLow(address), identifier, sequence, length);
}

export function netNeighborLookup(handle: i32, address: usize): u64 {
  const nd = stackOf(handle).nd;
  return nd === null ? 0 : nd.lookup(loadHigh(address), loadLow(address));
}

export function netFormatIpv6(address: usize): string {
  return formatIpv6(loadHigh(address), loadLow(address));
}

// --- UDP: one recording receiver shared by every binding ---

class RecordingReceiver extends UdpReceiver {
  count: u32 = 0;
  sourceHigh: u64 = 0;
  sourceLow: u64 = 0;
  sourcePort: u32 = 0;
  port: u32 = 0;
  length: u32 = 0;
  /** Where the last datagram's bytes are copied (the test's buffer, netUdpRecordInto). */
  into: usize = 0;
  room: u32 = 0;

  receive(stack: Stack, sourceHigh: u64, sourceLow: u64, sourcePort: u32, port: u32, data: usize, length: u32): void {
    this.count++;
    this.sourceHigh = sourceHigh;
    this.sourceLow = sourceLow;
    this.sourcePort = sourcePort;
    this.port = port;
    this.length = length;
    if (this.into != 0) memory.copy(this.into, data, min<u32>(length, this.room));
  }
}

let recorder: RecordingReceiver | null = null;

function theRecorder(): RecordingReceiver {
  if (recorder === null) recorder = new RecordingReceiver();
  return recorder!;
}

export function netUdpRecordInto(buffer: usize, room: u32): void {
  theRecorder().into = buffer;
  theRecorder().room = room;
}

export function netUdpBind(handle: i32, port: u32): i32 {
  return udpBind(stackOf(handle), port, theRecorder());
}

export function netUdpUnbind(handle: i32, port: u32): i32 {
  return udpUnbind(stackOf(handle), port);
}

export function netUdpSend(handle: i32, sourcePort: u32, address: u32, port: u32, data: usize, length: u32): i32 {
  return udpSend(stackOf(handle), sourcePort, 0, ipv4MappedLow(address), port, data, length);
}

export function netUdpSend6(handle: i32, sourcePort: u32, address: usize, port: u32, data: usize, length: u32): i32 {
  return udpSend(stackOf(handle), sourcePort, loadHigh(address), loadLow(address), port, data, length);
}

/** The recorder's fields: 0 count, 1 source (IPv4), 2 source port, 3 port, 4 length. */
export function netUdpReceived(which: i32): u32 {
  const r = theRecorder();
  if (which == 0) return r.count;
  if (which == 1) return ipv4OfMapped(r.sourceLow);
  if (which == 2) return r.sourcePort;
  if (which == 3) return r.port;
  return r.length;
}

// --- The ip= option ---

let parsed: NetConfig | null = null;
let parseFailure: string = "";

/** Parses ip= text (consumed) into a fresh config: 0 or -errno, then netParsed(0 address, 1 prefix, 2 gateway, 3 dhcp, 4 name server, 5 its port) or netParseFailure(). */
export function netParseIp(text: string): i32 {
  if (parsed !== null) heap.free(changetype<usize>(parsed));
  parsed = new NetConfig();
  const result = parseIpOption(text, parsed!);
  heap.free(changetype<usize>(text));
  parseFailure = result < 0 ? failureDetail(result) : "";
  return result;
}

export function netParsed(which: i32): u32 {
  const config = parsed!;
  if (which == 3) return config.useDhcp ? 1 : 0;
  if (which == 4) return config.dnsServer;
  if (which == 5) return config.dnsPort;
  return which == 0 ? config.address : which == 1 ? config.prefix : config.gateway;
}

export function netParseFailure(): string {
  return parseFailure;
}

// --- DHCP ---

/** Starts the stack's DHCP client (the stack was made with address 0): 0 or -errno. */
export function netDhcpStart(handle: i32): i32 {
  return stackOf(handle).startDhcp();
}

/** The client's state (dhcp.ts DHCP_*), -1 without one. */
export function netDhcpState(handle: i32): i32 {
  const dhcp = stackOf(handle).dhcp;
  return dhcp === null ? -1 : dhcp.state;
}

/** The stack's configuration now: 0 address, 1 prefix, 2 gateway. */
export function netAddressOf(handle: i32, which: i32): u32 {
  const config = stackOf(handle).config;
  return which == 0 ? config.address : which == 1 ? config.prefix : config.gateway;
}

// --- UDP sockets (kernel/net/udp-sockets.ts) ---

export function netUdpOpen(handle: i32, port: u32): i32 {
  return udpOpen(stackOf(handle), port);
}

export function netUdpConnect(handle: i32, socket: i32, address: u32, port: u32): i32 {
  return udpConnect(stackOf(handle), socket, 0, address == 0 ? 0 : ipv4MappedLow(address), port);
}

export function netUdpConnect6(handle: i32, socket: i32, address: usize, port: u32): i32 {
  return udpConnect(stackOf(handle), socket, loadHigh(address), loadLow(address), port);
}

export function netUdpSendTo(handle: i32, socket: i32, address: u32, port: u32, data: usize, length: u32): i64 {
  return udpSendTo(stackOf(handle), socket, 0, address == 0 ? 0 : ipv4MappedLow(address), port, data, length);
}

export function netUdpSendTo6(handle: i32, socket: i32, address: usize, port: u32, data: usize, length: u32): i64 {
  return udpSendTo(stackOf(handle), socket, loadHigh(address), loadLow(address), port, data, length);
}

export function netUdpReceiveFrom(handle: i32, socket: i32, buffer: usize, length: u32, flags: u32): i64 {
  return udpReceiveFrom(stackOf(handle), socket, buffer, length, flags);
}

/** The last datagram udpReceiveFrom took: 0 its sender (IPv4), 1 its port, 2 its whole length. */
export function netUdpLastReceived(which: i32): u32 {
  return which == 0 ? ipv4OfMapped(receivedLow) : which == 1 ? receivedPort : receivedFull;
}

/** The last datagram udpReceiveFrom took: its sender's address, 16 bytes at `into`. */
export function netUdpLastSender(into: usize): void {
  storeAddress(into, receivedHigh, receivedLow);
}

export function netUdpReadiness(handle: i32, socket: i32): u32 {
  return udpReadiness(stackOf(handle), socket);
}

/** The socket's port | its peer's port << 16 | its peer's IPv4 address << 32 (no peer: 0s), or -errno. */
export function netUdpEndpoints(handle: i32, socket: i32): i64 {
  const s = stackOf(handle);
  const port = udpAddress(s, socket, false);
  if (port < 0) return port;
  const peerPort = udpAddress(s, socket, true);
  if (peerPort < 0) return port;
  return port | (peerPort << 16) | (<i64>ipv4OfMapped(foundLow) << 32);
}

export function netUdpSetQueueLimit(handle: i32, socket: i32, bytes: u32): i32 {
  return udpSetQueueLimit(stackOf(handle), socket, bytes);
}

export function netUdpClose(handle: i32, socket: i32): i32 {
  return udpClose(stackOf(handle), socket);
}
