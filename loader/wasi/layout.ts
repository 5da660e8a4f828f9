// The WASI preview 1 structures the kernel reads from or writes to app
// memory, as @unmanaged classes laid out byte for byte as
// wasi_snapshot_preview1.witx (and wasi-libc's <wasi/api.h>) define them.
// They live in kernel scratch memory (loader/wasi/memory.ts): a structure
// is filled there and copied out whole, or copied in whole and read there.
// Explicit padding fields keep each offset where the spec puts it; the
// host tests check every byte that reaches app memory.

/**
 * iovec / ciovec: one buffer of app memory (8 bytes).
 *   0 buf u32 | 4 buf_len u32
 */
@unmanaged export class Iovec {
  buffer: u32;
  length: u32;
}
export const IOVEC_BYTES: u32 = 8;

/**
 * fdstat (24 bytes).
 *   0 fs_filetype u8 | 1 pad | 2 fs_flags u16 | 4 pad u32
 *   8 fs_rights_base u64
 *  16 fs_rights_inheriting u64
 */
@unmanaged export class Fdstat {
  filetype: u8;
  pad1: u8;
  flags: u16;
  pad4: u32;
  rightsBase: u64;
  rightsInheriting: u64;
}
export const FDSTAT_BYTES: u32 = 24;

/**
 * filestat (64 bytes).
 *   0 dev u64 | 8 ino u64 | 16 filetype u8, 7 pad | 24 nlink u64
 *  32 size u64 | 40 atim u64 | 48 mtim u64 | 56 ctim u64
 */
@unmanaged export class Filestat {
  device: u64;
  inode: u64;
  filetype: u8;
  pad17: u8;
  pad18: u16;
  pad20: u32;
  links: u64;
  size: u64;
  accessed: u64;
  modified: u64;
  changed: u64;
}
export const FILESTAT_BYTES: u32 = 64;

/**
 * dirent (24 bytes), followed in fd_readdir's buffer by d_namlen bytes of
 * name (no NUL).
 *   0 d_next u64 | 8 d_ino u64 | 16 d_namlen u32 | 20 d_type u8, 3 pad
 */
@unmanaged export class Dirent {
  next: u64;
  inode: u64;
  nameLength: u32;
  filetype: u8;
  pad21: u8;
  pad22: u16;
}
export const DIRENT_BYTES: u32 = 24;

/**
 * prestat (8 bytes): tag 0 (a directory), then the directory's name length.
 *   0 tag u8, 3 pad | 4 pr_name_len u32
 */
@unmanaged export class Prestat {
  tag: u8;
  pad1: u8;
  pad2: u16;
  nameLength: u32;
}
export const PRESTAT_BYTES: u32 = 8;
export const PREOPENTYPE_DIR: u8 = 0;

/**
 * subscription (48 bytes): userdata, then a tagged union at 8 whose body
 * starts at 16.
 *   0 userdata u64 | 8 tag u8 (eventtype), 7 pad
 *  clock:        16 id u32, 4 pad | 24 timeout u64 | 32 precision u64 | 40 flags u16, 6 pad
 *  fd_read/write: 16 file_descriptor u32
 */
@unmanaged export class Subscription {
  userdata: u64;
  tag: u8;
  pad9: u8;
  pad10: u16;
  pad12: u32;
  /** The clock id (clock subscriptions) or the file descriptor (fd ones). */
  clockIdOrFd: u32;
  pad20: u32;
  timeout: u64;
  precision: u64;
  clockFlags: u16;
}
export const SUBSCRIPTION_BYTES: u32 = 48;

/**
 * event (32 bytes).
 *   0 userdata u64 | 8 error u16 | 10 type u8, 5 pad
 *  16 fd_readwrite.nbytes u64 | 24 fd_readwrite.flags u16, 6 pad
 */
@unmanaged export class Event {
  userdata: u64;
  error: u16;
  type: u8;
  pad11: u8;
  pad12: u32;
  bytes: u64;
  flags: u16;
  pad26: u16;
  pad28: u32;
}
export const EVENT_BYTES: u32 = 32;
