// One ROFS file, directory or symlink as the VFS sees it.
//
// Directories: lookup is a binary search over the sorted entries, for the
// name's UTF-8 bytes in a static key buffer (ASCII names are copied a
// character a byte; lookups run under the VFS lock, one at a time); readdir's
// cookie is the index of the next entry. Files: read goes block by block;
// a block's stored bytes are checked against their CRC-32C when first read
// (-EBADMSG on a mismatch) and, if LZ4, decompressed into the vnode's block
// buffer, which keeps the last block for the next read. On an in-memory
// image an uncompressed block is used in place, never copied, and a bitmap
// remembers which blocks were verified. The buffers are allocated on first
// read and freed by release(). A vnode serves one reader at a time.

import { Vnode, VnodeResult, DirEntry, Stat, TextResult, TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, NAME_MAX } from "../vfs/node";
import { ENOENT, EBADMSG, EINVAL, EISDIR, ENOTDIR, ENOMEM } from "../../kernel/errno";
import { RofsFileSystem } from "./filesystem";
import { crc32c } from "../../arch";
import { lz4DecompressBlock } from "./lz4";
import { INODE_FLAG_COMPRESSED } from "./layout";
import {
  inodeAt, inodeType, inodeFlags, inodeMode, inodeMtime, inodeSize, inodeLocation, inodeTable,
  entryAt, entryInode, entryName, entryNameLength, compareNames,
  blockAt, blockOffset, blockStoredLength, blockIsLz4, blockChecksum, blockCount, blockDataLength,
} from "./metadata";

const NANOSECONDS_PER_SECOND: i64 = 1_000_000_000;

/** Where lookup puts the name it looks for, as UTF-8 (NAME_MAX bytes, and room for a longer name's first character). */
const lookupKey = memory.data(NAME_MAX + 4);

/**
 * Puts `name`'s UTF-8 bytes in lookupKey and returns how many there are,
 * or NAME_MAX + 1 (nothing written past the buffer) when it is longer.
 */
function nameKey(name: string): u32 {
  const chars = name.length;
  if (chars > NAME_MAX) return <u32>NAME_MAX + 1;
  const text = changetype<usize>(name);
  for (let i = 0; i < chars; i++) {
    const code = load<u16>(text + (<usize>i << 1));
    if (code >= 0x80) {
      const bytes = <u32>String.UTF8.byteLength(name);
      if (bytes > <u32>NAME_MAX) return <u32>NAME_MAX + 1;
      String.UTF8.encodeUnsafe(text, chars, lookupKey);
      return bytes;
    }
    store<u8>(lookupKey + <usize>i, <u8>code);
  }
  return <u32>chars;
}

export class RofsVnode extends Vnode {
  /** Holds the last block read (decompressed, or raw from a device). */
  private blockBuffer: usize = 0;
  /** Which block blockBuffer holds, -1 for none; blockData is where its bytes start. */
  private bufferedBlock: i64 = -1;
  private blockData: usize = 0;
  /** Compressed bytes read from a device before decompression. */
  private staging: usize = 0;
  /** One bit per block: verified in place (in-memory images only). */
  private verified: usize = 0;

  constructor(public rofs: RofsFileSystem, inode: u32, type: u32) {
    super(rofs, <u64>inode, type);
  }

  private get record(): usize {
    return inodeAt(this.rofs.metadata, <u32>this.inode);
  }

  /** File bytes, directory entries or symlink target bytes. */
  get size(): u64 {
    return inodeSize(this.record);
  }

  /** True for a file holding at least one LZ4 block. */
  get compressed(): bool {
    return (inodeFlags(this.record) & INODE_FLAG_COMPRESSED) != 0;
  }

  // --- Directories ---

  lookup(name: string, out: VnodeResult): i32 {
    if (this.type != TYPE_DIRECTORY) return -ENOTDIR;
    const length = nameKey(name);
    if (length == 0 || length > <u32>NAME_MAX) return -ENOENT;
    const found = this.find(lookupKey, length);
    if (found < 0) return -ENOENT;
    const metadata = this.rofs.metadata;
    out.node = this.rofs.vnode(entryInode(entryAt(metadata, inodeLocation(this.record), <u64>found)));
    return 0;
  }

  /** The index of the entry named by the `length` bytes at `key`, or -1. */
  private find(key: usize, length: u32): i64 {
    const metadata = this.rofs.metadata;
    const entries = inodeLocation(this.record);
    let low: i64 = 0;
    let high: i64 = <i64>this.size - 1;
    while (low <= high) {
      const middle = low + ((high - low) >> 1);
      const entry = entryAt(metadata, entries, <u64>middle);
      const order = compareNames(metadata + entryName(entry), entryNameLength(entry), key, length);
      if (order == 0) return middle;
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return -1;
  }

  readdir(cookie: u64, out: DirEntry): i32 {
    if (this.type != TYPE_DIRECTORY) return -ENOTDIR;
    if (cookie >= this.size) return 0;
    const metadata = this.rofs.metadata;
    const entry = entryAt(metadata, inodeLocation(this.record), cookie);
    const inode = entryInode(entry);
    out.name = String.UTF8.decodeUnsafe(metadata + entryName(entry), entryNameLength(entry));
    out.inode = <u64>inode;
    out.type = inodeType(inodeAt(metadata, inode));
    out.next = cookie + 1;
    return 1;
  }

  // --- Files ---

  read(offset: u64, buffer: usize, length: usize): i64 {
    if (this.type == TYPE_DIRECTORY) return -EISDIR;
    if (this.type != TYPE_FILE) return -EINVAL;
    const size = this.size;
    if (offset >= size) return 0;
    const available = size - offset;
    const total = <u64>length < available ? <u64>length : available;
    const shift = this.rofs.blockShift;
    const mask = (<u64>1 << shift) - 1;
    let done: u64 = 0;
    while (done < total) {
      const position = offset + done;
      const index = position >> shift;
      const data = this.blockBytes(index);
      if (data < 0) return data;
      const within = position & mask;
      const inBlock = <u64>blockDataLength(size, shift, index) - within;
      const chunk = total - done < inBlock ? total - done : inBlock;
      memory.copy(buffer + <usize>done, <usize>data + <usize>within, <usize>chunk);
      done += chunk;
    }
    return <i64>done;
  }

  /**
   * Where the bytes of the whole file sit in memory, verified, if they can be
   * used without a copy (an uncompressed file on an in-memory image); 0
   * otherwise, or -EBADMSG if a block fails its checksum.
   */
  dataAddress(): i64 {
    if (this.type != TYPE_FILE || this.rofs.imageAddress == 0 || this.compressed) return 0;
    const blocks = blockCount(this.size, this.rofs.blockShift);
    for (let index: u64 = 0; index < blocks; index++) {
      const data = this.blockBytes(index);
      if (data < 0) return data;
    }
    return <i64>(this.rofs.imageAddress + <usize>inodeLocation(this.record));
  }

  /** The address of block `index`'s file bytes, verified and decompressed; or -errno. */
  private blockBytes(index: u64): i64 {
    const rofs = this.rofs;
    const record = this.record;
    const block = blockAt(rofs.metadata, inodeTable(record), index);
    const stored = blockStoredLength(block);
    const offset = inodeLocation(record) + <u64>blockOffset(block);
    if (rofs.imageAddress != 0 && !blockIsLz4(block)) return this.inPlace(index, offset, stored, blockChecksum(block));
    if (this.bufferedBlock == <i64>index) return <i64>this.blockData;

    if (this.blockBuffer == 0) {
      this.blockBuffer = heap.alloc(rofs.stagingBytes(rofs.blockSize));
      if (this.blockBuffer == 0) return -ENOMEM;
    }
    this.bufferedBlock = -1;
    const lz4 = blockIsLz4(block);
    if (lz4 && rofs.imageAddress == 0 && this.staging == 0) {
      this.staging = heap.alloc(rofs.stagingBytes(rofs.blockSize));
      if (this.staging == 0) return -ENOMEM;
    }
    const source = rofs.fetchStored(offset, stored, lz4 ? this.staging : this.blockBuffer);
    if (source < 0) return source;
    if (crc32c(0, <usize>source, stored) != blockChecksum(block)) return -EBADMSG;
    if (lz4) {
      const expected = blockDataLength(inodeSize(record), rofs.blockShift, index);
      const produced = lz4DecompressBlock(<usize>source, stored, this.blockBuffer, rofs.blockSize);
      if (produced != <isize>expected) return -EBADMSG;
      this.blockData = this.blockBuffer;
    } else {
      this.blockData = <usize>source;
    }
    this.bufferedBlock = <i64>index;
    return <i64>this.blockData;
  }

  /** An uncompressed block of an in-memory image, checked once. */
  private inPlace(index: u64, offset: u64, stored: u32, checksum: u32): i64 {
    const address = this.rofs.imageAddress + <usize>offset;
    if (this.verified == 0) {
      const bytes = <usize>((blockCount(this.size, this.rofs.blockShift) + 7) >> 3);
      this.verified = heap.alloc(bytes);
      if (this.verified == 0) return -ENOMEM;
      memory.fill(this.verified, 0, bytes);
    }
    const byte = this.verified + <usize>(index >> 3);
    const bit = <u8>(1 << <u8>(index & 7));
    if ((load<u8>(byte) & bit) == 0) {
      if (crc32c(0, address, stored) != checksum) return -EBADMSG;
      store<u8>(byte, load<u8>(byte) | bit);
    }
    return <i64>address;
  }

  // --- Any vnode ---

  getattr(out: Stat): i32 {
    const record = this.record;
    out.device = this.rofs.device;
    out.inode = this.inode;
    out.type = this.type;
    out.mode = inodeMode(record);
    out.links = 1;
    out.size = this.type == TYPE_DIRECTORY ? 0 : inodeSize(record);
    out.blocks = (this.storedBytes() + 511) >> 9;
    const time = <i64>inodeMtime(record) * NANOSECONDS_PER_SECOND;
    out.accessed = time;
    out.modified = time;
    out.changed = time;
    return 0;
  }

  /** Bytes the file's data occupies in the image (after compression). */
  storedBytes(): u64 {
    if (this.type != TYPE_FILE) return 0;
    const record = this.record;
    const blocks = blockCount(inodeSize(record), this.rofs.blockShift);
    let total: u64 = 0;
    for (let index: u64 = 0; index < blocks; index++) {
      total += blockStoredLength(blockAt(this.rofs.metadata, inodeTable(record), index));
    }
    return total;
  }

  readlink(out: TextResult): i32 {
    if (this.type != TYPE_SYMLINK) return -EINVAL;
    const record = this.record;
    out.text = String.UTF8.decodeUnsafe(this.rofs.metadata + <usize>inodeLocation(record), <usize>inodeSize(record));
    return 0;
  }

  /**
   * The VFS let go: the block buffers are freed; the vnode itself is kept
   * by the filesystem for the next lookup of its inode, with the blocks it
   * verified still known (the root is the filesystem's anyway).
   */
  release(): void {
    this.freeBuffers();
    if (this !== this.rofs.rootNode) this.rofs.keep(this);
  }

  /** Frees everything, the vnode included (the filesystem lets a kept vnode go, or unmounts the root). */
  discard(): void {
    this.freeBuffers();
    if (this.verified != 0) heap.free(this.verified);
    this.verified = 0;
    if (this !== this.rofs.rootNode) heap.free(changetype<usize>(this));
  }

  private freeBuffers(): void {
    if (this.blockBuffer != 0) heap.free(this.blockBuffer);
    if (this.staging != 0) heap.free(this.staging);
    this.blockBuffer = 0;
    this.staging = 0;
    this.bufferedBlock = -1;
  }
}
