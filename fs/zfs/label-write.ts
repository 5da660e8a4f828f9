// Writing what label.ts reads: a vdev label's configuration region and its
// uberblock slots, each sealed with its embedded SHA-256 trailer for its
// own device offset (checksum.ts sealEmbedded).
//
//   configRegion(config, at)   the 112 KiB at label + 16 KiB: the packed
//                              nvlist (nvlist-write.ts), zeros, the trailer;
//                              null when the list does not fit
//   uberblockSlot(ub, size, at)  one slot of the ring (1 KiB with ashift 9):
//                              magic 0x00bab10c, version, txg, guid sum,
//                              timestamp, the MOS's block pointer, zeros, the
//                              trailer
//
// `at` is the region's or slot's byte offset on the device: the verifier.

import { storeLe64 } from "./bytes";
import { sealEmbedded, TRAILER } from "./checksum";
import { NvWriter } from "./nvlist-write";
import { BLOCK_POINTER_SIZE } from "./blkptr";

// The layout label.ts reads too.
export const CONFIG_BYTES: i32 = 112 << 10;
export const UBERBLOCK_MAGIC: u64 = 0x00bab10c;
export const UB_VERSION: i32 = 8;
export const UB_TXG: i32 = 16;
export const UB_GUID_SUM: i32 = 24;
export const UB_TIMESTAMP: i32 = 32;
export const UB_ROOT: i32 = 40;

export class UberblockFields {
  version: u64 = 0;
  txg: u64 = 0;
  guidSum: u64 = 0;
  timestamp: u64 = 0;
  /** The MOS's block pointer (128 bytes). */
  root: Uint8Array = new Uint8Array(BLOCK_POINTER_SIZE);
}

/** The configuration region for a label whose region starts at device offset `at`, or null if the list is too big. */
export function configRegion(config: NvWriter, at: u64): Uint8Array | null {
  const packed = config.pack();
  if (packed.length > CONFIG_BYTES - TRAILER) return null;
  const region = new Uint8Array(CONFIG_BYTES);
  region.set(packed);
  sealEmbedded(region, CONFIG_BYTES, at);
  return region;
}

/** An uberblock slot of `size` bytes at device offset `at`. */
export function uberblockSlot(fields: UberblockFields, size: i32, at: u64): Uint8Array {
  const slot = new Uint8Array(size);
  storeLe64(slot, 0, UBERBLOCK_MAGIC);
  storeLe64(slot, UB_VERSION, fields.version);
  storeLe64(slot, UB_TXG, fields.txg);
  storeLe64(slot, UB_GUID_SUM, fields.guidSum);
  storeLe64(slot, UB_TIMESTAMP, fields.timestamp);
  for (let i = 0; i < BLOCK_POINTER_SIZE; i++) slot[UB_ROOT + i] = fields.root[i];
  sealEmbedded(slot, size, at);
  return slot;
}
