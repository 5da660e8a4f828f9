// The fd_* functions: reading, writing, seeking, stat, flags, rights,
// directory listing and the preopen queries, over the VFS (fs/vfs/index.ts)
// and the console streams.
//
// Order of checks in each: the descriptor (BADF), what it is where that
// decides (SPIPE for seeking a stream, NOTDIR for listing a non-directory),
// its rights (NOTCAPABLE), the arguments (INVAL), every app-memory range
// (FAULT: then nothing is read, written or done), and only then the work.
// A transfer that fails after moving some bytes reports the bytes moved.

import * as vfs from "../../fs/vfs/index";
import { writeAppStream } from "../../kernel/console";
import { copyIn, copyOut } from "../app-memory";
import {
  ERRNO_SUCCESS, ERRNO_BADF, ERRNO_FAULT, ERRNO_INVAL, ERRNO_SPIPE, ERRNO_NOTDIR, ERRNO_NOTCAPABLE,
  ERRNO_NAMETOOLONG, ERRNO_FBIG, ERRNO_MSGSIZE, errnoOf,
} from "./errno";
import { AppFile, fileOf, fileWithRights, refusal, closeFd, renumber, KIND_STDIN, KIND_STDERR } from "./fds";
import { receivePiece, sendPiece, receiveDatagram, sendDatagram } from "./sockets";
import { RECEIVE_PEEK, datagramLength } from "../../kernel/net/index";
import { Iovec, IOVEC_BYTES, Fdstat, FDSTAT_BYTES, Filestat, FILESTAT_BYTES, Dirent, DIRENT_BYTES, Prestat, PRESTAT_BYTES, PREOPENTYPE_DIR } from "./layout";
import { scratch, bounce, BOUNCE_BYTES, put, inRange, storeU32, storeU64, encodeToScratch, iovecTable } from "./memory";
import {
  RIGHT_FD_READ, RIGHT_FD_WRITE, RIGHT_FD_SEEK, RIGHT_FD_TELL, RIGHT_FD_FDSTAT_SET_FLAGS, RIGHT_FD_FILESTAT_GET,
  RIGHT_FD_FILESTAT_SET_SIZE, RIGHT_FD_FILESTAT_SET_TIMES, RIGHT_FD_ADVISE, RIGHT_FD_ALLOCATE, RIGHT_FD_DATASYNC,
  RIGHT_FD_SYNC, RIGHT_FD_READDIR,
} from "./rights";
import {
  FILETYPE_UNKNOWN, FILETYPE_REGULAR_FILE, FILETYPE_DIRECTORY, FILETYPE_SYMBOLIC_LINK, FILETYPE_CHARACTER_DEVICE,
  FDFLAGS_ALL, FDFLAGS_APPEND, WHENCE_CUR, WHENCE_END, ADVICE_NOREUSE,
} from "./types";
import { timesToSet, timePair } from "./clock";

/** The most iovecs one call may pass (as Linux IOV_MAX). */
export const IOV_MAX: u32 = 1024;
const LARGEST_OFFSET: u64 = 0x7fff_ffff_ffff_ffff;

let statBuffer: vfs.Stat | null = null;
let entryBuffer: vfs.DirEntry | null = null;

/** One Stat to reuse (WASI calls come one at a time). */
export function statScratch(): vfs.Stat {
  if (statBuffer === null) statBuffer = new vfs.Stat();
  return statBuffer!;
}

export function filetypeOf(type: u32): u8 {
  if (type == vfs.TYPE_FILE) return FILETYPE_REGULAR_FILE;
  if (type == vfs.TYPE_DIRECTORY) return FILETYPE_DIRECTORY;
  if (type == vfs.TYPE_SYMLINK) return FILETYPE_SYMBOLIC_LINK;
  return FILETYPE_UNKNOWN;
}

/** Writes `stat` as a WASI filestat at `out` (whose range the caller checked). */
export function putFilestat(stat: vfs.Stat, out: u32): void {
  const at = scratch();
  memory.fill(at, 0, FILESTAT_BYTES);
  const filestat = changetype<Filestat>(at);
  filestat.device = stat.device;
  filestat.inode = stat.inode;
  filestat.filetype = filetypeOf(stat.type);
  filestat.links = <u64>stat.links;
  filestat.size = stat.size;
  filestat.accessed = stat.accessed < 0 ? 0 : <u64>stat.accessed;
  filestat.modified = stat.modified < 0 ? 0 : <u64>stat.modified;
  filestat.changed = stat.changed < 0 ? 0 : <u64>stat.changed;
  put(out, FILESTAT_BYTES);
}

// --- Transfers ---

// @ts-ignore: decorator
@inline function iovecAt(table: usize, index: u32): Iovec {
  return changetype<Iovec>(table + <usize>index * offsetof<Iovec>());
}

/**
 * Copies the `count` iovecs at `iovs` into the kernel's iovec table, once,
 * and checks every buffer they name; SUCCESS, INVAL or FAULT. The transfer
 * then works from that copy only: data landing on the app's iovec array
 * (an iovec may point at the array itself) cannot move later data anywhere
 * that was not checked.
 */
function takeIovecs(iovs: u32, count: u32): u32 {
  if (count > IOV_MAX) return ERRNO_INVAL;
  if (!inRange(iovs, count, IOVEC_BYTES)) return ERRNO_FAULT;
  const table = iovecTable();
  if (count != 0 && !copyIn(table, iovs, count * IOVEC_BYTES)) return ERRNO_FAULT;
  for (let i: u32 = 0; i < count; i++) {
    const iovec = iovecAt(table, i);
    if (!inRange(iovec.buffer, iovec.length, 1)) return ERRNO_FAULT;
  }
  return ERRNO_SUCCESS;
}

/** Bytes moved by the last transfer. */
let moved: u64 = 0;

/**
 * Reads into the iovecs takeIovecs copied from `file` (at `offset` when
 * `positional`, else at its own offset); the count in `moved`. Returns
 * SUCCESS, the error of a read that moved nothing, or FAULT if the data
 * could not be stored (then the app is told nothing was read).
 */
function readInto(file: AppFile, count: u32, positional: bool, offset: u64, socketFlags: u32 = 0): u32 {
  moved = 0;
  if (file.kind == KIND_STDIN) return ERRNO_SUCCESS; // stdin is always at its end
  if (file.datagram) return readDatagram(file, count, socketFlags);
  const buffer = bounce();
  const table = iovecTable();
  for (let i: u32 = 0; i < count; i++) {
    const iovec = iovecAt(table, i);
    const address = iovec.buffer;
    const length = iovec.length;
    let done: u32 = 0;
    while (done < length) {
      const chunk = <usize>min<u32>(length - done, <u32>BOUNCE_BYTES);
      let got: i64;
      if (file.isSocket) got = receivePiece(file, buffer, chunk, socketFlags, moved > 0);
      else if (positional) got = vfs.pread(file.vfsFd, buffer, chunk, <i64>(offset + moved));
      else got = vfs.read(file.vfsFd, buffer, chunk);
      if (got < 0) return moved == 0 ? errnoOf(got) : ERRNO_SUCCESS;
      if (!copyOut(address + done, buffer, <u32>got)) return ERRNO_FAULT;
      done += <u32>got;
      moved += <u64>got;
      if (<usize>got < chunk || (socketFlags & RECEIVE_PEEK) != 0) return ERRNO_SUCCESS; // a peek looks once
    }
  }
  return ERRNO_SUCCESS;
}

/** Writes the iovecs takeIovecs copied to `file`, as readInto reads. */
function writeFrom(file: AppFile, count: u32, positional: bool, offset: u64): u32 {
  moved = 0;
  if (file.datagram) return writeDatagram(file, count, 0, 0, 0);
  const buffer = bounce();
  const table = iovecTable();
  for (let i: u32 = 0; i < count; i++) {
    const iovec = iovecAt(table, i);
    const address = iovec.buffer;
    const length = iovec.length;
    let done: u32 = 0;
    while (done < length) {
      const chunk = min<u32>(length - done, <u32>BOUNCE_BYTES);
      if (!copyIn(buffer, address + done, chunk)) return ERRNO_FAULT;
      let wrote: i64 = <i64>chunk;
      if (file.isStream) writeAppStream(file.kind == KIND_STDERR ? 2 : 1, buffer, <usize>chunk);
      else if (file.isSocket) wrote = sendPiece(file, buffer, <usize>chunk, moved > 0);
      else if (positional) wrote = vfs.pwrite(file.vfsFd, buffer, <usize>chunk, <i64>(offset + moved));
      else wrote = vfs.write(file.vfsFd, buffer, <usize>chunk);
      if (wrote < 0) return moved == 0 ? errnoOf(wrote) : ERRNO_SUCCESS;
      done += <u32>wrote;
      moved += <u64>wrote;
      if (wrote < <i64>chunk) return ERRNO_SUCCESS;
    }
  }
  return ERRNO_SUCCESS;
}

/** Whether the datagram readDatagram took last did not fit the iovecs (roflags RECV_DATA_TRUNCATED). */
export let datagramTruncated: bool = false;

/**
 * Takes one datagram into the iovecs takeIovecs copied (as much as fits;
 * datagramSource() names its sender): the count in `moved`.
 */
function readDatagram(file: AppFile, count: u32, flags: u32): u32 {
  const table = iovecTable();
  let room: u64 = 0;
  for (let i: u32 = 0; i < count; i++) room += <u64>iovecAt(table, i).length;
  const buffer = bounce();
  const got = receiveDatagram(file, buffer, <usize>min<u64>(room, <u64>BOUNCE_BYTES), flags);
  if (got < 0) return errnoOf(got);
  datagramTruncated = datagramLength() > <u32>got;
  let left = <u32>got;
  for (let i: u32 = 0; i < count && left > 0; i++) {
    const iovec = iovecAt(table, i);
    const piece = min<u32>(iovec.length, left);
    if (!copyOut(iovec.buffer, buffer + <usize>(<u32>got - left), piece)) return ERRNO_FAULT;
    left -= piece;
  }
  moved = <u64>got;
  return ERRNO_SUCCESS;
}

/** Sends the iovecs takeIovecs copied as one datagram to (high, low):`port` (unspecified: the socket's peer): the count in `moved`. */
export function writeDatagram(file: AppFile, count: u32, high: u64, low: u64, port: u32): u32 {
  const table = iovecTable();
  const buffer = bounce();
  let length: u64 = 0;
  for (let i: u32 = 0; i < count; i++) {
    const iovec = iovecAt(table, i);
    if (length + <u64>iovec.length > <u64>BOUNCE_BYTES) return ERRNO_MSGSIZE;
    if (!copyIn(buffer + <usize>length, iovec.buffer, iovec.length)) return ERRNO_FAULT;
    length += <u64>iovec.length;
  }
  const sent = sendDatagram(file, buffer, <u32>length, high, low, port);
  if (sent < 0) return errnoOf(sent);
  moved = <u64>sent;
  return ERRNO_SUCCESS;
}

/** The iovecs at `iovs` for a datagram call: SUCCESS or the errno of takeIovecs. */
export function takeDatagramIovecs(iovs: u32, count: u32): u32 {
  return takeIovecs(iovs, count);
}

/** Bytes the last read or write moved. */
export function movedBytes(): u64 {
  return moved;
}

/** Reads one datagram from `file` into the iovecs at `iovs` (recv_from): SUCCESS or an errno; movedBytes() says how much. */
export function receiveInto(file: AppFile, iovs: u32, count: u32, flags: u32): u32 {
  const taken = takeIovecs(iovs, count);
  if (taken != ERRNO_SUCCESS) return taken;
  moved = 0;
  return readDatagram(file, count, flags);
}

function transfer(fd: u32, iovs: u32, count: u32, out: u32, writing: bool, positional: bool, offset: u64): u32 {
  const file = fileOf(fd);
  if (file === null) return ERRNO_BADF;
  if (positional && file.isSequential) return ERRNO_SPIPE;
  const rights = (writing ? RIGHT_FD_WRITE : RIGHT_FD_READ) | (positional ? RIGHT_FD_SEEK : 0);
  if ((file.rightsBase & rights) != rights) return ERRNO_NOTCAPABLE;
  if (positional && offset > LARGEST_OFFSET) return ERRNO_INVAL;
  const taken = takeIovecs(iovs, count);
  if (taken != ERRNO_SUCCESS) return taken;
  if (!inRange(out, 1, 4)) return ERRNO_FAULT;
  const result = writing ? writeFrom(file, count, positional, offset) : readInto(file, count, positional, offset);
  if (result != ERRNO_SUCCESS) return result;
  storeU32(out, <u32>min<u64>(moved, 0xffff_ffff));
  return ERRNO_SUCCESS;
}

/**
 * sock_recv's and sock_send's transfer on the socket `file` (rights
 * checked by the caller): the iovecs at `iovs`, the count into `out`.
 */
export function socketTransfer(file: AppFile, iovs: u32, count: u32, out: u32, writing: bool, flags: u32): u32 {
  const taken = takeIovecs(iovs, count);
  if (taken != ERRNO_SUCCESS) return taken;
  if (!inRange(out, 1, 4)) return ERRNO_FAULT;
  const result = writing ? writeFrom(file, count, false, 0) : readInto(file, count, false, 0, flags);
  if (result != ERRNO_SUCCESS) return result;
  storeU32(out, <u32>min<u64>(moved, 0xffff_ffff));
  return ERRNO_SUCCESS;
}

export function fdRead(fd: u32, iovs: u32, count: u32, out: u32): u32 {
  return transfer(fd, iovs, count, out, false, false, 0);
}

export function fdWrite(fd: u32, iovs: u32, count: u32, out: u32): u32 {
  return transfer(fd, iovs, count, out, true, false, 0);
}

export function fdPread(fd: u32, iovs: u32, count: u32, offset: u64, out: u32): u32 {
  return transfer(fd, iovs, count, out, false, true, offset);
}

export function fdPwrite(fd: u32, iovs: u32, count: u32, offset: u64, out: u32): u32 {
  return transfer(fd, iovs, count, out, true, true, offset);
}

// --- Position ---

export function fdSeek(fd: u32, offset: i64, whence: u32, out: u32): u32 {
  const file = fileOf(fd);
  if (file === null) return ERRNO_BADF;
  if (file.isSequential) return ERRNO_SPIPE;
  const tellOnly = offset == 0 && whence == WHENCE_CUR;
  const right = tellOnly ? RIGHT_FD_TELL : RIGHT_FD_SEEK;
  if ((file.rightsBase & right) == 0 && (file.rightsBase & RIGHT_FD_SEEK) == 0) return ERRNO_NOTCAPABLE;
  if (whence > WHENCE_END) return ERRNO_INVAL;
  if (!inRange(out, 1, 8)) return ERRNO_FAULT;
  const position = vfs.seek(file.vfsFd, offset, <i32>whence);
  if (position < 0) return errnoOf(position);
  storeU64(out, <u64>position);
  return ERRNO_SUCCESS;
}

export function fdTell(fd: u32, out: u32): u32 {
  return fdSeek(fd, 0, WHENCE_CUR, out);
}

// --- State ---

export function fdFdstatGet(fd: u32, out: u32): u32 {
  const file = fileOf(fd);
  if (file === null) return ERRNO_BADF;
  if (!inRange(out, 1, FDSTAT_BYTES)) return ERRNO_FAULT;
  const at = scratch();
  memory.fill(at, 0, FDSTAT_BYTES);
  const fdstat = changetype<Fdstat>(at);
  fdstat.filetype = file.filetype;
  fdstat.flags = <u16>file.flags;
  fdstat.rightsBase = file.rightsBase;
  fdstat.rightsInheriting = file.rightsInheriting;
  put(out, FDSTAT_BYTES);
  return ERRNO_SUCCESS;
}

/** APPEND changes where writes go; NONBLOCK and the sync flags are kept and reported (files never block, RAMFS writes are done when they return). */
export function fdFdstatSetFlags(fd: u32, flags: u32): u32 {
  const file = fileWithRights(fd, RIGHT_FD_FDSTAT_SET_FLAGS);
  if (file === null) return refusal();
  if ((flags & ~FDFLAGS_ALL) != 0) return ERRNO_INVAL;
  if (file.vfsFd >= 0) {
    const result = vfs.setOpenFlags(file.vfsFd, (flags & FDFLAGS_APPEND) != 0 ? vfs.O_APPEND : 0);
    if (result < 0) return errnoOf(result);
  }
  file.flags = flags;
  return ERRNO_SUCCESS;
}

/** Rights only shrink: asking for one the fd lacks is NOTCAPABLE. */
export function fdFdstatSetRights(fd: u32, base: u64, inheriting: u64): u32 {
  const file = fileOf(fd);
  if (file === null) return ERRNO_BADF;
  if ((base & ~file.rightsBase) != 0 || (inheriting & ~file.rightsInheriting) != 0) return ERRNO_NOTCAPABLE;
  file.rightsBase = base;
  file.rightsInheriting = inheriting;
  return ERRNO_SUCCESS;
}

export function fdFilestatGet(fd: u32, out: u32): u32 {
  const file = fileWithRights(fd, RIGHT_FD_FILESTAT_GET);
  if (file === null) return refusal();
  if (!inRange(out, 1, FILESTAT_BYTES)) return ERRNO_FAULT;
  if (file.isSequential) {
    // A character device or a socket, with nothing else to tell.
    memory.fill(scratch(), 0, FILESTAT_BYTES);
    const filestat = changetype<Filestat>(scratch());
    filestat.filetype = file.filetype;
    filestat.links = 1;
    put(out, FILESTAT_BYTES);
    return ERRNO_SUCCESS;
  }
  const stat = statScratch();
  const result = vfs.fstat(file.vfsFd, stat);
  if (result < 0) return errnoOf(result);
  putFilestat(stat, out);
  return ERRNO_SUCCESS;
}

export function fdFilestatSetSize(fd: u32, size: u64): u32 {
  const file = fileWithRights(fd, RIGHT_FD_FILESTAT_SET_SIZE);
  if (file === null) return refusal();
  if (size > LARGEST_OFFSET) return ERRNO_FBIG;
  return errnoOf(vfs.ftruncate(file.vfsFd, <i64>size));
}

export function fdFilestatSetTimes(fd: u32, accessed: u64, modified: u64, flags: u32): u32 {
  const file = fileWithRights(fd, RIGHT_FD_FILESTAT_SET_TIMES);
  if (file === null) return refusal();
  const times = timePair();
  const checked = timesToSet(accessed, modified, flags, times);
  if (checked != ERRNO_SUCCESS) return checked;
  return errnoOf(vfs.setTimes(file.vfsFd, times.accessed, times.modified));
}

/** Advice is accepted and ignored (RAMFS and ROFS keep everything in memory). */
export function fdAdvise(fd: u32, offset: u64, length: u64, advice: u32): u32 {
  const file = fileWithRights(fd, RIGHT_FD_ADVISE);
  if (file === null) return refusal();
  if (advice > ADVICE_NOREUSE || offset > LARGEST_OFFSET || length > LARGEST_OFFSET - offset) return ERRNO_INVAL;
  return ERRNO_SUCCESS;
}

/** Makes the file at least offset + length bytes long (as posix_fallocate). */
export function fdAllocate(fd: u32, offset: u64, length: u64): u32 {
  const file = fileWithRights(fd, RIGHT_FD_ALLOCATE);
  if (file === null) return refusal();
  if (offset > LARGEST_OFFSET || length > LARGEST_OFFSET - offset) return ERRNO_FBIG;
  if (file.isDirectory || file.isStream) return ERRNO_BADF;
  const stat = statScratch();
  const result = vfs.fstat(file.vfsFd, stat);
  if (result < 0) return errnoOf(result);
  if (stat.size >= offset + length) return ERRNO_SUCCESS;
  return errnoOf(vfs.ftruncate(file.vfsFd, <i64>(offset + length)));
}

export function fdClose(fd: u32): u32 {
  return closeFd(fd);
}

export function fdRenumber(from: u32, to: u32): u32 {
  return renumber(from, to);
}

function sync(fd: u32, right: u64): u32 {
  const file = fileWithRights(fd, right);
  if (file === null) return refusal();
  if (file.isStream) return ERRNO_SUCCESS;
  return errnoOf(vfs.fsync(file.vfsFd));
}

export function fdDatasync(fd: u32): u32 {
  return sync(fd, RIGHT_FD_DATASYNC);
}

export function fdSync(fd: u32): u32 {
  return sync(fd, RIGHT_FD_SYNC);
}

// --- Preopens ---

export function fdPrestatGet(fd: u32, out: u32): u32 {
  const file = fileOf(fd);
  if (file === null || file.preopenName == 0) return ERRNO_BADF;
  if (!inRange(out, 1, PRESTAT_BYTES)) return ERRNO_FAULT;
  const at = scratch();
  memory.fill(at, 0, PRESTAT_BYTES);
  const prestat = changetype<Prestat>(at);
  prestat.tag = PREOPENTYPE_DIR;
  prestat.nameLength = file.preopenNameLength;
  put(out, PRESTAT_BYTES);
  return ERRNO_SUCCESS;
}

/** Copies the preopen's name (no NUL) to `path`; NAMETOOLONG if `length` is smaller than the name. */
export function fdPrestatDirName(fd: u32, path: u32, length: u32): u32 {
  const file = fileOf(fd);
  if (file === null || file.preopenName == 0) return ERRNO_BADF;
  if (length < file.preopenNameLength) return ERRNO_NAMETOOLONG;
  if (!inRange(path, file.preopenNameLength, 1)) return ERRNO_FAULT;
  copyOut(path, file.preopenName, file.preopenNameLength);
  return ERRNO_SUCCESS;
}

// --- Directories ---

/**
 * Fills `buffer` with dirents from `cookie` on, each a 24-byte header and
 * the name; the last one is cut off where the buffer ends (the app sees
 * bufused == length and asks again with a larger buffer). Cookies are the
 * VFS's: 0 starts, "." and ".." come first, each d_next continues after
 * its entry.
 */
export function fdReaddir(fd: u32, buffer: u32, length: u32, cookie: u64, out: u32): u32 {
  const file = fileOf(fd);
  if (file === null) return ERRNO_BADF;
  if (!file.isDirectory) return ERRNO_NOTDIR;
  if ((file.rightsBase & RIGHT_FD_READDIR) == 0) return ERRNO_NOTCAPABLE;
  if (!inRange(buffer, length, 1) || !inRange(out, 1, 4)) return ERRNO_FAULT;
  if (entryBuffer === null) entryBuffer = new vfs.DirEntry();
  const entry = entryBuffer!;
  let used: u32 = 0;
  let next = cookie;
  while (used < length) {
    const got = vfs.readdir(file.vfsFd, next, entry);
    if (got < 0) return errnoOf(got);
    if (got == 0) break;
    const nameLength = encodeToScratch(entry.name, DIRENT_BYTES);
    vfs.freeString(entry.name);
    entry.name = "";
    if (nameLength < 0) return ERRNO_NAMETOOLONG;
    const dirent = changetype<Dirent>(scratch());
    memory.fill(scratch(), 0, DIRENT_BYTES);
    dirent.next = entry.next;
    dirent.inode = entry.inode;
    dirent.nameLength = <u32>nameLength;
    dirent.filetype = filetypeOf(entry.type);
    const size = min<u32>(DIRENT_BYTES + <u32>nameLength, length - used);
    put(buffer + used, size);
    used += size;
    next = entry.next;
  }
  storeU32(out, used);
  return ERRNO_SUCCESS;
}
