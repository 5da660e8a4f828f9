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
/** An executable or image in a format the kernel cannot use. */
export const ENOEXEC: i32 = 8;
/** No such device (nothing answers where the firmware said). */
export const ENODEV: i32 = 19;
/** A peer does not speak the protocol the kernel needs (a 9p server without 9P2000.L). */
export const EPROTO: i32 = 71;
/** A write to a connection whose sending side is shut (SHUT_WR, close). */
export const EPIPE: i32 = 32;
/** A datagram too long for one packet. */
export const EMSGSIZE: i32 = 90;
/** A port in use already. */
export const EADDRINUSE: i32 = 98;
/** No route to the network. */
export const ENETUNREACH: i32 = 101;
/** The peer reset the connection. */
export const ECONNRESET: i32 = 104;
/** The socket is not connected. */
export const ENOTCONN: i32 = 107;
/** Nothing listens at the address connected to (the peer answered with a reset). */
export const ECONNREFUSED: i32 = 111;
/** A datagram socket with no peer named and none connected. */
export const EDESTADDRREQ: i32 = 89;
/** An operation the socket's kind does not have (accept on a datagram socket). */
export const EOPNOTSUPP: i32 = 95;
/** An address family the stack does not speak (IPv6). */
export const EAFNOSUPPORT: i32 = 97;
/** An address that is not this machine's (bind). */
export const EADDRNOTAVAIL: i32 = 99;
/** The socket is connected already. */
export const EISCONN: i32 = 106;
/** A connection is being made already. */
export const EALREADY: i32 = 114;
/** A non-blocking connect has started; readiness to write says when it is done. */
export const EINPROGRESS: i32 = 115;

/** The errno's symbolic name ("EINVAL"), or "error N" for a number not listed here. */
export function errnoName(errno: i32): string {
  switch (errno) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EIO: return "EIO";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENODEV: return "ENODEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EDEADLK: return "EDEADLK";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EBADMSG: return "EBADMSG";
    case EPROTO: return "EPROTO";
    case ETIMEDOUT: return "ETIMEDOUT";
    case EPIPE: return "EPIPE";
    case EMSGSIZE: return "EMSGSIZE";
    case EADDRINUSE: return "EADDRINUSE";
    case ENETUNREACH: return "ENETUNREACH";
    case ECONNRESET: return "ECONNRESET";
    case ENOTCONN: return "ENOTCONN";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case EISCONN: return "EISCONN";
    case EALREADY: return "EALREADY";
    case EINPROGRESS: return "EINPROGRESS";
    case ENOTCAPABLE: return "ENOTCAPABLE";
  }
  return "error " + errno.toString();
}
