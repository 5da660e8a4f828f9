// Guards the ZFS module's writing side against what zfs-fuse wrote: the
// label configuration of fixture pools (a single device; one side of a
// mirror, whose tree holds an array of lists) is decoded, built again with
// fs/zfs/nvlist-write.ts and packed to the very bytes zfs-fuse packed, then
// sealed (label-write.ts, checksum.ts sealEmbedded) into the very 112 KiB
// region, trailer included; the newest uberblock slot is rebuilt from its
// fields to the very 1 KiB; a list too big for the region is refused; and
// lzjb (fs/zfs/lzjb.ts) compresses zfs-fuse's metadata blocks (the MOS
// object set, its dnode blocks) back into the very streams zfs-fuse
// stored, and gives up when the stream would not fit; and every block
// pointer met on the way (the MOS root, its dnodes') is written again from
// its fields (fs/zfs/blkptr.ts writeBlockPointer) to the very 128 bytes,
// every micro ZAP of the MOS's first dnodes is laid out again from its
// entries (zap-micro.ts writeMicroZap, collision differentiators computed)
// to the very block, every dnode in use from its fields (dnode-write.ts) to
// the very 512 bytes, and the MOS object set block from its fields.

import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { decodeNvList, encodeNvList, NvList } from "./label-edit";

const harness = await Harness.withMemory(256);
const e = harness.exports;
const FIXTURES = new URL("../../fixtures/zfs/", import.meta.url).pathname;
const CONFIG_AT = 16 << 10;
const CONFIG_BYTES = 112 << 10;
const RING_AT = 128 << 10;
const SLOT = 1 << 10;

const image = (name: string) => gunzipSync(readFileSync(`${FIXTURES}${name}.img.gz`));
const views = (ptr: number) => (e as unknown as { __getUint8ArrayView(p: number): Uint8Array }).__getUint8ArrayView(ptr);
const bytesOf = (ptr: number) => Uint8Array.from((e as unknown as { __getUint8Array(p: number): Uint8Array }).__getUint8Array(ptr));

/** `list` built again in the harness, pair by pair: its handle. */
function build(list: NvList): number {
  const handle = e.zfsNvNew(list.flags);
  for (const [name, value] of list.pairs) {
    const key = harness.newString(name);
    if (value.type === "u64") e.zfsNvU64(handle, key, value.value);
    else if (value.type === "string") e.zfsNvString(handle, key, harness.newString(value.value));
    else if (value.type === "nvlist") e.zfsNvList(handle, key, build(value.value));
    else if (value.type === "nvlist[]") {
      const array = e.zfsNvArrayNew();
      for (const nested of value.value) e.zfsNvArrayPush(array, build(nested));
      e.zfsNvLists(handle, key, array);
    } else throw new Error(`a ${value.type} pair the writer does not make: ${name}`);
  }
  return handle;
}

/** Checks that writeBlockPointer, given the fields read from `pointer`, writes its 128 bytes again. */
function expectRewritten(pointer: Uint8Array, what: string): void {
  const source = e.zfsBytes(128);
  views(source).set(pointer);
  const out = e.zfsBytes(128);
  e.zfsRewriteBlockPointer(source, out);
  expect(Buffer.from(views(out)).equals(Buffer.from(pointer)), what).toBe(true);
}

/** The logical bytes of the block `pointer` (128 bytes) points to in `device`: read, and decompressed when lzjb. */
function logicalBlock(device: Uint8Array, pointer: Uint8Array): Uint8Array {
  const view = new DataView(pointer.buffer, pointer.byteOffset, 128);
  const prop = view.getBigUint64(48, true);
  const logicalSize = (Number(prop & 0xffffn) + 1) << 9;
  const physicalSize = (Number((prop >> 16n) & 0xffffn) + 1) << 9;
  const offset = (4 << 20) + Number((view.getBigUint64(8, true) & 0x7fffffffffffffffn) << 9n);
  const stored = device.subarray(offset, offset + physicalSize);
  const compression = Number((prop >> 32n) & 0xffn);
  if (compression === 2) return Uint8Array.from(stored.subarray(0, logicalSize)); // off (a copy: a Buffer's slice is a view)
  expect(compression).toBe(3);
  const source = e.zfsBytes(physicalSize);
  views(source).set(stored);
  const logical = e.zfsBytes(logicalSize);
  expect(e.zfsLzjbDecompress(source, physicalSize, logical, logicalSize)).toBe(1);
  return Uint8Array.from(views(logical));
}

/** Rewrites every micro ZAP the dnodes of `block` (512-byte dnodes) hold in their first data block; how many there were. */
function rewriteMicroZaps(device: Uint8Array, block: Uint8Array): number {
  let count = 0;
  for (let at = 0; at + 512 <= block.length; at += 512) {
    const pointer = block.subarray(at + 64, at + 192);
    if (block[at] === 0 || block[at + 3] === 0 || pointer.every((byte) => byte === 0) || block[at + 2] !== 1) continue; // free, no pointer, a hole, or indirect (dn_nlevels > 1)
    const data = logicalBlock(device, pointer);
    if (new DataView(data.buffer, data.byteOffset).getBigUint64(0, true) !== (1n << 63n) + 3n) continue; // not a micro ZAP
    const source = e.zfsBytes(data.length);
    views(source).set(data);
    const out = e.zfsBytes(data.length);
    expect(e.zfsRewriteMicroZap(source, out), `dnode ${at / 512}`).toBe(1);
    expect(Buffer.from(views(out)).equals(Buffer.from(data)), `dnode ${at / 512}'s micro ZAP`).toBe(true);
    count++;
  }
  return count;
}

/** Lays every dnode in use of `block` out again from its fields; how many there were. */
function rewriteDnodes(block: Uint8Array): number {
  let count = 0;
  for (let at = 0; at + 512 <= block.length; at += 512) {
    if (block[at] === 0) continue;
    const source = e.zfsBytes(512);
    views(source).set(block.subarray(at, at + 512));
    const out = e.zfsBytes(512);
    expect(e.zfsRewriteDnode(source, out), `dnode ${at / 512}`).toBe(1);
    expect(Buffer.from(views(out)).equals(Buffer.from(block.subarray(at, at + 512))), `dnode ${at / 512}`).toBe(true);
    count++;
  }
  return count;
}

/** Rewrites every block pointer of every dnode in a block of 512-byte dnodes; how many there were. */
function rewriteDnodePointers(block: Uint8Array): number {
  let count = 0;
  for (let at = 0; at + 512 <= block.length; at += 512) {
    if (block[at] === 0) continue; // a free dnode
    const pointers = block[at + 3];
    for (let i = 0; i < pointers; i++) {
      const pointer = block.subarray(at + 64 + i * 128, at + 64 + (i + 1) * 128);
      if (pointer.every((byte) => byte === 0)) continue; // a hole
      expectRewritten(pointer, `dnode ${at / 512} pointer ${i}`);
      count++;
    }
  }
  return count;
}

describe("fs/zfs writing: labels as zfs-fuse writes them", () => {
  for (const fixture of ["plain-0", "twin-0"]) {
    it(`packs and seals ${fixture}'s configuration to zfs-fuse's bytes`, () => {
      const device = image(fixture);
      const region = device.subarray(CONFIG_AT, CONFIG_AT + CONFIG_BYTES);
      const list = decodeNvList(region);
      const packed = encodeNvList(list);
      const handle = build(list);
      expect(Buffer.from(bytesOf(e.zfsNvPack(handle))).equals(Buffer.from(packed))).toBe(true);
      expect(Buffer.from(region.subarray(0, packed.length)).equals(Buffer.from(packed))).toBe(true);
      expect(Buffer.from(bytesOf(e.zfsConfigRegion(handle, BigInt(CONFIG_AT)))).equals(Buffer.from(region))).toBe(true);
    });

    it(`rebuilds ${fixture}'s newest uberblock slot byte for byte`, () => {
      const device = image(fixture);
      const view = new DataView(device.buffer, device.byteOffset, device.byteLength);
      let newest = -1;
      for (let slot = 0; slot < 128; slot++) {
        const at = RING_AT + slot * SLOT;
        if (view.getBigUint64(at, true) !== 0x00bab10cn) continue;
        if (newest < 0 || view.getBigUint64(at + 16, true) > view.getBigUint64(RING_AT + newest * SLOT + 16, true)) newest = slot;
      }
      expect(newest).toBeGreaterThanOrEqual(0);
      const at = RING_AT + newest * SLOT;
      const root = e.mmMalloc(128) >>> 0;
      harness.write(root, device.subarray(at + 40, at + 168));
      const fields = [8, 16, 24, 32].map((offset) => view.getBigUint64(at + offset, true));
      const slot = bytesOf(e.zfsUberblockSlot(fields[0], fields[1], fields[2], fields[3], root, SLOT, BigInt(at)));
      expect(Buffer.from(slot).equals(Buffer.from(device.subarray(at, at + SLOT)))).toBe(true);
      e.mmFree(root);
    });
  }

  for (const fixture of ["plain-0", "lzjb-0"]) {
    it(`compresses ${fixture}'s lzjb metadata blocks into zfs-fuse's own streams, and writes its object set, block pointers, micro ZAPs and dnodes again`, () => {
      const device = image(fixture);
      const view = new DataView(device.buffer, device.byteOffset, device.byteLength);
      const newestRoot = () => {
        let best = -1;
        for (let slot = 0; slot < 128; slot++) {
          const at = RING_AT + slot * SLOT;
          if (view.getBigUint64(at, true) === 0x00bab10cn && (best < 0 || view.getBigUint64(at + 16, true) > view.getBigUint64(best + 16, true))) best = at;
        }
        return best + 40;
      };
      // The MOS object set, then the first block of its dnodes (the meta dnode's pointer, at 64 in the object set).
      const pointers: Array<{ holder: Uint8Array; at: number }> = [{ holder: device, at: newestRoot() }];
      let checked = 0;
      let microZaps = 0;
      let dnodes = 0;
      for (let i = 0; i < pointers.length && i < 2; i++) {
        const { holder, at } = pointers[i];
        const pointer = new DataView(holder.buffer, holder.byteOffset + at, 128);
        const prop = pointer.getBigUint64(48, true);
        const logicalSize = (Number(prop & 0xffffn) + 1) << 9;
        const physicalSize = (Number((prop >> 16n) & 0xffffn) + 1) << 9;
        expect(Number((prop >> 32n) & 0xffn)).toBe(3); // lzjb
        const offset = (4 << 20) + Number((pointer.getBigUint64(8, true) & 0x7fffffffffffffffn) << 9n);
        const stored = device.subarray(offset, offset + physicalSize);
        const source = e.zfsBytes(physicalSize);
        views(source).set(stored);
        const logical = e.zfsBytes(logicalSize);
        expect(e.zfsLzjbDecompress(source, physicalSize, logical, logicalSize)).toBe(1);
        const target = e.zfsBytes(logicalSize);
        const length = e.zfsLzjbCompress(logical, logicalSize, target, logicalSize);
        expect(length).toBeLessThan(logicalSize);
        expect(Math.ceil(length / 512) * 512, `block ${i}`).toBe(physicalSize);
        expect(Buffer.from(views(target).subarray(0, length)).equals(Buffer.from(stored.subarray(0, length))), `block ${i}`).toBe(true);
        expect(e.zfsLzjbCompress(logical, logicalSize, target, length - 1)).toBe(logicalSize); // no room: stored plain
        pointers.push({ holder: Uint8Array.from(views(logical)), at: 64 });
        if (i === 0) expect(Buffer.from(bytesOf(e.zfsRewriteObjset(logical))).equals(Buffer.from(views(logical))), "the MOS object set").toBe(true);
        expectRewritten(holder.subarray(at, at + 128), `pointer ${i}`);
        if (i === 1) checked += rewriteDnodePointers(Uint8Array.from(views(logical)));
        if (i === 1) microZaps = rewriteMicroZaps(device, Uint8Array.from(views(logical)));
        if (i === 1) dnodes = rewriteDnodes(Uint8Array.from(views(logical)));
        checked++;
      }
      expect(checked).toBeGreaterThan(10); // the two blocks' pointers and the MOS dnodes' own
      expect(microZaps).toBeGreaterThanOrEqual(8); // the object directory, DSL props, child and snapshot maps...
      expect(dnodes).toBeGreaterThanOrEqual(20);
    });
  }

  it("refuses a configuration that does not fit the region", () => {
    const handle = e.zfsNvNew(1);
    e.zfsNvString(handle, harness.newString("name"), harness.newString("x".repeat(CONFIG_BYTES)));
    expect(bytesOf(e.zfsConfigRegion(handle, 0n)).length).toBe(0);
  });
});
