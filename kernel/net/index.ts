// The network stack's front door (issue: networking). What the rest of the
// kernel calls: the WASI socket functions (loader/wasi/sockets.ts), the boot
// (kernel/init), the self-tests.
//
// Sockets are small integers (>= 0); every function returns 0, a count or a
// socket, or a negative errno (kernel/errno.ts). Addresses are a pair of
// u64, the 16 bytes of an IPv6 address as loaded from memory, an IPv4
// address in its mapped form ::ffff:a.b.c.d (kernel/net/ip.ts;
// ipv4MappedLow(0x0a000202) with high 0 is 10.0.2.2); functions that report
// an address write its 16 bytes. Functions that wait
// (accept, receive, send without `nonblocking`, tcpConnect) sleep the
// calling thread.
//
// Threading: the kernel's one Stack (kernel/net/stack.ts) runs on the
// thread "net", which startNetwork spawns. It loops: take the device's
// frames into stack.input, run the stack's timers, then sleep until the
// earliest deadline or until the driver calls wakeNetwork() (which releases
// a semaphore). App threads call the socket functions below. One mutex
// guards the stack; every call holds it throughout. A call that must wait
// waits on a condition of that mutex, broadcast whenever the stack reports
// a change (stack.events) after input, timers, or another app's call. When
// an app's call arms a timer earlier than the one the net thread sleeps
// for, the call wakes the thread so it sleeps again for the right time.

import { EBADF, EBUSY, EINVAL, ENODEV, ENOMEM, EAGAIN, ETIMEDOUT, EINPROGRESS, ENOTCONN, EOPNOTSUPP, ENETUNREACH } from "../errno";
import { fail } from "../failure";
import { declareText, KernelOption } from "../options";
import { now } from "../time/index";
import { spawn, FOREVER, PRIORITY_HIGH } from "../sched/index";
import { Mutex, Condition, Semaphore } from "../sched/sync";
import { getRandom } from "../random";
import { NetworkDevice, networkDevices, useNetworkWaker } from "./device";
import { NetConfig, parseIpOption, parseIp6Option } from "./config";
import { Stack, NetClock, NO_DEADLINE } from "./stack";
import {
  tcpListen as stackListen, tcpConnect as stackConnect, tcpAccept, tcpSend, tcpReceive, tcpShutdown, tcpClose,
  tcpReadiness, tcpConnectResult, tcpAddress, RECEIVE_PEEK, RECEIVE_WAITALL, READY_ERROR,
} from "./tcp-sockets";
import {
  udpOpen, udpConnect, udpSendTo, udpReceiveFrom, udpReadiness, udpAddress, udpClose, udpQueueLimit, udpSetQueueLimit,
  receivedHigh, receivedLow, receivedPort, receivedFull,
} from "./udp-sockets";
import { endpointKind, ENDPOINT_DATAGRAM, foundHigh, foundLow } from "./endpoint";
import { CLOSED } from "./tcp-connection";
import { counterName as nameOfCounter, COUNTER_COUNT } from "./counters";
import { print, printLine, printUnsigned } from "../console";
import { LINK_LOCAL_HIGH, printIpv6, loadHigh, loadLow, storeAddress, isIpv4Mapped, ipv4OfMapped } from "./ipv6-address";
import { icmpv6Echo } from "./icmpv6";
import { checkDestination } from "./ip";

/** networkIpv6Address's addresses. */
export { IPV6_LINK_LOCAL, IPV6_GLOBAL, IPV6_ROUTER } from "./nd";

/** socketReceive flags (WASI's riflags): RECEIVE_PEEK, RECEIVE_WAITALL. */
export { RECEIVE_PEEK, RECEIVE_WAITALL } from "./tcp-sockets";
/** socketShutdown's `how` bits (WASI's sdflags): SHUT_RD, SHUT_WR. */
export { SHUT_RD, SHUT_WR } from "./tcp-sockets";
/** socketReadiness bits: READY_READ, READY_WRITE, READY_HANGUP, READY_ERROR. */
export { READY_READ, READY_WRITE, READY_HANGUP, READY_ERROR } from "./tcp-sockets";
/** How many counters networkCounter() knows (kernel/net/counters.ts). */
export const NETWORK_COUNTERS: i32 = COUNTER_COUNT;

/** Frames taken from the device before the thread runs timers and lets app calls in. */
const FRAME_BATCH = 64;
/** How long startNetwork waits for a DHCP lease. */
const DHCP_WAIT: u64 = 30_000_000_000;

class KernelClock extends NetClock {
  now(): u64 {
    return now();
  }
}

let ipOption: KernelOption | null = null;
let configured: NetConfig | null = null;
let stack: Stack | null = null;
let device: NetworkDevice | null = null;
// Made by startNetwork (nothing is allocated before the network starts); used only while `stack` is set.
let mutex: Mutex = changetype<Mutex>(0);
let changed: Condition = changetype<Condition>(0);
let wakeups: Semaphore = changetype<Semaphore>(0);
/** The deadline the net thread sleeps until. */
let sleepingUntil: u64 = NO_DEADLINE;
/** stack.events when waiters were last woken. */
let eventsSeen: u32 = 0;
/** Broadcasts so far, and the count the last readiness check saw (waitForNetwork's lost-wakeup guard). */
let broadcasts: u32 = 0;

function configuration(): NetConfig {
  if (configured === null) configured = new NetConfig();
  return configured!;
}

function checkIp(value: string): i32 {
  return parseIpOption(value, configuration());
}

/** Declares the network's kernel options (ip=...), before the command line is read. */
export function declareNetworkOptions(): void {
  ipOption = declareText("ip", "ADDR/PREFIX,GATEWAY or dhcp, then ,dns=ADDR[:PORT] optionally: the network address and name server, e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3", checkIp);
  declareText("ip6", "on (the default), off, or ADDR/PREFIX[,ROUTER]: IPv6 beside IPv4, with a link-local address and a global one from router advertisements or given, e.g. ip6=2001:db8::15/64,fe80::1", checkIp6);
}

function checkIp6(value: string): i32 {
  return parseIp6Option(value, configuration());
}

/** Whether the command line configures the network (ip=): an app then gets it, listening sockets or not. */
export function networkConfigured(): bool {
  const option = ipOption;
  return option !== null && option.given;
}

function wakeNetThread(): void {
  wakeups.release();
}

/**
 * Brings the stack up on the first network device with the configuration ip= gave; 0 or -errno with the reason.
 * With ip=dhcp it waits up to 30 s for a lease: -ETIMEDOUT without one (the client keeps asking).
 */
export function startNetwork(): i32 {
  if (stack !== null) return fail(EBUSY, "net: the network is running already");
  const found = networkDevices();
  const first = found.length > 0 ? found[0] : null;
  heap.free(found.dataStart);
  heap.free(changetype<usize>(found));
  if (first === null) return fail(ENODEV, "net: no network device was found");
  const option = ipOption;
  if (option === null || !option.given) return fail(EINVAL, "net: no address: give ip=ADDR/PREFIX,GATEWAY or ip=dhcp");
  return startNetworkOn(first!, configuration());
}

/** startNetwork's work, on a given device and configuration (the self-test's loopback device; a second device later). */
export function startNetworkOn(on: NetworkDevice, config: NetConfig): i32 {
  if (stack !== null) return fail(EBUSY, "net: the network is running already");
  const secret = heap.alloc(8);
  if (getRandom(secret, 8) < 0) store<u64>(secret, now() * 0x9e3779b97f4a7c15);
  config.secret = load<u64>(secret);
  heap.free(secret);
  mutex = new Mutex();
  changed = new Condition();
  wakeups = new Semaphore(0);
  device = on;
  stack = new Stack(on, config, new KernelClock());
  useNetworkWaker(wakeNetThread);
  if (config.ipv6) stack!.startIpv6();
  if (config.useDhcp && stack!.startDhcp() < 0) {
    stack!.destroy();
    stack = null;
    return fail(ENOMEM, "net: no memory for the DHCP client");
  }
  if (spawn("net", netMain, 0, PRIORITY_HIGH) === null) {
    stack!.destroy();
    stack = null;
    return fail(ENOMEM, "net: no memory for the network thread");
  }
  return config.useDhcp ? waitForLease() : 0;
}

/** Waits up to DHCP_WAIT for the first lease; -ETIMEDOUT without one (the client keeps trying). */
function waitForLease(): i32 {
  const s = enter()!;
  const limit = now() + DHCP_WAIT;
  while (!s.dhcp!.bound && now() < limit) {
    notify(s);
    changed.wait(mutex, limit);
  }
  const bound = s.dhcp!.bound;
  leave(s);
  if (!bound) return fail(ETIMEDOUT, "net: no DHCP server answered within 30 s (still asking)");
  return 0;
}

/** The net thread: frames in, timers, then sleep until the next deadline or a wake-up. */
function netMain(argument: usize): void {
  const s = stack!;
  const d = device!;
  while (true) {
    mutex.lock();
    let frames = 0;
    while (frames < FRAME_BATCH) {
      const frame = d.nextFrame();
      if (frame == 0) break;
      s.input(frame, d.frameLength);
      d.releaseFrame();
      frames++;
    }
    s.flushPending();
    s.runTimers(now());
    s.flushPending();
    sleepingUntil = s.nextDeadline();
    const until = sleepingUntil;
    leave(s);
    if (frames == FRAME_BATCH) continue;
    wakeups.acquire(until == NO_DEADLINE ? FOREVER : until);
  }
}

/** Takes the stack's mutex; null when the network is not running. */
function enter(): Stack | null {
  const s = stack;
  if (s === null) return null;
  mutex.lock();
  return s;
}

/** Wakes waiters if anything changed, and the net thread if a timer is now due sooner than it sleeps for (the mutex held). */
function notify(s: Stack): void {
  if (s.events != eventsSeen) {
    eventsSeen = s.events;
    broadcasts++;
    changed.broadcast();
  }
  const deadline = s.nextDeadline();
  if (deadline < sleepingUntil) {
    sleepingUntil = deadline;
    wakeups.release();
  }
}

/** notify(), then lets go of the mutex. */
function leave(s: Stack): void {
  notify(s);
  mutex.unlock();
}

/** notify(), then waits for a change (the mutex released meanwhile, held again after). */
function waitForChange(s: Stack): void {
  notify(s);
  changed.wait(mutex);
}

/**
 * A TCP socket listening on `port` of every local address, with a backlog
 * of `backlog` connections: IPv4 ones, and IPv6 ones too when `acceptsIpv6`.
 */
export function tcpListen(port: u32, backlog: i32, acceptsIpv6: bool = true): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  const result = stackListen(s, port, backlog, acceptsIpv6);
  leave(s);
  return result;
}

/**
 * Right after boot IPv6 has only its link-local address until a router
 * answers: a call to an address beyond the link waits for that answer (or
 * for the router solicitations to run out, ROUTER_SOLICITATIONS x 4 s at
 * most) rather than fail with ENETUNREACH while the network comes up.
 */
function awaitIpv6Route(s: Stack, high: u64, low: u64): void {
  const nd = s.nd;
  if (nd === null || isIpv4Mapped(high, low)) return;
  while (nd.solicitingRouters && checkDestination(s, high, low, 1) == -ENETUNREACH) waitForChange(s);
}

/** A connection to (high, low):`port`, once established: its socket, or -ECONNREFUSED, -ETIMEDOUT, ... */
export function tcpConnect(high: u64, low: u64, port: u32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  awaitIpv6Route(s, high, low);
  const socket = stackConnect(s, high, low, port);
  let result = socket;
  if (socket >= 0) {
    while (tcpConnectResult(s, socket) == -EINPROGRESS) waitForChange(s);
    const outcome = tcpConnectResult(s, socket);
    if (outcome < 0) {
      tcpClose(s, socket);
      result = outcome;
    }
  }
  leave(s);
  return result;
}

/** Starts a connection to (high, low):`port` without waiting: its socket at once (socketConnectResult says how it went). */
export function tcpConnectStart(high: u64, low: u64, port: u32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  awaitIpv6Route(s, high, low);
  const socket = stackConnect(s, high, low, port);
  leave(s);
  return socket;
}

/** A started connection's outcome: 0 once established, -EINPROGRESS while it is being made, else why it failed. */
export function socketConnectResult(socket: i32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  const result = tcpConnectResult(s, socket);
  leave(s);
  return result;
}

/** A UDP socket bound to `port` (0: an ephemeral one): its number, or -errno. */
export function udpSocket(port: u32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  const result = udpOpen(s, port);
  leave(s);
  return result;
}

/** Names a UDP socket's default peer (the unspecified address forgets it). */
export function socketConnectDatagram(socket: i32, high: u64, low: u64, port: u32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  awaitIpv6Route(s, high, low);
  const result = udpConnect(s, socket, high, low, port);
  leave(s);
  return result;
}

/** Sends one datagram of `length` bytes to (high, low):`port` (unspecified: the socket's peer): the length, or -errno. */
export function socketSendTo(socket: i32, high: u64, low: u64, port: u32, buffer: usize, length: u32): i64 {
  const s = enter();
  if (s === null) return -EBADF;
  awaitIpv6Route(s, high, low);
  const result = udpSendTo(s, socket, high, low, port, buffer, length);
  leave(s);
  return result;
}

/**
 * Takes the oldest datagram of a UDP socket into `buffer` (as much as
 * fits; RECEIVE_PEEK leaves it): the count, waiting for one unless
 * `nonblocking` (-EAGAIN then). Its sender and full length: datagramSource().
 */
export function socketReceiveFrom(socket: i32, buffer: usize, length: usize, flags: u32, nonblocking: bool): i64 {
  const s = enter();
  if (s === null) return -EBADF;
  let result = udpReceiveFrom(s, socket, buffer, length, flags);
  while (result == -EAGAIN && !nonblocking) {
    waitForChange(s);
    result = udpReceiveFrom(s, socket, buffer, length, flags);
  }
  if (result >= 0) {
    lastSourceHigh = receivedHigh;
    lastSourceLow = receivedLow;
    lastSourcePort = receivedPort;
    lastFull = receivedFull;
  }
  leave(s);
  return result;
}

let lastSourceHigh: u64 = 0;
let lastSourceLow: u64 = 0;
let lastSourcePort: u32 = 0;
let lastFull: u32 = 0;

/** The last datagram socketReceiveFrom took: its sender's address (16 bytes at `into`); its port. */
export function datagramSource(into: usize): u32 {
  storeAddress(into, lastSourceHigh, lastSourceLow);
  return lastSourcePort;
}

/** The last datagram socketReceiveFrom took: its whole length (more than was copied if it did not fit). */
export function datagramLength(): u32 {
  return lastFull;
}

/** Whether `socket` is a UDP socket. */
export function socketIsDatagram(socket: i32): bool {
  const s = enter();
  if (s === null) return false;
  const result = endpointKind(s, socket) == ENDPOINT_DATAGRAM;
  leave(s);
  return result;
}

/**
 * A socket's own address (with `peer`, its peer's) as 16 bytes at `into`;
 * its port, or -EBADF, -ENOTCONN (no peer). A listener's or a UDP socket's
 * own address is the unspecified one (all 0): they take any of ours.
 */
export function socketAddress(socket: i32, peer: bool, into: usize): i64 {
  const s = enter();
  if (s === null) return -EBADF;
  const result = endpointKind(s, socket) == ENDPOINT_DATAGRAM ? udpAddress(s, socket, peer) : tcpAddress(s, socket, peer);
  if (result >= 0) storeAddress(into, foundHigh, foundLow);
  leave(s);
  return result;
}

/** Whether the stack runs (there is a network device and startNetwork started it). */
export function networkRunning(): bool {
  return stack !== null;
}

/** The name server to ask: its address << 16 | its port, or 0 when there is none (no network, no dns=, no DHCP one). */
export function dnsServer(): u64 {
  const s = stack;
  if (s === null || s.config.dnsServer == 0) return 0;
  return (<u64>s.config.dnsServer << 16) | <u64>s.config.dnsPort;
}

/** This machine's IPv4 address (0 before it has one, or without a network). */
export function networkAddress(): u32 {
  const s = stack;
  return s === null ? 0 : s.config.address;
}

/** Whether (high, low) is one of this machine's unicast addresses: its IPv4 one (mapped), its IPv6 link-local or global one. */
export function networkHasAddress(high: u64, low: u64): bool {
  const s = stack;
  if (s === null) return false;
  if (isIpv4Mapped(high, low)) return s.config.address != 0 && ipv4OfMapped(low) == s.config.address;
  const nd = s.nd;
  if (nd === null) return false;
  return (high == LINK_LOCAL_HIGH && low == nd.linkLocalLow) || (nd.globalHigh != 0 && high == nd.globalHigh && low == nd.globalLow);
}

/** The bytes a UDP socket keeps waiting (SO_RCVBUF), or a TCP socket's receive buffer; -EBADF. */
export function socketReceiveBuffer(socket: i32): i64 {
  const s = enter();
  if (s === null) return -EBADF;
  const kind = endpointKind(s, socket);
  const result = kind == ENDPOINT_DATAGRAM ? udpQueueLimit(s, socket) : kind == 0 ? -EBADF : <i64>s.config.receiveBufferBytes;
  leave(s);
  return result;
}

/** A TCP socket's send buffer (SO_SNDBUF; a UDP send never waits: its largest datagram); -EBADF. */
export function socketSendBuffer(socket: i32): i64 {
  const s = enter();
  if (s === null) return -EBADF;
  const kind = endpointKind(s, socket);
  const result = kind == ENDPOINT_DATAGRAM ? <i64>(s.device.mtu - 28) : kind == 0 ? -EBADF : <i64>s.config.sendBufferBytes;
  leave(s);
  return result;
}

/** Sets a UDP socket's queue limit (SO_RCVBUF); TCP buffers are fixed (NetConfig), so -EOPNOTSUPP there. */
export function socketSetReceiveBuffer(socket: i32, bytes: u32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  const kind = endpointKind(s, socket);
  const result = kind == ENDPOINT_DATAGRAM ? udpSetQueueLimit(s, socket, bytes) : kind == 0 ? -EBADF : -EOPNOTSUPP;
  leave(s);
  return result;
}

/** The next connection of the listening `socket` (a new socket); -EAGAIN if none is waiting and `nonblocking`. */
export function socketAccept(socket: i32, nonblocking: bool): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  let result = tcpAccept(s, socket);
  while (result == -EAGAIN && !nonblocking) {
    waitForChange(s);
    result = tcpAccept(s, socket);
  }
  leave(s);
  return result;
}

/** Receives up to `length` bytes into `buffer`; 0 at the end of the stream; -EAGAIN if nothing is waiting and `nonblocking`. */
export function socketReceive(socket: i32, buffer: usize, length: usize, flags: u32, nonblocking: bool): i64 {
  if (socketIsDatagram(socket)) return socketReceiveFrom(socket, buffer, length, flags & RECEIVE_PEEK, nonblocking);
  const s = enter();
  if (s === null) return -EBADF;
  const waitAll = (flags & RECEIVE_WAITALL) != 0 && (flags & RECEIVE_PEEK) == 0;
  let total: i64 = 0;
  let result: i64 = 0;
  while (true) {
    result = tcpReceive(s, socket, buffer + <usize>total, length - <usize>total, flags & RECEIVE_PEEK);
    if (result > 0) {
      total += result;
      if (!waitAll || <usize>total == length) break;
      continue;
    }
    if (result != -EAGAIN || nonblocking || (total > 0 && !waitAll)) break;
    waitForChange(s);
  }
  leave(s);
  return total > 0 ? total : result;
}

/** Queues up to `length` bytes from `buffer` to send; the count (all of it unless `nonblocking`); -EPIPE after SHUT_WR. */
export function socketSend(socket: i32, buffer: usize, length: usize, nonblocking: bool): i64 {
  if (socketIsDatagram(socket)) return socketSendTo(socket, 0, 0, 0, buffer, <u32>min<usize>(length, 0xffff_ffff));
  const s = enter();
  if (s === null) return -EBADF;
  let total: i64 = 0;
  let result: i64 = 0;
  while (<usize>total < length) {
    result = tcpSend(s, socket, buffer + <usize>total, length - <usize>total);
    if (result > 0) {
      total += result;
      continue;
    }
    if (result != -EAGAIN || nonblocking) break;
    waitForChange(s);
  }
  leave(s);
  return total > 0 || length == 0 ? total : result;
}

/** Shuts the reading side (SHUT_RD: further data is thrown away), the sending side (SHUT_WR: a FIN follows the data), or both. */
export function socketShutdown(socket: i32, how: u32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  const result = endpointKind(s, socket) == ENDPOINT_DATAGRAM ? -ENOTCONN : tcpShutdown(s, socket, how);
  leave(s);
  return result;
}

/** Lets go of the socket: a connection is closed gracefully (FIN) in the background; a listener stops. */
export function socketClose(socket: i32): i32 {
  const s = enter();
  if (s === null) return -EBADF;
  const result = endpointKind(s, socket) == ENDPOINT_DATAGRAM ? udpClose(s, socket) : tcpClose(s, socket);
  leave(s);
  return result;
}

/** READY_* bits: what a call on the socket would not wait for now. */
export function socketReadiness(socket: i32): u32 {
  const s = enter();
  if (s === null) return READY_ERROR;
  const result = endpointKind(s, socket) == ENDPOINT_DATAGRAM ? udpReadiness(s, socket) : tcpReadiness(s, socket);
  leave(s);
  return result;
}

/**
 * A mark of the network's state for waitForNetwork: take it before looking
 * at the readiness of the sockets a caller waits on, then wait with it.
 */
export function networkEpoch(): u32 {
  const s = enter();
  if (s === null) return 0;
  notify(s); // changes not yet announced count as before the mark
  const epoch = broadcasts;
  leave(s);
  return epoch;
}

/**
 * Sleeps until some socket's readiness may have changed since `epoch`
 * (networkEpoch, taken before the caller looked), or until `deadline`
 * (kernel/time now() units); returns at once if a change came since.
 */
export function waitForNetwork(deadline: u64, epoch: u32): void {
  const s = enter();
  if (s === null) return;
  notify(s);
  if (broadcasts == epoch) changed.wait(mutex, deadline);
  leave(s);
}

/** IPv6 address `which` (IPV6_LINK_LOCAL, IPV6_GLOBAL, IPV6_ROUTER) as 16 bytes at `into`; whether there is one (never with IPv6 off). */
export function networkIpv6Address(which: u32, into: usize): bool {
  const s = enter();
  if (s === null) return false;
  const nd = s.nd;
  const found = nd !== null && nd.writeAddress(which, into);
  leave(s);
  return found;
}

/** Sends an ICMPv6 echo request of `length` data bytes to the 16-byte address at `address`; 0, or -ENODEV without IPv6. */
export function networkPing6(address: usize, identifier: u32, sequence: u32, length: u32): i32 {
  const s = enter();
  if (s === null) return -ENODEV;
  const on = s.nd !== null;
  if (on) icmpv6Echo(s, loadHigh(address), loadLow(address), identifier, sequence, length);
  leave(s);
  return on ? 0 : -ENODEV;
}

/** identifier << 16 | sequence of the last echo reply the stack received (IPv4 or IPv6). */
export function networkLastEchoReply(): u32 {
  const s = enter();
  if (s === null) return 0;
  const last = s.lastEchoReply;
  leave(s);
  return last;
}

/** Bytes the kernel's stack holds (frame buffer, socket table, connections and their buffers, ARP entries, queued frames); 0 when not running. */
export function networkMemoryBytes(): u64 {
  const s = stack;
  return s === null ? 0 : s.heldBytes();
}

/** The kernel's stack counter `index` (0 .. NETWORK_COUNTERS - 1), 0 when not running. */
export function networkCounter(index: i32): u64 {
  const s = stack;
  return s === null || index < 0 || index >= COUNTER_COUNT ? 0 : s.counters.get(index);
}

/** The name of counter `index` ("ip.bad.checksum"), for a report line. */
export function networkCounterName(index: i32): string {
  return nameOfCounter(index);
}

/**
 * Prints the kernel's stack for a report (meminfo-style), allocating nothing:
 *   net: BYTES bytes held, CONNECTIONS connections
 *   net: ipv6 LINK-LOCAL [GLOBAL] [router ROUTER]   (with IPv6 on)
 *   net-counter NAME VALUE        (each counter that is not 0)
 * Prints nothing when the network is not running.
 */
export function printNetworkReport(): void {
  const s = stack;
  if (s === null) return;
  let connections: u64 = 0;
  let c = s.connections;
  while (c !== null) {
    connections++;
    c = c.next;
  }
  print("net: ");
  printUnsigned(s.heldBytes());
  print(" bytes held, ");
  printUnsigned(connections);
  printLine(" connections");
  const nd = s.nd;
  if (nd !== null) {
    print("net: ipv6 ");
    printIpv6(LINK_LOCAL_HIGH, nd.linkLocalLow);
    if (nd.globalHigh != 0) {
      print(" ");
      printIpv6(nd.globalHigh, nd.globalLow);
    }
    if (nd.hasRouter()) {
      print(" router ");
      printIpv6(nd.routerHigh, nd.routerLow);
    }
    printLine();
  }
  for (let i = 0; i < COUNTER_COUNT; i++) {
    const value = s.counters.get(i);
    if (value == 0) continue;
    print("net-counter ");
    print(nameOfCounter(i));
    print(" ");
    printUnsigned(value);
    printLine();
  }
}

/** Whether any connection still has data or a FIN the peer has not acknowledged, or frames wait for the device. */
function stillSending(s: Stack): bool {
  if (s.pendingCount > 0) return true;
  let c = s.connections;
  while (c !== null) {
    const ring = c.sendRing;
    if (c.state != CLOSED && ((ring !== null && ring.length > 0) || (c.finQueued && !c.finAcked))) return true;
    c = c.next;
  }
  return false;
}

/**
 * Waits, up to `timeoutNs`, until every connection has delivered what was
 * written to it and its FIN was acknowledged: the kernel calls it after the
 * app ended and before powering off, so that an answer the app sent just
 * before it exited (and closed its sockets) reaches the peer.
 */
export function lingerNetwork(timeoutNs: u64): void {
  const s = enter();
  if (s === null) return;
  const limit = now() + timeoutNs;
  while (stillSending(s) && now() < limit) {
    notify(s);
    changed.wait(mutex, limit);
  }
  leave(s);
}
