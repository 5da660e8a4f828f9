// The host-test harness's part for the ZFS module's writing side
// (fs/zfs/nvlist-write.ts, label-write.ts, write/space.ts), which the
// module does not export on its own: nvlists built by handle (the NvWriter's address),
// packed, and sealed into label regions and uberblock slots. The lists keep
// the strings passed in (names and values), so they are not freed.

import { NvWriter } from "../../../fs/zfs/nvlist-write";
import { configRegion, uberblockSlot, UberblockFields } from "../../../fs/zfs/label-write";
import { lzjbCompress, lzjbDecompress } from "../../../fs/zfs/lzjb";
import { zlibDeflate } from "../../../fs/zfs/deflate";
import { BlockPointer, NewBlockPointer, Copy, writeBlockPointer } from "../../../fs/zfs/blkptr";
import { le64 } from "../../../fs/zfs/bytes";
import { MicroEntry, writeMicroZap, microNext, microName, microValue } from "../../../fs/zfs/zap-micro";
import { NewDnode, writeDnode, NewObjset, objsetBlock } from "../../../fs/zfs/dnode-write";
import { VdevSpace, Metaslab } from "../../../fs/zfs/write/space";

export function zfsNvNew(flags: u32): usize {
  return changetype<usize>(new NvWriter(flags));
}

export function zfsNvU64(list: usize, name: string, value: u64): void {
  changetype<NvWriter>(list).uint64(name, value);
}

export function zfsNvString(list: usize, name: string, value: string): void {
  changetype<NvWriter>(list).string(name, value);
}

export function zfsNvList(list: usize, name: string, child: usize): void {
  changetype<NvWriter>(list).list(name, changetype<NvWriter>(child));
}

/** A fresh array of lists (for zfsNvLists), by handle. */
export function zfsNvArrayNew(): usize {
  return changetype<usize>(new Array<NvWriter>());
}

export function zfsNvArrayPush(array: usize, child: usize): void {
  changetype<Array<NvWriter>>(array).push(changetype<NvWriter>(child));
}

export function zfsNvLists(list: usize, name: string, array: usize): void {
  changetype<NvWriter>(list).lists(name, changetype<Array<NvWriter>>(array));
}

export function zfsNvPack(list: usize): Uint8Array {
  return changetype<NvWriter>(list).pack();
}

/** The sealed configuration region of a label, for the region at device offset `at`; an empty array if the list does not fit. */
export function zfsConfigRegion(list: usize, at: u64): Uint8Array {
  const region = configRegion(changetype<NvWriter>(list), at);
  return region === null ? new Uint8Array(0) : region!;
}

/** A sealed uberblock slot of `size` bytes at device offset `at`, its MOS pointer the 128 bytes at `root`. */
export function zfsUberblockSlot(version: u64, txg: u64, guidSum: u64, timestamp: u64, root: usize, size: i32, at: u64): Uint8Array {
  const fields = new UberblockFields();
  fields.version = version;
  fields.txg = txg;
  fields.guidSum = guidSum;
  fields.timestamp = timestamp;
  memory.copy(fields.root.dataStart, root, 128);
  return uberblockSlot(fields, size, at);
}

/** A fresh byte array of `length` (the test fills it through its view). */
export function zfsBytes(length: i32): Uint8Array {
  return new Uint8Array(length);
}

export function zfsLzjbCompress(source: Uint8Array, length: i32, target: Uint8Array, targetLength: i32): i32 {
  return lzjbCompress(source, length, target, targetLength);
}

export function zfsZlibDeflate(source: Uint8Array, length: i32, target: Uint8Array, limit: i32): i32 {
  return zlibDeflate(source, length, target, limit);
}

export function zfsLzjbDecompress(source: Uint8Array, length: i32, target: Uint8Array, targetLength: i32): bool {
  return lzjbDecompress(source, length, target, targetLength);
}

/**
 * Reads the block pointer in the 128 bytes at `pointer` field by field and
 * writes it again with writeBlockPointer into `out`: what a writer that knew
 * those fields would have written.
 */
export function zfsRewriteBlockPointer(pointer: Uint8Array, out: Uint8Array): void {
  writeBlockPointer(out, 0, fieldsOf(pointer, 0));
}

/** The fields of the block pointer at `data[at, at + 128)`, read one by one. */
function fieldsOf(data: Uint8Array, at: i32): NewBlockPointer {
  const pointer = data.subarray(at, at + 128);
  const read = new BlockPointer(pointer, 0);
  const fields = new NewBlockPointer();
  for (let i = 0; i < 3; i++) {
    if (read.allocated(i) == 0 && read.offset(i) == 0 && read.vdev(i) == 0) continue;
    fields.copies.push(new Copy(read.vdev(i), read.offset(i), read.allocated(i), read.isGang(i)));
  }
  fields.logicalSize = read.logicalSize;
  fields.physicalSize = read.physicalSize;
  fields.compression = read.compression;
  fields.checksum = read.checksum;
  fields.type = read.type;
  fields.level = read.level;
  fields.birth = read.birth;
  fields.physicalBirth = le64(pointer, 72);
  fields.fill = le64(pointer, 88);
  for (let i = 0; i < 4; i++) fields.checksumWords[i] = read.checksumWord(i);
  return fields;
}

/**
 * Reads the 512-byte dnode in `data` field by field (its block pointers
 * too; an all-zero one is a hole) and lays it out again with writeDnode
 * into `out`; false if the writer refused.
 */
export function zfsRewriteDnode(data: Uint8Array, out: Uint8Array): bool {
  return writeDnode(out, 0, dnodeFields(data, 0));
}

/** The fields of the dnode at `data[at, at + 512)`, read one by one. */
function dnodeFields(whole: Uint8Array, at: i32): NewDnode {
  const data = whole.subarray(at, at + 512);
  const dnode = new NewDnode();
  dnode.type = data[0];
  dnode.indirectShift = data[1];
  dnode.levels = data[2];
  dnode.bonusType = data[4];
  dnode.checksum = data[5];
  dnode.compression = data[6];
  dnode.flags = data[7];
  dnode.blockSize = (<i32>data[8] | (<i32>data[9] << 8)) << 9;
  const bonusLength = <i32>data[10] | (<i32>data[11] << 8);
  dnode.maxBlock = le64(data, 16);
  dnode.used = le64(data, 24);
  const count = <i32>data[3];
  dnode.pointers = new Array<NewBlockPointer | null>();
  for (let i = 0; i < count; i++) {
    const at = 64 + i * 128;
    let hole = true;
    for (let k = 0; k < 128; k++) if (data[at + k] != 0) hole = false;
    dnode.pointers.push(hole ? null : fieldsOf(data, at));
  }
  const bonusAt = 64 + count * 128;
  dnode.bonus = data.slice(bonusAt, bonusAt + bonusLength);
  return dnode;
}

/** Reads the object set block `data` (1 or 2 KiB) field by field and builds it again with objsetBlock; empty if refused. */
export function zfsRewriteObjset(data: Uint8Array): Uint8Array {
  const objset = new NewObjset();
  objset.meta = dnodeFields(data, 0);
  objset.log = data.slice(512, 704);
  objset.type = le64(data, 704);
  objset.flags = le64(data, 712);
  objset.accounting = data.length >= 2048;
  if (objset.accounting && data[1024] != 0) objset.userUsed = dnodeFields(data, 1024);
  if (objset.accounting && data[1536] != 0) objset.groupUsed = dnodeFields(data, 1536);
  const block = objsetBlock(objset);
  return block === null ? new Uint8Array(0) : block!;
}

/**
 * Reads the micro ZAP in `block` (its salt, normalization flags and entries
 * in slot order) and lays it out again with writeMicroZap into `out`, which
 * is as long; false if the writer refused.
 */
export function zfsRewriteMicroZap(block: Uint8Array, out: Uint8Array): bool {
  const entries = new Array<MicroEntry>();
  for (let i = microNext(block, 0); i >= 0; i = microNext(block, i + 1)) {
    if (i != entries.length) return false; // a freed slot before this one: not a layout the writer makes
    entries.push(new MicroEntry(microName(block, i), microValue(block, i)));
  }
  return writeMicroZap(out, le64(block, 8), le64(block, 16), entries);
}

// --- Space maps (fs/zfs/write/space.ts): a vdev's metaslabs by handle ---

/** A vdev of `asize` bytes in metaslabs as ZFS sizes them: its handle. */
export function zfsSpaceNew(asize: u64): usize {
  return changetype<usize>(new VdevSpace(asize));
}

export function zfsSpaceMetaslabs(space: usize): i32 {
  return changetype<VdevSpace>(space).metaslabs.length;
}

export function zfsSpaceShift(space: usize): i32 {
  return changetype<VdevSpace>(space).shift;
}

/** Copy `copy` of a block of `copies`: the offset, or -1. */
export function zfsSpaceAllocate(space: usize, size: u64, copy: i32, copies: i32): i64 {
  return changetype<VdevSpace>(space).allocate(size, copy, copies, new Array<i32>());
}

export function zfsSpaceRelease(space: usize, offset: u64, size: u64): bool {
  return changetype<VdevSpace>(space).release(offset, size);
}

/** Closes txg `txg` in every metaslab. */
export function zfsSpaceCommit(space: usize, txg: u64): void {
  const metaslabs = changetype<VdevSpace>(space).metaslabs;
  for (let i = 0; i < metaslabs.length; i++) metaslabs[i].commit(txg);
}

/** Metaslab `index`'s space map as committed. */
export function zfsSpaceLog(space: usize, index: i32): Uint8Array {
  return changetype<VdevSpace>(space).metaslabs[index].log;
}

export function zfsSpaceAllocatedBytes(space: usize, index: i32): u64 {
  return changetype<VdevSpace>(space).metaslabs[index].allocatedBytes;
}

/** Replays `log` into a fresh metaslab like `index`: its free ranges as [start, end, ...], or an empty array if the replay refused it. */
export function zfsSpaceReplay(space: usize, index: i32, log: Uint8Array, allocated: u64): Uint64Array {
  const like = changetype<VdevSpace>(space).metaslabs[index];
  const fresh = new Metaslab(index, like.start, like.size);
  if (!fresh.replay(log, allocated)) return new Uint64Array(0);
  const out = new Uint64Array(fresh.free.count * 2);
  for (let i = 0; i < fresh.free.count; i++) {
    out[i * 2] = fresh.free.starts[i];
    out[i * 2 + 1] = fresh.free.ends[i];
  }
  return out;
}
