// Arguments and environment for args_* and environ_*: each list is kept as
// one block of NUL-terminated UTF-8 strings, the way the app receives it,
// with each string's offset and the count. args_get/environ_get write the
// pointer array (u32 wasm addresses into the app's buffer) and the block;
// the *_sizes_get calls report the count and the block's size (NULs
// included).

import { copyOut } from "../app-memory";
import { ERRNO_SUCCESS, ERRNO_FAULT } from "./errno";
import { inRange, storeU32 } from "./memory";

/** One list of strings, encoded. */
export class StringList {
  count: u32 = 0;
  /** NUL-terminated UTF-8 strings back to back (a heap block), or 0 when empty. */
  bytes: usize = 0;
  size: u32 = 0;
  /** Each string's offset in `bytes`, as u32 (a heap block), or 0. */
  offsets: usize = 0;

  /** Encodes `items` (borrowed), replacing what the list held. */
  set(items: string[]): void {
    this.clear();
    const count = items.length;
    if (count == 0) return;
    let size: u32 = 0;
    for (let i = 0; i < count; i++) size += <u32>String.UTF8.byteLength(unchecked(items[i])) + 1;
    const bytes = heap.alloc(<usize>size);
    const offsets = heap.alloc(<usize>count << 2);
    let at: usize = 0;
    for (let i = 0; i < count; i++) {
      const item = unchecked(items[i]);
      store<u32>(offsets + (<usize>i << 2), <u32>at);
      at += String.UTF8.encodeUnsafe(changetype<usize>(item), item.length, bytes + at);
      store<u8>(bytes + at, 0);
      at++;
    }
    this.bytes = bytes;
    this.offsets = offsets;
    this.size = size;
    this.count = <u32>count;
  }

  clear(): void {
    if (this.bytes != 0) heap.free(this.bytes);
    if (this.offsets != 0) heap.free(this.offsets);
    this.bytes = this.offsets = 0;
    this.size = this.count = 0;
  }

  /** *_sizes_get: the count at `countOut`, the block's bytes at `sizeOut`. */
  sizes(countOut: u32, sizeOut: u32): u32 {
    if (!inRange(countOut, 1, 4) || !inRange(sizeOut, 1, 4)) return ERRNO_FAULT;
    storeU32(countOut, this.count);
    storeU32(sizeOut, this.size);
    return ERRNO_SUCCESS;
  }

  /** *_get: `count` pointers at `pointers`, each into the copy of the block at `buffer`. */
  get(pointers: u32, buffer: u32): u32 {
    if (!inRange(pointers, this.count, 4) || !inRange(buffer, this.size, 1)) return ERRNO_FAULT;
    for (let i: u32 = 0; i < this.count; i++) {
      storeU32(pointers + i * 4, buffer + load<u32>(this.offsets + (<usize>i << 2)));
    }
    copyOut(buffer, this.bytes, this.size);
    return ERRNO_SUCCESS;
  }
}

let argumentList: StringList | null = null;
let environmentList: StringList | null = null;

export function programArguments(): StringList {
  if (argumentList === null) argumentList = new StringList();
  return argumentList!;
}

export function environment(): StringList {
  if (environmentList === null) environmentList = new StringList();
  return environmentList!;
}

/** Frees both lists. */
export function clearArguments(): void {
  if (argumentList !== null) {
    argumentList!.clear();
    heap.free(changetype<usize>(argumentList));
    argumentList = null;
  }
  if (environmentList !== null) {
    environmentList!.clear();
    heap.free(changetype<usize>(environmentList));
    environmentList = null;
  }
}
