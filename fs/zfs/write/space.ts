// A top-level vdev's space: its metaslabs, what is free in each, and how a
// transaction group's allocations and frees become space map entries.
//
// Layout (as ZFS sizes it): the allocatable size (asize) is the device less
// its four labels and the 3.5 MiB boot area, cut into 2^shift-byte
// metaslabs, about 200 of them (shift at least 17). Offsets here are from
// the start of the allocatable area, as block pointers hold them.
//
// A metaslab's space map (an object of the MOS, 4 KiB blocks) is a log of
// 64-bit entries, appended once per transaction group:
//   debug entry  bit 63 set, action (60-62), sync pass (50-59), txg (0-49)
//   range entry  offset from the metaslab's start in sectors (16-62),
//                0 = allocated / 1 = freed (15), length in sectors less one (0-14)
// and its bonus (space_map_obj_t) holds the object, the log's length and
// the bytes allocated.
//
// A log that grew to four times what it says (and past 16 KiB) is
// condensed: written again as just the allocated ranges.
//
// Frees are deferred as ZFS defers them: space freed in txg T is written
// to the log as free in T but allocated again only from txg T + 2, so a
// pool rolled back to either earlier uberblock still finds its blocks.
// Space allocated and freed within one txg (a block rewritten in a later
// sync pass) never reaches the log.

import { storeLe64 } from "../bytes";
import { RangeSet } from "./ranges";

/** The smallest sector (ashift 9): a vdev allocates whole 2^ashift-byte units, and its space maps count in them. */
export const SECTOR_SHIFT: i32 = 9;
const RUN_BITS: i32 = 15;
const FREE_BIT: u64 = 1 << 15;
const DEBUG_BIT: u64 = 1 << 63;
const ACTION_ALLOC: u64 = 0;
/** How many txgs a freed range waits before it can be allocated again (TXG_DEFER_SIZE). */
const DEFER_TXGS: i32 = 2;
/** The space map object's block size. */
export const SPACE_MAP_BLOCK: i32 = 4096;
export const SPACE_MAP_HEADER_BYTES: i32 = 24;

/** A space map is condensed once its log passes this size and is this many times what it says. */
const CONDENSE_MIN_BYTES: i32 = 16 << 10;
const CONDENSE_FACTOR: i32 = 4;

/** The debug entry that opens a txg's entries: the allocation action, sync pass 1, the txg. */
function debugEntry(txg: u64): u64 {
  return DEBUG_BIT | (ACTION_ALLOC << 60) | (<u64>1 << 50) | (txg & ((<u64>1 << 50) - 1));
}

export class Metaslab {
  free: RangeSet = new RangeSet();
  /** Allocated in the open txg (net of what it freed again). */
  allocated: RangeSet = new RangeSet();
  /** Freed in the open txg (space that earlier txgs allocated). */
  freed: RangeSet = new RangeSet();
  /** Freed in the last DEFER_TXGS txgs: free on disk, not yet allocatable. */
  deferred: Array<RangeSet> = [new RangeSet(), new RangeSet()];
  /** The MOS object of its space map (0: none yet). */
  object: u64 = 0;
  /** The space map's entries through the last synced txg. */
  log: Uint8Array = new Uint8Array(0);
  /** Bytes allocated as of the last synced txg (smo_alloc). */
  allocatedBytes: u64 = 0;
  /** Whether the open txg condenses this space map: -1 not decided yet, 0 no, 1 yes. */
  private condenseDecision: i32 = -1;

  /** `ashift`: the vdev's allocation unit, 2^ashift bytes, in which its space map counts offsets and runs. */
  constructor(public index: i32, public start: u64, public size: u64, public ashift: i32 = SECTOR_SHIFT) {
    this.free.add(start, start + size);
  }

  get changed(): bool {
    return this.allocated.count > 0 || this.freed.count > 0;
  }

  /**
   * The space map's content for the open txg: the log so far, then this
   * txg's entries; or, once that is more than CONDENSE_FACTOR times what
   * saying the same takes (and at least CONDENSE_MIN_BYTES), condensed: one
   * debug entry and the allocated ranges as they stand after this txg.
   */
  logWithOpenTxg(txg: u64): Uint8Array {
    const entries = new Array<u64>();
    entries.push(debugEntry(txg));
    this.rangeEntries(this.allocated, 0, entries);
    this.rangeEntries(this.freed, FREE_BIT, entries);
    // Decided once per txg (at its first pass), so that the passes settle.
    if (this.condenseDecision < 0) {
      const appended = this.log.length + entries.length * 8;
      this.condenseDecision = appended >= CONDENSE_MIN_BYTES && this.condensed(txg).length * CONDENSE_FACTOR < appended ? 1 : 0;
    }
    if (this.condenseDecision == 1) return this.condensed(txg);
    const log = new Uint8Array(this.log.length + entries.length * 8);
    log.set(this.log);
    for (let i = 0; i < entries.length; i++) storeLe64(log, this.log.length + i * 8, entries[i]);
    return log;
  }

  /** The whole map said anew: what is allocated on disk once this txg is synced (all but the free, deferred and freed ranges). */
  private condensed(txg: u64): Uint8Array {
    const open = new RangeSet();
    const sets = [this.free, this.deferred[0], this.deferred[1], this.freed];
    for (let k = 0; k < sets.length; k++) {
      const set = sets[k];
      for (let i = 0; i < set.count; i++) open.add(set.starts[i], set.ends[i]);
    }
    const allocated = new RangeSet();
    let at = this.start;
    for (let i = 0; i < open.count; i++) {
      if (open.starts[i] > at) allocated.add(at, open.starts[i]);
      at = open.ends[i];
    }
    if (at < this.start + this.size) allocated.add(at, this.start + this.size);
    const entries = new Array<u64>();
    entries.push(debugEntry(txg));
    this.rangeEntries(allocated, 0, entries);
    const log = new Uint8Array(entries.length * 8);
    for (let i = 0; i < entries.length; i++) storeLe64(log, i * 8, entries[i]);
    return log;
  }

  /** Allocated bytes once the open txg is synced. */
  allocatedWithOpenTxg(): u64 {
    return this.allocatedBytes + this.allocated.total - this.freed.total;
  }

  private rangeEntries(ranges: RangeSet, kind: u64, into: Array<u64>): void {
    const shift = <u64>this.ashift;
    const maxRun: u64 = <u64>1 << (<u64>RUN_BITS + shift);
    for (let i = 0; i < ranges.count; i++) {
      let at = ranges.starts[i];
      const end = ranges.ends[i];
      while (at < end) {
        const run = min<u64>(end - at, maxRun);
        into.push((((at - this.start) >> shift) << 16) | kind | ((run >> shift) - 1));
        at += run;
      }
    }
  }

  /**
   * Replays a space map log read from disk (`log`, `length` bytes): from
   * all free, each allocation entry takes its range and each free entry
   * gives it back. False for an entry outside the metaslab or a range freed
   * or allocated twice.
   */
  replay(log: Uint8Array, allocatedBytes: u64): bool {
    this.free.clear();
    this.free.add(this.start, this.start + this.size);
    const shift = <u64>this.ashift;
    for (let at = 0; at + 8 <= log.length; at += 8) {
      const entry = load<u64>(log.dataStart + <usize>at);
      if ((entry & DEBUG_BIT) != 0) continue;
      const start = this.start + (((entry >> 16) & ((<u64>1 << 47) - 1)) << shift);
      const end = start + (((entry & 0x7fff) + 1) << shift);
      if (end > this.start + this.size) return false;
      if ((entry & FREE_BIT) != 0) {
        if (!this.free.add(start, end)) return false;
      } else if (!this.free.remove(start, end)) return false;
    }
    this.log = log;
    this.allocatedBytes = allocatedBytes;
    return this.size - this.free.total == allocatedBytes;
  }

  /** Closes txg `txg`: its entries join the log, and frees of txg - DEFER_TXGS become allocatable. */
  commit(txg: u64): void {
    if (this.changed) {
      this.log = this.logWithOpenTxg(txg);
      this.allocatedBytes = this.allocatedWithOpenTxg();
    }
    this.condenseDecision = -1;
    const slot = <i32>(txg % <u64>DEFER_TXGS);
    this.free.absorb(this.deferred[slot]);
    const freed = this.freed;
    this.freed = this.deferred[slot];
    this.deferred[slot] = freed;
    this.allocated.clear();
  }
}

/** The space of one top-level vdev. */
export class VdevSpace {
  shift: i32;
  metaslabs: Array<Metaslab> = new Array<Metaslab>();

  /**
   * The space of a vdev of `asize` bytes, in metaslabs of 2^shift bytes (0:
   * as ZFS sizes them), allocated in units of 2^ashift bytes.
   */
  constructor(public asize: u64, shift: i32 = 0, public ashift: i32 = SECTOR_SHIFT) {
    if (shift == 0) {
      shift = 17;
      const target = asize / 200;
      while (shift < 40 && (<u64>1 << <u64>shift) <= target) shift++;
    }
    this.shift = shift;
    const count = <i32>(asize >> <u64>shift);
    for (let i = 0; i < count; i++) this.metaslabs.push(new Metaslab(i, <u64>i << <u64>shift, <u64>1 << <u64>shift, ashift));
  }

  /** Bytes free to allocate now (deferred frees excluded). */
  get freeBytes(): u64 {
    let total: u64 = 0;
    for (let i = 0; i < this.metaslabs.length; i++) total += this.metaslabs[i].free.total;
    return total;
  }

  /** The usable size: the metaslabs' total. */
  get capacity(): u64 {
    return <u64>this.metaslabs.length << <u64>this.shift;
  }

  /** What a block of `size` bytes takes on this vdev: whole 2^ashift-byte units. */
  allocationSize(size: u64): u64 {
    const unit = <u64>1 << <u64>this.ashift;
    return (size + unit - 1) & ~(unit - 1);
  }

  /**
   * Allocates `size` bytes (a multiple of the allocation unit: allocationSize) for copy `copy` of a block
   * with `copies` copies, in a metaslab none of `avoid` (the metaslabs of
   * its other copies) holds; copies start their search a 1/copies of the
   * vdev apart. The offset, or -1 when no metaslab has room.
   */
  allocate(size: u64, copy: i32, copies: i32, avoid: Array<i32>): i64 {
    const count = this.metaslabs.length;
    if (count == 0) return -1;
    const first = <i32>(<i64>copy * <i64>count / <i64>max(copies, 1));
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < count; k++) {
        const metaslab = this.metaslabs[(first + k) % count];
        if (pass == 0 && avoid.includes(metaslab.index)) continue;
        const at = metaslab.free.find(size, 0);
        if (at < 0) continue;
        metaslab.free.remove(<u64>at, <u64>at + size);
        metaslab.allocated.add(<u64>at, <u64>at + size);
        return at;
      }
    }
    return -1;
  }

  metaslabOf(offset: u64): i32 {
    return <i32>(offset >> <u64>this.shift);
  }

  /** Frees [offset, offset + size): at once when the open txg allocated it, else deferred. False for space not allocated. */
  release(offset: u64, size: u64): bool {
    const index = this.metaslabOf(offset);
    if (index < 0 || index >= this.metaslabs.length) return false;
    const metaslab = this.metaslabs[index];
    if (metaslab.allocated.holds(offset, offset + size)) {
      metaslab.allocated.remove(offset, offset + size);
      return metaslab.free.add(offset, offset + size);
    }
    if (metaslab.free.touches(offset, offset + size) || metaslab.deferred[0].touches(offset, offset + size) ||
      metaslab.deferred[1].touches(offset, offset + size)) return false;
    return metaslab.freed.add(offset, offset + size);
  }
}
