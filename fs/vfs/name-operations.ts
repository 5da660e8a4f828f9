// Operations on names: stat, mkdir, rmdir, unlink, rename, link, symlink,
// readlink, truncate, setting times.
//
// What the VFS checks before calling a filesystem (fs/README.md lists it):
// the path resolves (fs/vfs/path.ts), the name is free for mkdir and
// symlink (EEXIST), unlink is never given a directory (EISDIR) and rmdir
// only directories (ENOTDIR), links name no directory (EPERM), mount points and mount roots are not removed
// or renamed (EBUSY), renames stay within one filesystem (EXDEV), never move
// a directory into itself (EINVAL) and replace only like with like (EISDIR,
// ENOTDIR), and nothing is changed on a read-only filesystem (EROFS). The
// filesystem still decides what only it knows: whether a directory is empty
// (ENOTEMPTY) and whether it has room (ENOSPC).
// Caller: fs/vfs/index.ts, with the VFS lock held.

import {
  EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EROFS, EXDEV, ENAMETOOLONG, EPERM,
} from "../../kernel/errno";
import { Vnode, Stat, TextResult, TYPE_DIRECTORY, TYPE_FILE, TYPE_SYMLINK } from "./node";
import { setParent } from "./cache";
import { mountWithRoot } from "./mount";
import { Walk, takeWalk, releaseWalk, PATH_MAX, ENDS_NAMED, ENDS_DOT, ENDS_DOT_DOT, ENDS_ROOT } from "./path";
import { walkFrom, madeResult, takeMade } from "./start";
import { utf8Length } from "./strings";

/** Runs `then` on the walk of `path` (`resolve`: RESOLVE_* flags) and cleans up after both. */
function walked(dirFd: i32, path: string, followLast: bool, resolve: u32, then: (walk: Walk) => i32): i32 {
  const walk = takeWalk();
  let result = walkFrom(walk, dirFd, path, followLast, resolve);
  if (result == 0) result = then(walk);
  releaseWalk(walk);
  return result;
}

// Arguments of the operation in progress, for the closures above (the lock
// makes one operation run at a time).
let statOut: Stat | null = null;
let textOut: TextResult | null = null;
let modeArgument: u32 = 0;
let sizeArgument: u64 = 0;
let targetArgument: string = "";
let accessedArgument: i64 = 0;
let modifiedArgument: i64 = 0;

export function statPath(dirFd: i32, path: string, out: Stat, followLast: bool, resolve: u32): i32 {
  statOut = out;
  const result = walked(dirFd, path, followLast, resolve, (walk: Walk): i32 => {
    const node = walk.node;
    if (node === null) return -ENOENT;
    const stat = statOut!;
    const got = node.getattr(stat);
    stat.device = node.fs.device;
    return got;
  });
  statOut = null;
  return result;
}

export function makeDirectory(dirFd: i32, path: string, mode: u32, resolve: u32): i32 {
  modeArgument = mode & 0o7777;
  return walked(dirFd, path, false, resolve, (walk: Walk): i32 => {
    if (walk.node !== null) return -EEXIST;
    const directory = walk.directory!;
    if (directory.fs.readOnly) return -EROFS;
    const made = madeResult();
    const got = directory.mkdir(walk.name, modeArgument, made);
    takeMade(made, false);
    return got;
  });
}

/** Whether `node` is the root of a mount (what a mount point's path leads to). */
function mountedHere(node: Vnode): bool {
  return mountWithRoot(node) !== null;
}

export function removeDirectory(dirFd: i32, path: string, resolve: u32): i32 {
  return walked(dirFd, path, false, resolve, (walk: Walk): i32 => {
    if (walk.ends == ENDS_DOT) return -EINVAL;
    if (walk.ends == ENDS_DOT_DOT) return -ENOTEMPTY;
    if (walk.ends == ENDS_ROOT) return -EBUSY;
    const node = walk.node;
    if (node === null) return -ENOENT;
    if (node.type != TYPE_DIRECTORY) return -ENOTDIR;
    if (mountedHere(node)) return -EBUSY;
    const directory = walk.directory!;
    if (directory.fs.readOnly) return -EROFS;
    return directory.rmdir(walk.name);
  });
}

export function unlinkPath(dirFd: i32, path: string, resolve: u32): i32 {
  return walked(dirFd, path, false, resolve, (walk: Walk): i32 => {
    if (walk.ends != ENDS_NAMED) return -EISDIR;
    const node = walk.node;
    if (node === null) return -ENOENT;
    if (node.type == TYPE_DIRECTORY) return -EISDIR;
    const directory = walk.directory!;
    if (directory.fs.readOnly) return -EROFS;
    return directory.unlink(walk.name);
  });
}

export function makeSymlink(target: string, dirFd: i32, path: string, resolve: u32): i32 {
  if (target.length == 0) return -ENOENT;
  if (target.length > PATH_MAX / 3 && utf8Length(target, 0, target.length) > PATH_MAX) return -ENAMETOOLONG;
  targetArgument = target;
  const result = walked(dirFd, path, false, resolve, (walk: Walk): i32 => {
    if (walk.node !== null) return -EEXIST;
    if (walk.trailingSlash) return -ENOENT;
    const directory = walk.directory!;
    if (directory.fs.readOnly) return -EROFS;
    const made = madeResult();
    const got = directory.symlink(walk.name, targetArgument, made);
    takeMade(made, false);
    return got;
  });
  targetArgument = "";
  return result;
}

/** The target of the link `path` names, as a fresh string in `out` that the caller frees. */
export function readSymlink(dirFd: i32, path: string, out: TextResult, resolve: u32): i32 {
  textOut = out;
  const result = walked(dirFd, path, false, resolve, (walk: Walk): i32 => {
    const node = walk.node;
    if (node === null) return -ENOENT;
    if (node.type != TYPE_SYMLINK) return -EINVAL;
    return node.readlink(textOut!);
  });
  textOut = null;
  return result;
}

export function truncatePath(dirFd: i32, path: string, size: i64, resolve: u32): i32 {
  if (size < 0) return -EINVAL;
  sizeArgument = <u64>size;
  return walked(dirFd, path, true, resolve, (walk: Walk): i32 => {
    const node = walk.node;
    if (node === null) return -ENOENT;
    if (node.type == TYPE_DIRECTORY) return -EISDIR;
    if (node.type != TYPE_FILE) return -EINVAL;
    if (node.fs.readOnly) return -EROFS;
    return node.truncate(sizeArgument);
  });
}

/** Sets the times of what `path` names (TIME_UNCHANGED keeps one). */
export function setTimesPath(dirFd: i32, path: string, accessed: i64, modified: i64, followLast: bool, resolve: u32): i32 {
  accessedArgument = accessed;
  modifiedArgument = modified;
  return walked(dirFd, path, followLast, resolve, (walk: Walk): i32 => {
    const node = walk.node;
    if (node === null) return -ENOENT;
    if (node.fs.readOnly) return -EROFS;
    return node.setTimes(accessedArgument, modifiedArgument);
  });
}

/** True if `ancestor` is `node` or one of the directories above it (within its filesystem). */
function isWithin(node: Vnode | null, ancestor: Vnode): bool {
  while (node !== null) {
    if (node === ancestor) return true;
    node = node.parent;
  }
  return false;
}

function endsError(walk: Walk): i32 {
  return walk.ends == ENDS_ROOT ? -EBUSY : -EINVAL;
}

/** Makes `toPath` a second name for what `fromPath` names (a hard link); `followFrom` follows a symlink at its end. */
export function linkPath(fromFd: i32, fromPath: string, toFd: i32, toPath: string, followFrom: bool, resolve: u32): i32 {
  const from = takeWalk();
  const to = takeWalk();
  let result = walkFrom(from, fromFd, fromPath, followFrom, resolve);
  if (result == 0) result = walkFrom(to, toFd, toPath, false, resolve);
  if (result == 0) result = linkWalked(from, to);
  releaseWalk(from);
  releaseWalk(to);
  return result;
}

function linkWalked(from: Walk, to: Walk): i32 {
  const node = from.node;
  if (node === null) return -ENOENT;
  if (node.type == TYPE_DIRECTORY) return -EPERM;
  if (from.trailingSlash) return -ENOTDIR;
  if (to.node !== null) return -EEXIST;
  if (to.ends != ENDS_NAMED) return endsError(to);
  if (to.trailingSlash) return -ENOENT;
  const directory = to.directory!;
  if (directory.fs !== node.fs) return -EXDEV;
  if (directory.fs.readOnly) return -EROFS;
  return directory.link(to.name, node);
}

export function renamePath(fromFd: i32, fromPath: string, toFd: i32, toPath: string, resolve: u32): i32 {
  const from = takeWalk();
  const to = takeWalk();
  let result = walkFrom(from, fromFd, fromPath, false, resolve);
  if (result == 0) result = walkFrom(to, toFd, toPath, false, resolve);
  if (result == 0) result = renameWalked(from, to);
  releaseWalk(from);
  releaseWalk(to);
  return result;
}

function renameWalked(from: Walk, to: Walk): i32 {
  if (from.ends != ENDS_NAMED) return endsError(from);
  const node = from.node;
  if (node === null) return -ENOENT;
  if (to.ends != ENDS_NAMED) return endsError(to);
  const fromDirectory = from.directory!;
  const toDirectory = to.directory!;
  if (fromDirectory.fs !== toDirectory.fs) return -EXDEV;
  if (mountedHere(node)) return -EBUSY;
  const replaced = to.node;
  if (replaced !== null && mountedHere(replaced)) return -EBUSY;
  if (fromDirectory.fs.readOnly) return -EROFS;
  if (replaced === node) return 0;
  if (node.type == TYPE_DIRECTORY) {
    if (replaced !== null && replaced.type != TYPE_DIRECTORY) return -ENOTDIR;
    if (isWithin(toDirectory, node)) return -EINVAL;
  } else {
    if (replaced !== null && replaced.type == TYPE_DIRECTORY) return -EISDIR;
    if (to.trailingSlash || from.trailingSlash) return -ENOTDIR;
  }
  const result = fromDirectory.rename(from.name, toDirectory, to.name);
  if (result == 0 && node.type == TYPE_DIRECTORY) setParent(node, toDirectory);
  return result;
}
