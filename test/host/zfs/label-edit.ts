// Test support: rewriting a pool image's vdev labels the way another ZFS
// would have written them, so refusal tests can start from the committed
// fixtures. Three pieces, each checked by refusal.test.ts:
//
//   XDR nvlists      decodeNvList / encodeNvList: the label config's packed
//                    form (fs/zfs/nvlist.ts has the layout). Pairs of types the
//                    tests never change are kept as raw bytes; encoding a
//                    decoded list gives back the same bytes.
//   embedded trailer sealEmbedded: the 40-byte zio_eck_t that ends a label
//                    config and every uberblock slot: magic, then the SHA-256
//                    of the block taken with the checksum field holding the
//                    verifier (the block's byte offset on the device). A
//                    big-endian writer stores magic, verifier and the four
//                    digest words in its own byte order.
//   whole labels     editLabels (config of all four labels), byteswapUberblocks.
//
// The "decoded size" every pair carries is the size of the writer's in-memory
// nvpair (16-byte header and name, 8-aligned, then the value, 8-aligned); it
// is computed for the pairs written here as libnvpair computes it.

import { createHash } from "node:crypto";

export type NvValue =
  | { type: "u64"; value: bigint }
  | { type: "string"; value: string }
  | { type: "boolean" }
  | { type: "nvlist"; value: NvList }
  | { type: "nvlist[]"; value: NvList[] }
  | { type: "raw"; code: number; count: number; bytes: Uint8Array; decoded: number };

export interface NvList {
  version: number;
  flags: number;
  pairs: [string, NvValue][];
}

const TYPE = { boolean: 1, u64: 8, string: 9, nvlist: 19, "nvlist[]": 20 } as const;
/** sizeof(nvlist_t), and an array element's pointer before it. */
const NVLIST_SIZE = 24;
const POINTER_SIZE = 8;

const align4 = (n: number) => (n + 3) & ~3;
const align8 = (n: number) => (n + 7) & ~7;

class XdrReader {
  constructor(readonly view: DataView, public at: number) {}
  int(): number {
    const value = this.view.getInt32(this.at);
    this.at += 4;
    return value;
  }
  u64(): bigint {
    const value = this.view.getBigUint64(this.at);
    this.at += 8;
    return value;
  }
  string(): string {
    const length = this.int();
    const text = new TextDecoder().decode(new Uint8Array(this.view.buffer, this.view.byteOffset + this.at, length));
    this.at += align4(length);
    return text;
  }
}

function readList(reader: XdrReader): NvList {
  const list: NvList = { version: reader.int(), flags: reader.int(), pairs: [] };
  for (;;) {
    const start = reader.at;
    const encoded = reader.int();
    const decoded = reader.int();
    if (encoded === 0 && decoded === 0) return list;
    const name = reader.string();
    const code = reader.int();
    const count = reader.int();
    let value: NvValue;
    if (code === TYPE.u64) value = { type: "u64", value: reader.u64() };
    else if (code === TYPE.string) value = { type: "string", value: reader.string() };
    else if (code === TYPE.boolean) value = { type: "boolean" };
    else if (code === TYPE.nvlist) value = { type: "nvlist", value: readList(reader) };
    else if (code === TYPE["nvlist[]"]) value = { type: "nvlist[]", value: Array.from({ length: count }, () => readList(reader)) };
    else {
      const view = reader.view;
      const bytes = new Uint8Array(view.buffer, view.byteOffset + reader.at, start + encoded - reader.at).slice();
      value = { type: "raw", code, count, bytes, decoded };
    }
    list.pairs.push([name, value]);
    reader.at = start + encoded;
  }
}

/** The nvlist packed (XDR) at the start of `bytes`: 4 header bytes, then the list. */
export function decodeNvList(bytes: Uint8Array): NvList {
  if (bytes[0] !== 1) throw new Error(`not an XDR nvlist (encoding ${bytes[0]})`);
  return readList(new XdrReader(new DataView(bytes.buffer, bytes.byteOffset, bytes.length), 4));
}

class XdrWriter {
  readonly parts: number[] = [];
  int(value: number): void {
    this.parts.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }
  u64(value: bigint): void {
    this.int(Number(value >> 32n) | 0);
    this.int(Number(value & 0xffffffffn) | 0);
  }
  string(text: string): void {
    const bytes = new TextEncoder().encode(text);
    this.int(bytes.length);
    this.parts.push(...bytes, ...new Array(align4(bytes.length) - bytes.length).fill(0));
  }
  bytes(bytes: Uint8Array): void {
    this.parts.push(...bytes);
  }
}

/** The writer's in-memory size of a pair: what the second word of each encoded pair records. */
function decodedSize(name: string, value: NvValue): number {
  const header = align8(16 + new TextEncoder().encode(name).length + 1);
  switch (value.type) {
    case "u64": return header + 8;
    case "string": return header + align8(new TextEncoder().encode(value.value).length + 1);
    case "boolean": return header;
    case "nvlist": return header + NVLIST_SIZE;
    case "nvlist[]": return header + align8((POINTER_SIZE + NVLIST_SIZE) * value.value.length);
    case "raw": return value.decoded;
  }
}

function writeList(writer: XdrWriter, list: NvList): void {
  writer.int(list.version);
  writer.int(list.flags);
  for (const [name, value] of list.pairs) {
    const pair = new XdrWriter();
    pair.string(name);
    if (value.type === "raw") {
      pair.int(value.code);
      pair.int(value.count);
      pair.bytes(value.bytes);
    } else {
      pair.int(TYPE[value.type]);
      pair.int(value.type === "boolean" ? 0 : value.type === "nvlist[]" ? value.value.length : 1);
      if (value.type === "u64") pair.u64(value.value);
      else if (value.type === "string") pair.string(value.value);
      else if (value.type === "nvlist") writeList(pair, value.value);
      else if (value.type === "nvlist[]") for (const nested of value.value) writeList(pair, nested);
    }
    writer.int(pair.parts.length + 8);
    writer.int(decodedSize(name, value));
    writer.parts.push(...pair.parts);
  }
  writer.int(0);
  writer.int(0);
}

/** `list` packed as XDR, with the 4-byte stream header (encoding 1, little-endian host). */
export function encodeNvList(list: NvList): Uint8Array {
  const writer = new XdrWriter();
  writer.parts.push(1, 1, 0, 0);
  writeList(writer, list);
  return Uint8Array.from(writer.parts);
}

/** Sets (or adds, at the end) pair `name` of `list`. */
export function setPair(list: NvList, name: string, value: NvValue): void {
  const index = list.pairs.findIndex(([key]) => key === name);
  if (index >= 0) list.pairs[index] = [name, value];
  else list.pairs.push([name, value]);
}

export function getList(list: NvList, name: string): NvList {
  const pair = list.pairs.find(([key]) => key === name);
  if (pair === undefined || pair[1].type !== "nvlist") throw new Error(`no nvlist '${name}'`);
  return pair[1].value;
}

const EMBEDDED_MAGIC = 0x0210da7ab10c7a11n;
const TRAILER = 40;

/**
 * Writes the embedded checksum trailer over the last 40 bytes of `block`
 * (a view of the image), for a block at device offset `verifier`, in the
 * writer's byte order.
 */
export function sealEmbedded(block: Uint8Array, verifier: bigint, bigEndian = false): void {
  const view = new DataView(block.buffer, block.byteOffset, block.length);
  const trailer = block.length - TRAILER;
  const little = !bigEndian;
  view.setBigUint64(trailer, EMBEDDED_MAGIC, little);
  [verifier, 0n, 0n, 0n].forEach((word, i) => view.setBigUint64(trailer + 8 + i * 8, word, little));
  const digest = createHash("sha256").update(block).digest();
  for (let i = 0; i < 4; i++) view.setBigUint64(trailer + 8 + i * 8, digest.readBigUInt64BE(i * 8), little);
}

const LABEL = 256 << 10;
const CONFIG_AT = 16 << 10;
const CONFIG_SIZE = 112 << 10;
const RING_AT = 128 << 10;
const RING_SIZE = 128 << 10;
const UBERBLOCK_MAGIC = 0x00bab10cn;

/** Byte offsets of the four labels on a device of `size` bytes. */
export function labelOffsets(size: number): number[] {
  const usable = size - (size % LABEL);
  return [0, LABEL, usable - 2 * LABEL, usable - LABEL];
}

/** Decodes each label's config, lets `edit` change it, and writes it back re-encoded and sealed. */
export function editLabels(image: Uint8Array, edit: (config: NvList) => void): void {
  for (const label of labelOffsets(image.length)) {
    const at = label + CONFIG_AT;
    const region = image.subarray(at, at + CONFIG_SIZE);
    const config = decodeNvList(region);
    edit(config);
    const packed = encodeNvList(config);
    if (packed.length > CONFIG_SIZE - TRAILER) throw new Error("the edited config does not fit its label");
    region.fill(0);
    region.set(packed);
    sealEmbedded(region, BigInt(at));
  }
}

/**
 * Rewrites every uberblock (1 KiB slots, ashift 9) of every label as a
 * big-endian host would have written it: each 64-bit word byte-swapped, the
 * trailer sealed big-endian. Labels are resealed big-endian too.
 */
export function byteswapUberblocks(image: Uint8Array): void {
  const view = new DataView(image.buffer, image.byteOffset, image.length);
  const slot = 1 << 10;
  for (const label of labelOffsets(image.length)) {
    const config = image.subarray(label + CONFIG_AT, label + CONFIG_AT + CONFIG_SIZE);
    sealEmbedded(config, BigInt(label + CONFIG_AT), true);
    for (let at = label + RING_AT; at < label + RING_AT + RING_SIZE; at += slot) {
      if (view.getBigUint64(at, true) !== UBERBLOCK_MAGIC) continue;
      for (let word = at; word < at + slot - TRAILER; word += 8) view.setBigUint64(word, view.getBigUint64(word, true), false);
      sealEmbedded(image.subarray(at, at + slot), BigInt(at), true);
    }
  }
}
