// The ROFS image writer: a tree in, image bytes out (format: docs/rofs.md,
// offsets: fs/rofs/layout.ts, shared with the kernel's reader).
//
// Reproducible: inodes are numbered breadth first over entries sorted by
// their UTF-8 bytes, every region is laid out in inode order, padding is
// zero, and nothing from the build machine (time, order of readdir, user)
// enters the image beyond what the tree holds.
//
// Placement: uncompressed files of at least DATA_ALIGN bytes start on a
// DATA_ALIGN (4 KiB) boundary, so the kernel can use them in place and map
// them; small files and compressed files are packed on PACKED_ALIGN
// boundaries right after the metadata, where alignment buys nothing.
//
// Compression, per block of 64 KiB: `never` stores every block raw;
// `always` stores a block as LZ4 whenever that is smaller; `auto` only when
// it saves at least 1/8 of the block (so a file is compressed only when it
// pays, and a file none of whose blocks pays stays uncompressed and usable
// in place).

import CRC32C from "crc-32/crc32c";
import * as L from "../../fs/rofs/layout";
import { compressBlock } from "./lz4";
import { DirectoryNode, FileNode, TreeNode, sortedNames } from "./tree";

/** CRC-32C (Castagnoli), the checksum of every ROFS record and block, as an unsigned number. */
function crc32c(bytes: Uint8Array): number {
  return CRC32C.buf(bytes) >>> 0;
}

export type CompressPolicy = "auto" | "never" | "always";

export interface WriteOptions {
  compress?: CompressPolicy;
  /** log2 of the block size (default 16: 64 KiB). */
  blockShift?: number;
}

export interface ImageStats {
  bytes: number;
  inodes: number;
  files: number;
  directories: number;
  symlinks: number;
  compressedFiles: number;
  metadataBytes: number;
  /** File bytes before and after compression. */
  fileBytes: number;
  storedBytes: number;
}

interface Numbered {
  node: TreeNode;
  parent: number;
  /** For a directory: its children's names (sorted) and inode numbers. */
  entries?: Array<{ name: Buffer; inode: number }>;
}

interface StoredFile {
  flags: number;
  blocks: Array<{ offset: number; bytes: Uint8Array; lz4: boolean }>;
  storedLength: number;
  dataOffset: number;
  tableOffset: number;
}

const align = (value: number, to: number) => Math.ceil(value / to) * to;

/** Inodes breadth first from the root (0), children in name order. */
function numberInodes(root: DirectoryNode): Numbered[] {
  const inodes: Numbered[] = [{ node: root, parent: 0 }];
  for (let index = 0; index < inodes.length; index++) {
    const { node } = inodes[index];
    if (node.type !== "directory") continue;
    const entries: Numbered["entries"] = [];
    for (const name of sortedNames(node)) {
      entries.push({ name: Buffer.from(name, "utf8"), inode: inodes.length });
      inodes.push({ node: node.children.get(name)!, parent: index });
    }
    inodes[index].entries = entries;
  }
  return inodes;
}

function storeFile(file: FileNode, shift: number, policy: CompressPolicy): StoredFile {
  const blockSize = 1 << shift;
  const blocks: StoredFile["blocks"] = [];
  let offset = 0;
  for (let start = 0; start < file.data.length; start += blockSize) {
    const raw = file.data.subarray(start, Math.min(start + blockSize, file.data.length));
    let bytes: Uint8Array = raw;
    let lz4 = false;
    if (policy !== "never") {
      const packed = compressBlock(raw);
      const worth = policy === "always" ? raw.length - 1 : raw.length - (raw.length >> 3);
      if (packed !== null && packed.length <= worth) {
        bytes = packed;
        lz4 = true;
      }
    }
    blocks.push({ offset, bytes, lz4 });
    offset += bytes.length;
  }
  const compressed = blocks.some((block) => block.lz4);
  if (!compressed) {
    // Raw blocks sit back to back: block i at i << shift, as the reader requires.
    blocks.forEach((block, index) => (block.offset = index * blockSize));
  }
  return { flags: compressed ? L.INODE_FLAG_COMPRESSED : 0, blocks, storedLength: offset, dataOffset: 0, tableOffset: 0 };
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(`rofs writer: ${message}`);
}

/** Builds the image of `root`. Throws on what the format cannot hold. */
export function writeImage(root: DirectoryNode, options: WriteOptions = {}): { image: Uint8Array; stats: ImageStats } {
  const shift = options.blockShift ?? L.BLOCK_SHIFT_DEFAULT;
  check(shift >= L.BLOCK_SHIFT_MIN && shift <= L.BLOCK_SHIFT_MAX, `block size 2^${shift} is out of range`);
  const policy = options.compress ?? "auto";
  const inodes = numberInodes(root);
  const count = inodes.length;

  // Metadata: inodes, then directory entries, block tables, names and targets.
  let cursor = count * L.INODE_SIZE;
  const entriesAt = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const entries = inodes[i].entries;
    if (!entries) continue;
    entriesAt.set(i, cursor);
    cursor += entries.length * L.ENTRY_SIZE;
  }
  const stored = new Map<number, StoredFile>();
  for (let i = 0; i < count; i++) {
    const node = inodes[i].node;
    if (node.type !== "file" || node.data.length === 0) continue;
    const file = storeFile(node, shift, policy);
    file.tableOffset = cursor;
    cursor += file.blocks.length * L.BLOCK_ENTRY_SIZE;
    stored.set(i, file);
  }
  const strings: Array<{ at: number; bytes: Buffer }> = [];
  const nameAt = new Map<string, number>();
  const targetAt = new Map<number, number>();
  const addString = (bytes: Buffer): number => {
    const at = cursor;
    strings.push({ at, bytes });
    cursor += bytes.length;
    return at;
  };
  for (let i = 0; i < count; i++) {
    const { node, entries } = inodes[i];
    for (const entry of entries ?? []) {
      check(entry.name.length >= 1 && entry.name.length <= L.NAME_BYTES_MAX, `name ${JSON.stringify(entry.name.toString())} must be 1..255 bytes`);
      nameAt.set(`${i}/${entry.inode}`, addString(entry.name));
    }
    if (node.type === "symlink") {
      const target = Buffer.from(node.target, "utf8");
      check(target.length >= 1 && target.length <= 4095, `symlink target ${JSON.stringify(node.target)} must be 1..4095 bytes`);
      targetAt.set(i, addString(target));
    }
  }
  const metadataSize = cursor;
  check(metadataSize <= 0xffff_ffff, "the metadata exceeds 4 GiB");

  // Data: packed files first, then 4 KiB-aligned ones.
  const metadataOffset = L.SUPERBLOCK_SIZE;
  const dataOffset = align(metadataOffset + metadataSize, L.PACKED_ALIGN);
  let end = dataOffset;
  const isAligned = (file: StoredFile) => file.flags === 0 && file.storedLength >= L.DATA_ALIGN;
  for (const file of stored.values()) {
    if (isAligned(file)) continue;
    end = align(end, L.PACKED_ALIGN);
    file.dataOffset = end;
    end += file.storedLength;
  }
  for (const file of stored.values()) {
    if (!isAligned(file)) continue;
    end = align(end, L.DATA_ALIGN);
    file.dataOffset = end;
    end += file.storedLength;
  }
  const imageSize = align(end, L.IMAGE_ALIGN);
  const image = new Uint8Array(imageSize);
  const view = new DataView(image.buffer);
  const meta = new DataView(image.buffer, metadataOffset, metadataSize);

  const stats: ImageStats = {
    bytes: imageSize, inodes: count, files: 0, directories: 0, symlinks: 0, compressedFiles: 0,
    metadataBytes: metadataSize, fileBytes: 0, storedBytes: 0,
  };
  for (let i = 0; i < count; i++) {
    const { node, parent, entries } = inodes[i];
    check(Number.isInteger(node.mode) && node.mode >= 0 && node.mode <= L.INODE_MODE_MASK, `mode ${node.mode} is out of range`);
    check(Number.isInteger(node.mtime) && node.mtime >= 0 && node.mtime <= 0xffff_ffff, `mtime ${node.mtime} is out of range`);
    const at = i * L.INODE_SIZE;
    meta.setUint16(at + L.INODE_MODE, node.mode, true);
    meta.setUint32(at + L.INODE_MTIME, node.mtime, true);
    meta.setUint32(at + L.INODE_PARENT, parent, true);
    if (node.type === "directory") {
      stats.directories++;
      meta.setUint8(at + L.INODE_TYPE, L.INODE_TYPE_DIRECTORY);
      meta.setBigUint64(at + L.INODE_SIZE_FIELD, BigInt(entries!.length), true);
      meta.setBigUint64(at + L.INODE_LOCATION, BigInt(entriesAt.get(i)!), true);
      entries!.forEach((entry, index) => {
        const e = entriesAt.get(i)! + index * L.ENTRY_SIZE;
        meta.setUint32(e + L.ENTRY_INODE, entry.inode, true);
        meta.setUint32(e + L.ENTRY_NAME, nameAt.get(`${i}/${entry.inode}`)!, true);
        meta.setUint16(e + L.ENTRY_NAME_LENGTH, entry.name.length, true);
      });
    } else if (node.type === "symlink") {
      stats.symlinks++;
      meta.setUint8(at + L.INODE_TYPE, L.INODE_TYPE_SYMLINK);
      meta.setBigUint64(at + L.INODE_SIZE_FIELD, BigInt(Buffer.byteLength(node.target, "utf8")), true);
      meta.setBigUint64(at + L.INODE_LOCATION, BigInt(targetAt.get(i)!), true);
    } else {
      stats.files++;
      stats.fileBytes += node.data.length;
      meta.setUint8(at + L.INODE_TYPE, L.INODE_TYPE_FILE);
      meta.setBigUint64(at + L.INODE_SIZE_FIELD, BigInt(node.data.length), true);
      const file = stored.get(i);
      if (!file) continue;
      stats.storedBytes += file.storedLength;
      if (file.flags !== 0) stats.compressedFiles++;
      meta.setUint8(at + L.INODE_FLAGS, file.flags);
      meta.setBigUint64(at + L.INODE_LOCATION, BigInt(file.dataOffset), true);
      meta.setUint32(at + L.INODE_TABLE, file.tableOffset, true);
      file.blocks.forEach((block, index) => {
        const b = file.tableOffset + index * L.BLOCK_ENTRY_SIZE;
        meta.setUint32(b + L.BLOCK_OFFSET, block.offset, true);
        meta.setUint32(b + L.BLOCK_LENGTH, (block.bytes.length | (block.lz4 ? L.BLOCK_LZ4 : 0)) >>> 0, true);
        meta.setUint32(b + L.BLOCK_CHECKSUM, crc32c(block.bytes), true);
        image.set(block.bytes, file.dataOffset + block.offset);
      });
    }
  }
  for (const { at, bytes } of strings) image.set(bytes, metadataOffset + at);

  const metadata = image.subarray(metadataOffset, metadataOffset + metadataSize);
  view.setUint32(L.SB_MAGIC, L.ROFS_MAGIC, true);
  view.setUint32(L.SB_VERSION, L.ROFS_VERSION, true);
  view.setBigUint64(L.SB_IMAGE_SIZE, BigInt(imageSize), true);
  view.setUint32(L.SB_INODE_COUNT, count, true);
  view.setUint32(L.SB_BLOCK_SHIFT, shift, true);
  view.setBigUint64(L.SB_METADATA_OFFSET, BigInt(metadataOffset), true);
  view.setUint32(L.SB_METADATA_SIZE, metadataSize, true);
  view.setUint32(L.SB_METADATA_CHECKSUM, crc32c(metadata), true);
  view.setBigUint64(L.SB_DATA_OFFSET, BigInt(dataOffset), true);
  view.setUint32(L.SB_CHECKSUM, crc32c(image.subarray(0, L.SUPERBLOCK_SIZE)), true);
  return { image, stats };
}
