// The vdev label's configuration: an nvlist packed with XDR (big-endian
// 4-byte units). Only what the reader needs is kept: numbers, strings,
// nested lists and arrays of lists; other values are skipped by the size
// every pair records. Nesting, pair sizes and counts are bounded, so a
// corrupt label answers null, never a trap or a long loop.
//
//   stream:  u8 encoding (1 = XDR), u8 endian, u16 reserved, then a list
//   list:    i32 version, u32 flags, pairs..., then i32 0, i32 0
//   pair:    i32 encoded size (of the whole pair), i32 decoded size,
//            string name, i32 type, i32 count, value
//   string:  u32 length, bytes padded to 4

import { be32, be64 } from "./bytes";

export const TYPE_UINT64: i32 = 8;
export const TYPE_STRING: i32 = 9;
export const TYPE_NVLIST: i32 = 19;
export const TYPE_NVLIST_ARRAY: i32 = 20;
const MAX_DEPTH: i32 = 8;
const MAX_ARRAY: i32 = 256;

export class NvPair {
  name: string = "";
  type: i32 = 0;
  number: u64 = 0;
  text: string = "";
  lists: Array<NvList> = new Array<NvList>();
}

export class NvList {
  pairs: Array<NvPair> = new Array<NvPair>();

  find(name: string): NvPair | null {
    for (let i = 0; i < this.pairs.length; i++) {
      if (this.pairs[i].name == name) return this.pairs[i];
    }
    return null;
  }

  has(name: string): bool {
    return this.find(name) !== null;
  }

  number(name: string, otherwise: u64): u64 {
    const pair = this.find(name);
    return pair !== null && pair.type == TYPE_UINT64 ? pair.number : otherwise;
  }

  text(name: string): string {
    const pair = this.find(name);
    return pair !== null && pair.type == TYPE_STRING ? pair.text : "";
  }

  /** The nested list, or the lists of an array of them (empty if absent). */
  lists(name: string): Array<NvList> {
    const pair = this.find(name);
    return pair !== null && (pair.type == TYPE_NVLIST || pair.type == TYPE_NVLIST_ARRAY) ? pair.lists : new Array<NvList>();
  }
}

class Reader {
  constructor(public data: Uint8Array, public at: i32, public end: i32) {}
  ok: bool = true;

  word(): i32 {
    if (this.at + 4 > this.end) {
      this.ok = false;
      return 0;
    }
    const value = <i32>be32(this.data, this.at);
    this.at += 4;
    return value;
  }

  string(): string {
    const length = this.word();
    if (length < 0 || length > this.end - this.at) {
      this.ok = false;
      return "";
    }
    const text = String.UTF8.decodeUnsafe(this.data.dataStart + <usize>this.at, <usize>length, false);
    this.at += (length + 3) & ~3;
    return text;
  }
}

function readList(reader: Reader, depth: i32): NvList | null {
  if (depth > MAX_DEPTH) return null;
  reader.word(); // version
  reader.word(); // flags
  const list = new NvList();
  for (;;) {
    const start = reader.at;
    const encoded = reader.word();
    const decoded = reader.word();
    if (!reader.ok) return null;
    if (encoded == 0 && decoded == 0) return list;
    if (encoded < 24 || encoded > reader.end - start) return null;
    const pair = new NvPair();
    pair.name = reader.string();
    pair.type = reader.word();
    const count = reader.word();
    if (!reader.ok) return null;
    if (pair.type == TYPE_UINT64) {
      if (reader.at + 8 > reader.end) return null;
      pair.number = be64(reader.data, reader.at);
    } else if (pair.type == TYPE_STRING) {
      pair.text = reader.string();
    } else if (pair.type == TYPE_NVLIST || pair.type == TYPE_NVLIST_ARRAY) {
      const lists = pair.type == TYPE_NVLIST ? 1 : count;
      if (lists < 0 || lists > MAX_ARRAY) return null;
      for (let i = 0; i < lists; i++) {
        const nested = readList(reader, depth + 1);
        if (nested === null) return null;
        pair.lists.push(nested);
      }
      if (reader.at != start + encoded) return null;
    }
    if (!reader.ok) return null;
    reader.at = start + encoded;
    list.pairs.push(pair);
  }
  return null;
}

/** Decodes the packed nvlist in `data[0, length)`, or null if it is not a valid XDR nvlist. */
export function decodeNvList(data: Uint8Array, length: i32): NvList | null {
  if (length < 8 || length > data.length || data[0] != 1) return null;
  return readList(new Reader(data, 4, length), 0);
}
