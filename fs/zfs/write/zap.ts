// Laying a ZAP object out from its entries: a micro ZAP (zap-micro.ts
// writeMicroZap) while every value is one u64, every name is shorter than
// 50 bytes and the entries fit a block of at most 128 KiB (the block grows
// from 512 bytes by doubling, as ZFS grows it); otherwise a fat ZAP of
// 16 KiB blocks: a header whose embedded pointer table (1,024 slots) maps
// the top bits of a name's hash to a leaf, and leaves split by hash prefix
// until their entries fit. The layout is what zap-fat.ts reads:
//
//   leaf: +0 type 2^63  +16 prefix  +24 magic  +28 u16 free chunks
//         +30 u16 entries  +32 u16 prefix length  +34 u16 free list
//         +48 u16 hash buckets[512]  +1072 chunks of 24 bytes (638)
//   entry chunk: 252, value int size, next, name chunk, name length (with
//         its NUL), value chunk, value count, +12 u32 cd, +16 u64 hash
//   array chunk: 251, 21 bytes, +22 next   free chunk: 253, +22 next
//
// Integers in leaf arrays are big-endian.

import { storeLe64 } from "../bytes";
import { MicroEntry, writeMicroZap } from "../zap-micro";
import { zapHash } from "../zap-hash";

export const ZAP_BLOCK_SHIFT: i32 = 14;
const ZAP_BLOCK: i32 = 1 << ZAP_BLOCK_SHIFT;
const MICRO_MAX: i32 = 128 << 10;
const MICRO_ENTRY: i32 = 64;
const MICRO_NAME_MAX: i32 = 49;
const HASH_BITS: i32 = 28;
const HEADER_TYPE: u64 = (<u64>1 << 63) + 1;
const HEADER_MAGIC: u64 = 0x2f52ab2ab;
const LEAF_TYPE: u64 = <u64>1 << 63;
const LEAF_MAGIC: u32 = 0x2ab1eaf;
/** The embedded pointer table: the header block's second half, 2^10 slots. */
const TABLE_SHIFT: i32 = ZAP_BLOCK_SHIFT - 4;
const BUCKET_SHIFT: i32 = ZAP_BLOCK_SHIFT - 5;
const BUCKETS: i32 = 1 << BUCKET_SHIFT;
const CHUNK: i32 = 24;
const CHUNKS_AT: i32 = 48 + 2 * BUCKETS;
const CHUNK_COUNT: i32 = (ZAP_BLOCK - 2 * BUCKETS) / CHUNK - 2;
const ARRAY_BYTES: i32 = 21;
const CHAIN_END: u16 = 0xffff;

/** One entry: a name (UTF-8, no NUL) and `count` integers of `intSize` bytes (1 or 8), held little-endian in `value`. */
export class ZapEntry {
  constructor(public name: Uint8Array, public intSize: i32, public value: Uint8Array) {}

  static number(name: string, value: u64): ZapEntry {
    const bytes = new Uint8Array(8);
    storeLe64(bytes, 0, value);
    return new ZapEntry(Uint8Array.wrap(String.UTF8.encode(name)), 8, bytes);
  }

  static text(name: string, value: string): ZapEntry {
    const text = Uint8Array.wrap(String.UTF8.encode(value, true));
    return new ZapEntry(Uint8Array.wrap(String.UTF8.encode(name)), 1, text);
  }

  /** The name as a string. */
  get nameText(): string {
    return String.UTF8.decodeUnsafe(this.name.dataStart, <usize>this.name.length, false);
  }

  get count(): i32 {
    return this.value.length / this.intSize;
  }

  /** The single u64 value of a micro-ZAP-able entry. */
  get number(): u64 {
    return load<u64>(this.value.dataStart);
  }

  get micro(): bool {
    return this.intSize == 8 && this.value.length == 8 && this.name.length <= MICRO_NAME_MAX;
  }
}

/** A ZAP object's data: its block size and blocks (block 0 first). */
export class ZapLayout {
  blockSize: i32 = 512;
  blocks: Array<Uint8Array> = new Array<Uint8Array>();
  /** Whether it is a fat ZAP. */
  fat: bool = false;
}

/** The blocks of a ZAP holding `entries` (unique names), or null when they cannot fit one (more than the embedded pointer table can reach). */
export function layOutZap(entries: Array<ZapEntry>, salt: u64, normalization: u64, allowMicro: bool = true): ZapLayout | null {
  let micro = allowMicro;
  for (let i = 0; i < entries.length && micro; i++) if (!entries[i].micro) micro = false;
  if (micro) {
    let size = 512;
    while (size < MICRO_MAX && size / MICRO_ENTRY - 1 < entries.length) size <<= 1;
    if (size / MICRO_ENTRY - 1 >= entries.length) {
      const list = new Array<MicroEntry>();
      for (let i = 0; i < entries.length; i++) {
        list.push(new MicroEntry(entries[i].nameText, entries[i].number));
      }
      const block = new Uint8Array(size);
      if (writeMicroZap(block, salt, normalization, list)) {
        const layout = new ZapLayout();
        layout.blockSize = size;
        layout.blocks.push(block);
        return layout;
      }
    }
  }
  return layOutFat(entries, salt, normalization);
}

class Hashed {
  constructor(public entry: ZapEntry, public hash: u64, public cd: u32) {}

  get chunks(): i32 {
    return 1 + arrayChunks(this.entry.name.length + 1) + arrayChunks(this.entry.value.length);
  }
}

function arrayChunks(bytes: i32): i32 {
  return (bytes + ARRAY_BYTES - 1) / ARRAY_BYTES;
}

function layOutFat(entries: Array<ZapEntry>, salt: u64, normalization: u64): ZapLayout | null {
  const hashed = new Array<Hashed>();
  for (let i = 0; i < entries.length; i++) {
    const hash = zapHash(salt, entries[i].name, HASH_BITS);
    let cd: u32 = 0;
    for (let j = 0; j < hashed.length; j++) if (hashed[j].hash == hash && hashed[j].cd >= cd) cd = hashed[j].cd + 1;
    hashed.push(new Hashed(entries[i], hash, cd));
  }
  // Leaves: split by the next bit of the hash until each group fits.
  const groups = new Array<Array<Hashed>>();
  const prefixes = new Array<u64>();
  const lengths = new Array<i32>();
  if (!split(hashed, 0, 0, groups, prefixes, lengths)) return null;
  const layout = new ZapLayout();
  layout.blockSize = ZAP_BLOCK;
  layout.fat = true;
  const header = new Uint8Array(ZAP_BLOCK);
  storeLe64(header, 0, HEADER_TYPE);
  storeLe64(header, 8, HEADER_MAGIC);
  storeLe64(header, 32, <u64>TABLE_SHIFT);
  storeLe64(header, 56, <u64>(groups.length + 1));
  storeLe64(header, 64, <u64>groups.length);
  storeLe64(header, 72, <u64>entries.length);
  storeLe64(header, 80, salt);
  storeLe64(header, 88, normalization);
  layout.blocks.push(header);
  for (let g = 0; g < groups.length; g++) {
    const block = <u64>(g + 1);
    const span = 1 << (TABLE_SHIFT - lengths[g]);
    const first = <i32>(prefixes[g] << <u64>(TABLE_SHIFT - lengths[g]));
    for (let k = 0; k < span; k++) storeLe64(header, (ZAP_BLOCK >> 1) + (first + k) * 8, block);
    layout.blocks.push(leafBlock(groups[g], prefixes[g], lengths[g]));
  }
  return layout;
}

function split(entries: Array<Hashed>, prefix: u64, length: i32, groups: Array<Array<Hashed>>, prefixes: Array<u64>, lengths: Array<i32>): bool {
  let chunks = 0;
  for (let i = 0; i < entries.length; i++) chunks += entries[i].chunks;
  if (chunks <= CHUNK_COUNT) {
    groups.push(entries);
    prefixes.push(prefix);
    lengths.push(length);
    return true;
  }
  if (length >= TABLE_SHIFT) return false;
  const zero = new Array<Hashed>();
  const one = new Array<Hashed>();
  for (let i = 0; i < entries.length; i++) {
    const bit = (entries[i].hash >> <u64>(63 - length)) & 1;
    if (bit == 0) zero.push(entries[i]);
    else one.push(entries[i]);
  }
  return split(zero, prefix << 1, length + 1, groups, prefixes, lengths) &&
    split(one, (prefix << 1) | 1, length + 1, groups, prefixes, lengths);
}

function store16(block: Uint8Array, at: i32, value: u32): void {
  block[at] = <u8>value;
  block[at + 1] = <u8>(value >> 8);
}

function store32(block: Uint8Array, at: i32, value: u32): void {
  store16(block, at, value & 0xffff);
  store16(block, at + 2, value >> 16);
}

function leafBlock(entries: Array<Hashed>, prefix: u64, prefixLength: i32): Uint8Array {
  const leaf = new Uint8Array(ZAP_BLOCK);
  storeLe64(leaf, 0, LEAF_TYPE);
  storeLe64(leaf, 16, prefix);
  store32(leaf, 24, LEAF_MAGIC);
  store16(leaf, 30, <u32>entries.length);
  store16(leaf, 32, <u32>prefixLength);
  for (let b = 0; b < BUCKETS; b++) store16(leaf, 48 + 2 * b, CHAIN_END);
  let next = 0;
  for (let i = 0; i < entries.length; i++) {
    const item = entries[i];
    const entry = item.entry;
    const chunk = next++;
    const at = CHUNKS_AT + chunk * CHUNK;
    const nameBytes = new Uint8Array(entry.name.length + 1);
    nameBytes.set(entry.name);
    const nameChunk = next;
    next = writeArray(leaf, next, nameBytes);
    const valueChunk = entry.value.length == 0 ? <i32>CHAIN_END : next;
    next = writeArray(leaf, next, bigEndian(entry));
    leaf[at] = 252;
    leaf[at + 1] = <u8>entry.intSize;
    store16(leaf, at + 4, <u32>nameChunk);
    store16(leaf, at + 6, <u32>nameBytes.length);
    store16(leaf, at + 8, <u32>valueChunk);
    store16(leaf, at + 10, <u32>entry.count);
    store32(leaf, at + 12, item.cd);
    storeLe64(leaf, at + 16, item.hash);
    // Chained at the head of its bucket, as ZFS adds entries.
    const bucket = 48 + 2 * <i32>((item.hash >> <u64>(64 - BUCKET_SHIFT - prefixLength)) & <u64>(BUCKETS - 1));
    store16(leaf, at + 2, <u32>leaf[bucket] | (<u32>leaf[bucket + 1] << 8));
    store16(leaf, bucket, <u32>chunk);
  }
  // The rest are free, chained in order.
  store16(leaf, 28, <u32>(CHUNK_COUNT - next));
  store16(leaf, 34, next < CHUNK_COUNT ? <u32>next : CHAIN_END);
  for (let c = next; c < CHUNK_COUNT; c++) {
    const at = CHUNKS_AT + c * CHUNK;
    leaf[at] = 253;
    store16(leaf, at + 22, c + 1 < CHUNK_COUNT ? <u32>(c + 1) : CHAIN_END);
  }
  return leaf;
}

/** An entry's value bytes as leaf arrays hold them: each integer big-endian. */
function bigEndian(entry: ZapEntry): Uint8Array {
  const out = new Uint8Array(entry.value.length);
  const size = entry.intSize;
  for (let i = 0; i < entry.value.length; i += size) {
    for (let k = 0; k < size; k++) out[i + k] = entry.value[i + size - 1 - k];
  }
  return out;
}

/** Writes `bytes` into array chunks from chunk `first` on, chained; answers the next unused chunk. */
function writeArray(leaf: Uint8Array, first: i32, bytes: Uint8Array): i32 {
  const count = arrayChunks(bytes.length);
  for (let k = 0; k < count; k++) {
    const at = CHUNKS_AT + (first + k) * CHUNK;
    leaf[at] = 251;
    for (let i = 0; i < ARRAY_BYTES; i++) {
      const index = k * ARRAY_BYTES + i;
      leaf[at + 1 + i] = index < bytes.length ? bytes[index] : 0;
    }
    store16(leaf, at + 22, k + 1 < count ? <u32>(first + k + 1) : CHAIN_END);
  }
  return first + count;
}
