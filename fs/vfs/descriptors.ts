// Open files and descriptors.
//
// An OpenFile is what POSIX calls an open file description: a held vnode,
// the flags it was opened with and the offset. A descriptor is a small
// number naming one; dup and dup2 make more descriptors for the same
// OpenFile (they share the offset, as POSIX requires), and the OpenFile
// goes when its last descriptor closes. New descriptors take the lowest
// free number, as POSIX open does. dup2 onto an open descriptor closes it
// first; with dup2 and close, WASI's fd_renumber is two calls.
// Caller: the VFS, with the VFS lock held.

import { lowestFreeSlot, putInSlot, slotsInUse } from "../../kernel/slots";
import { EBADF, EMFILE } from "../../kernel/errno";
import { Vnode } from "./node";
import { drop } from "./cache";

/** Descriptors one kernel may have open at once. */
export const MAX_DESCRIPTORS: i32 = 4096;

// Open flags, numbered as Linux numbers them.
export const O_RDONLY: u32 = 0;
export const O_WRONLY: u32 = 1;
export const O_RDWR: u32 = 2;
export const O_ACCESS_MODE: u32 = 3;
export const O_CREAT: u32 = 0o100;
export const O_EXCL: u32 = 0o200;
export const O_TRUNC: u32 = 0o1000;
export const O_APPEND: u32 = 0o2000;
export const O_DIRECTORY: u32 = 0o200000;
export const O_NOFOLLOW: u32 = 0o400000;

export class OpenFile {
  offset: u64 = 0;
  /** Descriptors naming this open file. */
  shares: i32 = 1;

  constructor(public node: Vnode, public flags: u32) {}

  get readable(): bool {
    return (this.flags & O_ACCESS_MODE) != O_WRONLY;
  }

  get writable(): bool {
    return (this.flags & O_ACCESS_MODE) != O_RDONLY;
  }
}

/**
 * Descriptor → open file; made by the first open. It keeps its length when
 * descriptors close (as Linux's table never shrinks): a program that opens
 * and closes one file at a time would otherwise grow and shrink it at each.
 */
let table: Array<OpenFile | null> | null = null;

function descriptors(): Array<OpenFile | null> {
  if (table === null) table = new Array<OpenFile | null>();
  return table!;
}

/** The open file descriptor `fd` names, or null. */
export function openFileOf(fd: i32): OpenFile | null {
  if (table === null) return null;
  const list = table!;
  if (fd < 0 || fd >= list.length) return null;
  return unchecked(list[fd]);
}

/** Lets go of one descriptor's share of `file`. */
function release(file: OpenFile): void {
  file.shares--;
  if (file.shares > 0) return;
  drop(file.node);
  heap.free(changetype<usize>(file));
}

function place(fd: i32, file: OpenFile): void {
  putInSlot(descriptors(), fd, file);
}

/** The lowest free descriptor at or above `from`, or -EMFILE. */
function lowestFree(from: i32): i32 {
  const fd = lowestFreeSlot(descriptors(), from, MAX_DESCRIPTORS); // the table is made here, on the first open
  return fd < 0 ? -EMFILE : fd;
}

/** A descriptor for a new open file over `node` (whose reference it takes), or -EMFILE. */
export function installOpenFile(node: Vnode, flags: u32): i32 {
  const fd = lowestFree(0);
  if (fd < 0) {
    drop(node);
    return fd;
  }
  place(fd, new OpenFile(node, flags));
  return fd;
}

export function closeDescriptor(fd: i32): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  unchecked((descriptors()[fd] = null));
  release(file);
  return 0;
}

/** A new descriptor (the lowest free) for what `fd` names. */
export function duplicate(fd: i32): i32 {
  const file = openFileOf(fd);
  if (file === null) return -EBADF;
  const copy = lowestFree(0);
  if (copy < 0) return copy;
  file.shares++;
  place(copy, file);
  return copy;
}

/** Makes `to` name what `from` names, closing what `to` named before. */
export function duplicateTo(from: i32, to: i32): i32 {
  const file = openFileOf(from);
  if (file === null || to < 0 || to >= MAX_DESCRIPTORS) return -EBADF;
  if (from == to) return to;
  const old = openFileOf(to);
  file.shares++;
  place(to, file);
  if (old !== null) release(old);
  return to;
}

export function openDescriptorCount(): i32 {
  return slotsInUse(table);
}
