// The mount table: which filesystem serves which directory.
//
// The root mount has no covered directory; every other mount covers a
// directory of an already mounted filesystem (Vnode.covered marks it) and
// holds a reference to it and to its own root, so both stay cached while
// mounted. Path walks step from a covered directory down to the root of
// what is mounted on it, and from a mount's root back up to the directory
// it covers for "..". Mounts are few, so the table is a short list.
// Caller: the VFS, with the VFS lock held.

import { Vnode, FileSystem } from "./node";

export class Mount {
  constructor(public fs: FileSystem, public root: Vnode, public covered: Vnode | null) {}
}

let mounts: Array<Mount> | null = null;
let nextDevice: u64 = 1;
let rootMount: Mount | null = null;

export function mountList(): Array<Mount> {
  if (mounts === null) mounts = new Array<Mount>();
  return mounts!;
}

/** The root directory of the whole tree, or null before a root is mounted. */
export function treeRoot(): Vnode | null {
  return rootMount === null ? null : rootMount!.root;
}

export function isRootMount(mount: Mount): bool {
  return mount === rootMount;
}

/** Device numbers for stat: one per mount, never reused while the kernel runs. */
export function newDevice(): u64 {
  return nextDevice++;
}

export function addMount(mount: Mount): void {
  if (mount.covered === null) rootMount = mount;
  else mount.covered!.covered = true;
  mountList().push(mount);
}

export function removeMount(mount: Mount): void {
  const list = mountList();
  const index = list.indexOf(mount);
  if (index < 0) return;
  for (let i = index; i < list.length - 1; i++) list[i] = list[i + 1];
  list.length = list.length - 1;
  if (mount === rootMount) rootMount = null;
  if (mount.covered !== null) mount.covered!.covered = false;
}

/** The mount `fs` is mounted by, or null. */
export function mountOfFileSystem(fs: FileSystem): Mount | null {
  const list = mountList();
  for (let i = 0; i < list.length; i++) if (list[i].fs === fs) return list[i];
  return null;
}

/** The mount whose root is `node`, or null. */
export function mountWithRoot(node: Vnode): Mount | null {
  const list = mountList();
  for (let i = 0; i < list.length; i++) if (list[i].root === node) return list[i];
  return null;
}

/** The mount on the covered directory `node` (the last one if mounts are stacked there). */
export function mountOn(node: Vnode): Mount | null {
  const list = mountList();
  for (let i = list.length - 1; i >= 0; i--) if (list[i].covered === node) return list[i];
  return null;
}
