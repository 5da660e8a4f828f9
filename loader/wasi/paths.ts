// The path_* functions: opening, creating, removing, renaming, linking and
// stat by path, each beneath a directory descriptor. The app's path goes to
// the VFS as it is, with RESOLVE_BENEATH: the VFS's own walk keeps it
// beneath the descriptor's directory, each directory descriptor its own
// root (docs/wasi.md), and its ENOTCAPABLE becomes NOTCAPABLE.
//
// Checks, in order: the descriptor (BADF) is a directory (NOTDIR) with the
// rights the operation needs (NOTCAPABLE), the flags (INVAL), the output
// ranges and the path's bytes (FAULT, ILSEQ, NAMETOOLONG), then the path's
// resolution (NOTCAPABLE for an escape) and the operation.

import { memoryLow } from "../../kernel/mm/index";
import * as vfs from "../../fs/vfs/index";
import {
  ERRNO_SUCCESS, ERRNO_BADF, ERRNO_NOTDIR, ERRNO_NOTCAPABLE, ERRNO_INVAL, ERRNO_FAULT, ERRNO_MFILE, ERRNO_NOMEM, errnoOf,
} from "./errno";
import { AppFile, fileOf, install, KIND_FILE, KIND_DIRECTORY } from "./fds";
import { FILESTAT_BYTES } from "./layout";
import { appString, freeAppString, StringResult, inRange, storeU32 } from "./memory";
import { statScratch, putFilestat, filetypeOf } from "./files";
import { timesToSet, timePair } from "./clock";
import { copyOut } from "../app-memory";
import {
  RIGHT_PATH_OPEN, RIGHT_PATH_CREATE_FILE, RIGHT_PATH_CREATE_DIRECTORY, RIGHT_PATH_FILESTAT_GET,
  RIGHT_PATH_FILESTAT_SET_SIZE, RIGHT_PATH_FILESTAT_SET_TIMES, RIGHT_PATH_LINK_SOURCE, RIGHT_PATH_LINK_TARGET,
  RIGHT_PATH_READLINK, RIGHT_PATH_REMOVE_DIRECTORY, RIGHT_PATH_RENAME_SOURCE, RIGHT_PATH_RENAME_TARGET,
  RIGHT_PATH_SYMLINK, RIGHT_PATH_UNLINK_FILE, RIGHTS_FILE, RIGHTS_DIRECTORY, RIGHTS_NEEDING_WRITE,
} from "./rights";
import {
  LOOKUP_SYMLINK_FOLLOW, OFLAGS_ALL, OFLAGS_CREAT, OFLAGS_DIRECTORY, OFLAGS_EXCL, OFLAGS_TRUNC,
  FDFLAGS_ALL, FDFLAGS_APPEND,
} from "./types";

const BENEATH = vfs.RESOLVE_BENEATH;

let text: StringResult | null = null;
let second: StringResult | null = null;
let linkTarget: vfs.TextResult | null = null;
let failed: u32 = 0;

/**
 * The directory entry `fd` names if it holds `rights`, else null with
 * `failed` set (BADF, NOTDIR, NOTCAPABLE).
 */
function directoryWithRights(fd: u32, rights: u64): AppFile | null {
  const file = fileOf(fd);
  if (file === null) failed = ERRNO_BADF;
  else if (!file.isDirectory) failed = ERRNO_NOTDIR;
  else if ((file.rightsBase & rights) != rights) failed = ERRNO_NOTCAPABLE;
  else return file;
  return null;
}

/**
 * Reads the string (a path, or a link's target) at [address, +length):
 * FAULT, ILSEQ, NAMETOOLONG or SUCCESS, and then `takeString()` hands it
 * over (fresh: free it with freeAppString).
 */
function readString(address: u32, length: u32): u32 {
  if (text === null) text = new StringResult();
  return appString(address, length, text!);
}

function takeString(): string {
  const taken = text!.text;
  text!.text = "";
  return taken;
}

/** readString for two strings; on SUCCESS takeString() hands over the first, takeSecond() the second. */
function readPair(address: u32, length: u32, secondAddress: u32, secondLength: u32): u32 {
  const read = readString(address, length);
  if (read != ERRNO_SUCCESS) return read;
  if (second === null) second = new StringResult();
  const readSecond = appString(secondAddress, secondLength, second!);
  if (readSecond != ERRNO_SUCCESS) freeAppString(takeString());
  return readSecond;
}

function takeSecond(): string {
  const taken = second!.text;
  second!.text = "";
  return taken;
}

// --- Opening ---

/**
 * Opens `path` beneath `fd`. Rights asked for (base and inheriting) must be
 * within the directory's inheriting rights; the new fd keeps those that
 * apply to what was opened. The VFS opens for writing when the base rights
 * include writing ones (RIGHTS_NEEDING_WRITE), so a ROFS file opened with
 * them is ROFS.
 */
export function pathOpen(
  fd: u32, lookupFlags: u32, path: u32, pathLength: u32, openFlags: u32,
  rightsBase: u64, rightsInheriting: u64, fdFlags: u32, out: u32,
): u32 {
  let needed = RIGHT_PATH_OPEN;
  if ((openFlags & OFLAGS_CREAT) != 0) needed |= RIGHT_PATH_CREATE_FILE;
  if ((openFlags & OFLAGS_TRUNC) != 0) needed |= RIGHT_PATH_FILESTAT_SET_SIZE;
  const directory = directoryWithRights(fd, needed);
  if (directory === null) return failed;
  if ((openFlags & ~OFLAGS_ALL) != 0 || (fdFlags & ~FDFLAGS_ALL) != 0 || (lookupFlags & ~LOOKUP_SYMLINK_FOLLOW) != 0) {
    return ERRNO_INVAL;
  }
  if (((rightsBase | rightsInheriting) & ~directory.rightsInheriting) != 0) return ERRNO_NOTCAPABLE;
  if (!inRange(out, 1, 4)) return ERRNO_FAULT;
  const exclusive = (openFlags & (OFLAGS_CREAT | OFLAGS_EXCL)) == (OFLAGS_CREAT | OFLAGS_EXCL);
  const follow = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) != 0 && !exclusive;
  // A descriptor is kept until closed: not from the kernel's reserve.
  if (memoryLow()) return ERRNO_NOMEM;
  const read = readString(path, pathLength);
  if (read != ERRNO_SUCCESS) return read;
  const appPath = takeString();

  // Rights to write open for writing, which a directory refuses (ISDIR), with DIRECTORY or without.
  const wantsDirectory = (openFlags & OFLAGS_DIRECTORY) != 0;
  const writing = (rightsBase & RIGHTS_NEEDING_WRITE) != 0;
  let flags: u32 = writing ? vfs.O_RDWR : vfs.O_RDONLY;
  if ((openFlags & OFLAGS_CREAT) != 0) flags |= vfs.O_CREAT;
  if (exclusive) flags |= vfs.O_EXCL;
  if ((openFlags & OFLAGS_TRUNC) != 0) flags |= vfs.O_TRUNC;
  if (wantsDirectory) flags |= vfs.O_DIRECTORY;
  if (!follow) flags |= vfs.O_NOFOLLOW;
  if ((fdFlags & FDFLAGS_APPEND) != 0) flags |= vfs.O_APPEND;
  const vfsFd = vfs.open(directory.vfsFd, appPath, flags, 0o644, BENEATH);
  freeAppString(appPath);
  if (vfsFd < 0) return errnoOf(vfsFd);

  const stat = statScratch();
  const statResult = vfs.fstat(vfsFd, stat);
  if (statResult < 0) {
    vfs.close(vfsFd);
    return errnoOf(statResult);
  }
  const file = new AppFile();
  file.vfsFd = vfsFd;
  const isDirectory = stat.type == vfs.TYPE_DIRECTORY;
  file.kind = isDirectory ? KIND_DIRECTORY : KIND_FILE;
  file.filetype = filetypeOf(stat.type);
  file.flags = fdFlags;
  file.rightsBase = rightsBase & (isDirectory ? RIGHTS_DIRECTORY : RIGHTS_FILE);
  file.rightsInheriting = isDirectory ? rightsInheriting : 0;
  const number = install(file);
  if (number < 0) {
    vfs.close(vfsFd);
    heap.free(changetype<usize>(file));
    return ERRNO_MFILE;
  }
  storeU32(out, <u32>number);
  return ERRNO_SUCCESS;
}

// --- Names ---

/** Runs one VFS name operation (none follows a final link) on a path beneath `fd`. */
function onPath(fd: u32, rights: u64, path: u32, length: u32, operation: u32): u32 {
  const directory = directoryWithRights(fd, rights);
  if (directory === null) return failed;
  const read = readString(path, length);
  if (read != ERRNO_SUCCESS) return read;
  const appPath = takeString();
  let result: i32 = 0;
  if (operation == OPERATION_MKDIR) result = vfs.mkdir(directory.vfsFd, appPath, 0o755, BENEATH);
  else if (operation == OPERATION_RMDIR) result = vfs.rmdir(directory.vfsFd, appPath, BENEATH);
  else result = vfs.unlink(directory.vfsFd, appPath, BENEATH);
  freeAppString(appPath);
  return errnoOf(result);
}

const OPERATION_MKDIR: u32 = 0;
const OPERATION_RMDIR: u32 = 1;
const OPERATION_UNLINK: u32 = 2;

export function pathCreateDirectory(fd: u32, path: u32, length: u32): u32 {
  return onPath(fd, RIGHT_PATH_CREATE_DIRECTORY, path, length, OPERATION_MKDIR);
}

export function pathRemoveDirectory(fd: u32, path: u32, length: u32): u32 {
  return onPath(fd, RIGHT_PATH_REMOVE_DIRECTORY, path, length, OPERATION_RMDIR);
}

export function pathUnlinkFile(fd: u32, path: u32, length: u32): u32 {
  return onPath(fd, RIGHT_PATH_UNLINK_FILE, path, length, OPERATION_UNLINK);
}

export function pathFilestatGet(fd: u32, lookupFlags: u32, path: u32, length: u32, out: u32): u32 {
  const directory = directoryWithRights(fd, RIGHT_PATH_FILESTAT_GET);
  if (directory === null) return failed;
  if ((lookupFlags & ~LOOKUP_SYMLINK_FOLLOW) != 0) return ERRNO_INVAL;
  if (!inRange(out, 1, FILESTAT_BYTES)) return ERRNO_FAULT;
  const read = readString(path, length);
  if (read != ERRNO_SUCCESS) return read;
  const appPath = takeString();
  const stat = statScratch();
  const result = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) != 0
    ? vfs.stat(directory.vfsFd, appPath, stat, BENEATH)
    : vfs.lstat(directory.vfsFd, appPath, stat, BENEATH);
  freeAppString(appPath);
  if (result < 0) return errnoOf(result);
  putFilestat(stat, out);
  return ERRNO_SUCCESS;
}

export function pathFilestatSetTimes(
  fd: u32, lookupFlags: u32, path: u32, length: u32, accessed: u64, modified: u64, flags: u32,
): u32 {
  const directory = directoryWithRights(fd, RIGHT_PATH_FILESTAT_SET_TIMES);
  if (directory === null) return failed;
  if ((lookupFlags & ~LOOKUP_SYMLINK_FOLLOW) != 0) return ERRNO_INVAL;
  const times = timePair();
  const checked = timesToSet(accessed, modified, flags, times);
  if (checked != ERRNO_SUCCESS) return checked;
  const read = readString(path, length);
  if (read != ERRNO_SUCCESS) return read;
  const appPath = takeString();
  const follow = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) != 0;
  const result = vfs.setTimesAt(directory.vfsFd, appPath, times.accessed, times.modified, follow, BENEATH);
  freeAppString(appPath);
  return errnoOf(result);
}

/**
 * Writes the link's target (UTF-8, no NUL) to `buffer`, cut to `length`
 * bytes if longer (as readlink does); the count at `out`.
 */
export function pathReadlink(fd: u32, path: u32, length: u32, buffer: u32, bufferLength: u32, out: u32): u32 {
  const directory = directoryWithRights(fd, RIGHT_PATH_READLINK);
  if (directory === null) return failed;
  if (!inRange(buffer, bufferLength, 1) || !inRange(out, 1, 4)) return ERRNO_FAULT;
  const read = readString(path, length);
  if (read != ERRNO_SUCCESS) return read;
  const appPath = takeString();
  if (linkTarget === null) linkTarget = new vfs.TextResult();
  const target = linkTarget!;
  const result = vfs.readlink(directory.vfsFd, appPath, target, BENEATH);
  freeAppString(appPath);
  if (result < 0) return errnoOf(result);
  const link = target.text;
  target.text = "";
  const bytes = String.UTF8.encode(link);
  vfs.freeString(link);
  const count = min<u32>(<u32>bytes.byteLength, bufferLength);
  copyOut(buffer, changetype<usize>(bytes), count);
  heap.free(changetype<usize>(bytes));
  storeU32(out, count);
  return ERRNO_SUCCESS;
}

export function pathRename(fd: u32, path: u32, length: u32, toFd: u32, toPath: u32, toLength: u32): u32 {
  const from = directoryWithRights(fd, RIGHT_PATH_RENAME_SOURCE);
  if (from === null) return failed;
  const to = directoryWithRights(toFd, RIGHT_PATH_RENAME_TARGET);
  if (to === null) return failed;
  const read = readPair(path, length, toPath, toLength);
  if (read != ERRNO_SUCCESS) return read;
  const fromPath = takeString();
  const toAppPath = takeSecond();
  const result = vfs.rename(from.vfsFd, fromPath, to.vfsFd, toAppPath, BENEATH);
  freeAppString(fromPath);
  freeAppString(toAppPath);
  return errnoOf(result);
}

/**
 * Makes `path` beneath `fd` a symbolic link holding `target` as given. An
 * absolute target may be stored, but is never followed beneath a directory.
 */
export function pathSymlink(target: u32, targetLength: u32, fd: u32, path: u32, length: u32): u32 {
  const directory = directoryWithRights(fd, RIGHT_PATH_SYMLINK);
  if (directory === null) return failed;
  const read = readPair(target, targetLength, path, length);
  if (read != ERRNO_SUCCESS) return read;
  const targetText = takeString();
  const appPath = takeSecond();
  const result = vfs.symlink(targetText, directory.vfsFd, appPath, BENEATH);
  freeAppString(appPath);
  freeAppString(targetText);
  return errnoOf(result);
}

/** Gives the file `path` beneath `fd` names (its final link followed with SYMLINK_FOLLOW) a second name, `toPath` beneath `toFd`. */
export function pathLink(fd: u32, lookupFlags: u32, path: u32, length: u32, toFd: u32, toPath: u32, toLength: u32): u32 {
  const from = directoryWithRights(fd, RIGHT_PATH_LINK_SOURCE);
  if (from === null) return failed;
  const to = directoryWithRights(toFd, RIGHT_PATH_LINK_TARGET);
  if (to === null) return failed;
  if ((lookupFlags & ~LOOKUP_SYMLINK_FOLLOW) != 0) return ERRNO_INVAL;
  const read = readPair(path, length, toPath, toLength);
  if (read != ERRNO_SUCCESS) return read;
  const source = takeString();
  const target = takeSecond();
  const follow = (lookupFlags & LOOKUP_SYMLINK_FOLLOW) != 0;
  const result = vfs.link(from.vfsFd, source, to.vfsFd, target, follow, BENEATH);
  freeAppString(source);
  freeAppString(target);
  return errnoOf(result);
}
