// The name cache: what looking a name up in a directory found, kept for
// filesystems whose names never change while mounted (FileSystem.namesFixed:
// ROFS), so that path walks through them ask the filesystem once per name,
// not once per walk. Misses are kept too (negative entries: ENOENT).
//
// A direct-mapped table of ENTRIES slots by a hash of (directory, name), 2
// KiB of the kernel's static data (nothing to allocate or clear at boot:
// taking it from malloc cost a boot about 1,800 instructions). A slot
// holds the directory and the child the name stands for (null for a
// negative entry), each with a VFS reference (fs/vfs/cache.ts), so neither
// can be freed and its address reused while the slot names it, and the
// name itself (names longer than MAX_NAME_UNITS are not kept). A name that
// hashes to a taken slot replaces what was there (its references dropped).
// forgetNamesOn(fs) empties every slot that holds a vnode of `fs`, before it
// is unmounted. Nothing else needs to forget: the names of such a
// filesystem never change, and a mount over one of its directories is
// crossed after the lookup, as before.
// Caller: the VFS, with the VFS lock held.

import { Vnode, FileSystem } from "./node";
import { hold, drop } from "./cache";
import { sameBytes } from "../../kernel/boot/cstring";

const ENTRIES: u32 = 32;
// A slot: directory and child (pointers), the name's hash and length in UTF-16 units, the name.
const DIRECTORY: usize = 0;
const CHILD: usize = 8;
const HASH: usize = 16;
const LENGTH: usize = 20;
const NAME: usize = 24;
const SLOT_BYTES: usize = 64;
const MAX_NAME_UNITS: i32 = <i32>(SLOT_BYTES - NAME) >> 1;
const slots = memory.data(<i32>(<usize>ENTRIES * SLOT_BYTES), 16);

/** What cachedLookup knows. */
export const NAME_UNKNOWN: i32 = 0;
export const NAME_FOUND: i32 = 1;
export const NAME_ABSENT: i32 = 2;

/** The child cachedLookup found (NAME_FOUND), with a reference taken for the caller (takeFoundNode). */
let found: Vnode | null = null;

/** The child the last NAME_FOUND answer found, held for the caller. */
export function takeFoundNode(): Vnode {
  const node = found!;
  found = null;
  return node;
}

/**
 * A name's hash is FNV-1a over its UTF-16 units, from NAME_HASH_START one
 * nameHashStep a unit; a walk takes it while it scans the name for its end
 * (fs/vfs/path.ts).
 */
export const NAME_HASH_START: u32 = 0x811c9dc5;

// @ts-ignore: decorator
@inline export function nameHashStep(hash: u32, unit: u32): u32 {
  return (hash ^ unit) * 0x01000193;
}

/** The slot of a table of `entries` (a power of two) for `owner` (a vnode's address) and `hash`; the path cache uses it too. */
export function vnodeSlot(owner: Vnode, hash: u32, entries: u32): usize {
  const key = <u32>(changetype<usize>(owner) >> 4) * 0x9e3779b1 ^ hash;
  return <usize>((key ^ (key >> 16)) & (entries - 1));
}

function slotFor(directory: Vnode, hash: u32): usize {
  return slots + vnodeSlot(directory, hash, ENTRIES) * SLOT_BYTES;
}

/**
 * Looks the name of `units` UTF-16 units at `at` (hash `hash`) up in
 * `directory`'s kept names: NAME_FOUND (takeFoundNode, held), NAME_ABSENT
 * or NAME_UNKNOWN.
 */
export function cachedLookup(directory: Vnode, at: usize, units: i32, hash: u32): i32 {
  const slot = slotFor(directory, hash);
  if (load<usize>(slot + DIRECTORY) != changetype<usize>(directory) || load<u32>(slot + HASH) != hash) return NAME_UNKNOWN;
  if (load<u32>(slot + LENGTH) != <u32>units || !sameBytes(slot + NAME, at, <usize>units << 1)) return NAME_UNKNOWN;
  const child = changetype<Vnode | null>(load<usize>(slot + CHILD));
  if (child === null) return NAME_ABSENT;
  hold(child!);
  found = child;
  return NAME_FOUND;
}

/** Keeps what the name at `at` (`units` units, hash `hash`) is in `directory`: `child`, or null for ENOENT (a name too long is not kept). */
export function rememberName(directory: Vnode, at: usize, units: i32, hash: u32, child: Vnode | null): void {
  if (units > MAX_NAME_UNITS) return;
  const slot = slotFor(directory, hash);
  empty(slot);
  hold(directory);
  if (child !== null) hold(child);
  store<usize>(slot + DIRECTORY, changetype<usize>(directory));
  store<usize>(slot + CHILD, changetype<usize>(child));
  store<u32>(slot + HASH, hash);
  store<u32>(slot + LENGTH, <u32>units);
  memory.copy(slot + NAME, at, <usize>units << 1);
}

/** Empties a slot, dropping its references. */
function empty(slot: usize): void {
  const directory = load<usize>(slot + DIRECTORY);
  if (directory == 0) return;
  store<usize>(slot + DIRECTORY, 0);
  drop(changetype<Vnode | null>(load<usize>(slot + CHILD)));
  store<usize>(slot + CHILD, 0);
  drop(changetype<Vnode>(directory));
}

/** Forgets every kept name whose directory or child belongs to `fs` (before it is unmounted). */
export function forgetNamesOn(fs: FileSystem): void {
  for (let i: u32 = 0; i < ENTRIES; i++) {
    const slot = slots + <usize>i * SLOT_BYTES;
    const directory = load<usize>(slot + DIRECTORY);
    if (directory == 0) continue;
    const child = changetype<Vnode | null>(load<usize>(slot + CHILD));
    if (changetype<Vnode>(directory).fs === fs || (child !== null && child.fs === fs)) empty(slot);
  }
}

/** Names kept now (for tests and reports). */
export function keptNames(): u32 {
  let count: u32 = 0;
  for (let i: u32 = 0; i < ENTRIES; i++) if (load<usize>(slots + <usize>i * SLOT_BYTES + DIRECTORY) != 0) count++;
  return count;
}
