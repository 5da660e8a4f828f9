// Error numbers a module returns, negated (Linux numbering, as the kernel's).

export const ENOENT: i32 = 2;
export const EIO: i32 = 5;
export const ENOMEM: i32 = 12;
export const ENOTDIR: i32 = 20;
export const EISDIR: i32 = 21;
export const EINVAL: i32 = 22;
export const ENOSPC: i32 = 28;
export const EROFS: i32 = 30;
export const ENOSYS: i32 = 38;
export const ENOTSUP: i32 = 95;
