// Operations on descriptors: open, read, write, seek, stat, times, flags,
// list, sync.
//
// What the VFS checks before calling a filesystem (fs/README.md lists it):
// the descriptor is open and opened for the access asked (EBADF), offsets
// are not negative (EINVAL), a write or truncate is not on a read-only
// filesystem (EROFS), O_APPEND writes go to the current end of file.
// Filesystems see offsets and lengths, never descriptors.
// Caller: fs/vfs/index.ts, with the VFS lock held.

import { EBADF, EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, EROFS } from "../../kernel/errno";
import { Stat, SpaceStat, DirEntry, TYPE_DIRECTORY, TYPE_FILE, TYPE_SYMLINK } from "./node";
import { hold, drop } from "./cache";
import { Walk, takeWalk, releaseWalk, crossUp } from "./path";
import { walkFrom, madeResult, takeMade } from "./start";
import { ownedString } from "./strings";
import {
  OpenFile, openFileOf, installOpenFile,
  O_ACCESS_MODE, O_RDONLY, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW,
} from "./descriptors";

export const SEEK_SET: i32 = 0;
export const SEEK_CUR: i32 = 1;
export const SEEK_END: i32 = 2;

/** Largest offset a file position may take (offsets travel as i64). */
const MAX_OFFSET: u64 = 0x7fff_ffff_ffff_ffff;

let scratchStat: Stat | null = null;

/** The size of `file`'s vnode, or -errno. */
function sizeOf(file: OpenFile): i64 {
  if (scratchStat === null) scratchStat = new Stat();
  const result = file.node.getattr(scratchStat!);
  return result < 0 ? <i64>result : <i64>scratchStat!.size;
}

export function openAt(dirFd: i32, path: string, flags: u32, mode: u32, resolve: u32): i32 {
  if ((flags & O_ACCESS_MODE) == O_ACCESS_MODE) return -EINVAL;
  const exclusive = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
  const walk = takeWalk();
  let result = walkFrom(walk, dirFd, path, (flags & O_NOFOLLOW) == 0 && !exclusive, resolve);
  if (result == 0) result = openWalked(walk, flags, mode);
  releaseWalk(walk);
  return result;
}

function openWalked(walk: Walk, flags: u32, mode: u32): i32 {
  const access = flags & O_ACCESS_MODE;
  let node = walk.node;
  if (node === null) {
    if ((flags & O_CREAT) == 0) return -ENOENT;
    if (walk.trailingSlash) return -EISDIR;
    const directory = walk.directory!;
    if (directory.fs.readOnly) return -EROFS;
    const out = madeResult();
    const result = directory.create(walk.name, mode & 0o7777, out);
    if (result < 0) return result;
    return installOpenFile(takeMade(out, true)!, flags & ~(O_CREAT | O_EXCL | O_TRUNC));
  }
  if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) return -EEXIST;
  if (node.type == TYPE_SYMLINK) return -ELOOP; // O_NOFOLLOW met a link
  if ((flags & O_DIRECTORY) != 0 && node.type != TYPE_DIRECTORY) return -ENOTDIR;
  if (node.type == TYPE_DIRECTORY && (access != O_RDONLY || (flags & O_CREAT) != 0)) return -EISDIR;
  if (access != O_RDONLY && node.fs.readOnly) return -EROFS;
  const opened = node.open(access);
  if (opened < 0) return opened;
  if ((flags & O_TRUNC) != 0 && access != O_RDONLY && node.type == TYPE_FILE) {
    const result = node.truncate(0);
    if (result < 0) return result;
  }
  hold(node);
  return installOpenFile(node, flags & ~(O_CREAT | O_EXCL | O_TRUNC));
}

function readableFile(fd: i32): OpenFile | null {
  const file = openFileOf(fd);
  return file !== null && file.readable ? file : null;
}

function writableFile(fd: i32): OpenFile | null {
  const file = openFileOf(fd);
  return file !== null && file.writable ? file : null;
}

export function readAt(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  const file = readableFile(fd);
  if (file === null) return -EBADF;
  if (offset < 0) return -EINVAL;
  return file.node.read(<u64>offset, buffer, length);
}

export function readNext(fd: i32, buffer: usize, length: usize): i64 {
  const file = readableFile(fd);
  if (file === null) return -EBADF;
  const count = file.node.read(file.offset, buffer, length);
  if (count > 0) file.offset += <u64>count;
  return count;
}

function writeChecked(file: OpenFile, buffer: usize, length: usize, offset: u64): i64 {
  if (file.node.type == TYPE_DIRECTORY) return -EISDIR;
  if (file.node.fs.readOnly) return -EROFS;
  if (offset > MAX_OFFSET - <u64>length) return -EINVAL;
  return file.node.write(offset, buffer, length);
}

export function writeAt(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  const file = writableFile(fd);
  if (file === null) return -EBADF;
  if (offset < 0) return -EINVAL;
  return writeChecked(file, buffer, length, <u64>offset);
}

export function writeNext(fd: i32, buffer: usize, length: usize): i64 {
  const file = writableFile(fd);
  if (file === null) return -EBADF;
  if ((file.flags & O_APPEND) != 0) {
    const size = sizeOf(file);
    if (size < 0) return size;
    file.offset = <u64>size;
  }
  const count = writeChecked(file, buffer, length, file.offset);
  if (count > 0) file.offset += <u64>count;
  return count;
}

export function seek(fd: i32, offset: i64, whence: i32): i64 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  let from: i64 = 0;
  if (whence == SEEK_CUR) from = <i64>file.offset;
  else if (whence == SEEK_END) {
    from = sizeOf(file);
    if (from < 0) return from;
  } else if (whence != SEEK_SET) return -EINVAL;
  if (offset > 0 && from > <i64>MAX_OFFSET - offset) return -EINVAL;
  const position = from + offset;
  if (position < 0) return -EINVAL;
  file.offset = <u64>position;
  return position;
}

export function fileStat(fd: i32, out: Stat): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  const result = file.node.getattr(out);
  out.device = file.node.fs.device;
  return result;
}

export function fileSystemSpace(fd: i32, out: SpaceStat): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  const fs = file.node.fs;
  const result = fs.statfs(out);
  out.readOnly = fs.readOnly;
  return result;
}

export function fileTruncate(fd: i32, size: i64): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  if (file.node.type == TYPE_DIRECTORY) return -EISDIR;
  if (!file.writable || size < 0) return -EINVAL;
  if (file.node.fs.readOnly) return -EROFS;
  return file.node.truncate(<u64>size);
}

/** Sets a file's access and modification times (TIME_UNCHANGED keeps one); no access mode is needed. */
export function fileSetTimes(fd: i32, accessed: i64, modified: i64): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  if (file.node.fs.readOnly) return -EROFS;
  return file.node.setTimes(accessed, modified);
}

/** Changes the flags that may change after open: O_APPEND (as fcntl F_SETFL). */
export function setOpenFlags(fd: i32, flags: u32): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  file.flags = (file.flags & ~O_APPEND) | (flags & O_APPEND);
  return 0;
}

export function fileSync(fd: i32): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  return file.node.fsync();
}

/** Where the bytes of the file `fd` names lie in memory (Vnode.dataAddress), 0 if nowhere usable, or -errno. */
export function fileDataAddress(fd: i32): i64 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  return file.node.dataAddress();
}

/**
 * The directory entry at `cookie` of the directory `fd` names: 1 and the
 * entry in `out` (its name a fresh string the caller frees), 0 at the end.
 * Cookies 0 and 1 are "." and ".."; the filesystem's own cookies follow,
 * moved up by 2.
 */
export function readDirectory(fd: i32, cookie: u64, out: DirEntry): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  const node = file.node;
  if (node.type != TYPE_DIRECTORY) return -ENOTDIR;
  if (cookie < 2) {
    let inode = node.inode;
    if (cookie == 1) {
      hold(node);
      const parent = crossUp(node);
      inode = parent.inode;
      drop(parent);
    }
    out.name = ownedString(cookie == 0 ? "." : "..");
    out.inode = inode;
    out.type = TYPE_DIRECTORY;
    out.next = cookie + 1;
    return 1;
  }
  const result = node.readdir(cookie - 2, out);
  if (result == 1) out.next += 2;
  return result;
}
