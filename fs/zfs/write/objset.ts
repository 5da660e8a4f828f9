// An object set being written: its objects by number, and the meta
// object (the dnode array, 32 dnodes to a 16 KiB block) that holds them.
// Objects are loaded from the dnode array the first time they are asked
// for (an object set opened from disk), or made new. sync() writes every
// changed object, puts its new dnode into the dnode array, writes the
// array's changed blocks and then the object set block (the meta dnode,
// the object set's type and flags, and for a ZPL dataset the user and
// group space accounting objects), and answers its block pointer.
//
// Write policy, as ZFS's: metadata (every object type but file contents
// and the other raw-data types, and every indirect block) is fletcher4
// and lzjb with one copy more than the data (the MOS: three); data blocks
// get the dataset's checksum, compression and copies.
//
// Space is counted without visiting every object: the totals as of the
// last sync (or as the dataset record said at opening) plus what the
// objects loaded since changed.

import { BLOCK_POINTER_SIZE } from "../blkptr";
import { storeLe64, le64 } from "../bytes";
import { DNODE_SIZE, OBJSET_TYPE_AT, OBJSET_FLAGS_AT, OBJSET_USER_AT, OBJSET_GROUP_AT } from "../dnode-write";
import { CHECKSUM_FLETCHER4 } from "../checksum";
import { BlockWriter, Policy, COMPRESS_LZJB, COMPRESS_OFF, pointerView } from "./blocks";
import { ObjectWriter, isDataType, loadObject } from "./object";

export const TYPE_DNODE: u32 = 10;
const TYPE_OBJSET: u32 = 11;
const DNODE_BLOCK: i32 = 16 << 10;
const DNODES_PER_BLOCK: i32 = DNODE_BLOCK / DNODE_SIZE;
const OBJSET_BLOCK: i32 = 2048;

export class SpaceTotals {
  used: u64 = 0;
  compressed: u64 = 0;
  uncompressed: u64 = 0;

  /** Adds what `object` changed since its base. */
  addChange(object: ObjectWriter): void {
    this.used += object.used - object.baseUsed;
    this.compressed += object.compressed - object.baseCompressed;
    this.uncompressed += object.uncompressed - object.baseUncompressed;
  }

  copy(): SpaceTotals {
    const totals = new SpaceTotals();
    totals.used = this.used;
    totals.compressed = this.compressed;
    totals.uncompressed = this.uncompressed;
    return totals;
  }
}

export class ObjsetWriter {
  /** Objects loaded or made, by number. */
  loaded: Map<u64, ObjectWriter> = new Map<u64, ObjectWriter>();
  meta: ObjectWriter;
  /** The user and group space accounting objects (ZPL datasets), written into the object set block. */
  userUsed: ObjectWriter | null = null;
  groupUsed: ObjectWriter | null = null;
  /** The object set block's pointer as last synced or opened (null: never written). */
  pointer: Uint8Array | null = null;
  flags: u64 = 0;
  /** Data checksum and compression functions and copies; metadata gets one copy more (at most 3). */
  dataChecksum: u32 = CHECKSUM_FLETCHER4;
  dataCompression: u32 = COMPRESS_OFF;
  dataCopies: i32 = 1;
  metaCopies: i32 = 2;
  /** Write metadata uncompressed (late sync passes, so sizes stop changing). */
  plainMetadata: bool = false;
  /** The object set's space as of the last sync (or opening). */
  base: SpaceTotals = new SpaceTotals();
  /** The object set block's own space in `base`. */
  private basePointer: SpaceTotals = new SpaceTotals();
  /** Objects freed since the last sync: their dnode slots are cleared, their space leaves the totals. */
  private removed: Array<ObjectWriter> = new Array<ObjectWriter>();
  /** Free object numbers to hand out again (freed in this session). */
  private freedNumbers: Array<u64> = new Array<u64>();
  /** Numbers freed since the last sync: their dnode slots are cleared at the next one. */
  private clearSlots: Array<u64> = new Array<u64>();
  private nextObject: u64 = 1;
  /** Set when an object's dnode could not be read (an I/O error). */
  loadError: bool = false;

  constructor(public type: u64, metaLevels: i32, public writer: BlockWriter) {
    this.meta = new ObjectWriter(TYPE_DNODE, DNODE_BLOCK, 0, 0);
    this.meta.pointerCount = 3;
    this.meta.levels = metaLevels;
    this.meta.holdsDnodes = true;
  }

  /**
   * Takes over the object set whose block is `block` (the 1 or 2 KiB
   * object set block, already read) and `pointer`, and whose space the
   * dataset record says is `space`; false when its dnode array cannot be read.
   */
  open(pointer: Uint8Array, block: Uint8Array, space: SpaceTotals): bool {
    const writer = this.writer;
    const meta = loadObject(block.subarray(0, DNODE_SIZE), writer);
    if (meta === null || meta.type != TYPE_DNODE) return false;
    meta.holdsDnodes = true;
    this.meta = meta;
    this.flags = le64(block, OBJSET_FLAGS_AT);
    if (block.length >= OBJSET_BLOCK) {
      if (block[OBJSET_USER_AT] != 0) this.userUsed = loadObject(block.subarray(OBJSET_USER_AT, OBJSET_USER_AT + DNODE_SIZE), writer);
      if (block[OBJSET_GROUP_AT] != 0) this.groupUsed = loadObject(block.subarray(OBJSET_GROUP_AT, OBJSET_GROUP_AT + DNODE_SIZE), writer);
    }
    this.pointer = pointer;
    this.base = space.copy();
    this.basePointer = pointerSpace(pointer);
    this.nextObject = <u64>meta.data.length * <u64>DNODES_PER_BLOCK;
    if (this.nextObject == 0) this.nextObject = 1;
    return true;
  }

  /** Adds `object` under a free number and answers the number. */
  add(object: ObjectWriter): u64 {
    let number: u64;
    if (this.freedNumbers.length > 0) number = this.freedNumbers.shift();
    else {
      number = this.nextObject;
      while (this.loaded.has(number)) number++;
      this.nextObject = number + 1;
    }
    this.place(number, object);
    return number;
  }

  /** Puts `object` at `number`, which must be free. */
  place(number: u64, object: ObjectWriter): void {
    this.loaded.set(number, object);
    object.dirty = true;
    if (number >= this.nextObject) this.nextObject = number + 1;
  }

  /** Object `number`, loaded from the dnode array on first use; null for a free number (or a read error: loadError). */
  object(number: u64): ObjectWriter | null {
    if (this.loaded.has(number)) return this.loaded.get(number);
    if (number == 0 || this.freedNumbers.includes(number)) return null;
    const blockNumber = number / <u64>DNODES_PER_BLOCK;
    if (blockNumber >= this.meta.blockCount) return null;
    const block = this.meta.block(blockNumber, this.writer);
    if (block === null) {
      this.loadError = true;
      return null;
    }
    const at = <i32>(number % <u64>DNODES_PER_BLOCK) * DNODE_SIZE;
    if (block[at] == 0) return null;
    const object = loadObject(block.subarray(at, at + DNODE_SIZE), this.writer);
    if (object === null) {
      this.loadError = true;
      return null;
    }
    this.loaded.set(number, object);
    return object;
  }

  /** Frees object `number`: its blocks at once, its dnode slot at the next sync. */
  remove(number: u64): void {
    const object = this.object(number);
    if (object === null) return;
    object.releaseAll(this.writer);
    object.recount();
    this.loaded.delete(number);
    this.removed.push(object);
    this.freedNumbers.push(number);
    this.clearSlots.push(number);
  }

  get needsSync(): bool {
    if (this.pointer === null || this.removed.length > 0 || this.clearSlots.length > 0 || this.meta.needsSync) return true;
    const objects = this.loaded.values();
    for (let i = 0; i < objects.length; i++) if (objects[i].needsSync) return true;
    return false;
  }

  private dataPolicy(type: u32): Policy {
    if (isDataType(type)) return new Policy(type, 0, this.dataChecksum, this.dataCompression, this.dataCopies);
    return new Policy(type, 0, CHECKSUM_FLETCHER4, this.plainMetadata ? COMPRESS_OFF : COMPRESS_LZJB, this.metaCopies);
  }

  private metaPolicy(): Policy {
    return new Policy(0, 1, CHECKSUM_FLETCHER4, this.plainMetadata ? COMPRESS_OFF : COMPRESS_LZJB, this.metaCopies);
  }

  private storeDnode(number: u64, dnode: Uint8Array, writer: BlockWriter): bool {
    const blockNumber = number / <u64>DNODES_PER_BLOCK;
    const block = this.meta.block(blockNumber, writer);
    if (block === null) return false;
    block.set(dnode, <i32>(number % <u64>DNODES_PER_BLOCK) * DNODE_SIZE);
    this.meta.put(blockNumber, block);
    return true;
  }

  /** Called once the objects are synced, before the accounting objects are: false stops the sync. */
  accountingUpdate(): bool {
    return true;
  }

  /** Writes what changed and answers the object set block's pointer, or null on error (writer.error). */
  sync(writer: BlockWriter): Uint8Array | null {
    for (let i = 0; i < this.clearSlots.length; i++) {
      const number = this.clearSlots[i];
      if (!this.loaded.has(number) && !this.storeDnode(number, new Uint8Array(DNODE_SIZE), writer)) return null;
    }
    this.clearSlots.length = 0;
    const numbers = this.loaded.keys();
    numbers.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < numbers.length; i++) {
      const object = this.loaded.get(numbers[i]);
      if (!object.needsSync) continue;
      const dnode = object.sync(writer, this.dataPolicy(object.type), this.metaPolicy());
      if (dnode === null || !this.storeDnode(numbers[i], dnode, writer)) return null;
    }
    if (!this.accountingUpdate()) return null;
    const metaDnode = this.meta.sync(writer, this.dataPolicy(TYPE_DNODE), this.metaPolicy());
    if (metaDnode === null) return null;
    const block = new Uint8Array(OBJSET_BLOCK);
    block.set(metaDnode!, 0);
    storeLe64(block, OBJSET_TYPE_AT, this.type);
    storeLe64(block, OBJSET_FLAGS_AT, this.flags);
    const user = this.userUsed;
    const group = this.groupUsed;
    if (user !== null) {
      const dnode = user.sync(writer, this.dataPolicy(user.type), this.metaPolicy());
      if (dnode === null) return null;
      block.set(dnode!, OBJSET_USER_AT);
    }
    if (group !== null) {
      const dnode = group.sync(writer, this.dataPolicy(group.type), this.metaPolicy());
      if (dnode === null) return null;
      block.set(dnode!, OBJSET_GROUP_AT);
    }
    let fill: u64 = 0;
    for (let i = 0; i < this.meta.pointerCount; i++) {
      const at = 64 + i * BLOCK_POINTER_SIZE;
      const top = pointerView(metaDnode.subarray(at, at + BLOCK_POINTER_SIZE));
      if (!top.isHole) fill += load<u64>(metaDnode.dataStart + <usize>(at + 88));
    }
    const policy = new Policy(TYPE_OBJSET, 0, CHECKSUM_FLETCHER4, this.plainMetadata ? COMPRESS_OFF : COMPRESS_LZJB, this.metaCopies);
    const pointer = writer.write(block, policy, fill, this.pointer);
    if (pointer === null) return null;
    this.pointer = pointer;
    return pointer;
  }

  /** The object set's space now: used (all copies), compressed and uncompressed bytes, as the DSL counts them. */
  space(): SpaceTotals {
    const totals = this.base.copy();
    totals.addChange(this.meta);
    const objects = this.loaded.values();
    for (let i = 0; i < objects.length; i++) totals.addChange(objects[i]);
    for (let i = 0; i < this.removed.length; i++) totals.addChange(this.removed[i]);
    if (this.userUsed !== null) totals.addChange(this.userUsed!);
    if (this.groupUsed !== null) totals.addChange(this.groupUsed!);
    const now = pointerSpace(this.pointer);
    totals.used += now.used - this.basePointer.used;
    totals.compressed += now.compressed - this.basePointer.compressed;
    totals.uncompressed += now.uncompressed - this.basePointer.uncompressed;
    return totals;
  }

  /** After a txg is on disk: its totals become the base, and freed objects are forgotten. */
  settle(): void {
    this.base = this.space();
    this.basePointer = pointerSpace(this.pointer);
    this.meta.settleBase();
    const objects = this.loaded.values();
    for (let i = 0; i < objects.length; i++) objects[i].settleBase();
    if (this.userUsed !== null) this.userUsed!.settleBase();
    if (this.groupUsed !== null) this.groupUsed!.settleBase();
    this.removed.length = 0;
  }
}

function pointerSpace(pointer: Uint8Array | null): SpaceTotals {
  const totals = new SpaceTotals();
  if (pointer === null) return totals;
  const bp = pointerView(pointer);
  if (bp.isHole) return totals;
  totals.used = bp.allocated(0) + bp.allocated(1) + bp.allocated(2);
  totals.compressed = <u64>bp.physicalSize;
  totals.uncompressed = <u64>bp.physicalSize;
  return totals;
}
