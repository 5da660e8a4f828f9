// An object set being written: its objects by number, and the meta
// object (the dnode array, 32 dnodes to a 16 KiB block) that holds them.
// sync() writes every changed object, puts its new dnode into the dnode
// array, writes the array's changed blocks and then the object set block
// (the meta dnode, the object set's type and flags, and for a ZPL
// dataset the user and group space accounting objects), and answers its
// block pointer.
//
// Write policy, as ZFS's: metadata (every object type but file contents
// and the other raw-data types, and every indirect block) is fletcher4
// and lzjb with one copy more than the data (the MOS: three); data blocks
// get the dataset's checksum, compression and copies.

import { BLOCK_POINTER_SIZE } from "../blkptr";
import { storeLe64 } from "../bytes";
import { DNODE_SIZE, OBJSET_TYPE_AT, OBJSET_FLAGS_AT, OBJSET_USER_AT, OBJSET_GROUP_AT } from "../dnode-write";
import { CHECKSUM_FLETCHER4 } from "../checksum";
import { BlockWriter, Policy, COMPRESS_LZJB, COMPRESS_OFF, pointerView } from "./blocks";
import { ObjectWriter, isDataType } from "./object";

export const TYPE_DNODE: u32 = 10;
const TYPE_OBJSET: u32 = 11;
const DNODE_BLOCK: i32 = 16 << 10;
const DNODES_PER_BLOCK: i32 = DNODE_BLOCK / DNODE_SIZE;
const OBJSET_BLOCK: i32 = 2048;


export class ObjsetWriter {
  objects: Array<ObjectWriter | null> = [null];
  meta: ObjectWriter;
  /** The user and group space accounting objects (ZPL datasets), written into the object set block. */
  userUsed: ObjectWriter | null = null;
  groupUsed: ObjectWriter | null = null;
  /** The object set block's pointer as last synced (null: never written). */
  pointer: Uint8Array | null = null;
  flags: u64 = 0;
  /** Data checksum and compression functions and copies; metadata gets one copy more (at most 3). */
  dataChecksum: u32 = CHECKSUM_FLETCHER4;
  dataCompression: u32 = COMPRESS_OFF;
  dataCopies: i32 = 1;
  metaCopies: i32 = 2;
  /** Write metadata uncompressed (late sync passes, so sizes stop changing). */
  plainMetadata: bool = false;
  private freed: Array<u64> = new Array<u64>();
  private nextObject: u64 = 1;

  constructor(public type: u64, metaLevels: i32) {
    this.meta = new ObjectWriter(TYPE_DNODE, DNODE_BLOCK, 0, 0);
    this.meta.pointerCount = 3;
    this.meta.levels = metaLevels;
    this.meta.holdsDnodes = true;
  }

  /** Adds `object` under the lowest free number (from the allocation cursor on) and answers the number. */
  add(object: ObjectWriter): u64 {
    let number = this.nextObject;
    while (number < <u64>this.objects.length && this.objects[<i32>number] !== null) number++;
    this.place(number, object);
    this.nextObject = number + 1;
    return number;
  }

  /** Puts `object` at `number`, which must be free. */
  place(number: u64, object: ObjectWriter): void {
    while (<u64>this.objects.length <= number) this.objects.push(null);
    this.objects[<i32>number] = object;
    object.dirty = true;
  }

  object(number: u64): ObjectWriter | null {
    return number < <u64>this.objects.length ? this.objects[<i32>number] : null;
  }

  /** Frees object `number`: its blocks at once, its dnode slot at the next sync. */
  remove(number: u64, writer: BlockWriter): void {
    const object = this.object(number);
    if (object === null) return;
    object.releaseAll(writer);
    this.objects[<i32>number] = null;
    this.freed.push(number);
    if (number < this.nextObject) this.nextObject = number;
  }

  get needsSync(): bool {
    if (this.pointer === null || this.freed.length > 0 || this.meta.needsSync) return true;
    for (let i = 1; i < this.objects.length; i++) {
      const object = this.objects[i];
      if (object !== null && object.needsSync) return true;
    }
    return false;
  }

  private dataPolicy(type: u32): Policy {
    if (isDataType(type)) return new Policy(type, 0, this.dataChecksum, this.dataCompression, this.dataCopies);
    return new Policy(type, 0, CHECKSUM_FLETCHER4, this.plainMetadata ? COMPRESS_OFF : COMPRESS_LZJB, this.metaCopies);
  }

  private metaPolicy(): Policy {
    return new Policy(0, 1, CHECKSUM_FLETCHER4, this.plainMetadata ? COMPRESS_OFF : COMPRESS_LZJB, this.metaCopies);
  }

  /** Syncs `object` and stores its dnode at slot `number` of the dnode array; false on error. */
  private syncObject(number: u64, object: ObjectWriter, writer: BlockWriter): bool {
    const dnode = object.sync(writer, this.dataPolicy(object.type), this.metaPolicy());
    if (dnode === null) return false;
    return this.storeDnode(number, dnode, writer);
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
    for (let i = 0; i < this.freed.length; i++) {
      if (this.object(this.freed[i]) === null && !this.storeDnode(this.freed[i], new Uint8Array(DNODE_SIZE), writer)) return null;
    }
    this.freed.length = 0;
    for (let i = 1; i < this.objects.length; i++) {
      const object = this.objects[i];
      if (object !== null && object.needsSync && !this.syncObject(<u64>i, object, writer)) return null;
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

  /** Space taken by the object set (every object's blocks, the dnode array and the object set block itself): used, compressed and uncompressed bytes, as the DSL counts them. */
  space(): SpaceTotals {
    const totals = new SpaceTotals();
    totals.addObject(this.meta);
    for (let i = 1; i < this.objects.length; i++) {
      const object = this.objects[i];
      if (object !== null) totals.addObject(object);
    }
    if (this.userUsed !== null) totals.addObject(this.userUsed!);
    if (this.groupUsed !== null) totals.addObject(this.groupUsed!);
    const pointer = this.pointer;
    if (pointer !== null) {
      const bp = pointerView(pointer);
      totals.used += bp.allocated(0) + bp.allocated(1) + bp.allocated(2);
      totals.compressed += <u64>bp.physicalSize;
      totals.uncompressed += <u64>bp.physicalSize;
    }
    return totals;
  }
}

export class SpaceTotals {
  used: u64 = 0;
  compressed: u64 = 0;
  uncompressed: u64 = 0;

  addObject(object: ObjectWriter): void {
    this.used += object.used;
    this.compressed += object.compressed;
    this.uncompressed += object.uncompressed;
  }
}
