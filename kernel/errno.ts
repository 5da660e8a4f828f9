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
