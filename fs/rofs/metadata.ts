// Reading ROFS records out of the metadata: named accessors over the raw
// bytes, so the rest of the reader never computes an offset by hand.
//
// `metadata` is the address of the metadata's first byte in memory (in place
// on an in-memory image, or a copy). Records are read with plain loads (wasm
// allows unaligned ones). Nothing here checks bounds: mount (validate.ts)
// proves every record and every reference lies inside the metadata before
// anything else reads it.

import {
  INODE_SIZE, INODE_TYPE, INODE_FLAGS, INODE_MODE, INODE_MTIME, INODE_SIZE_FIELD, INODE_LOCATION,
  INODE_TABLE, INODE_PARENT, ENTRY_SIZE, ENTRY_INODE, ENTRY_NAME, ENTRY_NAME_LENGTH,
  BLOCK_ENTRY_SIZE, BLOCK_OFFSET, BLOCK_LENGTH, BLOCK_CHECKSUM, BLOCK_LZ4, BLOCK_LENGTH_MASK,
} from "./layout";

@inline export function inodeAt(metadata: usize, inode: u32): usize {
  return metadata + <usize>inode * INODE_SIZE;
}
@inline export function inodeType(record: usize): u32 {
  return load<u8>(record + INODE_TYPE);
}
@inline export function inodeFlags(record: usize): u32 {
  return load<u8>(record + INODE_FLAGS);
}
@inline export function inodeMode(record: usize): u32 {
  return load<u16>(record + INODE_MODE);
}
@inline export function inodeMtime(record: usize): u32 {
  return load<u32>(record + INODE_MTIME);
}
@inline export function inodeSize(record: usize): u64 {
  return load<u64>(record + INODE_SIZE_FIELD);
}
@inline export function inodeLocation(record: usize): u64 {
  return load<u64>(record + INODE_LOCATION);
}
@inline export function inodeTable(record: usize): u32 {
  return load<u32>(record + INODE_TABLE);
}
@inline export function inodeParent(record: usize): u32 {
  return load<u32>(record + INODE_PARENT);
}

/** Entry `index` of a directory whose entries start at metadata offset `entries`. */
@inline export function entryAt(metadata: usize, entries: u64, index: u64): usize {
  return metadata + <usize>entries + <usize>index * ENTRY_SIZE;
}
@inline export function entryInode(entry: usize): u32 {
  return load<u32>(entry + ENTRY_INODE);
}
@inline export function entryName(entry: usize): u32 {
  return load<u32>(entry + ENTRY_NAME);
}
@inline export function entryNameLength(entry: usize): u32 {
  return load<u16>(entry + ENTRY_NAME_LENGTH);
}

/** Record `index` of the block table at metadata offset `table`. */
@inline export function blockAt(metadata: usize, table: u32, index: u64): usize {
  return metadata + <usize>table + <usize>index * BLOCK_ENTRY_SIZE;
}
@inline export function blockOffset(block: usize): u32 {
  return load<u32>(block + BLOCK_OFFSET);
}
@inline export function blockStoredLength(block: usize): u32 {
  return load<u32>(block + BLOCK_LENGTH) & <u32>BLOCK_LENGTH_MASK;
}
@inline export function blockIsLz4(block: usize): bool {
  return (load<u32>(block + BLOCK_LENGTH) & <u32>BLOCK_LZ4) != 0;
}
@inline export function blockChecksum(block: usize): u32 {
  return load<u32>(block + BLOCK_CHECKSUM);
}

/** Blocks of a file of `size` bytes with blocks of 1 << shift bytes. */
@inline export function blockCount(size: u64, shift: u32): u64 {
  return (size + ((<u64>1 << shift) - 1)) >> shift;
}

/** Bytes of file data block `index` holds (the last one may be short). */
@inline export function blockDataLength(size: u64, shift: u32, index: u64): u32 {
  const start = index << shift;
  const rest = size - start;
  const full = <u64>1 << shift;
  return <u32>(rest < full ? rest : full);
}

/**
 * Compares the name of `length` bytes at `a` with the one at `b` as unsigned
 * bytes, the shorter first on a tie: <0, 0 or >0, the order entries are
 * sorted in.
 */
export function compareNames(a: usize, aLength: u32, b: usize, bLength: u32): i32 {
  const common = aLength < bLength ? aLength : bLength;
  for (let i: u32 = 0; i < common; i++) {
    const x = <i32>load<u8>(a + i);
    const y = <i32>load<u8>(b + i);
    if (x != y) return x - y;
  }
  return <i32>aLength - <i32>bLength;
}
