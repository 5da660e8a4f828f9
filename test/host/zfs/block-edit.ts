// Test support: changing bytes deep in a pool image with every checksum on
// the way up made right again, so a test can say "this dataset's master
// node holds VERSION 5" of a pool zfs-fuse wrote. A block is found by
// walking from the newest uberblock (MOS → object directory → DSL dir →
// dataset → object set → object); changing a byte of it changes its
// physical bytes (in place where the lzjb stream holds them as literals,
// else the block is compressed again), every copy (DVA) is rewritten, its
// size and fletcher4 or SHA-256 go into the block pointer in its parent,
// which is changed the same way, up to the uberblock, which is resealed in
// every label (label-edit.ts).
//
// Metadata of pool version 23 is lzjb or uncompressed; micro ZAPs only.

import { createHash } from "node:crypto";
import { labelOffsets, sealEmbedded } from "./label-edit";

const DATA_START = 4 << 20;
const RING_AT = 128 << 10;
const SLOT = 1 << 10;
const COMPRESS_OFF = 2;
const COMPRESS_LZJB = 3;
const FLETCHER4 = 7;
const SHA256 = 8;

/** A block read from the image: where its pointer is, and which physical byte each logical byte came from (-1: a match). */
interface Block {
  parent: Block | null;
  /** Where the 128-byte pointer is: in the parent's logical bytes, or (no parent) the image offset of the uberblock's root pointer. */
  pointerAt: number;
  pointer: DataView;
  physical: Uint8Array;
  logical: Uint8Array;
  origin: Int32Array;
}

const u64 = (view: DataView, at: number) => view.getBigUint64(at, true);

function lzjb(source: Uint8Array, size: number): [Uint8Array, Int32Array] {
  const out = new Uint8Array(size);
  const origin = new Int32Array(size).fill(-1);
  let s = 0;
  let map = 0;
  let mask = 0x80;
  for (let d = 0; d < size;) {
    mask <<= 1;
    if (mask === 0x100) [map, mask] = [source[s++], 1];
    if (map & mask) {
      const length = (source[s] >> 2) + 3;
      const from = d - (((source[s] << 8) | source[s + 1]) & 0x3ff);
      s += 2;
      for (let i = 0; i < length && d < size; i++) out[d++] = out[from + i];
    } else {
      origin[d] = s;
      out[d++] = source[s++];
    }
  }
  return [out, origin];
}

function readBlock(image: Uint8Array, parent: Block | null, pointerAt: number): Block {
  const holder = parent === null ? image : parent.logical;
  const pointer = new DataView(holder.buffer, holder.byteOffset + pointerAt, 128);
  const prop = u64(pointer, 48);
  const logicalSize = (Number(prop & 0xffffn) + 1) << 9;
  const physicalSize = (Number((prop >> 16n) & 0xffffn) + 1) << 9;
  const compression = Number((prop >> 32n) & 0xffn);
  const at = DATA_START + Number((u64(pointer, 8) & 0x7fffffffffffffffn) << 9n);
  const physical = image.slice(at, at + physicalSize);
  if (compression === COMPRESS_OFF) return { parent, pointerAt, pointer, physical, logical: physical.slice(), origin: Int32Array.from(physical.keys()) };
  if (compression !== COMPRESS_LZJB) throw new Error(`block-edit: compression #${compression}`);
  const [logical, origin] = lzjb(physical, logicalSize);
  return { parent, pointerAt, pointer, physical, logical, origin };
}

function checksum(kind: number, data: Uint8Array): bigint[] {
  if (kind === SHA256) {
    const digest = createHash("sha256").update(data).digest();
    return [0, 1, 2, 3].map((i) => digest.readBigUInt64BE(i * 8));
  }
  if (kind !== FLETCHER4) throw new Error(`block-edit: checksum #${kind}`);
  const view = new DataView(data.buffer, data.byteOffset, data.length);
  const mask = (1n << 64n) - 1n;
  let [a, b, c, d] = [0n, 0n, 0n, 0n];
  for (let i = 0; i < data.length; i += 4) {
    a = (a + BigInt(view.getUint32(i, true))) & mask;
    b = (b + a) & mask;
    c = (c + b) & mask;
    d = (d + c) & mask;
  }
  return [a, b, c, d];
}

/** lzjb as the format allows (greedy, 3-byte hash, matches of 3 to 66 bytes up to 1023 back). */
function lzjbCompress(source: Uint8Array): Uint8Array {
  const out: number[] = [];
  const last = new Map<number, number>();
  let mapAt = 0;
  let bit = 0x80;
  for (let s = 0; s < source.length;) {
    bit <<= 1;
    if (bit === 0x100) [mapAt, bit] = [out.push(0) - 1, 1];
    if (s + 3 <= source.length) {
      const key = (source[s] << 16) | (source[s + 1] << 8) | source[s + 2];
      const candidate = last.get(key);
      last.set(key, s);
      if (candidate !== undefined && s - candidate < 1024) {
        let length = 0;
        while (length < 66 && s + length < source.length && source[candidate + length] === source[s + length]) length++;
        if (length >= 3) {
          const distance = s - candidate;
          out[mapAt] |= bit;
          out.push(((length - 3) << 2) | (distance >> 8), distance & 0xff);
          s += length;
          continue;
        }
      }
    }
    out.push(source[s++]);
  }
  return Uint8Array.from(out);
}

/**
 * Sets `bytes` at `offset` of the block's logical data, rewriting its copies
 * and every checksum above it. An lzjb block is changed in place if every
 * changed byte is a literal of its stream, else compressed again (it must
 * still fit the space its copies were given; its pointer's size changes).
 */
function patch(image: Uint8Array, block: Block, offset: number, bytes: Uint8Array): void {
  const changed = [...bytes.keys()].filter((i) => block.logical[offset + i] !== bytes[i]);
  if (changed.length === 0) return;
  block.logical.set(bytes, offset);
  const prop = u64(block.pointer, 48);
  let physicalSize = block.physical.length;
  if (changed.every((i) => block.origin[offset + i] >= 0)) {
    for (const i of changed) block.physical[block.origin[offset + i]] = bytes[i];
  } else {
    const packed = lzjbCompress(block.logical);
    physicalSize = Math.ceil(packed.length / 512) * 512;
    for (let dva = 0; dva < 3; dva++) {
      const allocated = Number(u64(block.pointer, dva * 16) & 0xffffffn) << 9;
      if (allocated !== 0 && allocated < physicalSize) throw new Error(`block-edit: the block no longer fits its ${allocated} bytes`);
    }
    block.physical = new Uint8Array(physicalSize);
    block.physical.set(packed);
    block.origin = lzjb(block.physical, block.logical.length)[1];
  }
  for (let dva = 0; dva < 3; dva++) {
    if ((u64(block.pointer, dva * 16) & 0xffffffn) === 0n) continue;
    image.set(block.physical, DATA_START + Number((u64(block.pointer, dva * 16 + 8) & 0x7fffffffffffffffn) << 9n));
  }
  // The pointer's properties (the physical size) and checksum, as the parent must now hold them: bytes 48 to 128.
  const tail = new Uint8Array(80);
  const view = new DataView(tail.buffer);
  tail.set(new Uint8Array(block.pointer.buffer, block.pointer.byteOffset + 48, 80));
  view.setBigUint64(0, (prop & ~(0xffffn << 16n)) | (BigInt(physicalSize / 512 - 1) << 16n), true);
  checksum(Number((prop >> 40n) & 0xffn), block.physical).forEach((word, i) => view.setBigUint64(48 + i * 8, word, true));
  if (block.parent !== null) return patch(image, block.parent, block.pointerAt + 48, tail);
  // The uberblock: the same one sits in every label's ring.
  const slot = block.pointerAt - 40;
  const txg = u64(new DataView(image.buffer, image.byteOffset), slot + 16);
  for (const label of labelOffsets(image.length)) {
    for (let at = label + RING_AT; at < label + 2 * RING_AT; at += SLOT) {
      const ring = new DataView(image.buffer, image.byteOffset + at, SLOT);
      if (u64(ring, 0) !== 0xbab10cn || u64(ring, 16) !== txg) continue;
      image.set(tail, at + 40 + 48);
      sealEmbedded(image.subarray(at, at + SLOT), BigInt(at));
    }
  }
}

/** The block holding object `object`'s dnode in the object set whose meta dnode is at `at` of `objset`, and the dnode's offset there. */
function dnodeOf(image: Uint8Array, objset: Block, at: number, object: number): [Block, number] {
  const view = new DataView(objset.logical.buffer, objset.logical.byteOffset + at);
  const [indirectShift, levels] = [view.getUint8(1), view.getUint8(2)];
  const perBlock = (view.getUint16(8, true) << 9) / 512;
  const blockId = Math.floor(object / perBlock);
  const perIndirect = indirectShift - 7;
  let block = readBlock(image, objset, at + 64 + 128 * Math.floor(blockId / 2 ** (perIndirect * (levels - 1))));
  for (let level = levels - 1; level > 0; level--) {
    block = readBlock(image, block, 128 * (Math.floor(blockId / 2 ** (perIndirect * (level - 1))) % 2 ** perIndirect));
  }
  return [block, (object % perBlock) * 512];
}

/** Block 0 of object `object` (its ZAP), and the value offset of micro ZAP entry `name` in it. */
function microEntry(image: Uint8Array, objset: Block, object: number, name: string): [Block, number] {
  const [holder, at] = dnodeOf(image, objset, 0, object);
  const zap = readBlock(image, holder, at + 64);
  if (u64(new DataView(zap.logical.buffer, zap.logical.byteOffset), 0) !== (1n << 63n) + 3n) throw new Error(`block-edit: object ${object} is not a micro ZAP`);
  for (let entry = 64; entry + 64 <= zap.logical.length; entry += 64) {
    const text = new TextDecoder().decode(zap.logical.subarray(entry + 14, entry + 64)).replace(/\0.*$/s, "");
    if (text === name) return [zap, entry];
  }
  throw new Error(`block-edit: no '${name}' in object ${object}`);
}

function numberAt(block: Block, at: number): number {
  return Number(u64(new DataView(block.logical.buffer, block.logical.byteOffset), at));
}

/** Sets the value of `name` in the master node of the pool's root dataset. */
export function setMasterNodeEntry(image: Uint8Array, name: string, value: bigint): void {
  const view = new DataView(image.buffer, image.byteOffset, image.length);
  let slot = -1;
  for (let at = RING_AT; at < 2 * RING_AT; at += SLOT) {
    if (u64(view, at) === 0xbab10cn && (slot < 0 || u64(view, at + 16) > u64(view, slot + 16))) slot = at;
  }
  const mos = readBlock(image, null, slot + 40);
  const [directory, rootAt] = microEntry(image, mos, 1, "root_dataset");
  const [dirHolder, dirAt] = dnodeOf(image, mos, 0, numberAt(directory, rootAt));
  const bonusAt = (holder: Block, at: number) => at + 64 + 128 * holder.logical[at + 3];
  const [dataHolder, dataAt] = dnodeOf(image, mos, 0, numberAt(dirHolder, bonusAt(dirHolder, dirAt) + 8));
  const objset = readBlock(image, dataHolder, bonusAt(dataHolder, dataAt) + 128);
  const [master, entry] = microEntry(image, objset, 1, name);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, value, true);
  patch(image, master, entry, bytes);
}
