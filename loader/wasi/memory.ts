// Reading and writing app memory for the WASI layer: typed helpers over
// loader/app-memory.ts copyIn/copyOut, which check the bounds. No pointer
// into app memory is ever kept; addresses are wasm addresses (u32).
//
// Structures are staged in one kernel scratch block (SCRATCH_BYTES), file
// data in one bounce buffer (BOUNCE_BYTES), a call's iovecs in one table
// (IOVEC_TABLE_BYTES), each allocated at the first use and given back by
// releaseBuffers (resetWasi). WASI calls come from
// the one app thread, so one of each suffices.
//
// Every function that writes checks all its output ranges first (inRange),
// so a call that fails with FAULT has written nothing.

import { copyIn, copyOut, appMemorySize } from "../app-memory";
import { ERRNO_SUCCESS, ERRNO_FAULT, ERRNO_ILSEQ, ERRNO_NAMETOOLONG, ERRNO_NOMEM } from "./errno";

/** Bytes of the structure scratch block (the largest structure plus a name of NAME_MAX UTF-8 bytes, and room). */
export const SCRATCH_BYTES: usize = 1024;
/** Bytes of the file-data bounce buffer: reads and writes move through it in pieces this size. */
export const BOUNCE_BYTES: usize = 16384;
/** The longest path an app may pass, in bytes (the VFS's PATH_MAX). */
export const PATH_BYTES_MAX: u32 = 4096;

/** Bytes of the iovec table: the most iovecs one call may pass (IOV_MAX, 1024) of 8 bytes each. */
export const IOVEC_TABLE_BYTES: usize = 8192;

let scratchBlock: usize = 0;
let bounceBlock: usize = 0;
let iovecBlock: usize = 0;

/** The scratch block for structures (SCRATCH_BYTES). */
export function scratch(): usize {
  if (scratchBlock == 0) scratchBlock = heap.alloc(SCRATCH_BYTES);
  return scratchBlock;
}

/** The bounce buffer for file data (BOUNCE_BYTES). */
export function bounce(): usize {
  if (bounceBlock == 0) bounceBlock = heap.alloc(BOUNCE_BYTES);
  return bounceBlock;
}

/** The kernel's copy of a call's iovec array (IOVEC_TABLE_BYTES), read once per call. */
export function iovecTable(): usize {
  if (iovecBlock == 0) iovecBlock = heap.alloc(IOVEC_TABLE_BYTES);
  return iovecBlock;
}

export function releaseBuffers(): void {
  if (scratchBlock != 0) heap.free(scratchBlock);
  if (bounceBlock != 0) heap.free(bounceBlock);
  if (iovecBlock != 0) heap.free(iovecBlock);
  scratchBlock = bounceBlock = iovecBlock = 0;
}

/** Whether `count` items of `size` bytes at `address` lie inside app memory (no overflow on the way). */
export function inRange(address: u32, count: u32, size: u32): bool {
  return <u64>address + <u64>count * <u64>size <= appMemorySize();
}

/** Copies `length` (≤ SCRATCH_BYTES) bytes of app memory into the scratch block; its address, or 0 if out of bounds. */
export function fetch(address: u32, length: u32): usize {
  const at = scratch();
  return copyIn(at, address, length) ? at : 0;
}

/** Copies `length` bytes of the scratch block to app memory at `address`. */
export function put(address: u32, length: u32): bool {
  return copyOut(address, scratch(), length);
}

const word = memory.data(8);

export function storeU32(address: u32, value: u32): bool {
  store<u32>(word, value);
  return copyOut(address, word, 4);
}

export function storeU64(address: u32, value: u64): bool {
  store<u64>(word, value);
  return copyOut(address, word, 8);
}

export function loadU32(address: u32, out: U32Result): bool {
  if (!copyIn(word, address, 4)) return false;
  out.value = load<u32>(word);
  return true;
}

export class U32Result {
  value: u32 = 0;
}

/** Where appString puts the string it decoded (fresh: the caller frees it with heap.free). */
export class StringResult {
  text: string = "";
}

/**
 * Decodes `length` bytes of UTF-8 at `address` into a fresh string in
 * `out.text`; returns FAULT (out of bounds), NAMETOOLONG (over
 * PATH_BYTES_MAX), NOMEM (no memory even in the kernel's reserve), ILSEQ
 * (not UTF-8, or a NUL byte) or SUCCESS. The bytes are copied into the
 * bounce buffer (no file data is in flight during a path's decoding), then
 * checked and decoded into a string of exactly their UTF-16 length: one
 * allocation per path.
 */
export function appString(address: u32, length: u32, out: StringResult): u32 {
  if (!inRange(address, length, 1)) return ERRNO_FAULT;
  if (length > PATH_BYTES_MAX) return ERRNO_NAMETOOLONG;
  const bytes = bounce();
  if (bytes == 0) return ERRNO_NOMEM;
  copyIn(bytes, address, length);
  const units = utf16Units(bytes, length);
  if (units < 0) return ERRNO_ILSEQ;
  // Transient (freed before the call returns): it may use the kernel's
  // reserve, so that a call that gives memory back (unlink) always works.
  const text = __new(<usize>units << 1, idof<string>());
  decodeUtf8(bytes, length, text);
  out.text = changetype<string>(text);
  return ERRNO_SUCCESS;
}

/** Frees a string appString made. */
export function freeAppString(text: string): void {
  heap.free(changetype<usize>(text));
}

/**
 * The UTF-16 units `length` bytes of strict UTF-8 at `bytes` decode to (no
 * overlong forms, surrogates or values past U+10FFFF, and no NUL), or -1 if
 * they are not that.
 */
function utf16Units(bytes: usize, length: u32): i32 {
  let units: i32 = 0;
  let i: u32 = 0;
  while (i < length) {
    const b0 = <u32>load<u8>(bytes + <usize>i);
    if (b0 == 0) return -1;
    if (b0 < 0x80) {
      units++;
      i++;
      continue;
    }
    let count: u32 = 0;
    let lowest: u32 = 0;
    let value: u32 = 0;
    if ((b0 & 0xe0) == 0xc0) {
      count = 1;
      lowest = 0x80;
      value = b0 & 0x1f;
    } else if ((b0 & 0xf0) == 0xe0) {
      count = 2;
      lowest = 0x800;
      value = b0 & 0x0f;
    } else if ((b0 & 0xf8) == 0xf0) {
      count = 3;
      lowest = 0x10000;
      value = b0 & 0x07;
    } else return -1;
    if (<u64>i + <u64>count >= <u64>length) return -1;
    for (let k: u32 = 1; k <= count; k++) {
      const b = <u32>load<u8>(bytes + <usize>(i + k));
      if ((b & 0xc0) != 0x80) return -1;
      value = (value << 6) | (b & 0x3f);
    }
    if (value < lowest || value > 0x10ffff || (value >= 0xd800 && value < 0xe000)) return -1;
    units += value >= 0x10000 ? 2 : 1;
    i += count + 1;
  }
  return units;
}

/** Writes the UTF-16 units of `length` bytes of UTF-8 at `bytes`, which utf16Units accepted, from `out` on. */
function decodeUtf8(bytes: usize, length: u32, out: usize): void {
  const end = bytes + <usize>length;
  let at = bytes;
  while (at < end) {
    const b0 = <u32>load<u8>(at);
    if (b0 < 0x80) {
      store<u16>(out, <u16>b0);
      out += 2;
      at++;
      continue;
    }
    const count: usize = b0 < 0xe0 ? 1 : b0 < 0xf0 ? 2 : 3;
    let value = b0 & (0x3f >> <u32>count);
    for (let k: usize = 1; k <= count; k++) value = (value << 6) | (<u32>load<u8>(at + k) & 0x3f);
    at += count + 1;
    if (value >= 0x10000) {
      value -= 0x10000;
      store<u16>(out, <u16>(0xd800 | (value >> 10)));
      store<u16>(out, <u16>(0xdc00 | (value & 0x3ff)), 2);
      out += 4;
    } else {
      store<u16>(out, <u16>value);
      out += 2;
    }
  }
}

/** Encodes `text` as UTF-8 into the scratch block at `offset`; returns the byte count, or -1 if it does not fit. */
export function encodeToScratch(text: string, offset: usize): i32 {
  const bytes = String.UTF8.byteLength(text);
  if (<usize>bytes + offset > SCRATCH_BYTES) return -1;
  String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, scratch() + offset);
  return bytes;
}
