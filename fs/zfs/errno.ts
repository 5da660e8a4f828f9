// Error numbers (Linux numbering, as docs/modules.md and kernel/errno.ts
// have them): functions return 0 or a count on success and one of these,
// negated, on failure.

export const ENOENT: i32 = 2;
/** A device error, or a block whose every copy failed its checksum. */
export const EIO: i32 = 5;
/** No such volume. */
export const EBADF: i32 = 9;
export const ENOMEM: i32 = 12;
/** The pool is already mounted for writing (one dataset of a pool is written at a time). */
export const EBUSY: i32 = 16;
export const EEXIST: i32 = 17;
export const EXDEV: i32 = 18;
export const ENODEV: i32 = 19;
export const ENOTDIR: i32 = 20;
export const EISDIR: i32 = 21;
export const EINVAL: i32 = 22;
export const EFBIG: i32 = 27;
/** The pool has no room left for the change. */
export const ENOSPC: i32 = 28;
/** The volume was mounted read-only. */
export const EROFS: i32 = 30;
export const EMLINK: i32 = 31;
export const ENAMETOOLONG: i32 = 36;
export const ENOTEMPTY: i32 = 39;
/** A pool or dataset this reader does not understand (a newer version, a feature, big-endian). */
export const ENOTSUP: i32 = 95;
