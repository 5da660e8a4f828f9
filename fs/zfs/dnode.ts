// Dnodes (dnode_phys_t, 512 bytes): an object's shape and where its blocks
// are. Data blocks (level 0) hang below up to nlevels - 1 levels of
// indirect blocks, each holding 2^(indblkshift - 7) block pointers; the top
// level is the dnode's own 1 to 3 pointers. The bonus buffer (a znode, a
// DSL record) follows them.
//
//   +0 u8 type  +1 u8 indblkshift  +2 u8 nlevels  +3 u8 nblkptr  +4 u8 bonustype
//   +5 u8 checksum  +6 u8 compress  +7 u8 flags  +8 u16 data block size in sectors
//   +10 u16 bonuslen  +16 u64 maxblkid  +24 u64 used (bytes if flags bit 0, else sectors)
//   +64 blkptr[nblkptr]  then bonus[bonuslen]

import { BlockPointer, BLOCK_POINTER_SIZE } from "./blkptr";
import { le16, le64, u8At } from "./bytes";
import { readBlock, ioError, MAX_BLOCK } from "./io";
import { Pool } from "./pool";
import { EIO } from "./errno";
import { DNODE_SIZE, BLOCK_POINTERS_AT } from "./dnode-write";

export { DNODE_SIZE } from "./dnode-write";
const MAX_LEVELS: i32 = 10;
const FLAG_USED_BYTES: u32 = 1;

export class Dnode {
  constructor(public data: Uint8Array) {}

  get type(): u32 { return u8At(this.data, 0); }
  get indirectShift(): i32 { return <i32>u8At(this.data, 1); }
  get levels(): i32 { return <i32>u8At(this.data, 2); }
  get pointers(): i32 { return <i32>u8At(this.data, 3); }
  get bonusType(): u32 { return u8At(this.data, 4); }
  get blockSize(): i32 { return <i32>le16(this.data, 8) << 9; }
  get bonusLength(): i32 { return <i32>le16(this.data, 10); }
  get maxBlock(): u64 { return le64(this.data, 16); }
  get bonusAt(): i32 { return BLOCK_POINTERS_AT + this.pointers * BLOCK_POINTER_SIZE; }

  /** Space used on disk, in bytes. */
  get usedBytes(): u64 {
    const used = le64(this.data, 24);
    return (u8At(this.data, 7) & FLAG_USED_BYTES) != 0 ? used : used << 9;
  }

  /** Whether the fields that size blocks and buffers are in range (a free dnode is not). */
  get valid(): bool {
    const pointers = this.pointers;
    const size = this.blockSize;
    return this.type != 0 && this.levels >= 1 && this.levels <= MAX_LEVELS && pointers >= 1 && pointers <= 3 &&
      this.indirectShift >= 10 && this.indirectShift <= 17 && size >= 512 && size <= MAX_BLOCK &&
      this.bonusAt + this.bonusLength <= DNODE_SIZE;
  }

  pointer(index: i32): BlockPointer {
    return new BlockPointer(this.data, BLOCK_POINTERS_AT + index * BLOCK_POINTER_SIZE);
  }
}

/**
 * Where the hole that the last readObjectBlock answered zeros for ends (a
 * block number): a hole in an indirect block covers all the blocks below
 * it, so readers may skip them at once.
 */
export let holeEnd: u64 = 0;

/** Data block `block` of the object (`blockSize` bytes; zeros in a hole), or null with ioError set. */
export function readObjectBlock(pool: Pool, dnode: Dnode, block: u64): Uint8Array | null {
  const size = dnode.blockSize;
  const perIndirect = dnode.indirectShift - 7;
  const levels = dnode.levels;
  const topShift = perIndirect * (levels - 1);
  const top = topShift >= 64 ? 0 : block >> <u64>topShift;
  holeEnd = block + 1;
  if (block > dnode.maxBlock || top >= <u64>dnode.pointers) {
    holeEnd = block > dnode.maxBlock ? U64.MAX_VALUE : block + 1;
    return new Uint8Array(size);
  }
  let bp = dnode.pointer(<i32>top);
  for (let level = levels - 1; level > 0; level--) {
    if (bp.isHole) {
      const shift = perIndirect * level;
      holeEnd = shift >= 48 ? U64.MAX_VALUE : ((block >> <u64>shift) + 1) << <u64>shift;
      return new Uint8Array(size);
    }
    const indirect = readBlock(pool, bp, 1 << dnode.indirectShift, level);
    if (indirect === null) return null;
    const index = <i32>((block >> <u64>(perIndirect * (level - 1))) & ((1 << perIndirect) - 1));
    bp = new BlockPointer(indirect, index * BLOCK_POINTER_SIZE);
  }
  return readBlock(pool, bp, size, 0);
}

/**
 * Copies bytes [offset, offset + length) of the object to the address `to`
 * (the caller checked it); the caller bounds the range by the object's
 * size. Answers the count or a negative errno.
 */
export function readObject(pool: Pool, dnode: Dnode, offset: u64, to: usize, length: i32): i32 {
  const size = <u64>dnode.blockSize;
  let done = 0;
  while (done < length) {
    const at = offset + <u64>done;
    const block = readObjectBlock(pool, dnode, at / size);
    if (block === null) return ioError < 0 ? ioError : -EIO;
    const within = <i32>(at % size);
    if (holeEnd > at / size + 1) {
      // A hole spanning later blocks too: zeros up to its end, without visiting each block.
      const span = holeEnd > U64.MAX_VALUE / size ? <u64>length : holeEnd * size - at;
      const zeros = <i32>min<u64>(<u64>(length - done), span);
      memory.fill(to + <usize>done, 0, <usize>zeros);
      done += zeros;
      continue;
    }
    const take = min(length - done, block.length - within);
    if (take <= 0) return -EIO;
    memory.copy(to + <usize>done, block.dataStart + <usize>within, <usize>take);
    done += take;
  }
  return done;
}
