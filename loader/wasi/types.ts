// WASI preview 1 enumerations and flag sets (wasi_snapshot_preview1.witx),
// other than errno (loader/wasi/errno.ts) and rights (loader/wasi/rights.ts).

// filetype (u8)
export const FILETYPE_UNKNOWN: u8 = 0;
export const FILETYPE_BLOCK_DEVICE: u8 = 1;
export const FILETYPE_CHARACTER_DEVICE: u8 = 2;
export const FILETYPE_DIRECTORY: u8 = 3;
export const FILETYPE_REGULAR_FILE: u8 = 4;
export const FILETYPE_SOCKET_DGRAM: u8 = 5;
export const FILETYPE_SOCKET_STREAM: u8 = 6;
export const FILETYPE_SYMBOLIC_LINK: u8 = 7;

// clockid (u32)
export const CLOCK_REALTIME: u32 = 0;
export const CLOCK_MONOTONIC: u32 = 1;
export const CLOCK_PROCESS_CPUTIME: u32 = 2;
export const CLOCK_THREAD_CPUTIME: u32 = 3;

// whence (u8): the same numbers as Linux SEEK_SET, SEEK_CUR, SEEK_END
export const WHENCE_SET: u32 = 0;
export const WHENCE_CUR: u32 = 1;
export const WHENCE_END: u32 = 2;

// advice (u8)
export const ADVICE_NORMAL: u32 = 0;
export const ADVICE_NOREUSE: u32 = 5;

// fdflags (u16)
export const FDFLAGS_APPEND: u32 = 1;
export const FDFLAGS_DSYNC: u32 = 2;
export const FDFLAGS_NONBLOCK: u32 = 4;
export const FDFLAGS_RSYNC: u32 = 8;
export const FDFLAGS_SYNC: u32 = 16;
export const FDFLAGS_ALL: u32 = 31;

// oflags (u16)
export const OFLAGS_CREAT: u32 = 1;
export const OFLAGS_DIRECTORY: u32 = 2;
export const OFLAGS_EXCL: u32 = 4;
export const OFLAGS_TRUNC: u32 = 8;
export const OFLAGS_ALL: u32 = 15;

// lookupflags (u32)
export const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

// fstflags (u16)
export const FSTFLAGS_ATIM: u32 = 1;
export const FSTFLAGS_ATIM_NOW: u32 = 2;
export const FSTFLAGS_MTIM: u32 = 4;
export const FSTFLAGS_MTIM_NOW: u32 = 8;
export const FSTFLAGS_ALL: u32 = 15;

// eventtype (u8)
export const EVENTTYPE_CLOCK: u8 = 0;
export const EVENTTYPE_FD_READ: u8 = 1;
export const EVENTTYPE_FD_WRITE: u8 = 2;

// eventrwflags (u16)
export const EVENTRWFLAGS_HANGUP: u16 = 1;

// subclockflags (u16)
export const SUBCLOCKFLAGS_ABSTIME: u16 = 1;
