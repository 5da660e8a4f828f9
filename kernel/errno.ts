// Error numbers. Kernel functions that can fail for an expected reason return
// 0 (or a positive value) on success and a negated number from this list on
// failure, numbered as Linux numbers them (but for ENOTCAPABLE, which Linux
// lacks); callers pass failures on with `if (r < 0) return r;`.

/** No such entry (nothing is mapped there, no such region). */
export const ENOENT: i32 = 2;
/** Out of memory. */
export const ENOMEM: i32 = 12;
/** An argument is out of range or misaligned. */
export const EINVAL: i32 = 22;
/** Operation not permitted (unlocking a mutex another thread holds). */
export const EPERM: i32 = 1;
/** No such thread. */
export const ESRCH: i32 = 3;
/** Try again: nothing available without waiting. */
export const EAGAIN: i32 = 11;
/** The resource is in use (a line with a handler, a thread already joined). */
export const EBUSY: i32 = 16;
/** Waiting would deadlock (joining oneself, relocking a held mutex). */
export const EDEADLK: i32 = 35;
/** A wait ended at its deadline. */
export const ETIMEDOUT: i32 = 110;
/** An I/O error from a device (a disk that failed a request). */
export const EIO: i32 = 5;
/** A bad file descriptor. */
export const EBADF: i32 = 9;
/** Permission denied. */
export const EACCES: i32 = 13;
/** The name exists already. */
export const EEXIST: i32 = 17;
/** A rename or link across filesystems. */
export const EXDEV: i32 = 18;
/** A path component is not a directory. */
export const ENOTDIR: i32 = 20;
/** A directory where a file was needed. */
export const EISDIR: i32 = 21;
/** Too many open files. */
export const EMFILE: i32 = 24;
/** A file grew past what its filesystem holds. */
export const EFBIG: i32 = 27;
/** No space left on the device. */
export const ENOSPC: i32 = 28;
/** Seeking on something that cannot seek. */
export const ESPIPE: i32 = 29;
/** A write to a read-only filesystem. */
export const EROFS: i32 = 30;
/** A path or name too long. */
export const ENAMETOOLONG: i32 = 36;
/** Not implemented. */
export const ENOSYS: i32 = 38;
/** Removing a directory that still has entries. */
export const ENOTEMPTY: i32 = 39;
/** Too many symbolic links while resolving a path. */
export const ELOOP: i32 = 40;
/** Data on a device is corrupt (a checksum failed). */
export const EBADMSG: i32 = 74;
/**
 * A path would leave the directory it is resolved beneath (RESOLVE_BENEATH).
 * FreeBSD's name for it; Linux has none (its openat2 answers EXDEV, which
 * rename and link need here for their own meaning), so the number is Wisp's
 * own, far above Linux's range.
 */
export const ENOTCAPABLE: i32 = 1000;
