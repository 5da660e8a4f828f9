// Micro ZAPs: a name → u64 map in one block, for small maps with short
// names (the ZPL's small directories, the master node, the MOS's own
// directories). Read in place; writeMicroZap lays one out.
//
//   +0 u64 block type (2^63 + 3)  +8 salt  +16 normalization flags  +24 pad
//   +64 entries, 64 bytes each:  +0 u64 value  +8 u32 collision differentiator
//                                +12 u16 pad   +14 name (50 bytes, NUL-terminated; empty: unused)

import { le64, u8At, stringAt, storeLe64 } from "./bytes";
import { zapHash } from "./zap-hash";

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

/** ZBT_MICRO: a micro ZAP's block type. */
const MICRO_BLOCK_TYPE: u64 = (<u64>1 << 63) + 3;
/** Bits of the hash that tell names apart (ZAP_HASHBITS); names whose hashes agree get different collision differentiators. */
const HASH_BITS: i32 = 28;

export class MicroEntry {
  constructor(public name: string, public value: u64) {}
}

/**
 * Lays a micro ZAP out in `block` (zeroed first): its header with `salt` and
 * `normalization`, then `entries` in order, each with the lowest collision
 * differentiator no earlier entry of the same hash has. False when they do
 * not fit: too many for the block, or a name of 50 bytes or more.
 */
export function writeMicroZap(block: Uint8Array, salt: u64, normalization: u64, entries: Array<MicroEntry>): bool {
  if (entries.length > entryCount(block)) return false;
  block.fill(0);
  storeLe64(block, 0, MICRO_BLOCK_TYPE);
  storeLe64(block, 8, salt);
  storeLe64(block, 16, normalization);
  const hashes = new StaticArray<u64>(entries.length);
  const cds = new StaticArray<u32>(entries.length);
  for (let i = 0; i < entries.length; i++) {
    const name = Uint8Array.wrap(String.UTF8.encode(entries[i].name));
    if (name.length >= NAME_LENGTH) return false;
    const hash = zapHash(salt, name, HASH_BITS);
    let cd: u32 = 0;
    for (let taken = true; taken; ) {
      taken = false;
      for (let j = 0; j < i; j++) {
        if (unchecked(hashes[j]) == hash && unchecked(cds[j]) == cd) {
          cd++;
          taken = true;
        }
      }
    }
    unchecked(hashes[i] = hash);
    unchecked(cds[i] = cd);
    const at = ENTRY + i * ENTRY;
    storeLe64(block, at, entries[i].value);
    block[at + 8] = <u8>cd;
    block[at + 9] = <u8>(cd >> 8);
    block[at + 10] = <u8>(cd >> 16);
    block[at + 11] = <u8>(cd >> 24);
    for (let k = 0; k < name.length; k++) block[at + NAME_AT + k] = name[k];
  }
  return true;
}
