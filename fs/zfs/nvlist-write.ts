// Packing an nvlist as ZFS packs a vdev label's configuration: XDR (big-
// endian 4-byte units), the layout nvlist.ts reads. Only the kinds a pool
// configuration uses: 64-bit numbers, strings, nested lists and arrays of
// lists. Pairs keep the order they were added in.
//
//   stream:  u8 encoding (1 = XDR), u8 endian (1: written by a little-endian
//            host), u16 reserved, then a list
//   list:    i32 version (0), u32 flags (1: names are unique), pairs...,
//            then i32 0, i32 0
//   pair:    i32 encoded size (of the whole pair), i32 decoded size, string
//            name, i32 type, i32 count, value
//   string:  u32 length, bytes padded to 4
//
// The decoded size is the size of the pair in a reader's memory, which
// libnvpair checks a packed list against: a 16-byte header and the name
// with its NUL, 8-aligned, then the value 8-aligned (8 for a number, the
// string and its NUL, 24 for a list, 32 per element of an array of lists).

import { TYPE_UINT64, TYPE_STRING, TYPE_NVLIST, TYPE_NVLIST_ARRAY } from "./nvlist";

const NV_VERSION: i32 = 0;
/** NV_UNIQUE_NAME: every name appears once. */
export const NV_UNIQUE_NAME: u32 = 1;
const ENCODING_XDR: u8 = 1;
const LITTLE_ENDIAN_HOST: u8 = 1;
const PAIR_HEADER: i32 = 16;
const NVLIST_BYTES: i32 = 24;
const POINTER_BYTES: i32 = 8;

@inline function align4(n: i32): i32 {
  return (n + 3) & ~3;
}

@inline function align8(n: i32): i32 {
  return (n + 7) & ~7;
}

class NvEntry {
  number: u64 = 0;
  text: string = "";
  lists: Array<NvWriter> = new Array<NvWriter>();
  constructor(public name: string, public type: i32) {}
}

/** An XDR string's size: its length word and its bytes padded to 4. */
function stringBytes(text: string): i32 {
  return 4 + align4(String.UTF8.byteLength(text));
}

export class NvWriter {
  private entries: Array<NvEntry> = new Array<NvEntry>();

  constructor(public flags: u32 = NV_UNIQUE_NAME) {}

  uint64(name: string, value: u64): NvWriter {
    const entry = new NvEntry(name, TYPE_UINT64);
    entry.number = value;
    this.entries.push(entry);
    return this;
  }

  string(name: string, value: string): NvWriter {
    const entry = new NvEntry(name, TYPE_STRING);
    entry.text = value;
    this.entries.push(entry);
    return this;
  }

  list(name: string, value: NvWriter): NvWriter {
    const entry = new NvEntry(name, TYPE_NVLIST);
    entry.lists.push(value);
    this.entries.push(entry);
    return this;
  }

  /** Appends `other`'s entries (the same objects) after this list's. */
  merge(other: NvWriter): NvWriter {
    for (let i = 0; i < other.entries.length; i++) this.entries.push(other.entries[i]);
    return this;
  }

  lists(name: string, values: Array<NvWriter>): NvWriter {
    const entry = new NvEntry(name, TYPE_NVLIST_ARRAY);
    for (let i = 0; i < values.length; i++) entry.lists.push(values[i]);
    this.entries.push(entry);
    return this;
  }

  /** The packed list's size, without the stream header. */
  get size(): i32 {
    let total = 8 + 8; // version and flags; the two zero words that end it
    for (let i = 0; i < this.entries.length; i++) total += pairSize(this.entries[i]);
    return total;
  }

  /** The list packed as a stream: the 4-byte header, then the list. */
  pack(): Uint8Array {
    const out = new Uint8Array(4 + this.size);
    out[0] = ENCODING_XDR;
    out[1] = LITTLE_ENDIAN_HOST;
    const end = this.write(out, 4);
    assert(end == out.length);
    return out;
  }

  /** Writes the list at `at`; where it ends. */
  write(out: Uint8Array, at: i32): i32 {
    at = put32(out, at, <u32>NV_VERSION);
    at = put32(out, at, this.flags);
    for (let i = 0; i < this.entries.length; i++) {
      const entry = this.entries[i];
      at = put32(out, at, <u32>pairSize(entry));
      at = put32(out, at, <u32>decodedSize(entry));
      at = putString(out, at, entry.name);
      at = put32(out, at, <u32>entry.type);
      at = put32(out, at, entry.type == TYPE_NVLIST_ARRAY ? <u32>entry.lists.length : 1);
      if (entry.type == TYPE_UINT64) {
        at = put32(out, at, <u32>(entry.number >> 32));
        at = put32(out, at, <u32>entry.number);
      } else if (entry.type == TYPE_STRING) {
        at = putString(out, at, entry.text);
      } else {
        for (let j = 0; j < entry.lists.length; j++) at = entry.lists[j].write(out, at);
      }
    }
    at = put32(out, at, 0);
    return put32(out, at, 0);
  }
}

function pairSize(entry: NvEntry): i32 {
  let size = 4 + 4 + stringBytes(entry.name) + 4 + 4;
  if (entry.type == TYPE_UINT64) size += 8;
  else if (entry.type == TYPE_STRING) size += stringBytes(entry.text);
  else for (let i = 0; i < entry.lists.length; i++) size += entry.lists[i].size;
  return size;
}

function decodedSize(entry: NvEntry): i32 {
  const header = align8(PAIR_HEADER + String.UTF8.byteLength(entry.name) + 1);
  if (entry.type == TYPE_UINT64) return header + 8;
  if (entry.type == TYPE_STRING) return header + align8(String.UTF8.byteLength(entry.text) + 1);
  if (entry.type == TYPE_NVLIST) return header + NVLIST_BYTES;
  return header + align8((POINTER_BYTES + NVLIST_BYTES) * entry.lists.length);
}

function put32(out: Uint8Array, at: i32, value: u32): i32 {
  out[at] = <u8>(value >> 24);
  out[at + 1] = <u8>(value >> 16);
  out[at + 2] = <u8>(value >> 8);
  out[at + 3] = <u8>value;
  return at + 4;
}

function putString(out: Uint8Array, at: i32, text: string): i32 {
  const length = String.UTF8.byteLength(text);
  at = put32(out, at, <u32>length);
  String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, out.dataStart + <usize>at, false);
  return at + align4(length); // the padding stays zero (a fresh buffer)
}
