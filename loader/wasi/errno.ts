// WASI error numbers (wasi_snapshot_preview1 `errno`, a u16 every WASI
// function returns) and the one mapping from the kernel's -errno results,
// which use Linux numbers (kernel/errno.ts), to them.
//
// The mapping covers every Linux number below 134 that has a WASI
// counterpart, not only those kernel/errno.ts names today, so a new kernel
// error maps right without a change here. A Linux number WASI lacks becomes
// ERRNO_IO. ERRNO_NOTCAPABLE has no Linux counterpart: this layer raises it
// for missing rights, and it is what the kernel's own ENOTCAPABLE (a path
// leaving the directory it is resolved beneath) becomes.

import { ENOTCAPABLE } from "../../kernel/errno";

export const ERRNO_SUCCESS: u32 = 0;
export const ERRNO_2BIG: u32 = 1;
export const ERRNO_ACCES: u32 = 2;
export const ERRNO_ADDRINUSE: u32 = 3;
export const ERRNO_ADDRNOTAVAIL: u32 = 4;
export const ERRNO_AFNOSUPPORT: u32 = 5;
export const ERRNO_AGAIN: u32 = 6;
export const ERRNO_ALREADY: u32 = 7;
export const ERRNO_BADF: u32 = 8;
export const ERRNO_BADMSG: u32 = 9;
export const ERRNO_BUSY: u32 = 10;
export const ERRNO_CANCELED: u32 = 11;
export const ERRNO_CHILD: u32 = 12;
export const ERRNO_CONNABORTED: u32 = 13;
export const ERRNO_CONNREFUSED: u32 = 14;
export const ERRNO_CONNRESET: u32 = 15;
export const ERRNO_DEADLK: u32 = 16;
export const ERRNO_DESTADDRREQ: u32 = 17;
export const ERRNO_DOM: u32 = 18;
export const ERRNO_DQUOT: u32 = 19;
export const ERRNO_EXIST: u32 = 20;
export const ERRNO_FAULT: u32 = 21;
export const ERRNO_FBIG: u32 = 22;
export const ERRNO_HOSTUNREACH: u32 = 23;
export const ERRNO_IDRM: u32 = 24;
export const ERRNO_ILSEQ: u32 = 25;
export const ERRNO_INPROGRESS: u32 = 26;
export const ERRNO_INTR: u32 = 27;
export const ERRNO_INVAL: u32 = 28;
export const ERRNO_IO: u32 = 29;
export const ERRNO_ISCONN: u32 = 30;
export const ERRNO_ISDIR: u32 = 31;
export const ERRNO_LOOP: u32 = 32;
export const ERRNO_MFILE: u32 = 33;
export const ERRNO_MLINK: u32 = 34;
export const ERRNO_MSGSIZE: u32 = 35;
export const ERRNO_MULTIHOP: u32 = 36;
export const ERRNO_NAMETOOLONG: u32 = 37;
export const ERRNO_NETDOWN: u32 = 38;
export const ERRNO_NETRESET: u32 = 39;
export const ERRNO_NETUNREACH: u32 = 40;
export const ERRNO_NFILE: u32 = 41;
export const ERRNO_NOBUFS: u32 = 42;
export const ERRNO_NODEV: u32 = 43;
export const ERRNO_NOENT: u32 = 44;
export const ERRNO_NOEXEC: u32 = 45;
export const ERRNO_NOLCK: u32 = 46;
export const ERRNO_NOLINK: u32 = 47;
export const ERRNO_NOMEM: u32 = 48;
export const ERRNO_NOMSG: u32 = 49;
export const ERRNO_NOPROTOOPT: u32 = 50;
export const ERRNO_NOSPC: u32 = 51;
export const ERRNO_NOSYS: u32 = 52;
export const ERRNO_NOTCONN: u32 = 53;
export const ERRNO_NOTDIR: u32 = 54;
export const ERRNO_NOTEMPTY: u32 = 55;
export const ERRNO_NOTRECOVERABLE: u32 = 56;
export const ERRNO_NOTSOCK: u32 = 57;
export const ERRNO_NOTSUP: u32 = 58;
export const ERRNO_NOTTY: u32 = 59;
export const ERRNO_NXIO: u32 = 60;
export const ERRNO_OVERFLOW: u32 = 61;
export const ERRNO_OWNERDEAD: u32 = 62;
export const ERRNO_PERM: u32 = 63;
export const ERRNO_PIPE: u32 = 64;
export const ERRNO_PROTO: u32 = 65;
export const ERRNO_PROTONOSUPPORT: u32 = 66;
export const ERRNO_PROTOTYPE: u32 = 67;
export const ERRNO_RANGE: u32 = 68;
export const ERRNO_ROFS: u32 = 69;
export const ERRNO_SPIPE: u32 = 70;
export const ERRNO_SRCH: u32 = 71;
export const ERRNO_STALE: u32 = 72;
export const ERRNO_TIMEDOUT: u32 = 73;
export const ERRNO_TXTBSY: u32 = 74;
export const ERRNO_XDEV: u32 = 75;
export const ERRNO_NOTCAPABLE: u32 = 76;
/** WasmEdge's getaddrinfo errors (its extension of the errno enum, after NOTCAPABLE). */
export const ERRNO_AIADDRFAMILY: u32 = 77;
export const ERRNO_AIAGAIN: u32 = 78;
export const ERRNO_AIBADFLAG: u32 = 79;
export const ERRNO_AIFAIL: u32 = 80;
export const ERRNO_AIFAMILY: u32 = 81;
export const ERRNO_AIMEMORY: u32 = 82;
export const ERRNO_AINODATA: u32 = 83;
export const ERRNO_AINONAME: u32 = 84;
export const ERRNO_AISERVICE: u32 = 85;
export const ERRNO_AISOCKTYPE: u32 = 86;
export const ERRNO_AISYSTEM: u32 = 87;

/** Linux errno → WASI errno, indexed by the Linux number (0: no counterpart, ERRNO_IO then). */
const LINUX_TO_WASI = memory.data<u8>([
  0, 63, 44, 71, 27, 29, 60, 1, 45, 8, //   0..9:  -, EPERM, ENOENT, ESRCH, EINTR, EIO, ENXIO, E2BIG, ENOEXEC, EBADF
  12, 6, 48, 2, 21, 0, 10, 20, 75, 43, //  10..19: ECHILD, EAGAIN, ENOMEM, EACCES, EFAULT, ENOTBLK, EBUSY, EEXIST, EXDEV, ENODEV
  54, 31, 28, 41, 33, 59, 74, 22, 51, 70, // 20..29: ENOTDIR, EISDIR, EINVAL, ENFILE, EMFILE, ENOTTY, ETXTBSY, EFBIG, ENOSPC, ESPIPE
  69, 34, 64, 18, 68, 16, 37, 46, 52, 55, // 30..39: EROFS, EMLINK, EPIPE, EDOM, ERANGE, EDEADLK, ENAMETOOLONG, ENOLCK, ENOSYS, ENOTEMPTY
  32, 0, 49, 24, 0, 0, 0, 0, 0, 0, //      40..49: ELOOP, -, ENOMSG, EIDRM
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, //         50..59
  0, 0, 0, 0, 0, 0, 0, 47, 0, 0, //        60..69: ENOLINK 67
  0, 65, 36, 0, 9, 61, 0, 0, 0, 0, //      70..79: EPROTO 71, EMULTIHOP 72, EBADMSG 74, EOVERFLOW 75
  0, 0, 0, 0, 25, 0, 0, 0, 57, 17, //      80..89: EILSEQ 84, ENOTSOCK 88, EDESTADDRREQ 89
  35, 67, 50, 66, 0, 58, 0, 5, 3, 4, //    90..99: EMSGSIZE, EPROTOTYPE, ENOPROTOOPT, EPROTONOSUPPORT, -, EOPNOTSUPP, -, EAFNOSUPPORT, EADDRINUSE, EADDRNOTAVAIL
  38, 40, 39, 13, 15, 42, 30, 53, 0, 0, // 100..109: ENETDOWN, ENETUNREACH, ENETRESET, ECONNABORTED, ECONNRESET, ENOBUFS, EISCONN, ENOTCONN
  73, 14, 0, 23, 7, 26, 72, 0, 0, 0, //    110..119: ETIMEDOUT, ECONNREFUSED, -, EHOSTUNREACH, EALREADY, EINPROGRESS, ESTALE
  0, 0, 19, 0, 0, 11, 0, 0, 0, 0, //       120..129: EDQUOT 122, ECANCELED 125
  62, 56, 0, 0, //                         130..133: EOWNERDEAD, ENOTRECOVERABLE
]);
const LINUX_ERRNO_COUNT: i64 = 134;

/** The WASI errno for a kernel result: ERRNO_SUCCESS for 0 or more, the mapped number for -errno. */
export function errnoOf(result: i64): u32 {
  if (result >= 0) return ERRNO_SUCCESS;
  const linux = -result;
  if (linux == <i64>ENOTCAPABLE) return ERRNO_NOTCAPABLE;
  if (linux >= LINUX_ERRNO_COUNT) return ERRNO_IO;
  const mapped = <u32>load<u8>(LINUX_TO_WASI + <usize>linux);
  return mapped == 0 ? ERRNO_IO : mapped;
}
