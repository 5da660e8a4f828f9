// ARP (RFC 826): IPv4 addresses to MAC addresses on the local network.
//
//    0 +---------------------+
//      | hardware type 1   2 |   Ethernet
//    2 | protocol 0x0800   2 |   IPv4
//    4 | hlen 6 | plen 4     |
//    6 | operation         2 |   1 request, 2 reply
//    8 | sender MAC        6 |
//   14 | sender IPv4       4 |
//   18 | target MAC        6 |
//   24 | target IPv4       4 |
//   28 +---------------------+
//
// The cache holds up to ARP_CACHE_MAX entries; a resolved one expires after
// ARP_LIFETIME (then the next packet asks again). An unresolved one holds up
// to ARP_PENDING_MAX frames waiting for the answer (one more is dropped and
// counted) and asks again every ARP_RETRY, ARP_TRIES times; then its frames
// are dropped (counted) and the entry goes. Requests for our address are
// answered, and teach us the asker's address (RFC 826's merge: a sender
// already cached is refreshed by any packet, a new one is added only when
// the packet was for us).

import { get16, get32, put16, put32, get8 } from "./buffers";
import { ETHERNET_HEADER, ETHERTYPE_ARP, BROADCAST_MAC, readMac, writeMac, writeEthernetHeader, setFrameDestination } from "./ethernet";
import { MacAddress } from "./device";
import { Stack } from "./stack";
import {
  ARP_MALFORMED, ARP_NOT_FOR_US, ARP_UNRESOLVED, ARP_QUEUE_FULL, ARP_REQUESTS_SENT, ARP_REPLIES_SENT, NO_BUFFER,
} from "./counters";

const SECOND: u64 = 1_000_000_000;
export const ARP_LIFETIME: u64 = 60 * SECOND;
export const ARP_RETRY: u64 = SECOND;
export const ARP_TRIES: u32 = 3;
export const ARP_CACHE_MAX: u32 = 64;
export const ARP_PENDING_MAX: u32 = 4;

export const ARP_PACKET: u32 = 28;
const HARDWARE: usize = 0;
const PROTOCOL: usize = 2;
const LENGTHS: usize = 4;
const OPERATION: usize = 6;
const SENDER_MAC: usize = 8;
const SENDER_IP: usize = 14;
const TARGET_MAC: usize = 18;
const TARGET_IP: usize = 24;
const OP_REQUEST: u32 = 1;
const OP_REPLY: u32 = 2;

/** A frame waiting for its next hop's address: a copy, in a block of its own. */
class PendingFrame {
  next: PendingFrame | null = null;
  constructor(public frame: usize, public length: u32) {}
}

class ArpEntry {
  next: ArpEntry | null = null;
  mac: MacAddress = 0;
  resolved: bool = false;
  /** Resolved: when it expires. Unresolved: when to ask again (or give up). */
  deadline: u64 = 0;
  tries: u32 = 0;
  pending: PendingFrame | null = null;
  pendingCount: u32 = 0;
  constructor(public address: u32) {}
}

const ENTRY_BYTES: u64 = offsetof<ArpEntry>() + 8;
const PENDING_BYTES: u64 = offsetof<PendingFrame>() + 8;

export class ArpCache {
  entries: ArpEntry | null = null;
  count: u32 = 0;
  constructor(public stack: Stack) {}

  /** The MAC for `address` if cached and resolved, else 0. */
  lookup(address: u32): MacAddress {
    const entry = this.find(address);
    return entry !== null && entry.resolved ? entry.mac : 0;
  }

  /** Entries cached (resolved or waiting). */
  get size(): u32 {
    return this.count;
  }

  /**
   * Sends the frame (its Ethernet header written but for the destination) to
   * `nextHop`: at once if its address is known, else after asking for it.
   */
  send(nextHop: u32, frame: usize, length: u32): void {
    const stack = this.stack;
    let entry = this.find(nextHop);
    if (entry !== null && entry.resolved) {
      setFrameDestination(frame, entry.mac);
      stack.transmit(frame, length);
      return;
    }
    let asking = false;
    if (entry === null) {
      entry = this.add(nextHop);
      if (entry === null) return stack.counters.drop(NO_BUFFER);
      entry.deadline = stack.clock.now() + ARP_RETRY;
      entry.tries = 1;
      asking = true;
    }
    this.hold(entry, frame, length);
    // The request is built in the stack's frame, which held this one: it was copied first.
    if (asking) this.request(nextHop);
  }

  private hold(entry: ArpEntry, frame: usize, length: u32): void {
    const stack = this.stack;
    if (entry.pendingCount >= ARP_PENDING_MAX) return stack.counters.drop(ARP_QUEUE_FULL);
    if (!stack.budget.allows(PENDING_BYTES)) return stack.counters.drop(NO_BUFFER);
    const copy = stack.budget.take(length);
    if (copy == 0) return stack.counters.drop(NO_BUFFER);
    memory.copy(copy, frame, length);
    const pending = new PendingFrame(copy, length);
    stack.budget.count(PENDING_BYTES);
    if (entry.pending === null) {
      entry.pending = pending;
    } else {
      let last = entry.pending!;
      while (last.next !== null) last = last.next!;
      last.next = pending;
    }
    entry.pendingCount++;
  }

  /** An ARP packet of `length` bytes at `packet`. */
  input(packet: usize, length: u32): void {
    const stack = this.stack;
    if (length < ARP_PACKET || get16(packet + HARDWARE) != 1 || get16(packet + PROTOCOL) != 0x0800 ||
        get8(packet + LENGTHS) != 6 || get8(packet + LENGTHS + 1) != 4) {
      return stack.counters.drop(ARP_MALFORMED);
    }
    const operation = get16(packet + OPERATION);
    if (operation != OP_REQUEST && operation != OP_REPLY) return stack.counters.drop(ARP_MALFORMED);
    const senderMac = readMac(packet + SENDER_MAC);
    const senderIp = get32(packet + SENDER_IP);
    const targetIp = get32(packet + TARGET_IP);
    if (senderMac == BROADCAST_MAC || senderMac == 0 || (senderMac >> 40) & 1) return stack.counters.drop(ARP_MALFORMED);
    const forUs = targetIp == stack.config.address;
    let entry = this.find(senderIp);
    if (entry !== null) {
      this.resolve(entry, senderMac);
    } else if (forUs && senderIp != 0 && senderIp != stack.config.address) {
      entry = this.add(senderIp);
      if (entry !== null) this.resolve(entry, senderMac);
    }
    if (!forUs) return stack.counters.drop(ARP_NOT_FOR_US);
    if (operation == OP_REQUEST) this.reply(senderMac, senderIp);
  }

  /** The earliest deadline of any entry, or u64.MAX_VALUE. */
  nextDeadline(): u64 {
    let earliest = u64.MAX_VALUE;
    let entry = this.entries;
    while (entry !== null) {
      if (entry.deadline < earliest) earliest = entry.deadline;
      entry = entry.next;
    }
    return earliest;
  }

  /** Expires entries and asks again for unresolved ones. */
  runTimers(now: u64): void {
    let entry = this.entries;
    while (entry !== null) {
      const next = entry.next;
      if (entry.deadline <= now) {
        if (!entry.resolved && entry.tries < ARP_TRIES) {
          entry.tries++;
          entry.deadline = now + ARP_RETRY;
          this.request(entry.address);
        } else {
          this.remove(entry);
        }
      }
      entry = next;
    }
  }

  /** Frees every entry and the frames they hold. */
  clear(): void {
    while (this.entries !== null) this.remove(this.entries!);
  }

  private find(address: u32): ArpEntry | null {
    let entry = this.entries;
    while (entry !== null && entry.address != address) entry = entry.next;
    return entry;
  }

  /** A new unresolved entry (the oldest goes when the cache is full), or null without memory. */
  private add(address: u32): ArpEntry | null {
    if (this.count >= ARP_CACHE_MAX) {
      let oldest = this.entries!;
      let entry = oldest.next;
      while (entry !== null) {
        if (entry.deadline < oldest.deadline) oldest = entry;
        entry = entry.next;
      }
      this.remove(oldest);
    }
    if (!this.stack.budget.allows(ENTRY_BYTES)) return null;
    const entry = new ArpEntry(address);
    this.stack.budget.count(ENTRY_BYTES);
    entry.next = this.entries;
    this.entries = entry;
    this.count++;
    return entry;
  }

  private remove(entry: ArpEntry): void {
    const stack = this.stack;
    this.dropPending(entry, true);
    if (this.entries === entry) {
      this.entries = entry.next;
    } else {
      let before = this.entries!;
      while (before.next !== entry) before = before.next!;
      before.next = entry.next;
    }
    this.count--;
    stack.budget.release(changetype<usize>(entry), ENTRY_BYTES);
  }

  private resolve(entry: ArpEntry, mac: MacAddress): void {
    const stack = this.stack;
    entry.mac = mac;
    entry.resolved = true;
    entry.deadline = stack.clock.now() + ARP_LIFETIME;
    let pending = entry.pending;
    entry.pending = null;
    entry.pendingCount = 0;
    while (pending !== null) {
      const next = pending.next;
      setFrameDestination(pending.frame, mac);
      stack.transmit(pending.frame, pending.length);
      stack.budget.give(pending.frame, pending.length);
      stack.budget.release(changetype<usize>(pending), PENDING_BYTES);
      pending = next;
    }
  }

  private dropPending(entry: ArpEntry, counted: bool): void {
    const stack = this.stack;
    let pending = entry.pending;
    while (pending !== null) {
      const next = pending.next;
      if (counted) stack.counters.drop(ARP_UNRESOLVED);
      stack.budget.give(pending.frame, pending.length);
      stack.budget.release(changetype<usize>(pending), PENDING_BYTES);
      pending = next;
    }
    entry.pending = null;
    entry.pendingCount = 0;
  }

  private request(address: u32): void {
    this.stack.counters.bump(ARP_REQUESTS_SENT);
    this.emit(OP_REQUEST, BROADCAST_MAC, 0, address);
  }

  private reply(mac: MacAddress, address: u32): void {
    this.stack.counters.bump(ARP_REPLIES_SENT);
    this.emit(OP_REPLY, mac, mac, address);
  }

  private emit(operation: u32, frameTo: MacAddress, targetMac: MacAddress, targetIp: u32): void {
    const stack = this.stack;
    const frame = stack.frame;
    const packet = frame + ETHERNET_HEADER;
    writeEthernetHeader(frame, frameTo, stack.mac, ETHERTYPE_ARP);
    put16(packet + HARDWARE, 1);
    put16(packet + PROTOCOL, 0x0800);
    store<u8>(packet + LENGTHS, 6);
    store<u8>(packet + LENGTHS + 1, 4);
    put16(packet + OPERATION, operation);
    writeMac(packet + SENDER_MAC, stack.mac);
    put32(packet + SENDER_IP, stack.config.address);
    writeMac(packet + TARGET_MAC, targetMac);
    put32(packet + TARGET_IP, targetIp);
    stack.transmit(frame, ETHERNET_HEADER + ARP_PACKET);
  }
}
