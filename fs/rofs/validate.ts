// Mount-time proof that the metadata is sound, so that nothing read later
// can point outside the image or the metadata, or make a walk loop.
//
// Checks every inode: a known type and flags; a directory's entries inside
// the metadata, naming existing inodes, with well-formed names (1..255
// bytes, no '/' or NUL, not "." or "..") in strictly increasing order (what
// lookup's binary search needs); no entry naming the root, and no directory
// listed twice (so the tree reachable from the root is a tree: a walk ends);
// a symlink's target inside the metadata; a file's block table inside the
// metadata and every stored block inside the image, an uncompressed file's
// blocks contiguous (so it can be used in place). Returns 0, or -EBADMSG with
// what is wrong (kernel/failure.ts).

import { EBADMSG } from "../../kernel/errno";
import { fail } from "../../kernel/failure";
import {
  INODE_SIZE, INODE_TYPE_FILE, INODE_TYPE_DIRECTORY, INODE_TYPE_SYMLINK, INODE_FLAGS_KNOWN,
  INODE_FLAG_COMPRESSED, INODE_MODE_MASK, ENTRY_SIZE, BLOCK_ENTRY_SIZE, NAME_BYTES_MAX,
} from "./layout";
import {
  inodeAt, inodeType, inodeFlags, inodeMode, inodeSize, inodeLocation, inodeTable, inodeParent,
  entryAt, entryInode, entryName, entryNameLength, compareNames,
  blockAt, blockOffset, blockStoredLength, blockIsLz4, blockDataLength,
} from "./metadata";
import { RofsFileSystem } from "./filesystem";

/** Longest symlink target, in bytes (as POSIX PATH_MAX less the terminator). */
const TARGET_MAX: u64 = 4095;

export function validateMetadata(rofs: RofsFileSystem): i32 {
  const count = rofs.inodeCount;
  if (count == 0) return fail(EBADMSG, "rofs: the image has no inodes");
  if (<u64>count * INODE_SIZE > <u64>rofs.metadataSize) return fail(EBADMSG, "rofs: the inode table is larger than the metadata");
  if (inodeType(inodeAt(rofs.metadata, 0)) != INODE_TYPE_DIRECTORY) return fail(EBADMSG, "rofs: inode 0 (the root) is not a directory");
  const linked = heap.alloc(<usize>count);
  memory.fill(linked, 0, <usize>count);
  let result = 0;
  for (let inode: u32 = 0; inode < count && result == 0; inode++) {
    result = validateInode(rofs, inode, linked);
  }
  heap.free(linked);
  return result;
}

function inodeError(inode: u32, what: string): i32 {
  return fail(EBADMSG, "rofs: inode " + inode.toString() + " " + what);
}

function validateInode(rofs: RofsFileSystem, inode: u32, linked: usize): i32 {
  const record = inodeAt(rofs.metadata, inode);
  const flags = inodeFlags(record);
  if ((flags & ~INODE_FLAGS_KNOWN) != 0) return inodeError(inode, "has unknown flags 0x" + flags.toString(16));
  if ((inodeMode(record) & ~INODE_MODE_MASK) != 0) return inodeError(inode, "has a bad mode");
  if (inodeParent(record) >= rofs.inodeCount) return inodeError(inode, "names a parent past the inode table");
  const type = inodeType(record);
  if (type == INODE_TYPE_DIRECTORY) return validateDirectory(rofs, inode, record, linked);
  if (type == INODE_TYPE_FILE) return validateFile(rofs, inode, record);
  if (type == INODE_TYPE_SYMLINK) {
    const length = inodeSize(record);
    if (length == 0 || length > TARGET_MAX) return inodeError(inode, "has a symlink target of " + length.toString() + " bytes");
    if (!insideMetadata(rofs, inodeLocation(record), length)) return inodeError(inode, "points past the end of the metadata");
    return 0;
  }
  return inodeError(inode, "has unknown type " + type.toString());
}

/** Messages are built only when something is wrong: a valid image allocates nothing here. */
function entryError(inode: u32, index: u64, what: string): i32 {
  return inodeError(inode, "entry " + index.toString() + " " + what);
}

function insideMetadata(rofs: RofsFileSystem, offset: u64, length: u64): bool {
  const size = <u64>rofs.metadataSize;
  return offset <= size && length <= size - offset;
}

function validateDirectory(rofs: RofsFileSystem, inode: u32, record: usize, linked: usize): i32 {
  if (inodeFlags(record) != 0) return inodeError(inode, "is a directory with file flags");
  const count = inodeSize(record);
  const entries = inodeLocation(record);
  if (count > <u64>rofs.metadataSize / ENTRY_SIZE || !insideMetadata(rofs, entries, count * ENTRY_SIZE)) {
    return inodeError(inode, "points past the end of the metadata");
  }
  const metadata = rofs.metadata;
  let previousName: usize = 0;
  let previousLength: u32 = 0;
  for (let index: u64 = 0; index < count; index++) {
    const entry = entryAt(metadata, entries, index);
    const child = entryInode(entry);
    if (child >= rofs.inodeCount) {
      return entryError(inode, index, "names inode " + child.toString() + " (the image has " + rofs.inodeCount.toString() + ")");
    }
    if (child == 0) return entryError(inode, index, "names the root");
    const nameLength = entryNameLength(entry);
    if (nameLength == 0 || nameLength > <u32>NAME_BYTES_MAX) return entryError(inode, index, "has a bad name length");
    if (!insideMetadata(rofs, <u64>entryName(entry), <u64>nameLength)) return entryError(inode, index, "points past the end of the metadata");
    const name = metadata + entryName(entry);
    if (!wellFormedName(name, nameLength)) return entryError(inode, index, "has a name that is not a path component");
    if (index > 0 && compareNames(previousName, previousLength, name, nameLength) >= 0) {
      return entryError(inode, index, "is out of order (entries must be sorted and unique)");
    }
    previousName = name;
    previousLength = nameLength;
    const childRecord = inodeAt(metadata, child);
    if (inodeType(childRecord) == INODE_TYPE_DIRECTORY) {
      if (load<u8>(linked + child) != 0) return inodeError(child, "is a directory listed twice");
      store<u8>(linked + child, 1);
      if (inodeParent(childRecord) != inode) return inodeError(child, "names a parent other than the directory listing it");
    }
  }
  return 0;
}

function wellFormedName(name: usize, length: u32): bool {
  for (let i: u32 = 0; i < length; i++) {
    const byte = load<u8>(name + i);
    if (byte == 0x2f || byte == 0) return false;
  }
  const dot: u8 = 0x2e;
  if (length == 1 && load<u8>(name) == dot) return false;
  if (length == 2 && load<u8>(name) == dot && load<u8>(name + 1) == dot) return false;
  return true;
}

function validateFile(rofs: RofsFileSystem, inode: u32, record: usize): i32 {
  const size = inodeSize(record);
  if (size == 0) return 0;
  const shift = rofs.blockShift;
  const table = inodeTable(record);
  // The table bounds the block count, which bounds the size (no overflow below).
  const maxBlocks = <u64>rofs.metadataSize / BLOCK_ENTRY_SIZE;
  if (size > maxBlocks << shift) return inodeError(inode, "is larger than its block table can describe");
  const blocks = (size + ((<u64>1 << shift) - 1)) >> shift;
  if (!insideMetadata(rofs, <u64>table, blocks * BLOCK_ENTRY_SIZE)) return inodeError(inode, "points past the end of the metadata");
  const data = inodeLocation(record);
  const compressed = (inodeFlags(record) & INODE_FLAG_COMPRESSED) != 0;
  if (data > rofs.imageSize) return inodeError(inode, "points past the end of the image");
  let anyLz4 = false;
  for (let index: u64 = 0; index < blocks; index++) {
    const block = blockAt(rofs.metadata, table, index);
    const stored = <u64>blockStoredLength(block);
    const natural = <u64>blockDataLength(size, shift, index);
    const start = data + <u64>blockOffset(block);
    if (start > rofs.imageSize || stored > rofs.imageSize - start) return inodeError(inode, "points past the end of the image");
    if (blockIsLz4(block)) {
      anyLz4 = true;
      if (stored == 0) return inodeError(inode, "has an empty compressed block " + index.toString());
    } else {
      if (stored != natural) return inodeError(inode, "has raw block " + index.toString() + " of the wrong length");
      if (!compressed && <u64>blockOffset(block) != index << shift) {
        return inodeError(inode, "has its uncompressed blocks out of place");
      }
    }
  }
  if (anyLz4 != compressed) return inodeError(inode, compressed ? "is marked compressed but has no LZ4 block" : "has LZ4 blocks but is not marked compressed");
  return 0;
}
