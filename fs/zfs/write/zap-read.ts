// Reading a ZAP object's entries back (a directory, the space accounting
// objects of a pool opened for writing): every entry of a micro ZAP, or of
// every leaf of a fat ZAP, as zap.ts lays them out. Values come back as
// they are stored (u64s little-endian in ZapEntry.value).

import { le16, le64, u8At } from "../bytes";
import { microNext, microName, microValue } from "../zap-micro";
import { BlockWriter } from "./blocks";
import { ObjectWriter } from "./object";
import { ZapEntry } from "./zap";

const MICRO_TYPE: u64 = (<u64>1 << 63) + 3;
const HEADER_TYPE: u64 = (<u64>1 << 63) + 1;
const LEAF_TYPE: u64 = <u64>1 << 63;
const CHUNK: i32 = 24;
const ARRAY_BYTES: i32 = 21;
const MAX_ARRAY: i32 = 65536;

/** The entries of `object`'s ZAP, or null when a block cannot be read or is not a ZAP block. */
export function readZapEntries(object: ObjectWriter, writer: BlockWriter): Array<ZapEntry> | null {
  const entries = new Array<ZapEntry>();
  if (object.blockCount == 0) return entries;
  const first = object.block(0, writer);
  if (first === null) return null;
  const kind = le64(first, 0);
  if (kind == MICRO_TYPE) {
    for (let i = microNext(first, 0); i >= 0; i = microNext(first, i + 1)) entries.push(ZapEntry.number(microName(first, i), microValue(first, i)));
    return entries;
  }
  if (kind != HEADER_TYPE) return null;
  const size = first.length;
  const buckets = 1 << (31 - clz<i32>(size) - 5);
  const chunksAt = 48 + 2 * buckets;
  const chunks = (size - 2 * buckets) / CHUNK - 2;
  for (let b: u64 = 1; b < object.blockCount; b++) {
    const leaf = object.block(b, writer);
    if (leaf === null) return null;
    if (le64(leaf, 0) != LEAF_TYPE) continue;
    for (let c = 0; c < chunks; c++) {
      const at = chunksAt + c * CHUNK;
      if (u8At(leaf, at) != 252) continue;
      const intSize = <i32>u8At(leaf, at + 1);
      const name = readArray(leaf, chunksAt, chunks, le16(leaf, at + 4), <i32>le16(leaf, at + 6));
      const value = readArray(leaf, chunksAt, chunks, le16(leaf, at + 8), <i32>le16(leaf, at + 10) * intSize);
      if (name === null || value === null || name.length == 0 || (intSize != 1 && intSize != 8)) return null;
      // Integers are big-endian in leaf arrays.
      const little = new Uint8Array(value.length);
      for (let i = 0; i < value.length; i += intSize) for (let k = 0; k < intSize; k++) little[i + k] = value[i + intSize - 1 - k];
      entries.push(new ZapEntry(name.subarray(0, name.length - 1), intSize, little));
    }
  }
  return entries;
}

function readArray(leaf: Uint8Array, chunksAt: i32, chunks: i32, first: u32, length: i32): Uint8Array | null {
  if (length < 0 || length > MAX_ARRAY) return null;
  const out = new Uint8Array(length);
  let chunk = first;
  for (let done = 0; done < length; ) {
    if (chunk >= <u32>chunks) return null;
    const at = chunksAt + <i32>chunk * CHUNK;
    if (u8At(leaf, at) != 251) return null;
    const take = min(ARRAY_BYTES, length - done);
    for (let i = 0; i < take; i++) out[done + i] = <u8>u8At(leaf, at + 1 + i);
    done += take;
    chunk = le16(leaf, at + 22);
  }
  return out;
}
