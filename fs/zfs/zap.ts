// ZAP objects: the name → number maps that hold directories, the MOS's
// object directory, child dataset lists and the ZPL master node. The first
// word of block 0 says which kind it is: micro (zap-micro.ts) or fat
// (zap-fat.ts). Only 8-byte integer values are read, which is all those
// maps hold.
//
// Lookups in a fat ZAP follow the name's hash; one whose names are
// normalized (a normalization= or casesensitivity= dataset) would need the
// normalized name's hash, so it is searched entry by entry for the exact
// name instead. Iteration cookies: micro, the entry's index; fat, pointer
// table slot << 16 | chunk.

import { le64 } from "./bytes";
import { Dnode, readObjectBlock } from "./dnode";
import { ioError } from "./io";
import { Objset, objsetError } from "./objset";
import { microFind, microName, microNameIs, microNext, microValue } from "./zap-micro";
import { FatFound, FatZap } from "./zap-fat";
import { EIO, ENOENT } from "./errno";

const MICRO: u64 = (1 << 63) + 3;
const HEADER: u64 = (1 << 63) + 1;
/** Micro ZAP blocks this big or bigger (64 entries) get a name index. */
const INDEX_FROM: i32 = 4096;

export class ZapEntry {
  name: string = "";
  value: u64 = 0;
  /** The cookie that continues after this entry. */
  next: u64 = 0;
}

export class Zap {
  micro: Uint8Array | null = null;
  fat: FatZap | null = null;
  /** The value lookup() found. */
  value: u64 = 0;
  /** A large micro ZAP's entries by name, built at its first lookup (the block never changes). */
  private names: Map<string, i32> | null = null;
  /** Every indexed name's bytes are what its string encodes to, so a name not in the index is not there. */
  private namesExact: bool = false;

  /**
   * The index of micro ZAP entry `key` (`name` as UTF-8), or -1. A big one
   * (a directory of hundreds of files) is searched through a name index
   * instead of entry by entry; a hit is confirmed byte for byte, and if any
   * entry's bytes are not what its string encodes to (invalid UTF-8 on
   * disk) a miss falls back to the scan, so the answer is always the scan's.
   */
  private microIndex(name: string, key: Uint8Array): i32 {
    const block = this.micro!;
    if (block.length < INDEX_FROM) return microFind(block, key);
    let names = this.names;
    if (names === null) {
      names = new Map<string, i32>();
      let exact = true;
      for (let i = microNext(block, 0); i >= 0; i = microNext(block, i + 1)) {
        const entry = microName(block, i);
        if (!names.has(entry)) names.set(entry, i);
        if (exact && !microNameIs(block, i, Uint8Array.wrap(String.UTF8.encode(entry)))) exact = false;
      }
      this.names = names;
      this.namesExact = exact;
    }
    if (names.has(name)) {
      const index = names.get(name);
      if (microNameIs(block, index, key)) return index;
    }
    return this.namesExact ? -1 : microFind(block, key);
  }

  /** The value of `name` in `value`: 0, -ENOENT, or another negative errno. */
  lookup(name: string): i32 {
    const key = Uint8Array.wrap(String.UTF8.encode(name));
    if (this.micro !== null) {
      const index = this.microIndex(name, key);
      if (index < 0) return -ENOENT;
      this.value = microValue(this.micro!, index);
      return 0;
    }
    const fat = this.fat!;
    if (fat.normalized) return this.search(name);
    const found = new FatFound();
    const result = fat.find(key, found);
    if (result < 0) return result;
    fat.error = 0;
    this.value = fat.value(found.leaf, found.at);
    return fat.error;
  }

  /** The entry at `cookie` (0 starts) in `out`: 1, 0 at the end, or a negative errno. */
  entry(cookie: u64, out: ZapEntry): i32 {
    if (this.micro !== null) {
      const index = microNext(this.micro!, cookie > 0x7fffffff ? 0x7fffffff : <i32>cookie);
      if (index < 0) return 0;
      out.name = microName(this.micro!, index);
      out.value = microValue(this.micro!, index);
      out.next = <u64>(index + 1);
      return 1;
    }
    const fat = this.fat!;
    const found = new FatFound();
    const result = fat.next(cookie, found);
    if (result <= 0) return result;
    const name = fat.name(found.leaf, found.at);
    if (name === null) return -EIO;
    fat.error = 0;
    out.value = fat.value(found.leaf, found.at);
    if (fat.error < 0) return fat.error;
    out.name = String.UTF8.decodeUnsafe(name.dataStart, <usize>name.length, false);
    out.next = found.cookie;
    return 1;
  }

  private search(name: string): i32 {
    const entry = new ZapEntry();
    let cookie: u64 = 0;
    for (;;) {
      const result = this.entry(cookie, entry);
      if (result <= 0) return result < 0 ? result : -ENOENT;
      if (entry.name == name) {
        this.value = entry.value;
        return 0;
      }
      cookie = entry.next;
    }
    return -ENOENT;
  }
}

export let zapError: i32 = 0;

/** The ZAP that object `object` of `objset` holds, or null with `zapError` set. */
export function openZap(objset: Objset, object: u64): Zap | null {
  const dnode = objset.dnode(object);
  if (dnode === null) return fail(objsetError);
  return zapOf(objset, dnode);
}

/** The ZAP `dnode` holds, or null with `zapError` set. */
export function zapOf(objset: Objset, dnode: Dnode): Zap | null {
  const block = readObjectBlock(objset.pool, dnode, 0);
  if (block === null) return fail(ioError);
  const zap = new Zap();
  const kind = le64(block, 0);
  if (kind == MICRO) {
    zap.micro = block;
    return zap;
  }
  if (kind == HEADER) {
    const fat = new FatZap(objset.pool, dnode, block);
    if (!fat.valid) return fail(-EIO);
    zap.fat = fat;
    return zap;
  }
  return fail(-EIO);
}

function fail(error: i32): Zap | null {
  zapError = error < 0 ? error : -EIO;
  return null;
}
