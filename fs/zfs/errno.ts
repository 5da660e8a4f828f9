// Error numbers (Linux numbering, as docs/modules.md and kernel/errno.ts
// have them): functions return 0 or a count on success and one of these,
// negated, on failure.

export const ENOENT: i32 = 2;
/** A device error, or a block whose every copy failed its checksum. */
export const EIO: i32 = 5;
/** No such volume. */
export const EBADF: i32 = 9;
export const ENOMEM: i32 = 12;
export const ENOTDIR: i32 = 20;
export const EISDIR: i32 = 21;
export const EINVAL: i32 = 22;
export const ENAMETOOLONG: i32 = 36;
/** A pool or dataset this reader does not understand (a newer version, a feature, big-endian). */
export const ENOTSUP: i32 = 95;
