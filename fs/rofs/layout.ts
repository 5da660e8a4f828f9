// ROFS on-disk layout: every offset, size and flag of the format, shared by
// the kernel reader (fs/rofs, AssemblyScript) and the host writer
// (scripts/image, TypeScript), so the two cannot drift. This file holds only
// `export const NAME = <integer>;` lines and comments, valid in both
// languages. docs/rofs.md describes the format in prose. All integers are
// little-endian.
//
//   image:  | superblock | metadata                              | file data ...    |
//           0            METADATA (64)                           packed, then 4 KiB-aligned
//   metadata: | inodes (count x INODE_SIZE) | entries | block tables | names/targets |

// --- Superblock: SUPERBLOCK_SIZE bytes at offset 0 ---

/** "WROF" read as a little-endian u32 (bytes 57 52 4f 46). */
export const ROFS_MAGIC = 0x464f5257;
/** The format version this code writes and reads (2: checksums are CRC-32C; 1 had CRC-32). */
export const ROFS_VERSION = 2;
export const SUPERBLOCK_SIZE = 64;

/** u32: ROFS_MAGIC. */
export const SB_MAGIC = 0;
/** u32: ROFS_VERSION. */
export const SB_VERSION = 4;
/** u32: CRC-32C of the SUPERBLOCK_SIZE bytes with this field read as zero. */
export const SB_CHECKSUM = 8;
/** u32: reserved flags, 0. */
export const SB_FLAGS = 12;
/** u64: bytes in the image (a multiple of IMAGE_ALIGN); the device must hold them all. */
export const SB_IMAGE_SIZE = 16;
/** u32: number of inodes; inode 0 is the root directory. */
export const SB_INODE_COUNT = 24;
/** u32: log2 of the data block size (BLOCK_SHIFT_MIN..BLOCK_SHIFT_MAX). */
export const SB_BLOCK_SHIFT = 28;
/** u64: where the metadata starts in the image. */
export const SB_METADATA_OFFSET = 32;
/** u32: metadata bytes. */
export const SB_METADATA_SIZE = 40;
/** u32: CRC-32C of the metadata bytes. */
export const SB_METADATA_CHECKSUM = 44;
/** u64: where file data starts (everything before it is superblock and metadata). */
export const SB_DATA_OFFSET = 48;
/** Bytes 56..63 are reserved, zero. */
export const SB_RESERVED = 56;

// --- Inodes: INODE_SIZE bytes each, inode N at metadata offset N * INODE_SIZE ---

export const INODE_SIZE = 32;
/** u8: INODE_TYPE_*. */
export const INODE_TYPE = 0;
/** u8: INODE_FLAG_* bits. */
export const INODE_FLAGS = 1;
/** u16: permission bits (0o7777 at most). */
export const INODE_MODE = 2;
/** u32: modification time, seconds since the Unix epoch. */
export const INODE_MTIME = 4;
/** u64: file: bytes; directory: entry count; symlink: target bytes. */
export const INODE_SIZE_FIELD = 8;
/** u64: file: image offset of its data; directory: metadata offset of its entries; symlink: metadata offset of its target. */
export const INODE_LOCATION = 16;
/** u32: file: metadata offset of its block table (0 for an empty file); otherwise 0. */
export const INODE_TABLE = 24;
/** u32: the parent directory's inode number (the root's is 0, itself). */
export const INODE_PARENT = 28;

/** Same numbers as fs/vfs/node.ts TYPE_*. */
export const INODE_TYPE_FILE = 1;
export const INODE_TYPE_DIRECTORY = 2;
export const INODE_TYPE_SYMLINK = 3;

/** A file with at least one LZ4 block (its data cannot be used in place). */
export const INODE_FLAG_COMPRESSED = 1;
export const INODE_FLAGS_KNOWN = 1;
export const INODE_MODE_MASK = 0o7777;

// --- Directory entries: ENTRY_SIZE bytes, sorted by name (bytewise), no "." or ".." ---

export const ENTRY_SIZE = 12;
/** u32: the entry's inode number. */
export const ENTRY_INODE = 0;
/** u32: metadata offset of the name (UTF-8, not terminated). */
export const ENTRY_NAME = 4;
/** u16: name bytes, 1..NAME_BYTES_MAX. */
export const ENTRY_NAME_LENGTH = 8;
/** u16: reserved, zero. */
export const ENTRY_RESERVED = 10;
export const NAME_BYTES_MAX = 255;

// --- Block tables: one BLOCK_ENTRY_SIZE record per data block of a file ---
// Block i holds file bytes [i << shift, min(size, (i + 1) << shift)).

export const BLOCK_ENTRY_SIZE = 12;
/** u32: where the block's stored bytes start, relative to the file's data offset. */
export const BLOCK_OFFSET = 0;
/** u32: stored bytes, with BLOCK_LZ4 set if they are an LZ4 block (raw bytes otherwise). */
export const BLOCK_LENGTH = 4;
/** u32: CRC-32C of the stored bytes. */
export const BLOCK_CHECKSUM = 8;
export const BLOCK_LZ4 = 0x80000000;
export const BLOCK_LENGTH_MASK = 0x7fffffff;

export const BLOCK_SHIFT_MIN = 12;
export const BLOCK_SHIFT_MAX = 20;
/** The writer's block size: 64 KiB. */
export const BLOCK_SHIFT_DEFAULT = 16;

// --- Placement (the writer's policy; the reader accepts any placement inside the image) ---

/** Uncompressed files of at least DATA_ALIGN bytes start on a DATA_ALIGN boundary, to be mapped in place. */
export const DATA_ALIGN = 4096;
/** Everything else (small or compressed files) is packed on PACKED_ALIGN boundaries. */
export const PACKED_ALIGN = 16;
/** The image is padded to whole sectors. */
export const IMAGE_ALIGN = 512;
