// Reading a block through its block pointer: a hole reads as zeros; else
// each copy (DVA) in turn, and for each copy each device of its mirror, is
// read and checked against the checksum, and the first good one is
// decompressed and cached (file data is read through the pool's read-ahead
// window, readahead.ts). A gang copy is a 512-byte header (with its own
// embedded checksum) listing up to three smaller blocks whose data, joined,
// is the block. A block none of whose copies checks out is EIO, never data.
//
// Errors: readBlock answers null and leaves the negative errno in
// `ioError`. Sizes come from the block pointer and are bounded (128 KiB,
// the largest block of pool version 23) before anything is allocated; the
// level must be the one the caller expects, so indirect chains cannot loop;
// gang headers nest at most MAX_GANG_DEPTH deep.

import { BlockPointer, CHECKSUM_AT } from "./blkptr";
import { checksumMatches, embeddedMatches, MATCH, MISMATCH, UNKNOWN_FUNCTION } from "./checksum";
import { COMPRESS_OFF, compressionKnown, compressionName, decompress } from "./decompress";
import { readDevice } from "./label";
import { BlockCache } from "./cache";
import { readBlockBytes } from "./readahead";
import { Pool } from "./pool";
import { log } from "./host";
import { EIO, ENOTSUP } from "./errno";

export const MAX_BLOCK: i32 = 128 << 10;
/** Where allocated space starts on a device: past the two front labels and the boot area. */
const DATA_START: i64 = 4 << 20;
const GANG_HEADER: i32 = 512;
/** DMU_OT_PLAIN_FILE_CONTENTS: file data, the blocks read through the read-ahead window. */
const TYPE_FILE_DATA: u32 = 19;
const MAX_GANG_DEPTH: i32 = 4;
/** Any level (readBlock's expectedLevel), any size (expectedSize). */
export const ANY: i32 = -1;

export let ioError: i32 = 0;

const zeros = new Uint8Array(MAX_BLOCK);

function fail(error: i32): Uint8Array | null {
  ioError = error;
  return null;
}

function refuse(pool: Pool, why: string): Uint8Array | null {
  if (!pool.loggedRefusal) log("pool " + pool.name + ": " + why);
  pool.loggedRefusal = true;
  return fail(-ENOTSUP);
}

/** The joined data of the gang block that copy `dva` of `bp` points at, read from `device`, or null. */
function readGang(pool: Pool, bp: BlockPointer, dva: i32, device: i32, depth: i32): Uint8Array | null {
  if (depth >= MAX_GANG_DEPTH) return null;
  const header = readDevice(device, DATA_START + <i64>bp.offset(dva), GANG_HEADER, pool.stats);
  if (header === null) return null;
  if (embeddedMatches(header, GANG_HEADER, <u64>bp.vdev(dva), bp.offset(dva), bp.birth) != MATCH) {
    pool.stats.checksumErrors++;
    return null;
  }
  const size = bp.physicalSize;
  const joined = new Uint8Array(size);
  let filled = 0;
  for (let i = 0; i < 3 && filled < size; i++) {
    const member = new BlockPointer(header, i * 128);
    if (member.isHole) continue;
    const data = readBlockAt(pool, member, ANY, ANY, depth + 1, false);
    if (data === null) return null;
    const take = min(data.length, size - filled);
    memory.copy(joined.dataStart + <usize>filled, data.dataStart, <usize>take);
    filled += take;
  }
  return filled == size ? joined : null;
}

/** The physical data of copy `dva` of `bp` that passes the checksum, trying each device of its mirror; or null. */
function readCopy(pool: Pool, bp: BlockPointer, dva: i32, depth: i32): Uint8Array | null {
  const top = pool.top(bp.vdev(dva));
  if (top === null) return null;
  const size = bp.physicalSize;
  if (bp.offset(dva) > <u64>(1 << 60)) return null;
  const fileData = bp.level == 0 && bp.type == TYPE_FILE_DATA;
  for (let i = 0; i < top.devices.length; i++) {
    const device = top.devices[i];
    if (device < 0) continue;
    const at = DATA_START + <i64>bp.offset(dva);
    const data = bp.isGang(dva) ? readGang(pool, bp, dva, device, depth)
      : fileData ? readBlockBytes(pool.readAhead, device, at, size, pool.stats) : readDevice(device, at, size, pool.stats);
    if (data === null) continue;
    const verdict = checksumMatches(bp.checksum, data, size, bp.data, bp.at + CHECKSUM_AT);
    if (verdict == MATCH) return data;
    if (verdict == UNKNOWN_FUNCTION) return refuse(pool, "checksum function #" + bp.checksum.toString() + " is not supported");
    if (verdict == MISMATCH) pool.stats.checksumErrors++;
  }
  return null;
}

function readBlockAt(pool: Pool, bp: BlockPointer, expectedSize: i32, expectedLevel: i32, depth: i32, cached: bool): Uint8Array | null {
  if (bp.isHole) {
    const size = expectedSize > 0 && expectedSize <= MAX_BLOCK ? expectedSize : 512;
    return zeros.subarray(0, size);
  }
  pool.stats.blockReads++;
  if (!bp.littleEndian) return refuse(pool, "a block was written big-endian, which this reader does not read");
  const logical = bp.logicalSize;
  const physical = bp.physicalSize;
  if (logical > MAX_BLOCK || physical > MAX_BLOCK) return fail(-EIO);
  if (expectedSize != ANY && logical != expectedSize) return fail(-EIO);
  if (expectedLevel != ANY && bp.level != expectedLevel) return fail(-EIO);
  const compression = bp.compression;
  if (!compressionKnown(compression)) return refuse(pool, compressionName(compression) + " is not supported");
  if (compression == COMPRESS_OFF && physical != logical) return fail(-EIO);
  const key = BlockCache.key(bp.vdev(0), bp.offset(0));
  const check = bp.checksumWord(0);
  if (cached) {
    const hit = pool.cache.get(key, bp.birth, check);
    if (hit !== null) {
      pool.stats.cacheHits++;
      return hit;
    }
  }
  ioError = -EIO;
  for (let dva = 0; dva < 3; dva++) {
    if (bp.allocated(dva) == 0) continue;
    const raw = readCopy(pool, bp, dva, depth);
    if (raw === null) {
      if (ioError == -ENOTSUP) return null;
      continue;
    }
    let data = raw;
    if (compression != COMPRESS_OFF) {
      data = new Uint8Array(logical);
      if (!decompress(compression, raw, physical, data, logical)) continue;
    }
    if (cached) pool.cache.put(key, bp.birth, check, data);
    return data;
  }
  pool.stats.unreadableBlocks++;
  return fail(-EIO);
}

/**
 * The logical (decompressed) data of the block `bp` points at: `expectedSize`
 * bytes (ANY: the pointer's own size) at level `expectedLevel` (or ANY).
 * Shared with the cache: never change it.
 */
export function readBlock(pool: Pool, bp: BlockPointer, expectedSize: i32, expectedLevel: i32): Uint8Array | null {
  return readBlockAt(pool, bp, expectedSize, expectedLevel, 0, true);
}
