// The VFS: the front door for callers (the WASI layer, boot code, tests).
//
// Every function takes the VFS lock for its whole run (fs/vfs/lock.ts) and
// returns 0, a count or a descriptor on success and a negative errno
// (kernel/errno.ts) on failure. Paths are resolved as fs/vfs/path.ts says:
// relative paths from the directory `dirFd` names (AT_FDCWD: the root, the
// kernel's one current directory). Every function taking a path also takes
// `resolve` flags, as Linux's openat2 does: RESOLVE_BENEATH keeps the path
// beneath `dirFd`'s directory (ENOTCAPABLE if it would leave, absolute
// paths and absolute link targets included); WASI resolves every app path
// so. Strings passed in are borrowed; strings
// handed out (readdir names, readlink targets) are fresh and the caller's
// to free (fs/vfs/strings.ts freeString). Filesystems implement
// fs/vfs/module.ts; fs/README.md describes both sides.

import { Stat, SpaceStat, DirEntry, TextResult, FileSystem } from "./node";
import { lockVfs, unlockVfs } from "./lock";
import { mountList } from "./mount";
import * as files from "./file-operations";
import * as names from "./name-operations";
import * as mounting from "./mounting";
import { closeDescriptor, duplicate, duplicateTo, openDescriptorCount } from "./descriptors";
import { cachedCount } from "./cache";
import { lookupCount } from "./path";

export { Stat, SpaceStat, DirEntry, TextResult, FileSystem, TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, NAME_MAX, TIME_UNCHANGED } from "./node";
export {
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY, O_NOFOLLOW, MAX_DESCRIPTORS,
} from "./descriptors";
export { SEEK_SET, SEEK_CUR, SEEK_END } from "./file-operations";
export { PATH_MAX, MAX_SYMLINKS } from "./path";
export { AT_FDCWD, RESOLVE_BENEATH } from "./start";
export { freeString } from "./strings";
export {
  registerFileSystem, makeFileSystem, isFileSystem, fileSystemNames, refusesSource, FileSystemMaker, FileSystemProvider, useFileSystemProvider,
} from "./filesystems";

// --- Mounts ---

/** Makes `fs` the root of the tree (EBUSY if there is one). */
export function mountRoot(fs: FileSystem): i32 {
  const taken = lockVfs();
  const result = mounting.mountRoot(fs);
  unlockVfs(taken);
  return result;
}

/** Mounts `fs` on the directory `path` names. */
export function mount(dirFd: i32, path: string, fs: FileSystem): i32 {
  const taken = lockVfs();
  const result = mounting.mountAt(dirFd, path, fs);
  unlockVfs(taken);
  return result;
}

/** Unmounts the filesystem whose root `path` names (EBUSY while anything on it is in use). */
export function unmount(dirFd: i32, path: string): i32 {
  const taken = lockVfs();
  const result = mounting.unmountAt(dirFd, path);
  unlockVfs(taken);
  return result;
}

/** Every mounted filesystem's periodic sync (FileSystem.periodicSync), under the VFS lock. */
export function syncFileSystems(): void {
  const taken = lockVfs();
  const list = mountList();
  for (let i = 0; i < list.length; i++) list[i].fs.periodicSync();
  unlockVfs(taken);
}

/** At power-off: every mounted filesystem, the last mounted first, leaves its devices whole (FileSystem.finish). */
export function finishFileSystems(): void {
  const taken = lockVfs();
  const list = mountList();
  for (let i = list.length - 1; i >= 0; i--) list[i].fs.finish();
  unlockVfs(taken);
}

// --- Descriptors ---

/** Opens `path` with O_* `flags`; `mode` gives a created file's permission bits. Returns a descriptor. */
export function open(dirFd: i32, path: string, flags: u32, mode: u32, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = files.openAt(dirFd, path, flags, mode, resolve);
  unlockVfs(taken);
  return result;
}

export function close(fd: i32): i32 {
  const taken = lockVfs();
  const result = closeDescriptor(fd);
  unlockVfs(taken);
  return result;
}

/** A new descriptor (the lowest free) sharing `fd`'s open file and offset. */
export function dup(fd: i32): i32 {
  const taken = lockVfs();
  const result = duplicate(fd);
  unlockVfs(taken);
  return result;
}

/** Makes `to` a descriptor for `fd`'s open file, closing what `to` was first. */
export function dup2(fd: i32, to: i32): i32 {
  const taken = lockVfs();
  const result = duplicateTo(fd, to);
  unlockVfs(taken);
  return result;
}

/** Reads at the descriptor's offset and moves it; returns the count (0 at the end). */
export function read(fd: i32, buffer: usize, length: usize): i64 {
  const taken = lockVfs();
  const result = files.readNext(fd, buffer, length);
  unlockVfs(taken);
  return result;
}

/** Writes at the descriptor's offset (the end with O_APPEND) and moves it. */
export function write(fd: i32, buffer: usize, length: usize): i64 {
  const taken = lockVfs();
  const result = files.writeNext(fd, buffer, length);
  unlockVfs(taken);
  return result;
}

/** Reads at `offset`, leaving the descriptor's offset alone. */
export function pread(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  const taken = lockVfs();
  const result = files.readAt(fd, buffer, length, offset);
  unlockVfs(taken);
  return result;
}

/** Writes at `offset`, leaving the descriptor's offset alone (O_APPEND does not apply). */
export function pwrite(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  const taken = lockVfs();
  const result = files.writeAt(fd, buffer, length, offset);
  unlockVfs(taken);
  return result;
}

/** Moves the offset (SEEK_SET, SEEK_CUR, SEEK_END); past the end is allowed. Returns the new offset. */
export function seek(fd: i32, offset: i64, whence: i32): i64 {
  const taken = lockVfs();
  const result = files.seek(fd, offset, whence);
  unlockVfs(taken);
  return result;
}

export function fstat(fd: i32, out: Stat): i32 {
  const taken = lockVfs();
  const result = files.fileStat(fd, out);
  unlockVfs(taken);
  return result;
}

/** The size and free space of the filesystem `fd`'s file is on (statfs). */
export function fstatfs(fd: i32, out: SpaceStat): i32 {
  const taken = lockVfs();
  const result = files.fileSystemSpace(fd, out);
  unlockVfs(taken);
  return result;
}

export function ftruncate(fd: i32, size: i64): i32 {
  const taken = lockVfs();
  const result = files.fileTruncate(fd, size);
  unlockVfs(taken);
  return result;
}

/** Sets the access and modification times of `fd`'s file (TIME_UNCHANGED keeps one). */
export function setTimes(fd: i32, accessed: i64, modified: i64): i32 {
  const taken = lockVfs();
  const result = files.fileSetTimes(fd, accessed, modified);
  unlockVfs(taken);
  return result;
}

/** Turns O_APPEND on or off for `fd`'s open file (the one flag that changes after open). */
export function setOpenFlags(fd: i32, flags: u32): i32 {
  const taken = lockVfs();
  const result = files.setOpenFlags(fd, flags);
  unlockVfs(taken);
  return result;
}

export function fsync(fd: i32): i32 {
  const taken = lockVfs();
  const result = files.fileSync(fd);
  unlockVfs(taken);
  return result;
}

/** Where the whole file `fd` names lies in memory, page-aligned, if it can be used in place; 0 if not, or -errno. */
export function fileDataAddress(fd: i32): i64 {
  const taken = lockVfs();
  const result = files.fileDataAddress(fd);
  unlockVfs(taken);
  return result;
}

/**
 * The entry at `cookie` (0 to start) of the directory `fd` names: returns 1
 * with the entry in `out` (out.next continues; out.name is the caller's to
 * free), 0 at the end. "." and ".." come first.
 */
export function readdir(fd: i32, cookie: u64, out: DirEntry): i32 {
  const taken = lockVfs();
  const result = files.readDirectory(fd, cookie, out);
  unlockVfs(taken);
  return result;
}

// --- Names ---

/** stat, following a final symbolic link. */
export function stat(dirFd: i32, path: string, out: Stat, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.statPath(dirFd, path, out, true, resolve);
  unlockVfs(taken);
  return result;
}

/** stat of a symbolic link itself. */
export function lstat(dirFd: i32, path: string, out: Stat, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.statPath(dirFd, path, out, false, resolve);
  unlockVfs(taken);
  return result;
}

export function mkdir(dirFd: i32, path: string, mode: u32, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.makeDirectory(dirFd, path, mode, resolve);
  unlockVfs(taken);
  return result;
}

export function rmdir(dirFd: i32, path: string, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.removeDirectory(dirFd, path, resolve);
  unlockVfs(taken);
  return result;
}

/** Removes a name that is not a directory; an open file lives on until closed. */
export function unlink(dirFd: i32, path: string, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.unlinkPath(dirFd, path, resolve);
  unlockVfs(taken);
  return result;
}

/** Makes `toPath` a second name (a hard link) for the non-directory `fromPath` names; `followFrom` follows a symlink there. */
export function link(
  fromFd: i32, fromPath: string, toFd: i32, toPath: string, followFrom: bool = false, resolve: u32 = 0,
): i32 {
  const taken = lockVfs();
  const result = names.linkPath(fromFd, fromPath, toFd, toPath, followFrom, resolve);
  unlockVfs(taken);
  return result;
}

/** Renames; `resolve` applies to both paths. */
export function rename(fromFd: i32, fromPath: string, toFd: i32, toPath: string, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.renamePath(fromFd, fromPath, toFd, toPath, resolve);
  unlockVfs(taken);
  return result;
}

/** Makes `path` a symbolic link to `target`. */
export function symlink(target: string, dirFd: i32, path: string, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.makeSymlink(target, dirFd, path, resolve);
  unlockVfs(taken);
  return result;
}

/** A link's target in out.text (the caller's to free). */
export function readlink(dirFd: i32, path: string, out: TextResult, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.readSymlink(dirFd, path, out, resolve);
  unlockVfs(taken);
  return result;
}

/** Sets the times of what `path` names, following a final link if `followLast`. */
export function setTimesAt(
  dirFd: i32, path: string, accessed: i64, modified: i64, followLast: bool, resolve: u32 = 0,
): i32 {
  const taken = lockVfs();
  const result = names.setTimesPath(dirFd, path, accessed, modified, followLast, resolve);
  unlockVfs(taken);
  return result;
}

export function truncate(dirFd: i32, path: string, size: i64, resolve: u32 = 0): i32 {
  const taken = lockVfs();
  const result = names.truncatePath(dirFd, path, size, resolve);
  unlockVfs(taken);
  return result;
}

// --- Accounting (for tests and reports) ---

export function openDescriptors(): i32 {
  return openDescriptorCount();
}

export function cachedVnodes(): u32 {
  return cachedCount();
}

/** Filesystem lookups path walks have made so far (one per component looked up). */
export function pathLookups(): u64 {
  return lookupCount();
}
