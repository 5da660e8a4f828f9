// The Stack: one network interface's whole TCP/IPv4 (and IPv6) state, so that several
// can live in one kernel (the host tests run two, joined by a fake link).
//
//   new Stack(device, config, clock)
//   input(frame, length)     a received Ethernet frame (borrowed for the call)
//   runTimers(now)           does what is due; nextDeadline() says when next
//   startIpv6()              IPv6 on this interface too (nd.ts)
//   tcpListen/tcpConnect/... the socket operations (tcp-sockets.ts), none waiting
//
// Everything the stack sends goes out through device.transmit(), built in
// the stack's one frame buffer. The stack reads time only from the clock it
// was given. It takes no locks and never sleeps: its owner serializes calls
// (kernel/net/index.ts holds one mutex per stack; the host tests have one
// flow of control). `events` counts changes a waiting socket call might be
// waiting for (data, room, connections, state), for the owner to wake
// waiters.
//
// Memory: the stack holds its frame buffer and socket table, and through its
// MemoryBudget (buffers.ts) everything else it takes; heldBytes() is that
// total, the number a memory report shows.

import { NetworkDevice, MacAddress } from "./device";
import { EAGAIN } from "../errno";
import { NetConfig } from "./config";
import { Counters, FRAMES_IN, FRAMES_OUT, ETHERNET_TRUNCATED, ETHERNET_NOT_FOR_US, ETHERNET_UNKNOWN_TYPE, TRANSMIT_FAILED } from "./counters";
import { MemoryBudget } from "./buffers";
import { ArpCache } from "./arp";
import { ETHERNET_HEADER, ETHERTYPE_IPV4, ETHERTYPE_ARP, ETHERTYPE_IPV6, BROADCAST_MAC, frameDestination, frameType } from "./ethernet";
import { ipv4Input } from "./ipv4";
import { ipv6Input } from "./ipv6";
import { NeighborDiscovery } from "./nd";
import { Segment } from "./tcp-header";
import { Connection, Listener } from "./tcp-connection";
import { UdpBinding } from "./udp";
import { reapConnections, tcpNextDeadline, tcpRunTimers } from "./tcp";
import { tcpDiscardAll } from "./tcp-sockets";
import { udpDiscardAll } from "./udp-sockets";
import { DhcpClient } from "./dhcp";

/** The stack's source of time (nanoseconds, never backwards): kernel/time in the kernel, the test's clock in tests. */
export class NetClock {
  now(): u64 {
    return unreachable();
  }
}

/** nextDeadline() when no timer is pending. */
export const NO_DEADLINE: u64 = u64.MAX_VALUE;
/** Sockets per stack. */
export const MAX_SOCKETS: i32 = 1024;
/** Frames kept, in order, while the device's transmit slots are all in flight (then the rest are dropped). */
const PENDING_FRAMES: u32 = 128;
const EPHEMERAL_FIRST: u32 = 49152;

export class Stack {
  counters: Counters = new Counters();
  budget: MemoryBudget;
  arp: ArpCache = changetype<ArpCache>(0); // made in the constructor (it keeps the stack)
  /** IPv6 neighbor discovery and addresses, once startIpv6() made them (null: IPv6 is off). */
  nd: NeighborDiscovery | null = null;
  /** Where every outgoing frame is built (14 + MTU bytes). */
  frame: usize;
  frameBytes: u32;
  segment: Segment = new Segment();
  connections: Connection | null = null;
  listeners: Listener | null = null;
  udpBindings: UdpBinding | null = null;
  /** MAX_SOCKETS endpoint addresses (0: free). */
  sockets: usize;
  events: u32 = 0;
  nextIpId: u32 = 1;
  nextPort: u32 = EPHEMERAL_FIRST;
  /** Our window scale shift: enough for the receive buffer (RFC 7323). */
  windowShift: u32 = 0;
  /** Identifier << 16 | sequence of the last echo reply received. */
  lastEchoReply: u32 = 0;
  mac: MacAddress;
  /** The DHCP client, once startDhcp() made one. */
  dhcp: DhcpClient | null = null;
  /** Frames waiting for a transmit slot: a ring of PENDING_FRAMES slots of frameBytes (made at the first wait). */
  pending: usize = 0;
  pendingLengths: StaticArray<u32> | null = null;
  pendingFirst: u32 = 0;
  pendingCount: u32 = 0;

  constructor(public device: NetworkDevice, public config: NetConfig, public clock: NetClock) {
    this.mac = device.mac;
    this.budget = new MemoryBudget(config.memoryLimit);
    this.arp = new ArpCache(this);
    this.frameBytes = ETHERNET_HEADER + device.mtu;
    this.frame = heap.alloc(<usize>this.frameBytes);
    this.sockets = heap.alloc(<usize>MAX_SOCKETS << 3);
    memory.fill(this.sockets, 0, <usize>MAX_SOCKETS << 3);
    while ((config.receiveBufferBytes >> this.windowShift) > 0xffff && this.windowShift < 14) this.windowShift++;
    this.nextPort = EPHEMERAL_FIRST + <u32>(config.secret % 8192);
  }

  /** A received frame of `length` bytes at `frame`. */
  input(frame: usize, length: u32): void {
    const counters = this.counters;
    counters.bump(FRAMES_IN);
    if (length < ETHERNET_HEADER) return counters.drop(ETHERNET_TRUNCATED);
    const destination = frameDestination(frame);
    const nd = this.nd;
    if (destination != this.mac && destination != BROADCAST_MAC && (nd === null || !nd.acceptsMac(destination))) {
      return counters.drop(ETHERNET_NOT_FOR_US);
    }
    const type = frameType(frame);
    if (type == ETHERTYPE_IPV4) ipv4Input(this, frame + ETHERNET_HEADER, length - ETHERNET_HEADER);
    else if (type == ETHERTYPE_ARP) this.arp.input(frame + ETHERNET_HEADER, length - ETHERNET_HEADER);
    else if (type == ETHERTYPE_IPV6 && nd !== null) ipv6Input(this, frame + ETHERNET_HEADER, length - ETHERNET_HEADER);
    else counters.drop(ETHERNET_UNKNOWN_TYPE);
    reapConnections(this);
  }

  /**
   * Hands a finished frame to the device. While its transmit slots are all
   * in flight (-EAGAIN) frames wait here, in order, until flushPending()
   * finds room (the driver wakes the stack's thread when a slot comes back);
   * past PENDING_FRAMES, or when the device fails, a frame is dropped and
   * counted (TCP sends again later).
   */
  transmit(frame: usize, length: u32): void {
    this.counters.bump(FRAMES_OUT);
    if (this.pendingCount == 0) {
      const sent = this.device.transmit(frame, length);
      if (sent != -EAGAIN) {
        if (sent < 0) this.counters.drop(TRANSMIT_FAILED);
        return;
      }
    }
    this.keepPending(frame, length);
  }

  private keepPending(frame: usize, length: u32): void {
    if (this.pending == 0) {
      this.pending = heap.alloc(<usize>PENDING_FRAMES * <usize>this.frameBytes);
      this.pendingLengths = new StaticArray<u32>(<i32>PENDING_FRAMES);
    }
    if (this.pendingCount == PENDING_FRAMES || length > this.frameBytes) return this.counters.drop(TRANSMIT_FAILED);
    const slot = (this.pendingFirst + this.pendingCount) % PENDING_FRAMES;
    memory.copy(this.pending + <usize>slot * <usize>this.frameBytes, frame, length);
    this.pendingLengths![slot] = length;
    this.pendingCount++;
  }

  /** Sends the frames that waited for transmit slots, while the device takes them. */
  flushPending(): void {
    while (this.pendingCount > 0) {
      const slot = this.pendingFirst;
      const sent = this.device.transmit(this.pending + <usize>slot * <usize>this.frameBytes, this.pendingLengths![slot]);
      if (sent == -EAGAIN) return;
      if (sent < 0) this.counters.drop(TRANSMIT_FAILED);
      this.pendingFirst = (slot + 1) % PENDING_FRAMES;
      this.pendingCount--;
    }
  }

  /** When runTimers next has something to do (clock time), or NO_DEADLINE. */
  nextDeadline(): u64 {
    let deadline = min<u64>(this.arp.nextDeadline(), tcpNextDeadline(this));
    const nd = this.nd;
    if (nd !== null) deadline = min<u64>(deadline, nd.nextDeadline());
    const dhcp = this.dhcp;
    if (dhcp !== null && dhcp.deadline != 0 && dhcp.deadline < deadline) deadline = dhcp.deadline;
    return deadline;
  }

  runTimers(now: u64): void {
    const dhcp = this.dhcp;
    if (dhcp !== null) dhcp.runTimers(now);
    this.arp.runTimers(now);
    const nd = this.nd;
    if (nd !== null) nd.runTimers(now);
    tcpRunTimers(this, now);
    reapConnections(this);
  }

  /**
   * Starts a DHCP client (dhcp.ts) for a stack made with address 0: it
   * fills in the address, prefix and gateway when it gets a lease (dhcp.bound).
   */
  startDhcp(): i32 {
    if (this.dhcp !== null) return 0;
    const client = new DhcpClient(this);
    const result = client.start();
    if (result < 0) {
      client.free();
      heap.free(changetype<usize>(client));
      return result;
    }
    this.dhcp = client;
    return 0;
  }

  /**
   * Starts IPv6 (nd.ts): the link-local address at once, a global one from
   * the first router advertisement with a prefix to take.
   */
  startIpv6(): void {
    if (this.nd !== null) return;
    const nd = new NeighborDiscovery(this);
    this.nd = nd;
    nd.start();
  }

  /** Something a socket call may wait for has changed. */
  changed(): void {
    this.events++;
  }

  /** Bytes the stack holds: its frame buffer and socket table, and everything its budget counts. */
  heldBytes(): u64 {
    const pending: u64 = this.pending == 0 ? 0 : <u64>PENDING_FRAMES * (<u64>this.frameBytes + 4);
    return this.budget.held + <u64>this.frameBytes + (<u64>MAX_SOCKETS << 3) + pending;
  }

  /** Frees everything (sockets, connections without telling the peers, the ARP cache); the Stack object is the caller's to free. */
  destroy(): void {
    tcpDiscardAll(this);
    udpDiscardAll(this);
    if (this.pending != 0) {
      heap.free(this.pending);
      heap.free(changetype<usize>(this.pendingLengths));
      this.pending = 0;
      this.pendingLengths = null;
    }
    const dhcp = this.dhcp;
    if (dhcp !== null) {
      dhcp.free();
      heap.free(changetype<usize>(dhcp));
      this.dhcp = null;
    }
    while (this.udpBindings !== null) {
      const binding = this.udpBindings!;
      this.udpBindings = binding.next;
      this.budget.release(changetype<usize>(binding), offsetof<UdpBinding>() + 8);
    }
    this.arp.clear();
    heap.free(changetype<usize>(this.arp));
    const nd = this.nd;
    if (nd !== null) {
      nd.clear();
      heap.free(changetype<usize>(nd.options));
      heap.free(changetype<usize>(nd));
      this.nd = null;
    }
    heap.free(this.frame);
    heap.free(this.sockets);
    heap.free(changetype<usize>(this.segment));
    this.counters.free();
    heap.free(changetype<usize>(this.counters));
    heap.free(changetype<usize>(this.budget));
  }
}
