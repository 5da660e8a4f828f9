// Error numbers. Kernel functions that can fail for an expected reason return
// 0 (or a positive value) on success and a negated number from this list on
// failure, numbered as Linux numbers them; callers pass failures on with
// `if (r < 0) return r;`.

/** No such entry (nothing is mapped there, no such region). */
export const ENOENT: i32 = 2;
/** Out of memory. */
export const ENOMEM: i32 = 12;
/** An argument is out of range or misaligned. */
export const EINVAL: i32 = 22;
