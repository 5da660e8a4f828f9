// A neighbor cache: the next hop's MAC address for an IP address on the
// local network, learned by asking. ARP (arp.ts) keeps one for IPv4 and
// neighbor discovery (nd.ts) one for IPv6; they differ only in how they
// ask (`solicit`) and what answers look like, so the bookkeeping is here.
// Addresses are keys of two u64: an IPv6 address's 16 bytes as loaded from
// memory, an IPv4 address as (0, address).
//
// The cache holds up to NEIGHBORS_MAX entries; a resolved one expires after
// NEIGHBOR_LIFETIME (then the next packet asks again). An unresolved one
// holds up to PENDING_MAX frames waiting for the answer (one more is
// dropped and counted) and asks again every RETRY, TRIES times; then its
// frames are dropped (counted) and the entry goes.

import { MacAddress } from "./device";
import { setFrameDestination } from "./ethernet";
import { Stack } from "./stack";
import { NO_BUFFER } from "./counters";

const SECOND: u64 = 1_000_000_000;
export const NEIGHBOR_LIFETIME: u64 = 60 * SECOND;
export const NEIGHBOR_RETRY: u64 = SECOND;
export const NEIGHBOR_TRIES: u32 = 3;
export const NEIGHBORS_MAX: u32 = 64;
export const NEIGHBOR_PENDING_MAX: u32 = 4;

/** A frame waiting for its next hop's address: a copy, in a block of its own. */
class PendingFrame {
  next: PendingFrame | null = null;
  constructor(public frame: usize, public length: u32) {}
}

export class Neighbor {
  next: Neighbor | null = null;
  mac: MacAddress = 0;
  resolved: bool = false;
  /** Resolved: when it expires. Unresolved: when to ask again (or give up). */
  deadline: u64 = 0;
  tries: u32 = 0;
  pending: PendingFrame | null = null;
  pendingCount: u32 = 0;
  constructor(public high: u64, public low: u64) {}
}

const ENTRY_BYTES: u64 = offsetof<Neighbor>() + 8;
const PENDING_BYTES: u64 = offsetof<PendingFrame>() + 8;

export class NeighborCache {
  entries: Neighbor | null = null;
  count: u32 = 0;
  /** The counters for a frame dropped unanswered and for one past an entry's queue. */
  constructor(public stack: Stack, public unresolvedCounter: i32, public queueFullCounter: i32) {}

  /** Asks the network for the MAC of the entry's address (the subclass's protocol). */
  solicit(entry: Neighbor): void {
    unreachable();
  }

  /** The MAC of (high, low) if cached and resolved, else 0. */
  lookup(high: u64, low: u64): MacAddress {
    const entry = this.find(high, low);
    return entry !== null && entry.resolved ? entry.mac : 0;
  }

  /** Entries cached (resolved or waiting). */
  get size(): u32 {
    return this.count;
  }

  /**
   * Sends the frame (its Ethernet header written but for the destination) to
   * the next hop (high, low): at once if its MAC is known, else after asking.
   */
  sendTo(high: u64, low: u64, frame: usize, length: u32): void {
    const stack = this.stack;
    let entry = this.find(high, low);
    if (entry !== null && entry.resolved) {
      setFrameDestination(frame, entry.mac);
      stack.transmit(frame, length);
      return;
    }
    let asking = false;
    if (entry === null) {
      entry = this.add(high, low);
      if (entry === null) return stack.counters.drop(NO_BUFFER);
      entry.deadline = stack.clock.now() + NEIGHBOR_RETRY;
      entry.tries = 1;
      asking = true;
    }
    this.hold(entry, frame, length);
    // The solicitation is built in the stack's frame, which held this one: it was copied first.
    if (asking) this.solicit(entry);
  }

  /**
   * What an answer (or a packet from the neighbor) taught: its MAC. A known
   * entry is refreshed; a new one is added only when `create` (the packet
   * was for us), as RFC 826 and RFC 4861 7.2.3 merge.
   */
  learn(high: u64, low: u64, mac: MacAddress, create: bool): void {
    let entry = this.find(high, low);
    if (entry === null) {
      if (!create) return;
      entry = this.add(high, low);
      if (entry === null) return;
    }
    this.resolve(entry, mac);
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
        if (!entry.resolved && entry.tries < NEIGHBOR_TRIES) {
          entry.tries++;
          entry.deadline = now + NEIGHBOR_RETRY;
          this.solicit(entry);
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

  private find(high: u64, low: u64): Neighbor | null {
    let entry = this.entries;
    while (entry !== null && (entry.low != low || entry.high != high)) entry = entry.next;
    return entry;
  }

  /** A new unresolved entry (the oldest goes when the cache is full), or null without memory. */
  private add(high: u64, low: u64): Neighbor | null {
    if (this.count >= NEIGHBORS_MAX) {
      let oldest = this.entries!;
      let entry = oldest.next;
      while (entry !== null) {
        if (entry.deadline < oldest.deadline) oldest = entry;
        entry = entry.next;
      }
      this.remove(oldest);
    }
    if (!this.stack.budget.allows(ENTRY_BYTES)) return null;
    const entry = new Neighbor(high, low);
    this.stack.budget.count(ENTRY_BYTES);
    entry.next = this.entries;
    this.entries = entry;
    this.count++;
    return entry;
  }

  private hold(entry: Neighbor, frame: usize, length: u32): void {
    const stack = this.stack;
    if (entry.pendingCount >= NEIGHBOR_PENDING_MAX) return stack.counters.drop(this.queueFullCounter);
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

  private remove(entry: Neighbor): void {
    const stack = this.stack;
    this.dropPending(entry);
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

  private resolve(entry: Neighbor, mac: MacAddress): void {
    const stack = this.stack;
    entry.mac = mac;
    entry.resolved = true;
    entry.deadline = stack.clock.now() + NEIGHBOR_LIFETIME;
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

  private dropPending(entry: Neighbor): void {
    const stack = this.stack;
    let pending = entry.pending;
    while (pending !== null) {
      const next = pending.next;
      stack.counters.drop(this.unresolvedCounter);
      stack.budget.give(pending.frame, pending.length);
      stack.budget.release(changetype<usize>(pending), PENDING_BYTES);
      pending = next;
    }
    entry.pending = null;
    entry.pendingCount = 0;
  }
}
