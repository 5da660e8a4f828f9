// Micro ZAPs: a name → u64 map in one block, for small maps with short
// names (the ZPL's small directories, the master node, the MOS's own
// directories).
//
//   +0 u64 block type (2^63 + 3)  +8 salt  +16 normalization flags  +24 pad
//   +64 entries, 64 bytes each:  +0 u64 value  +8 u32 collision differentiator
//                                +12 u16 pad   +14 name (50 bytes, NUL-terminated; empty: unused)

import { le64, u8At, stringAt } from "./bytes";

const ENTRY: i32 = 64;
const NAME_AT: i32 = 14;
const NAME_LENGTH: i32 = 50;

function entryCount(block: Uint8Array): i32 {
  return block.length / ENTRY - 1;
}

/** Whether the NUL-terminated name at `at` is exactly `key`. */
function nameIs(block: Uint8Array, at: i32, key: Uint8Array): bool {
  if (key.length >= NAME_LENGTH) return false;
  for (let i = 0; i < key.length; i++) if (u8At(block, at + i) != <u32>key[i]) return false;
  return u8At(block, at + key.length) == 0;
}

/** The value of `key` (UTF-8), or -1 with nothing found: answers the entry's index. */
export function microFind(block: Uint8Array, key: Uint8Array): i32 {
  const count = entryCount(block);
  for (let i = 0; i < count; i++) {
    if (nameIs(block, ENTRY + i * ENTRY + NAME_AT, key)) return i;
  }
  return -1;
}

/** Whether entry `index` is named exactly `key`. */
export function microNameIs(block: Uint8Array, index: i32, key: Uint8Array): bool {
  return index >= 0 && index < entryCount(block) && nameIs(block, ENTRY + index * ENTRY + NAME_AT, key);
}

export function microValue(block: Uint8Array, index: i32): u64 {
  return le64(block, ENTRY + index * ENTRY);
}

/** The first used entry at or after `index`, or -1. */
export function microNext(block: Uint8Array, index: i32): i32 {
  const count = entryCount(block);
  for (let i = max(index, 0); i < count; i++) {
    if (u8At(block, ENTRY + i * ENTRY + NAME_AT) != 0) return i;
  }
  return -1;
}

export function microName(block: Uint8Array, index: i32): string {
  return stringAt(block, ENTRY + index * ENTRY + NAME_AT, NAME_LENGTH);
}
