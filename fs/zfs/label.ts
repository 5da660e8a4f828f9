// Vdev labels and uberblocks. Every device of a pool carries four 256 KiB
// labels, two at the front and two at the end (the end aligned down to
// 256 KiB), so that one damaged region never loses them all:
//
//   label:  0      8K pad   16K nvlist config (112 KiB, SHA-256 trailer)
//           128K   uberblock ring: 128K >> shift slots (shift = max(ashift, 10))
//
//   uberblock (each slot ends with a SHA-256 trailer):
//   +0 u64 magic 0x00bab10c  +8 version  +16 txg  +24 guid sum  +32 timestamp
//   +40 blkptr of the MOS (the pool's meta objset)
//
// The trailers' verifier is the byte offset of the config or slot on the
// device. A label is used only if its checksum holds and its nvlist decodes;
// an uberblock only if its checksum holds. Both are checked newest first and
// only until one holds (a mount's cost was all SHA-256 before that).

import { deviceRead, deviceSize } from "./host";
import { embeddedMatches, MATCH, MISMATCH, BIG_ENDIAN, TRAILER } from "./checksum";
import { CONFIG_BYTES, UBERBLOCK_MAGIC, UB_VERSION, UB_TXG, UB_TIMESTAMP, UB_ROOT } from "./label-write";
import { le64, copyBytes } from "./bytes";
import { decodeNvList, NvList } from "./nvlist";
import { Stats } from "./stats";

export const LABEL_SIZE: i64 = 256 << 10;
export const CONFIG_AT: i64 = 16 << 10;
/** How much of a config is read to learn its txg (a pool's config is a few KiB at most). */
const PEEK: i32 = 8 << 10;
export const RING_AT: i64 = 128 << 10;
export const RING_SIZE: i32 = 128 << 10;
export const LABELS: i32 = 4;

export class Label {
  device: i32 = -1;
  config: NvList = new NvList();
  get name(): string { return this.config.text("name"); }
  get txg(): u64 { return this.config.number("txg", 0); }
  get poolGuid(): u64 { return this.config.number("pool_guid", 0); }
  /** This device's own guid. */
  get guid(): u64 { return this.config.number("guid", 0); }
  get version(): u64 { return this.config.number("version", 0); }
  get state(): u64 { return this.config.number("state", 0); }
  get tree(): NvList {
    const trees = this.config.lists("vdev_tree");
    return trees.length > 0 ? trees[0] : new NvList();
  }
}

export class Uberblock {
  txg: u64 = 0;
  timestamp: u64 = 0;
  version: u64 = 0;
  root: Uint8Array = new Uint8Array(128);
}

/** Byte offset of label `index` on a device of `size` bytes. */
export function labelOffset(size: i64, index: i32): i64 {
  const usable = size & ~(LABEL_SIZE - 1);
  return index < 2 ? <i64>index * LABEL_SIZE : usable - <i64>(LABELS - index) * LABEL_SIZE;
}

/** `length` bytes at `offset` of `device`, or null if the device refuses. */
export function readDevice(device: i32, offset: i64, length: i32, stats: Stats): Uint8Array | null {
  const data = new Uint8Array(length);
  stats.deviceReads++;
  stats.bytesRead += <u64>length;
  if (deviceRead(device, offset, data.dataStart, length) < 0) {
    stats.deviceErrors++;
    return null;
  }
  return data;
}

/**
 * The label of `device` with a valid checksum and the highest txg, or null.
 * Each config's first PEEK bytes are decoded for its txg (the decoder is
 * bounded, so damage cannot make it trap; a config longer than that is
 * read whole), then configs are read whole and checked newest first until
 * one holds, and the label is decoded again from the checked bytes: one
 * SHA-256 of 112 KiB instead of four. A label whose peek decodes to a
 * wrong txg fails its checksum and the next is tried, so the answer is
 * the same as checking them all. A big-endian writer's checksum is
 * accepted (the config is XDR, the same on every host); the uberblocks say
 * whether the pool can be read.
 */
export function bestLabel(device: i32, stats: Stats): Label | null {
  const size = deviceSize(device);
  if (size < 4 * LABEL_SIZE) return null;
  const offsets = new Array<i64>();
  const txgs = new Array<u64>();
  const whole = new Array<Uint8Array | null>();
  for (let i = 0; i < LABELS; i++) {
    const at = labelOffset(size, i) + CONFIG_AT;
    const peek = readDevice(device, at, PEEK, stats);
    if (peek === null) continue;
    let data: Uint8Array | null = null;
    let config = decodeNvList(peek, PEEK);
    if (config === null) {
      data = readDevice(device, at, CONFIG_BYTES, stats);
      if (data === null) continue;
      config = decodeNvList(data, CONFIG_BYTES - TRAILER);
      if (config === null) continue;
    }
    offsets.push(at);
    txgs.push(config.number("txg", 0));
    whole.push(data);
  }
  for (let tries = 0; tries < offsets.length; tries++) {
    let newest = -1;
    for (let i = 0; i < offsets.length; i++) {
      if (offsets[i] >= 0 && (newest < 0 || txgs[i] > txgs[newest])) newest = i;
    }
    const at = offsets[newest];
    offsets[newest] = -1;
    const data = whole[newest] !== null ? whole[newest] : readDevice(device, at, CONFIG_BYTES, stats);
    if (data === null) continue;
    const verdict = embeddedMatches(data, CONFIG_BYTES, <u64>at, 0, 0);
    if (verdict != MATCH && verdict != BIG_ENDIAN) continue;
    const config = decodeNvList(data, CONFIG_BYTES - TRAILER);
    if (config === null) continue;
    const label = new Label();
    label.device = device;
    label.config = config;
    return label;
  }
  return null;
}

/** An uberblock slot whose magic says it is one (either byte order; txg and timestamp read in it), not yet checked. */
class Candidate {
  constructor(public ring: Uint8Array, public at: i32, public slot: i32, public offset: i64, public txg: u64, public timestamp: u64) {}
  newerThan(other: Candidate): bool {
    return this.txg > other.txg || (this.txg == other.txg && this.timestamp > other.timestamp);
  }
}

/**
 * What the ring scans found: every slot with an uberblock's magic, by txg.
 * `newest` checks them newest first until one holds, so a pool costs one
 * SHA-256 of a slot instead of one per slot of every ring.
 */
export class RingScan {
  candidates: Array<Candidate> = new Array<Candidate>();
  /** The newest uberblock that checked out was written big-endian (this reader refuses those). */
  bigEndian: bool = false;

  /** The newest uberblock whose checksum holds (across every ring scanned), or null; sets bigEndian if it is big-endian. */
  newest(): Uberblock | null {
    const candidates = this.candidates;
    const tried = new Array<bool>(candidates.length);
    for (let tries = 0; tries < candidates.length; tries++) {
      let best = -1;
      for (let i = 0; i < candidates.length; i++) {
        if (!tried[i] && (best < 0 || candidates[i].newerThan(candidates[best]))) best = i;
      }
      tried[best] = true;
      const c = candidates[best];
      const data = c.ring.subarray(c.at, c.at + c.slot);
      const verdict = embeddedMatches(data, c.slot, <u64>c.offset, 0, 0);
      if (verdict == MISMATCH) continue;
      if (verdict == BIG_ENDIAN) {
        this.bigEndian = true;
        return null;
      }
      const found = new Uberblock();
      found.txg = c.txg;
      found.timestamp = c.timestamp;
      found.version = le64(data, UB_VERSION);
      copyBytes(found.root, 0, data, UB_ROOT, 128);
      return found;
    }
    return null;
  }
}

/** Reads the uberblock rings of all four labels of `device` and adds the slots holding an uberblock's magic to `scan`. */
export function scanRings(device: i32, ashift: u64, scan: RingScan, stats: Stats): void {
  const size = deviceSize(device);
  if (size < 4 * LABEL_SIZE) return;
  const shift = <i32>min<u64>(max<u64>(ashift, 10), 13);
  const slot = 1 << shift;
  for (let i = 0; i < LABELS; i++) {
    const at = labelOffset(size, i) + RING_AT;
    const ring = readDevice(device, at, RING_SIZE, stats);
    if (ring === null) continue;
    for (let s = 0; s < RING_SIZE / slot; s++) {
      const magic = le64(ring, s * slot);
      const swapped = magic == bswap<u64>(UBERBLOCK_MAGIC);
      if (magic != UBERBLOCK_MAGIC && !swapped) continue;
      let txg = le64(ring, s * slot + UB_TXG);
      let timestamp = le64(ring, s * slot + UB_TIMESTAMP);
      if (swapped) {
        txg = bswap<u64>(txg);
        timestamp = bswap<u64>(timestamp);
      }
      scan.candidates.push(new Candidate(ring, s * slot, slot, at + <i64>(s * slot), txg, timestamp));
    }
  }
}
