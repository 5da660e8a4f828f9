// Fat ZAPs: block 0 is a header whose pointer table (in the header's second
// half, or in blocks of its own once it outgrows that) maps the top bits of
// a name's hash to a leaf block. A leaf holds a hash table of chunk chains
// and 24-byte chunks: entries, and arrays (names and values) chained 21
// bytes at a time.
//
//   header:  +0 u64 type (2^63 + 1)  +8 magic 0x2f52ab2ab  +16 table block
//            +24 table blocks (0: embedded)  +32 table shift  +80 salt
//            +88 normalization flags  +96 flags (bit 0: 48-bit hashes)
//   leaf:    +0 u64 type (2^63)  +16 u64 prefix  +24 u32 magic 0x2ab1eaf
//            +32 u16 prefix length  +48 u16 hash[2^(bs-5)]  then chunks
//   entry chunk (252):  +1 u8 value int size  +2 u16 next  +4 u16 name chunk
//            +6 u16 name length  +8 u16 value chunk  +10 u16 value count  +16 u64 hash
//   array chunk (251):  +1 21 bytes  +22 u16 next
//
// Every chunk number, chain length, shift and block number read from disk
// is bounded before use; a violation is EIO.

import { le16, le32, le64, u8At } from "./bytes";
import { Dnode, readObjectBlock } from "./dnode";
import { ioError } from "./io";
import { Pool } from "./pool";
import { zapHash } from "./zap-hash";
import { EIO, ENOENT } from "./errno";

const HEADER_MAGIC: u64 = 0x2f52ab2ab;
const LEAF_TYPE: u64 = 1 << 63;
const LEAF_MAGIC: u32 = 0x2ab1eaf;
const CHUNK: i32 = 24;
const CHUNK_ENTRY: u32 = 252;
const CHUNK_ARRAY: u32 = 251;
const CHAIN_END: u32 = 0xffff;
const ARRAY_BYTES: i32 = 21;
const MAX_SHIFT: i32 = 24;

export class FatZap {
  blockShift: i32 = 0;
  error: i32 = 0;

  constructor(public pool: Pool, public dnode: Dnode, public header: Uint8Array) {
    this.blockShift = 31 - clz<i32>(header.length);
  }

  get shift(): i32 { return <i32>min<u64>(le64(this.header, 32), 64); }
  get salt(): u64 { return le64(this.header, 80); }
  get normalized(): bool { return le64(this.header, 88) != 0; }
  get hashBits(): i32 { return (le64(this.header, 96) & 1) != 0 ? 48 : 28; }

  get valid(): bool {
    return le64(this.header, 8) == HEADER_MAGIC && (1 << this.blockShift) == this.header.length && this.shift <= MAX_SHIFT &&
      (le64(this.header, 24) != 0 || this.shift <= this.blockShift - 4);
  }

  /** The leaf block number in pointer table slot `index`, or -1 with `error` set. */
  pointer(index: i32): i64 {
    const tableBlocks = le64(this.header, 24);
    if (tableBlocks == 0) return this.blockNumber(le64(this.header, (this.header.length >> 1) + index * 8));
    const perBlock = this.blockShift - 3;
    const block = <u64>(index >> perBlock);
    if (block >= tableBlocks) return this.fail(-EIO);
    const data = readObjectBlock(this.pool, this.dnode, le64(this.header, 16) + block);
    if (data === null) return this.fail(ioError);
    return this.blockNumber(le64(data, (index & ((1 << perBlock) - 1)) * 8));
  }

  private blockNumber(value: u64): i64 {
    return value == 0 || value > this.dnode.maxBlock ? this.fail(-EIO) : <i64>value;
  }

  /** Leaf block `block`, checked, or null with `error` set. */
  leaf(block: i64): Uint8Array | null {
    if (block <= 0 || <u64>block > this.dnode.maxBlock) {
      this.error = -EIO;
      return null;
    }
    const data = readObjectBlock(this.pool, this.dnode, <u64>block);
    if (data === null) {
      this.error = ioError;
      return null;
    }
    if (le64(data, 0) != LEAF_TYPE || le32(data, 24) != LEAF_MAGIC || data.length != this.header.length) {
      this.error = -EIO;
      return null;
    }
    return data;
  }

  hashEntries(): i32 { return 1 << (this.blockShift - 5); }
  chunks(): i32 { return (this.header.length - 2 * this.hashEntries()) / CHUNK - 2; }
  chunkAt(chunk: i32): i32 { return 48 + 2 * this.hashEntries() + chunk * CHUNK; }

  /** `length` bytes of the array starting at `chunk`, or null if the chain is broken. */
  array(leaf: Uint8Array, chunk: u32, length: i32): Uint8Array | null {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      if (chunk >= <u32>this.chunks()) return null;
      const at = this.chunkAt(<i32>chunk);
      if (u8At(leaf, at) != CHUNK_ARRAY) return null;
      const take = min(ARRAY_BYTES, length - done);
      for (let i = 0; i < take; i++) out[done + i] = <u8>u8At(leaf, at + 1 + i);
      done += take;
      chunk = le16(leaf, at + 22);
    }
    return out;
  }

  /** The name of the entry chunk at `at`, without its NUL, or null. */
  name(leaf: Uint8Array, at: i32): Uint8Array | null {
    const length = <i32>le16(leaf, at + 6);
    if (length < 1 || length > 1024) return null;
    const bytes = this.array(leaf, le16(leaf, at + 4), length);
    return bytes === null ? null : bytes.subarray(0, length - 1);
  }

  /** The first value (a u64) of the entry chunk at `at`; check `error` (negative if it is unreadable). */
  value(leaf: Uint8Array, at: i32): u64 {
    if (u8At(leaf, at + 1) != 8 || le16(leaf, at + 10) < 1) return <u64>this.fail(-EIO);
    const bytes = this.array(leaf, le16(leaf, at + 8), 8);
    if (bytes === null) return <u64>this.fail(-EIO);
    return bswap<u64>(load<u64>(bytes.dataStart));
  }

  /** Finds `key`: the leaf and the entry's offset in it, in `found`; 0 or a negative errno. */
  find(key: Uint8Array, found: FatFound): i32 {
    const hash = zapHash(this.salt, key, this.hashBits);
    const shift = this.shift;
    const index = shift == 0 ? 0 : <i32>(hash >> <u64>(64 - shift));
    const block = this.pointer(index);
    if (block < 0) return this.error;
    const leaf = this.leaf(block);
    if (leaf === null) return this.error;
    const prefixLength = <i32>le16(leaf, 32);
    const bucketShift = 64 - (this.blockShift - 5) - prefixLength;
    if (bucketShift <= 0 || bucketShift > 64) return -EIO;
    const bucket = <i32>((hash >> <u64>bucketShift) & <u64>(this.hashEntries() - 1));
    let chunk = le16(leaf, 48 + 2 * bucket);
    for (let steps = 0; chunk != CHAIN_END; steps++) {
      if (steps > this.chunks() || chunk >= <u32>this.chunks()) return -EIO;
      const at = this.chunkAt(<i32>chunk);
      if (u8At(leaf, at) != CHUNK_ENTRY) return -EIO;
      if (le64(leaf, at + 16) == hash) {
        const name = this.name(leaf, at);
        if (name === null) return -EIO;
        if (sameBytes(name, key)) {
          found.leaf = leaf;
          found.at = at;
          return 0;
        }
      }
      chunk = le16(leaf, at + 2);
    }
    return -ENOENT;
  }

  /** The entry at or after `cookie` (slot << 16 | chunk): its leaf and offset in `found`; 1, 0 at the end, or -errno. */
  next(cookie: u64, found: FatFound): i32 {
    const shift = this.shift;
    let index = <i64>(cookie >> 16);
    let chunk = <i32>(cookie & 0xffff);
    const slots: i64 = <i64>1 << shift;
    while (index < slots) {
      const block = this.pointer(<i32>index);
      if (block < 0) return this.error;
      const leaf = this.leaf(block);
      if (leaf === null) return this.error;
      const prefixLength = <i32>le16(leaf, 32);
      if (prefixLength > shift) return -EIO;
      const span: i64 = <i64>1 << (shift - prefixLength);
      const first = <i64>(le64(leaf, 16) << <u64>(shift - prefixLength));
      if (first != (index & ~(span - 1))) return -EIO;
      if (first == index) {
        for (let c = chunk; c < this.chunks(); c++) {
          const at = this.chunkAt(c);
          if (u8At(leaf, at) == CHUNK_ENTRY) {
            found.leaf = leaf;
            found.at = at;
            found.cookie = (<u64>index << 16) | <u64>(c + 1);
            return 1;
          }
        }
      }
      index = (index & ~(span - 1)) + span;
      chunk = 0;
    }
    return 0;
  }

  private fail(error: i32): i64 {
    this.error = error < 0 ? error : -EIO;
    return -1;
  }
}

export class FatFound {
  leaf: Uint8Array = new Uint8Array(0);
  at: i32 = 0;
  cookie: u64 = 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): bool {
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] != b[i]) return false;
  return true;
}
