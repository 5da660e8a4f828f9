// Mounting and unmounting filesystems.
//
// mountRoot gives the tree its root; mountAt puts a filesystem on a
// directory of one already mounted (that directory's own contents are
// hidden until the unmount). A filesystem is mounted once at most.
// unmount refuses (EBUSY) while anything of the filesystem is in use: an
// open file, a directory a descriptor names, another mount on it; the tree's
// root goes last, when nothing else is mounted.
// Caller: fs/vfs/index.ts, with the VFS lock held.

import { EBUSY, EINVAL, ENOENT, ENOTDIR } from "../../kernel/errno";
import { FileSystem, TYPE_DIRECTORY } from "./node";
import { adopt, drop, cachedOn } from "./cache";
import { Mount, addMount, removeMount, newDevice, treeRoot, mountOfFileSystem, mountWithRoot } from "./mount";
import { takeWalk, releaseWalk } from "./path";
import { forgetNamesOn } from "./names";
import { forgetAllPaths } from "./paths";
import { walkFrom } from "./start";

export function mountRoot(fs: FileSystem): i32 {
  if (treeRoot() !== null || mountOfFileSystem(fs) !== null) return -EBUSY;
  fs.device = newDevice();
  addMount(new Mount(fs, adopt(fs.root()), null));
  return 0;
}

export function mountAt(dirFd: i32, path: string, fs: FileSystem): i32 {
  if (mountOfFileSystem(fs) !== null) return -EBUSY;
  const walk = takeWalk();
  let result = walkFrom(walk, dirFd, path, true, 0);
  if (result == 0) {
    const node = walk.node;
    if (node === null) result = -ENOENT;
    else if (node.type != TYPE_DIRECTORY) result = -ENOTDIR;
    else if (node.covered || node === treeRoot()) result = -EBUSY; // the root is replaced by unmount and mountRoot
    else {
      fs.device = newDevice();
      walk.node = null; // the mount keeps the walk's reference to the covered directory
      addMount(new Mount(fs, adopt(fs.root()), node));
      forgetAllPaths(); // a kept path may cross the newly covered directory
    }
  }
  releaseWalk(walk);
  return result;
}

export function unmountAt(dirFd: i32, path: string): i32 {
  const walk = takeWalk();
  let result = walkFrom(walk, dirFd, path, true, 0);
  let mount: Mount | null = null;
  if (result == 0) {
    const node = walk.node;
    mount = node === null ? null : mountWithRoot(node);
    if (node === null) result = -ENOENT;
    else if (mount === null) result = -EINVAL;
    else {
      // The name and path caches' references are not uses.
      forgetNamesOn(mount.fs);
      forgetAllPaths();
    }
    // In use: more cached vnodes than the root, or the root held by more than the mount and this walk.
    if (result == 0 && (cachedOn(mount!.fs) != 1 || node!.references != 2)) result = -EBUSY;
  }
  releaseWalk(walk);
  if (result < 0) return result;
  const gone = mount!;
  removeMount(gone);
  drop(gone.root);
  if (gone.covered !== null) drop(gone.covered);
  gone.fs.unmount();
  heap.free(changetype<usize>(gone));
  return 0;
}

/** Whether the tree has a root. */
export function hasRoot(): bool {
  return treeRoot() !== null;
}
