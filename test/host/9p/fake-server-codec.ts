// The wire side of the fake 9P2000.L server (fake-server.ts): message
// numbers, the Linux errno and open-flag values the protocol carries, and a
// reader and a writer for one message each.
//
//   message   size[4] type[1] tag[2] fields...     little-endian; size counts itself
//   string    len[2] + that many UTF-8 bytes
//   qid       type[1] version[4] path[8]           (type 0x80 directory, 0x02 symlink)
//
// Request reads past the end throw Malformed (the server answers EIO); a
// string that is not UTF-8 throws BadName (EINVAL).

export const HEADER_BYTES = 7;
export const QID_BYTES = 13;
export const NOTAG = 0xffff;
export const NOFID = 0xffff_ffff;
export const VERSION_9P2000_L = "9P2000.L";
/** Twalk names at most: 9P's MAXWELEM. */
export const MAX_WALK_NAMES = 16;

export const RLERROR = 7;
/** T-message numbers (the R-message is one more) and the names `counts` uses. */
export const T = {
  statfs: 8, lopen: 12, lcreate: 14, symlink: 16, mknod: 18, rename: 20, readlink: 22, getattr: 24, setattr: 26,
  xattrwalk: 30, xattrcreate: 32, readdir: 40, fsync: 50, lock: 52, getlock: 54, link: 70, mkdir: 72, renameat: 74,
  unlinkat: 76, version: 100, auth: 102, attach: 104, flush: 108, walk: 110, read: 116, write: 118, clunk: 120,
  remove: 122,
} as const;
export const T_NAMES = new Map<number, string>(
  Object.entries(T).map(([name, type]) => [type, "T" + name]),
);

/** Linux errno numbers, whatever the host's own are. */
export const E = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENOTDIR: 20, EISDIR: 21,
  EINVAL: 22, EFBIG: 27, ENOSPC: 28, EROFS: 30, EMLINK: 31, ENAMETOOLONG: 36, ENOTEMPTY: 39, ELOOP: 40, EPROTO: 71,
  EOPNOTSUPP: 95,
} as const;
const LINUX_ERRNO: Record<string, number> = {
  ...E, ESRCH: 3, EINTR: 4, ENXIO: 6, E2BIG: 7, EAGAIN: 11, ENOMEM: 12, EFAULT: 14, ENODEV: 19, ENFILE: 23,
  EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, ESPIPE: 29, EPIPE: 32, ERANGE: 34, ENOSYS: 38, ENOTSUP: 95, EOVERFLOW: 75,
  EDQUOT: 122, ENODATA: 61, ESTALE: 116,
};

/** The Linux errno for a Node fs error: its code looked up, EIO when it has none. */
export function linuxErrno(error: unknown): number {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return E.EIO;
  return LINUX_ERRNO[code] ?? E.EIO;
}

/** Linux open flags as Tlopen and Tlcreate carry them. */
export const L = {
  O_ACCMODE: 3, O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0x40, O_EXCL: 0x80, O_TRUNC: 0x200, O_APPEND: 0x400,
  O_DIRECTORY: 0x10000, AT_REMOVEDIR: 0x200,
} as const;

/** dirent d_type values (Rreaddir's type). */
export const DT = { UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12 } as const;

/** A request shorter than its fields say, or with bytes left over. */
export class Malformed extends Error {}
/** A name that is not UTF-8. */
export class BadName extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

export class Reader {
  private at = HEADER_BYTES;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private take(count: number): number {
    if (this.bytes.length - this.at < count) throw new Malformed();
    const at = this.at;
    this.at += count;
    return at;
  }

  u8(): number {
    return this.view.getUint8(this.take(1));
  }

  u16(): number {
    return this.view.getUint16(this.take(2), true);
  }

  u32(): number {
    return this.view.getUint32(this.take(4), true);
  }

  u64(): bigint {
    return this.view.getBigUint64(this.take(8), true);
  }

  bytesOf(count: number): Uint8Array {
    const at = this.take(count);
    return this.bytes.subarray(at, at + count);
  }

  string(): string {
    const bytes = this.bytesOf(this.u16());
    try {
      return utf8.decode(bytes);
    } catch {
      throw new BadName();
    }
  }

  /** Throws Malformed unless every byte was read. */
  end(): void {
    if (this.at !== this.bytes.length) throw new Malformed();
  }
}

export interface Qid {
  type: number;
  version: number;
  path: bigint;
}

export class Writer {
  private bytes = new Uint8Array(256);
  private view = new DataView(this.bytes.buffer);
  private at = HEADER_BYTES;

  constructor(type: number, tag: number) {
    this.bytes[4] = type;
    this.view.setUint16(5, tag, true);
  }

  private room(count: number): number {
    if (this.at + count > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + count));
      grown.set(this.bytes);
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    const at = this.at;
    this.at += count;
    return at;
  }

  /** Bytes written so far, the header included. */
  get length(): number {
    return this.at;
  }

  u8(value: number): this {
    const at = this.room(1); // may grow this.bytes and replace this.view
    this.view.setUint8(at, value);
    return this;
  }

  u16(value: number): this {
    const at = this.room(2); // may grow this.bytes and replace this.view
    this.view.setUint16(at, value, true);
    return this;
  }

  u32(value: number): this {
    const at = this.room(4); // may grow this.bytes and replace this.view
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }

  /** Overwrites the u32 at byte `at` (a count known only once what it counts is written). */
  u32At(at: number, value: number): this {
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }

  u64(value: bigint | number): this {
    const at = this.room(8); // may grow this.bytes and replace this.view
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(value)), true);
    return this;
  }

  data(bytes: Uint8Array): this {
    const at = this.room(bytes.length); // may grow this.bytes
    this.bytes.set(bytes, at);
    return this;
  }

  string(text: string): this {
    const bytes = encoder.encode(text);
    return this.u16(bytes.length).data(bytes);
  }

  qid(qid: Qid): this {
    return this.u8(qid.type).u32(qid.version).u64(qid.path);
  }

  /** The whole message, its size field filled in. */
  finish(): Uint8Array {
    this.view.setUint32(0, this.at, true);
    return this.bytes.slice(0, this.at);
  }
}

/** An Rlerror carrying `errno`. */
export function rlerror(tag: number, errno: number): Uint8Array {
  return new Writer(RLERROR, tag).u32(errno).finish();
}

/** The byte length of a string field holding `text`. */
export function stringBytes(text: string): number {
  return 2 + encoder.encode(text).length;
}
