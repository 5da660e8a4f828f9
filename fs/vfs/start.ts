// Where a path operation starts: the directory a descriptor names (openat's
// dirfd), or the tree's root for AT_FDCWD and absolute paths. The kernel has
// one namespace and no current directory of its own, so the current
// directory is the root. With RESOLVE_BENEATH the walk starts at the
// descriptor's directory and stays beneath it (fs/vfs/path.ts).
// Caller: the VFS, with the VFS lock held.

import { EBADF, ENOTDIR } from "../../kernel/errno";
import { Vnode, VnodeResult, TYPE_DIRECTORY } from "./node";
import { openFileOf } from "./descriptors";
import { Walk, walkPath } from "./path";
import { adopt, drop } from "./cache";

/** The directory descriptor that stands for the current directory (as Linux AT_FDCWD). */
export const AT_FDCWD: i32 = -100;

/**
 * Resolution flag (Linux openat2's RESOLVE_BENEATH, by value): the path may
 * not leave the directory `dirFd` names (or the root, for AT_FDCWD), else
 * ENOTCAPABLE. The VFS's path functions take it as their `resolve` argument.
 */
export const RESOLVE_BENEATH: u32 = 0x08;

const SLASH: i32 = 0x2f;

/** Walks `path` from `dirFd` into `walk` (see fs/vfs/path.ts) as `resolve` flags say; 0 or -errno. */
export function walkFrom(walk: Walk, dirFd: i32, path: string, followLast: bool, resolve: u32): i32 {
  const beneath = (resolve & RESOLVE_BENEATH) != 0;
  let base: Vnode | null = null;
  if (dirFd != AT_FDCWD && (beneath || path.length == 0 || path.charCodeAt(0) != SLASH)) {
    const file = openFileOf(dirFd);
    if (file === null) return -EBADF;
    if (file.node.type != TYPE_DIRECTORY) return -ENOTDIR;
    base = file.node;
  }
  return walkPath(walk, base, path, followLast, beneath);
}

let made: VnodeResult | null = null;

/** Where create, mkdir and symlink put their vnode (one, reused under the lock). */
export function madeResult(): VnodeResult {
  if (made === null) made = new VnodeResult();
  made!.node = null;
  return made!;
}

/** Takes the vnode a filesystem made into the cache, held; or lets it go if `keep` is false. */
export function takeMade(out: VnodeResult, keep: bool): Vnode | null {
  const node = out.node;
  out.node = null;
  if (node === null) return null;
  const held = adopt(node);
  if (keep) return held;
  drop(held);
  return null;
}
