// The vnode cache: one Vnode object per (filesystem, inode) while in use.
//
// A vnode is in the cache exactly while the VFS holds references to it
// (open files, path walks, the mount table, and a cached directory's
// children, each of which holds its parent). hold() takes a reference and
// enters the vnode on its first; drop() gives one back and, on the last,
// takes it out, lets go of its parent and calls release(), after which the
// VFS never touches it again. adopt() is how a vnode a filesystem just
// returned enters: if the VFS already holds one for that inode, that one is
// used and the newcomer released.
//
// Buckets hold chains linked through Vnode.cacheNext, in a table of raw
// memory that doubles when it holds more vnodes than buckets.
// Caller: the VFS, with the VFS lock held.

import { malloc, free } from "../../kernel/mm/index";
import { Vnode, FileSystem } from "./node";

const FIRST_BUCKETS: u32 = 64;

let buckets: usize = 0;
let bucketCount: u32 = 0;
let cached: u32 = 0;

function bucketOf(fs: FileSystem, inode: u64, count: u32): u32 {
  const key = fs.device * 0x9e3779b97f4a7c15 ^ inode * 0xc2b2ae3d27d4eb4f;
  return <u32>(key ^ (key >> 29)) & (count - 1);
}

// @ts-ignore: decorator
@inline function headAt(table: usize, index: u32): Vnode | null {
  return changetype<Vnode | null>(load<usize>(table + (<usize>index << alignof<usize>())));
}

// @ts-ignore: decorator
@inline function setHead(table: usize, index: u32, node: Vnode | null): void {
  store<usize>(table + (<usize>index << alignof<usize>()), changetype<usize>(node));
}

function allocTable(count: u32): usize {
  const bytes = <usize>count << alignof<usize>();
  const table = malloc(bytes);
  if (table != 0) memory.fill(table, 0, bytes);
  return table;
}

/** Doubles the table; keeps the old one if memory is short (chains just grow longer). */
function grow(): void {
  const count = bucketCount << 1;
  const table = allocTable(count);
  if (table == 0) return;
  for (let i: u32 = 0; i < bucketCount; i++) {
    let node = headAt(buckets, i);
    while (node !== null) {
      const next = node.cacheNext;
      const index = bucketOf(node.fs, node.inode, count);
      node.cacheNext = headAt(table, index);
      setHead(table, index, node);
      node = next;
    }
  }
  free(buckets);
  buckets = table;
  bucketCount = count;
}

function insert(node: Vnode): void {
  if (buckets == 0) {
    buckets = allocTable(FIRST_BUCKETS);
    if (buckets == 0) unreachable(); // out of memory on the first vnode ever
    bucketCount = FIRST_BUCKETS;
  }
  if (cached >= bucketCount) grow();
  const index = bucketOf(node.fs, node.inode, bucketCount);
  node.cacheNext = headAt(buckets, index);
  setHead(buckets, index, node);
  cached++;
}

function remove(node: Vnode): void {
  const index = bucketOf(node.fs, node.inode, bucketCount);
  let previous: Vnode | null = null;
  let at = headAt(buckets, index);
  while (at !== null && at !== node) {
    previous = at;
    at = at.cacheNext;
  }
  if (at === null) return;
  if (previous === null) setHead(buckets, index, node.cacheNext);
  else previous.cacheNext = node.cacheNext;
  node.cacheNext = null;
  cached--;
  if (cached == 0) {
    free(buckets);
    buckets = 0;
    bucketCount = 0;
  }
}

/** The cached vnode for (fs, inode), or null. */
export function findCached(fs: FileSystem, inode: u64): Vnode | null {
  if (buckets == 0) return null;
  let at = headAt(buckets, bucketOf(fs, inode, bucketCount));
  while (at !== null) {
    if (at.fs === fs && at.inode == inode) return at;
    at = at.cacheNext;
  }
  return null;
}

export function hold(node: Vnode): void {
  if (node.references == 0) insert(node);
  node.references++;
}

/** Gives back one reference; the last one takes the vnode (and then maybe its parents) out. */
export function drop(node: Vnode | null): void {
  while (node !== null) {
    node.references--;
    if (node.references > 0) return;
    remove(node);
    const parent = node.parent;
    node.parent = null;
    node.release();
    node = parent;
  }
}

/**
 * Takes a reference to the vnode a filesystem just returned, or to the one
 * the cache already has for its inode (releasing the newcomer).
 */
export function adopt(found: Vnode): Vnode {
  const known = findCached(found.fs, found.inode);
  if (known !== null && known !== found) {
    if (found.references == 0) found.release();
    hold(known);
    return known;
  }
  hold(found);
  return found;
}

/** Records that the cached directory `node` now lives in `parent` (taking a reference to it). */
export function setParent(node: Vnode, parent: Vnode | null): void {
  const old = node.parent;
  if (old === parent) return;
  if (parent !== null) hold(parent);
  node.parent = parent;
  drop(old);
}

/** How many cached vnodes belong to `fs` (for unmount's busy check). */
export function cachedOn(fs: FileSystem): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < bucketCount; i++) {
    let at = headAt(buckets, i);
    while (at !== null) {
      if (at.fs === fs) count++;
      at = at.cacheNext;
    }
  }
  return count;
}

export function cachedCount(): u32 {
  return cached;
}
