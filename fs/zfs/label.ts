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
// device. A label is used only if its checksum holds and its nvlist decodes.

import { deviceRead, deviceSize } from "./host";
import { embeddedMatches, MATCH, BIG_ENDIAN } from "./checksum";
import { le64, copyBytes } from "./bytes";
import { decodeNvList, NvList } from "./nvlist";
import { Stats } from "./stats";

const LABEL_SIZE: i64 = 256 << 10;
const CONFIG_AT: i64 = 16 << 10;
const CONFIG_SIZE: i32 = 112 << 10;
const RING_AT: i64 = 128 << 10;
const RING_SIZE: i32 = 128 << 10;
const UBERBLOCK_MAGIC: u64 = 0x00bab10c;
const UB_VERSION: i32 = 8;
const UB_TXG: i32 = 16;
const UB_TIMESTAMP: i32 = 32;
const UB_ROOT: i32 = 40;
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

/** The label of `device` with a valid checksum and the highest txg, or null. */
export function bestLabel(device: i32, stats: Stats): Label | null {
  const size = deviceSize(device);
  if (size < 4 * LABEL_SIZE) return null;
  let best: Label | null = null;
  for (let i = 0; i < LABELS; i++) {
    const at = labelOffset(size, i) + CONFIG_AT;
    const data = readDevice(device, at, CONFIG_SIZE, stats);
    if (data === null) continue;
    if (embeddedMatches(data, CONFIG_SIZE, <u64>at, 0, 0) != MATCH) continue;
    const config = decodeNvList(data, CONFIG_SIZE - 40);
    if (config === null) continue;
    const label = new Label();
    label.device = device;
    label.config = config;
    if (best === null || label.txg > best.txg) best = label;
  }
  return best;
}

/** What a ring scan found: the newest valid uberblock so far, and whether a big-endian one was seen. */
export class RingScan {
  best: Uberblock | null = null;
  bigEndian: bool = false;
}

/** Scans the uberblock rings of all four labels of `device` into `scan`. */
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
      const data = ring.subarray(s * slot, (s + 1) * slot);
      const magic = le64(data, 0);
      if (magic != UBERBLOCK_MAGIC) {
        if (magic == bswap<u64>(UBERBLOCK_MAGIC)) scan.bigEndian = true;
        continue;
      }
      const verdict = embeddedMatches(data, slot, <u64>(at + <i64>(s * slot)), 0, 0);
      if (verdict == BIG_ENDIAN) scan.bigEndian = true;
      if (verdict != MATCH) continue;
      const txg = le64(data, UB_TXG);
      const timestamp = le64(data, UB_TIMESTAMP);
      const best = scan.best;
      if (best !== null && (txg < best.txg || (txg == best.txg && timestamp <= best.timestamp))) continue;
      const found = new Uberblock();
      found.txg = txg;
      found.timestamp = timestamp;
      found.version = le64(data, UB_VERSION);
      copyBytes(found.root, 0, data, UB_ROOT, 128);
      scan.best = found;
    }
  }
}
