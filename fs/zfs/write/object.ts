// One object being written: its dnode's fields, the block pointers of its
// data blocks and indirect blocks, and the data blocks changed since the
// last sync. sync() writes the changed data blocks, then every indirect
// block above a change (copy-on-write: a block is never written over,
// except one born in the same txg, blocks.ts), and answers the object's
// new dnode (512 bytes).
//
// Shape: data blocks hang below levels - 1 levels of indirect blocks of
// 2^indirectShift bytes (128 pointers each with the 16 KiB default); the
// top level is the dnode's own 1 to 3 pointers. Levels grow as the object
// does and never shrink.

import { BLOCK_POINTER_SIZE, NewBlockPointer } from "../blkptr";
import { NewDnode, writeDnode, DNODE_SIZE } from "../dnode-write";
import { BlockWriter, Policy, pointerView } from "./blocks";

const MAX_BONUS: i32 = DNODE_SIZE - 64 - BLOCK_POINTER_SIZE;
export const DNODE_FLAG_USED_BYTES: u32 = 1;
export const DNODE_FLAG_USERUSED_ACCOUNTED: u32 = 2;

/** Whether blocks of `type` hold raw data rather than metadata (file contents, zvol data, "other" arrays). */
export function isDataType(type: u32): bool {
  return type == 19 || type == 23 || type == 25 || type == 26;
}

/** The space (all copies) a block pointer's block takes; 0 for a hole or none. */
export function allocatedBytes(pointer: Uint8Array | null): u64 {
  if (pointer === null) return 0;
  const bp = pointerView(pointer);
  if (bp.isHole) return 0;
  return bp.allocated(0) + bp.allocated(1) + bp.allocated(2);
}

function fillOf(pointer: Uint8Array | null): u64 {
  return pointer === null || pointerView(pointer).isHole ? 0 : load<u64>(pointer.dataStart + 88);
}

export class ObjectWriter {
  type: u32 = 0;
  bonusType: u32 = 0;
  bonus: Uint8Array = new Uint8Array(0);
  blockSize: i32 = 512;
  indirectShift: i32 = 14;
  pointerCount: i32 = 1;
  levels: i32 = 1;
  flags: u32 = DNODE_FLAG_USED_BYTES;
  /** Its data blocks are dnodes: a block's fill is its count of objects in use. */
  holdsDnodes: bool = false;
  /** Data block pointers by block number (null: a hole). */
  data: Array<Uint8Array | null> = new Array<Uint8Array | null>();
  /** indirect[level - 1]: the pointers of the level's indirect blocks. */
  indirect: Array<Array<Uint8Array | null>> = new Array<Array<Uint8Array | null>>();
  /** Changed data blocks, written at the next sync. */
  pending: Map<u64, Uint8Array> = new Map<u64, Uint8Array>();
  /** The dnode (fields or bonus) changed since the last sync. */
  dirty: bool = true;
  /** Space used by all its blocks (all copies), as of the last sync. */
  used: u64 = 0;
  /** Their physical (on-disk) and logical sizes (ZFS's compressed and uncompressed bytes). */
  compressed: u64 = 0;
  uncompressed: u64 = 0;
  /** Made in this session (not loaded from disk). */
  isNew: bool = true;
  /** What the user and group accounting counts for it (zpl.ts). */
  charged: bool = false;
  chargedUid: u64 = 0;
  chargedGid: u64 = 0;
  chargedBytes: u64 = 0;
  /** The three figures as the object set's totals last counted them (0 for an object new since). */
  baseUsed: u64 = 0;
  baseCompressed: u64 = 0;
  baseUncompressed: u64 = 0;

  constructor(type: u32, blockSize: i32, bonusType: u32, bonusLength: i32) {
    this.type = type;
    this.blockSize = blockSize;
    this.bonusType = bonusType;
    this.bonus = new Uint8Array(bonusLength);
    // As ZFS sizes it: the pointers take what the bonus leaves of the 320 bytes after the header.
    this.pointerCount = 1 + ((MAX_BONUS - bonusLength) >> 7);
  }

  /** How many data blocks it has (one past the last that was ever written). */
  get blockCount(): u64 {
    return <u64>this.data.length;
  }

  get needsSync(): bool {
    return this.dirty || this.pending.size > 0;
  }

  /** Replaces data block `block` with `content` (blockSize bytes) at the next sync. */
  put(block: u64, content: Uint8Array): void {
    while (<u64>this.data.length <= block) this.data.push(null);
    this.pending.set(block, content);
    this.dirty = true;
  }

  /** Data block `block`: the pending content, or read back through `writer` (zeros for a hole); null on a read error. */
  block(block: u64, writer: BlockWriter): Uint8Array | null {
    if (this.pending.has(block)) return this.pending.get(block);
    if (block >= <u64>this.data.length) return new Uint8Array(this.blockSize);
    const pointer = this.data[<i32>block];
    if (pointer === null) return new Uint8Array(this.blockSize);
    return writer.readBack(pointer, this.blockSize);
  }

  /** Drops data blocks from `count` on (their space is released at once or deferred, blocks.ts). */
  truncateBlocks(count: u64, writer: BlockWriter): void {
    const keys = this.pending.keys();
    for (let i = 0; i < keys.length; i++) if (keys[i] >= count) this.pending.delete(keys[i]);
    while (<u64>this.data.length > count) {
      const pointer = this.data.pop();
      if (pointer !== null) writer.release(pointer);
    }
    this.markAllIndirect();
    this.dirty = true;
  }

  /** Releases every block (the object is being freed). */
  releaseAll(writer: BlockWriter): void {
    this.pending.clear();
    for (let i = 0; i < this.data.length; i++) {
      const pointer = this.data[i];
      if (pointer !== null) writer.release(pointer);
    }
    for (let level = 0; level < this.indirect.length; level++) {
      const row = this.indirect[level];
      for (let i = 0; i < row.length; i++) {
        const pointer = row[i];
        if (pointer !== null) writer.release(pointer);
      }
    }
    this.data.length = 0;
    this.indirect.length = 0;
  }

  /** Puts `pointer` (level `level`, number `index` within it) and everything below it into the tree; false on a read error. */
  collect(pointer: Uint8Array, level: i32, index: u64, writer: BlockWriter): bool {
    if (pointerView(pointer).isHole) return true;
    if (level == 0) {
      if (index >= <u64>this.data.length) return false;
      this.data[<i32>index] = pointer;
      return true;
    }
    const row = this.indirect[level - 1];
    if (index >= <u64>row.length) return false;
    row[<i32>index] = pointer;
    const block = writer.readBack(pointer, 1 << this.indirectShift);
    if (block === null) return false;
    const per = 1 << (this.indirectShift - 7);
    for (let k = 0; k < per; k++) {
      const child = block.slice(k * BLOCK_POINTER_SIZE, (k + 1) * BLOCK_POINTER_SIZE);
      if (pointerView(child).isHole) continue;
      if (!this.collect(child, level - 1, index * <u64>per + <u64>k, writer)) return false;
    }
    return true;
  }

  private rebuildAll: bool = false;

  private markAllIndirect(): void {
    this.rebuildAll = true;
  }

  /** How many pointers an indirect block holds, as a shift. */
  private get perIndirect(): i32 {
    return this.indirectShift - 7;
  }

  private levelsFor(blocks: u64): i32 {
    let levels = 1;
    while (levels < 10 && (<u64>this.pointerCount << <u64>(this.perIndirect * (levels - 1))) < blocks) levels++;
    return levels;
  }

  /**
   * Writes what changed: pending data blocks with `data`'s policy, then
   * the indirect blocks above them with `meta`'s (its level set per block).
   * Answers the dnode, or null on error (writer.error).
   */
  sync(writer: BlockWriter, data: Policy, meta: Policy): Uint8Array | null {
    const changedFirst = new Set<i32>();
    const keys = this.pending.keys();
    keys.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i < keys.length; i++) {
      const block = keys[i];
      const content = this.pending.get(block);
      const fill: u64 = this.holdsDnodes ? countDnodes(content) : 1;
      const pointer = writer.write(content, data, fill, this.data[<i32>block]);
      if (pointer === null) return null;
      this.data[<i32>block] = pointerView(pointer).isHole ? null : pointer;
      changedFirst.add(<i32>(block >> <u64>this.perIndirect));
    }
    this.pending.clear();
    const levels = max(this.levels, this.levelsFor(<u64>this.data.length));
    if (levels != this.levels) this.rebuildAll = true;
    this.levels = levels;
    let changed = changedFirst;
    let children = this.data;
    for (let level = 1; level < levels; level++) {
      while (this.indirect.length < level) this.indirect.push(new Array<Uint8Array | null>());
      const row = this.indirect[level - 1];
      const per = 1 << this.perIndirect;
      const count = (children.length + per - 1) / per;
      while (row.length > count) {
        const gone = row.pop();
        if (gone !== null) writer.release(gone);
      }
      while (row.length < count) row.push(null);
      const next = new Set<i32>();
      for (let index = 0; index < count; index++) {
        if (!this.rebuildAll && !changed.has(index)) continue;
        const block = new Uint8Array(1 << this.indirectShift);
        let fill: u64 = 0;
        for (let k = 0; k < per; k++) {
          const child = index * per + k;
          if (child >= children.length) break;
          const pointer = children[child];
          if (pointer === null) continue;
          block.set(pointer!, k * BLOCK_POINTER_SIZE);
          fill += fillOf(pointer);
        }
        meta.level = level;
        meta.type = this.type;
        const pointer = writer.write(block, meta, fill, row[index]);
        if (pointer === null) return null;
        row[index] = pointerView(pointer).isHole ? null : pointer;
        next.add(index >> this.perIndirect);
      }
      changed = next;
      children = row;
    }
    this.rebuildAll = false;
    this.recount();
    this.dirty = false;
    return this.dnode(children);
  }

  /** The totals now count this object as it is. */
  settleBase(): void {
    this.baseUsed = this.used;
    this.baseCompressed = this.compressed;
    this.baseUncompressed = this.uncompressed;
  }

  /** Recounts used, compressed and uncompressed from the pointers in memory. */
  recount(): void {
    this.used = 0;
    this.compressed = 0;
    this.uncompressed = 0;
    for (let i = 0; i < this.data.length; i++) this.account(this.data[i]);
    for (let level = 0; level < this.indirect.length; level++) {
      const row = this.indirect[level];
      for (let i = 0; i < row.length; i++) this.account(row[i]);
    }
  }

  /** Adds a block's sizes to the totals: allocated (all copies), physical, and logical for data (physical for metadata, as ZFS counts). */
  private account(pointer: Uint8Array | null): void {
    if (pointer === null) return;
    const bp = pointerView(pointer);
    if (bp.isHole) return;
    this.used += bp.allocated(0) + bp.allocated(1) + bp.allocated(2);
    this.compressed += <u64>bp.physicalSize;
    this.uncompressed += <u64>(bp.level == 0 && isDataType(bp.type) ? bp.logicalSize : bp.physicalSize);
  }

  /** The dnode as last synced, with `top` (the top level's pointers). */
  private dnode(top: Array<Uint8Array | null>): Uint8Array {
    const fields = new NewDnode();
    fields.type = this.type;
    fields.indirectShift = this.indirectShift;
    fields.levels = this.levels;
    fields.bonusType = this.bonusType;
    fields.flags = this.flags;
    fields.blockSize = this.blockSize;
    fields.maxBlock = this.data.length > 0 ? <u64>(this.data.length - 1) : 0;
    fields.used = this.used;
    fields.bonus = this.bonus;
    fields.pointers = new Array<NewBlockPointer | null>(this.pointerCount);
    const out = new Uint8Array(DNODE_SIZE);
    writeDnode(out, 0, fields);
    for (let i = 0; i < this.pointerCount && i < top.length; i++) {
      const pointer = top[i];
      if (pointer !== null) out.set(pointer!, 64 + i * BLOCK_POINTER_SIZE);
    }
    return out;
  }
}

/** How many dnodes in use a block of dnodes holds. */
export function countDnodes(block: Uint8Array): u64 {
  let count: u64 = 0;
  for (let at = 0; at < block.length; at += DNODE_SIZE) if (block[at] != 0) count++;
  return count;
}

/**
 * An object as a dnode on disk describes it (512 bytes), with its whole
 * tree of block pointers read in (indirect blocks through `writer`), its
 * space counted and taken as the base; null when an indirect block cannot
 * be read or the dnode is not one this writer handles.
 */
export function loadObject(dnode: Uint8Array, writer: BlockWriter): ObjectWriter | null {
  const type = <u32>dnode[0];
  const indirectShift = <i32>dnode[1];
  const levels = <i32>dnode[2];
  const pointerCount = <i32>dnode[3];
  const blockSize = (<i32>dnode[8] | (<i32>dnode[9] << 8)) << 9;
  const bonusLength = <i32>dnode[10] | (<i32>dnode[11] << 8);
  const bonusAt = 64 + pointerCount * BLOCK_POINTER_SIZE;
  if (type == 0 || levels < 1 || levels > 10 || pointerCount < 1 || pointerCount > 3 || indirectShift < 10 || indirectShift > 17 ||
    blockSize < 512 || blockSize > (128 << 10) || bonusAt + bonusLength > DNODE_SIZE) return null;
  const object = new ObjectWriter(type, blockSize, <u32>dnode[4], bonusLength);
  object.indirectShift = indirectShift;
  object.pointerCount = pointerCount;
  object.levels = levels;
  object.flags = <u32>dnode[7];
  object.bonus.set(dnode.subarray(bonusAt, bonusAt + bonusLength));
  const maxBlock = load<u64>(dnode.dataStart + 16);
  let any = false;
  for (let i = 0; i < pointerCount; i++) if (!pointerView(dnode.subarray(64 + i * BLOCK_POINTER_SIZE, 64 + (i + 1) * BLOCK_POINTER_SIZE)).isHole) any = true;
  if (any) {
    if (maxBlock >= <u64>(1 << 30)) return null;
    for (let i: u64 = 0; i <= maxBlock; i++) object.data.push(null);
    const per = indirectShift - 7;
    let count = object.data.length;
    for (let level = 1; level < levels; level++) {
      count = (count + (1 << per) - 1) >> per;
      const row = new Array<Uint8Array | null>();
      for (let i = 0; i < count; i++) row.push(null);
      object.indirect.push(row);
    }
    for (let i = 0; i < pointerCount; i++) {
      const pointer = dnode.slice(64 + i * BLOCK_POINTER_SIZE, 64 + (i + 1) * BLOCK_POINTER_SIZE);
      if (!object.collect(pointer, levels - 1, <u64>i, writer)) return null;
    }
  }
  object.recount();
  object.settleBase();
  object.dirty = false;
  object.isNew = false;
  return object;
}
