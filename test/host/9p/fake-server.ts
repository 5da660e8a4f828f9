// A 9P2000.L server over a plain host directory, in process: the fixture the
// host tests of the kernel's 9p client talk to. handle() takes one whole
// T-message and returns the whole R-message, answering every failure with an
// Rlerror carrying a Linux errno and never throwing. The wire format is in
// fake-server-codec.ts.
//
// It is a fixture, not a file server: node:fs synchronous calls on the host
// directory, one client, no authentication (Tauth is refused; uname,
// n_uname and aname are ignored), owners and modes are the host's, errnos
// are Linux's whatever the host (the codec's table). What it
// does hold to, so that client mistakes show:
//
//   - Tversion first: every other message before a 9P2000.L Tversion, or
//     larger than the msize agreed, answers EPROTO; Tversion drops every fid.
//   - A message whose size field disagrees with its length, that is shorter
//     than its fields or has bytes left over answers EIO; a name that is not
//     UTF-8, is empty, holds '/' or NUL, or is "." or ".." (but ".." in
//     Twalk) answers EINVAL; an unknown fid, a newfid in use, an open fid
//     walked or opened again, or I/O on a fid not open for it answers EBADF;
//     message types it does not implement (Tmknod, xattrs, locks, 9P2000's
//     own) answer EOPNOTSUPP.
//   - No fid ever names a path outside the root: ".." at the root is the
//     root, walks lstat every step and stop at anything not a directory, and
//     opens never follow a symlink (ELOOP), so a link cannot lead out.
//   - qid.path is the host inode, qid.version 0, Tlopen's iounit 0.
//   - A directory's listing ("." and ".." first, then the names sorted) is
//     taken when it is opened and again at each Treaddir from offset 0; an
//     entry's offset is its index in the listing plus one, so cookies stay
//     stable; an entry gone since is skipped.
//   - Renames carry the fids naming the old path (or below it) along;
//     Tremove clunks its fid even when the removal fails.
//   - readOnly: every modifying message, and Tlopen for writing or
//     truncating, answers EROFS.
//
// Tsetattr sets times through Node's utimes, which takes seconds as a
// double: a time set survives to within about a microsecond (whole and half
// seconds exactly), and so does the one of atime and mtime left unchanged,
// which is written back as read.

import * as fs from "node:fs";
import { dirname, join, relative, sep, isAbsolute } from "node:path";
import {
  T, T_NAMES, E, L, DT, NOFID, NOTAG, HEADER_BYTES, MAX_WALK_NAMES, VERSION_9P2000_L, Reader, Writer, Malformed, BadName,
  rlerror, linuxErrno, stringBytes, type Qid,
} from "./fake-server-codec";

export interface FakeServerOptions {
  readOnly?: boolean;
  /** The largest msize Rversion agrees to; 512 KiB unless given. */
  msizeMax?: number;
}

interface Fid {
  path: string;
  /** The host file descriptor once the fid is open (Tlopen, Tlcreate). */
  fd: number | null;
  /** O_RDONLY, O_WRONLY or O_RDWR, once open. */
  access: number;
  /** An open directory's names, "." and ".." first. */
  listing: string[] | null;
}

/** A failure answered with this Linux errno. */
class Fail extends Error {
  constructor(readonly errno: number) {
    super(`errno ${errno}`);
  }
}

const GETATTR_BASIC = 0x7ffn;
const SETATTR = { MODE: 0x1, UID: 0x2, GID: 0x4, SIZE: 0x8, ATIME: 0x10, MTIME: 0x20, ATIME_SET: 0x80, MTIME_SET: 0x100 };
const BILLION = 1_000_000_000n;
/** Rread and Rreaddir: size[4] type[1] tag[2] count[4]. */
const IO_HEADER_BYTES = 11;

type Stats = fs.BigIntStats;

function qidOf(stats: Stats): Qid {
  const type = stats.isDirectory() ? 0x80 : stats.isSymbolicLink() ? 0x02 : 0;
  return { type, version: 0, path: stats.ino };
}

function direntType(stats: Stats): number {
  if (stats.isDirectory()) return DT.DIR;
  if (stats.isFile()) return DT.REG;
  if (stats.isSymbolicLink()) return DT.LNK;
  if (stats.isCharacterDevice()) return DT.CHR;
  if (stats.isBlockDevice()) return DT.BLK;
  if (stats.isFIFO()) return DT.FIFO;
  if (stats.isSocket()) return DT.SOCK;
  return DT.UNKNOWN;
}

/** A u64 offset or size as a Number, EFBIG past 2^53. */
function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Fail(E.EFBIG);
  return Number(value);
}

/** Linux open flags (access mode, O_TRUNC, O_APPEND, O_EXCL) as the host's, never following a symlink. */
function hostOpenFlags(flags: number, create: boolean): number {
  const c = fs.constants;
  let host = [c.O_RDONLY, c.O_WRONLY, c.O_RDWR][flags & L.O_ACCMODE] | c.O_NOFOLLOW;
  if (flags & L.O_TRUNC) host |= c.O_TRUNC;
  if (flags & L.O_APPEND) host |= c.O_APPEND;
  if (create) host |= c.O_CREAT | (flags & L.O_EXCL ? c.O_EXCL : 0);
  return host;
}

export class FakeNinePServer {
  /** Count of T-messages handled per type name, e.g. "Twalk". */
  readonly counts = new Map<string, number>();
  private readonly root: string;
  private readonly readOnly: boolean;
  private readonly msizeMax: number;
  private readonly table = new Map<number, Fid>();
  /** 0 until a Tversion agrees on 9P2000.L. */
  private msize = 0;

  constructor(root: string, options: FakeServerOptions = {}) {
    this.root = fs.realpathSync(root);
    if (!fs.statSync(this.root).isDirectory()) throw new Error(`${root} is not a directory`);
    this.readOnly = options.readOnly ?? false;
    this.msizeMax = options.msizeMax ?? 512 * 1024;
    if (!Number.isInteger(this.msizeMax) || this.msizeMax < HEADER_BYTES || this.msizeMax > 0xffff_ffff) {
      throw new RangeError(`msizeMax ${this.msizeMax}`);
    }
  }

  /** Fids currently in the fid table (for leak checks). */
  get fidCount(): number {
    return this.table.size;
  }

  /** Every fid currently held, with the path it names relative to the root ("/" for the root itself). */
  fids(): Map<number, string> {
    const named = new Map<number, string>();
    for (const [number, fid] of this.table) named.set(number, "/" + relative(this.root, fid.path).split(sep).join("/"));
    return named;
  }

  /** Closes every host file descriptor still open, and forgets every fid. */
  close(): void {
    for (const number of [...this.table.keys()]) this.drop(number);
  }

  /** Handles one T-message (size field included) and returns the whole R-message; an Rlerror on failure. */
  handle(request: Uint8Array): Uint8Array {
    const tag = request.length >= HEADER_BYTES ? request[5] | (request[6] << 8) : NOTAG;
    if (request.length < HEADER_BYTES) return rlerror(tag, E.EIO);
    const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
    if (view.getUint32(0, true) !== request.length) return rlerror(tag, E.EIO);
    const type = request[4];
    const name = T_NAMES.get(type) ?? `type ${type}`;
    this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
    if (type !== T.version && (this.msize === 0 || request.length > this.msize)) return rlerror(tag, E.EPROTO);
    const reply = new Writer(type + 1, tag);
    try {
      this.dispatch(type, new Reader(request), reply);
      return reply.finish();
    } catch (error) {
      if (error instanceof Fail) return rlerror(tag, error.errno);
      if (error instanceof Malformed) return rlerror(tag, E.EIO);
      if (error instanceof BadName) return rlerror(tag, E.EINVAL);
      return rlerror(tag, linuxErrno(error));
    }
  }

  private dispatch(type: number, r: Reader, w: Writer): void {
    switch (type) {
      case T.version: return this.version(r, w);
      case T.attach: return this.attach(r, w);
      case T.auth: // afid uname aname n_uname: no authentication here
        r.u32();
        r.string();
        r.string();
        r.u32();
        r.end();
        throw new Fail(E.EOPNOTSUPP);
      case T.flush: // oldtag: every request is answered before the next arrives
        r.u16();
        r.end();
        return;
      case T.walk: return this.walk(r, w);
      case T.clunk: {
        const fid = r.u32();
        r.end();
        this.fid(fid);
        this.drop(fid);
        return;
      }
      case T.remove: return this.remove(r);
      case T.getattr: return this.getattr(r, w);
      case T.setattr: return this.setattr(r);
      case T.statfs: return this.statfs(r, w);
      case T.lopen: return this.lopen(r, w);
      case T.lcreate: return this.lcreate(r, w);
      case T.read: return this.read(r, w);
      case T.write: return this.write(r, w);
      case T.readdir: return this.readdir(r, w);
      case T.fsync: return this.fsync(r);
      case T.readlink: {
        const fid = this.fid(r.u32());
        r.end();
        w.string(fs.readlinkSync(fid.path));
        return;
      }
      case T.mkdir: case T.symlink: case T.link: case T.rename: case T.renameat: case T.unlinkat:
        return this.modifyTree(type, r, w);
      default:
        throw new Fail(E.EOPNOTSUPP); // Tmknod, Txattrwalk, Txattrcreate, Tlock, Tgetlock, 9P2000's and unknown types
    }
  }

  // --- the fid table and paths ---

  private fid(number: number): Fid {
    const fid = this.table.get(number);
    if (fid === undefined) throw new Fail(E.EBADF);
    return fid;
  }

  /** A fid not yet open: one that may be walked from, opened or created in. */
  private unopened(number: number): Fid {
    const fid = this.fid(number);
    if (fid.fd !== null) throw new Fail(E.EBADF);
    return fid;
  }

  private drop(number: number): void {
    const fid = this.table.get(number);
    this.table.delete(number);
    if (fid?.fd != null) {
      try {
        fs.closeSync(fid.fd);
      } catch {
        // the fid is gone either way
      }
    }
  }

  private add(number: number, path: string): void {
    if (this.table.has(number)) throw new Fail(E.EBADF);
    this.table.set(number, { path, fd: null, access: 0, listing: null });
  }

  private inside(path: string): boolean {
    const rel = relative(this.root, path);
    return rel === "" || (rel !== ".." && !rel.startsWith(".." + sep) && !isAbsolute(rel));
  }

  /** `name` in the directory `dir` names: EINVAL for a name that is not one, ENOTDIR when `dir` is not a directory. */
  private child(dir: string, name: string): string {
    if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\0")) throw new Fail(E.EINVAL);
    if (!fs.lstatSync(dir).isDirectory()) throw new Fail(E.ENOTDIR);
    const path = join(dir, name);
    if (!this.inside(path)) throw new Fail(E.EINVAL);
    return path;
  }

  private parent(path: string): string {
    return path === this.root ? this.root : dirname(path);
  }

  private stats(fid: Fid): Stats {
    return fid.fd !== null ? fs.fstatSync(fid.fd, { bigint: true }) : fs.lstatSync(fid.path, { bigint: true });
  }

  private writable(): void {
    if (this.readOnly) throw new Fail(E.EROFS);
  }

  /** After a rename, the fids naming `from` or a path below it name the same files under `to`. */
  private moved(from: string, to: string): void {
    for (const fid of this.table.values()) {
      if (fid.path === from) fid.path = to;
      else if (fid.path.startsWith(from + sep)) fid.path = to + fid.path.slice(from.length);
    }
  }

  // --- session ---

  private version(r: Reader, w: Writer): void {
    const asked = r.u32();
    const version = r.string();
    r.end();
    this.close();
    const msize = Math.min(asked, this.msizeMax);
    const known = version === VERSION_9P2000_L;
    this.msize = known ? msize : 0;
    w.u32(msize).string(known ? VERSION_9P2000_L : "unknown");
  }

  private attach(r: Reader, w: Writer): void {
    const fid = r.u32();
    const afid = r.u32();
    r.string(); // uname
    r.string(); // aname
    r.u32(); // n_uname
    r.end();
    if (afid !== NOFID) throw new Fail(E.EBADF); // no Tauth ever succeeds
    if (this.table.has(fid)) throw new Fail(E.EBADF);
    const qid = qidOf(fs.lstatSync(this.root, { bigint: true }));
    this.add(fid, this.root);
    w.qid(qid);
  }

  private walk(r: Reader, w: Writer): void {
    const fidNumber = r.u32();
    const newFid = r.u32();
    const names: string[] = [];
    for (let count = r.u16(); count > 0; count--) names.push(r.string());
    r.end();
    const from = this.unopened(fidNumber);
    if (newFid !== fidNumber && this.table.has(newFid)) throw new Fail(E.EBADF);
    if (names.length > MAX_WALK_NAMES) throw new Fail(E.EINVAL);
    if (names.some((name) => name === "" || name === "." || name.includes("/") || name.includes("\0"))) throw new Fail(E.EINVAL);
    let path = from.path;
    const qids: Qid[] = [];
    for (const name of names) {
      try {
        if (!fs.lstatSync(path).isDirectory()) throw new Fail(E.ENOTDIR);
        const next = name === ".." ? this.parent(path) : join(path, name);
        if (!this.inside(next)) throw new Fail(E.EINVAL);
        qids.push(qidOf(fs.lstatSync(next, { bigint: true })));
        path = next;
      } catch (error) {
        if (qids.length === 0) throw error;
        break; // the qids walked so far, and no newfid
      }
    }
    if (qids.length === names.length) {
      if (newFid === fidNumber) from.path = path;
      else this.add(newFid, path);
    }
    w.u16(qids.length);
    for (const qid of qids) w.qid(qid);
  }

  private remove(r: Reader): void {
    const number = r.u32();
    r.end();
    const fid = this.fid(number);
    try {
      this.writable();
      if (fid.path === this.root) throw new Fail(E.EBUSY);
      if (fs.lstatSync(fid.path).isDirectory()) fs.rmdirSync(fid.path);
      else fs.unlinkSync(fid.path);
    } finally {
      this.drop(number);
    }
  }

  // --- attributes ---

  private getattr(r: Reader, w: Writer): void {
    const fid = this.fid(r.u32());
    r.u64();
    r.end();
    const s = this.stats(fid);
    w.u64(GETATTR_BASIC).qid(qidOf(s)).u32(Number(s.mode)).u32(Number(s.uid)).u32(Number(s.gid));
    w.u64(s.nlink).u64(s.rdev).u64(s.size).u64(s.blksize).u64(s.blocks);
    for (const ns of [s.atimeNs, s.mtimeNs, s.ctimeNs]) w.u64(ns / BILLION).u64(ns % BILLION);
    w.u64(0).u64(0).u64(0).u64(0); // btime, gen, data_version: not in GETATTR_BASIC
  }

  private setattr(r: Reader): void {
    const fid = this.fid(r.u32());
    const valid = r.u32();
    const mode = r.u32();
    const uid = r.u32();
    const gid = r.u32();
    const size = r.u64();
    const atime = [r.u64(), r.u64()];
    const mtime = [r.u64(), r.u64()];
    r.end();
    this.writable();
    const stats = fs.lstatSync(fid.path, { bigint: true });
    const link = stats.isSymbolicLink();
    if (valid & SETATTR.MODE) {
      if (link) throw new Fail(E.EOPNOTSUPP);
      fs.chmodSync(fid.path, mode & 0o7777);
    }
    if (valid & (SETATTR.UID | SETATTR.GID)) {
      fs.lchownSync(fid.path, valid & SETATTR.UID ? uid : -1, valid & SETATTR.GID ? gid : -1);
    }
    if (valid & SETATTR.SIZE) {
      if (link) throw new Fail(E.EINVAL);
      fs.truncateSync(fid.path, safeNumber(size));
    }
    if (valid & (SETATTR.ATIME | SETATTR.MTIME)) {
      const now = Date.now() / 1000;
      const seconds = ([sec, nsec]: bigint[]) => Number(sec) + Number(nsec) / 1e9;
      const a = !(valid & SETATTR.ATIME) ? Number(stats.atimeNs) / 1e9 : valid & SETATTR.ATIME_SET ? seconds(atime) : now;
      const m = !(valid & SETATTR.MTIME) ? Number(stats.mtimeNs) / 1e9 : valid & SETATTR.MTIME_SET ? seconds(mtime) : now;
      fs.lutimesSync(fid.path, a, m);
    }
  }

  private statfs(r: Reader, w: Writer): void {
    const fid = this.fid(r.u32());
    r.end();
    const s = fs.statfsSync(fid.path, { bigint: true });
    w.u32(Number(BigInt.asUintN(32, s.type))).u32(Number(s.bsize)).u64(s.blocks).u64(s.bfree).u64(s.bavail);
    w.u64(s.files).u64(s.ffree).u64(0).u32(255); // fsid (Node gives none), namelen
  }

  // --- open files ---

  private lopen(r: Reader, w: Writer): void {
    const fid = this.unopened(r.u32());
    const flags = r.u32();
    r.end();
    const access = flags & L.O_ACCMODE;
    if (access === L.O_ACCMODE) throw new Fail(E.EINVAL);
    if (this.readOnly && (access !== L.O_RDONLY || flags & L.O_TRUNC)) throw new Fail(E.EROFS);
    const stats = fs.lstatSync(fid.path, { bigint: true });
    if (stats.isSymbolicLink()) throw new Fail(E.ELOOP);
    if (stats.isDirectory()) {
      if (access !== L.O_RDONLY) throw new Fail(E.EISDIR);
      fid.fd = fs.openSync(fid.path, fs.constants.O_RDONLY);
      fid.listing = this.list(fid.path);
    } else {
      if (flags & L.O_DIRECTORY) throw new Fail(E.ENOTDIR);
      fid.fd = fs.openSync(fid.path, hostOpenFlags(flags, false));
    }
    fid.access = access;
    w.qid(qidOf(fs.fstatSync(fid.fd, { bigint: true }))).u32(0);
  }

  private lcreate(r: Reader, w: Writer): void {
    const dir = this.unopened(r.u32());
    const name = r.string();
    const flags = r.u32();
    const mode = r.u32();
    r.u32(); // gid: the host's own
    r.end();
    this.writable();
    const access = flags & L.O_ACCMODE;
    if (access === L.O_ACCMODE) throw new Fail(E.EINVAL);
    const path = this.child(dir.path, name);
    const fd = fs.openSync(path, hostOpenFlags(flags, true), mode & 0o7777);
    Object.assign(dir, { path, fd, access, listing: null });
    w.qid(qidOf(fs.fstatSync(fd, { bigint: true }))).u32(0);
  }

  private list(path: string): string[] {
    return [".", "..", ...fs.readdirSync(path).sort()];
  }

  private readdir(r: Reader, w: Writer): void {
    const fid = this.fid(r.u32());
    const offset = r.u64();
    const count = Math.min(r.u32(), Math.max(0, this.msize - IO_HEADER_BYTES));
    r.end();
    if (fid.fd === null) throw new Fail(E.EBADF);
    if (fid.listing === null) throw new Fail(E.ENOTDIR);
    if (offset === 0n) fid.listing = this.list(fid.path);
    const counted = w.length;
    w.u32(0);
    let used = 0;
    for (let index = offset; index < BigInt(fid.listing.length); index++) {
      const name = fid.listing[Number(index)];
      const path = name === "." ? fid.path : name === ".." ? this.parent(fid.path) : join(fid.path, name);
      let stats: Stats;
      try {
        stats = fs.lstatSync(path, { bigint: true });
      } catch {
        continue; // gone since the listing was taken
      }
      const bytes = 13 + 8 + 1 + stringBytes(name);
      if (used + bytes > count) {
        if (used === 0) throw new Fail(E.EINVAL); // not even one entry fits
        break;
      }
      w.qid(qidOf(stats)).u64(index + 1n).u8(direntType(stats)).string(name);
      used += bytes;
    }
    w.u32At(counted, used);
  }

  private read(r: Reader, w: Writer): void {
    const fid = this.fid(r.u32());
    const offset = r.u64();
    const count = Math.min(r.u32(), Math.max(0, this.msize - IO_HEADER_BYTES));
    r.end();
    if (fid.fd === null || fid.access === L.O_WRONLY) throw new Fail(E.EBADF);
    if (fid.listing !== null) throw new Fail(E.EISDIR);
    const data = Buffer.alloc(count);
    const got = fs.readSync(fid.fd, data, 0, count, safeNumber(offset));
    w.u32(got).data(data.subarray(0, got));
  }

  private write(r: Reader, w: Writer): void {
    const fid = this.fid(r.u32());
    const offset = r.u64();
    const data = r.bytesOf(r.u32());
    r.end();
    this.writable();
    if (fid.fd === null || fid.access === L.O_RDONLY) throw new Fail(E.EBADF);
    const wrote = fs.writeSync(fid.fd, data, 0, data.length, safeNumber(offset));
    w.u32(wrote);
  }

  private fsync(r: Reader): void {
    const fid = this.fid(r.u32());
    const datasync = r.u32();
    r.end();
    if (fid.fd === null) throw new Fail(E.EBADF);
    if (datasync) fs.fdatasyncSync(fid.fd);
    else fs.fsyncSync(fid.fd);
  }

  // --- the tree ---

  private modifyTree(type: number, r: Reader, w: Writer): void {
    switch (type) {
      case T.mkdir: {
        const dir = this.fid(r.u32());
        const name = r.string();
        const mode = r.u32();
        r.u32(); // gid: the host's own
        r.end();
        this.writable();
        const path = this.child(dir.path, name);
        fs.mkdirSync(path, { mode: mode & 0o7777 });
        w.qid(qidOf(fs.lstatSync(path, { bigint: true })));
        return;
      }
      case T.symlink: {
        const dir = this.fid(r.u32());
        const name = r.string();
        const target = r.string();
        r.u32(); // gid: the host's own
        r.end();
        this.writable();
        const path = this.child(dir.path, name);
        fs.symlinkSync(target, path);
        w.qid(qidOf(fs.lstatSync(path, { bigint: true })));
        return;
      }
      case T.link: {
        const dir = this.fid(r.u32());
        const fid = this.fid(r.u32());
        const name = r.string();
        r.end();
        this.writable();
        fs.linkSync(fid.path, this.child(dir.path, name));
        return;
      }
      case T.rename: {
        const fid = this.fid(r.u32());
        const dir = this.fid(r.u32());
        const name = r.string();
        r.end();
        this.writable();
        if (fid.path === this.root) throw new Fail(E.EBUSY);
        const from = fid.path;
        const to = this.child(dir.path, name);
        fs.renameSync(from, to);
        this.moved(from, to);
        return;
      }
      case T.renameat: {
        const oldDir = this.fid(r.u32());
        const oldName = r.string();
        const newDir = this.fid(r.u32());
        const newName = r.string();
        r.end();
        this.writable();
        const from = this.child(oldDir.path, oldName);
        const to = this.child(newDir.path, newName);
        fs.renameSync(from, to);
        this.moved(from, to);
        return;
      }
      case T.unlinkat: {
        const dir = this.fid(r.u32());
        const name = r.string();
        const flags = r.u32();
        r.end();
        this.writable();
        if (flags & ~L.AT_REMOVEDIR) throw new Fail(E.EINVAL);
        const path = this.child(dir.path, name);
        if (flags & L.AT_REMOVEDIR) fs.rmdirSync(path);
        else fs.unlinkSync(path);
        return;
      }
    }
  }
}
