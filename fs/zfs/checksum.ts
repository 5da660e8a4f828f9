// Checking a block against its checksum: the functions a block pointer may
// name (fletcher2, fletcher4, SHA-256, or none), and the embedded form that
// labels, uberblocks and gang headers carry in their last 40 bytes (a magic
// number and the SHA-256 of the block taken with the checksum field holding
// a "verifier": the block's device offset, or a gang block's address).
//
//   embedded trailer (zio_eck_t), at size - 40:
//   +0  u64 magic 0x0210da7ab10c7a11     +8  u64[4] checksum

import { le64, storeLe64 } from "./bytes";
import { fletcher2, fletcher4 } from "./fletcher";
import { sha256Words } from "./sha256";

export const CHECKSUM_OFF: u32 = 2;
export const CHECKSUM_FLETCHER2: u32 = 6;
export const CHECKSUM_FLETCHER4: u32 = 7;
export const CHECKSUM_SHA256: u32 = 8;

const EMBEDDED_MAGIC: u64 = 0x0210da7ab10c7a11;
/** The embedded trailer's size, at the end of a label config, an uberblock slot or a gang header. */
export const TRAILER: i32 = 40;

/** A checksum answer: the block matches, does not, names a function this reader lacks, or matches as big-endian (embedded only). */
export const MATCH: i32 = 1;
export const MISMATCH: i32 = 0;
export const UNKNOWN_FUNCTION: i32 = -1;
export const BIG_ENDIAN: i32 = -2;

/** The four words a checksum computes into (made on first use: nothing is allocated at start). */
let computed: StaticArray<u64> | null = null;

function words(): StaticArray<u64> {
  if (computed === null) computed = new StaticArray<u64>(4);
  return computed!;
}

function compute(kind: u32, data: Uint8Array, size: i32): bool {
  const actual = words();
  if (kind == CHECKSUM_FLETCHER2) fletcher2(data, size, actual);
  else if (kind == CHECKSUM_FLETCHER4) fletcher4(data, size, actual);
  else if (kind == CHECKSUM_SHA256) sha256Words(data, size, actual);
  else return false;
  return true;
}

/** Whether `data[0, size)` has the checksum stored as four words at `expected[at]` under function `kind`. */
export function checksumMatches(kind: u32, data: Uint8Array, size: i32, expected: Uint8Array, at: i32): i32 {
  if (kind == CHECKSUM_OFF) return MATCH;
  if (!compute(kind, data, size)) return UNKNOWN_FUNCTION;
  const actual = words();
  for (let i = 0; i < 4; i++) {
    if (unchecked(actual[i]) != le64(expected, at + i * 8)) return MISMATCH;
  }
  return MATCH;
}

/**
 * Whether `data[0, size)` matches its embedded SHA-256 trailer, taken with
 * the verifier (v0, v1, v2, 0): MATCH, BIG_ENDIAN (it matches, but a
 * big-endian host wrote it: magic, verifier and digest words in its byte
 * order), or MISMATCH.
 */
export function embeddedMatches(data: Uint8Array, size: i32, v0: u64, v1: u64, v2: u64): i32 {
  return trailerMatches(CHECKSUM_SHA256, data, size, v0, v1, v2, 0);
}

/**
 * The same for an intent log block: its trailer holds a fletcher2 taken
 * with the verifier the block pointer's checksum words give (`pointer[at]`).
 */
export function logBlockMatches(data: Uint8Array, size: i32, pointer: Uint8Array, at: i32): i32 {
  return trailerMatches(CHECKSUM_FLETCHER2, data, size, le64(pointer, at), le64(pointer, at + 8), le64(pointer, at + 16), le64(pointer, at + 24));
}

function trailerMatches(kind: u32, data: Uint8Array, size: i32, v0: u64, v1: u64, v2: u64, v3: u64): i32 {
  if (size < TRAILER || size > data.length) return MISMATCH;
  const trailer = size - TRAILER;
  const magic = le64(data, trailer);
  const swapped = magic == bswap<u64>(EMBEDDED_MAGIC);
  if (!swapped && magic != EMBEDDED_MAGIC) return MISMATCH;
  const stored = new StaticArray<u64>(4);
  for (let i = 0; i < 4; i++) unchecked(stored[i] = le64(data, trailer + 8 + i * 8));
  storeLe64(data, trailer + 8, swapped ? bswap<u64>(v0) : v0);
  storeLe64(data, trailer + 16, swapped ? bswap<u64>(v1) : v1);
  storeLe64(data, trailer + 24, swapped ? bswap<u64>(v2) : v2);
  storeLe64(data, trailer + 32, swapped ? bswap<u64>(v3) : v3);
  compute(kind, data, size);
  const actual = words();
  let result = swapped ? BIG_ENDIAN : MATCH;
  for (let i = 0; i < 4; i++) {
    const want = swapped ? bswap<u64>(unchecked(stored[i])) : unchecked(stored[i]);
    if (unchecked(actual[i]) != want) result = MISMATCH;
    storeLe64(data, trailer + 8 + i * 8, unchecked(stored[i]));
  }
  return result;
}

/** Seals `data[0, size)` with its embedded trailer for the verifier (v0, 0, 0, 0), as a little-endian host writes it. */
export function sealEmbedded(data: Uint8Array, size: i32, v0: u64): void {
  const trailer = size - TRAILER;
  storeLe64(data, trailer, EMBEDDED_MAGIC);
  storeLe64(data, trailer + 8, v0);
  storeLe64(data, trailer + 16, 0);
  storeLe64(data, trailer + 24, 0);
  storeLe64(data, trailer + 32, 0);
  const actual = words();
  sha256Words(data, size, actual);
  for (let i = 0; i < 4; i++) storeLe64(data, trailer + 8 + i * 8, unchecked(actual[i]));
}
