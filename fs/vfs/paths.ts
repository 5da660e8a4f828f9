// The path cache: whole paths a walk resolved, kept so that the next walk of
// the same path from the same directory is one hash and one compare instead
// of a lookup per name (fs/vfs/path.ts asks it first).
//
// A walk is kept only when nothing but fixed names decided it: every
// directory it looked a name up in belongs to a filesystem whose names never
// change while mounted (FileSystem.namesFixed: ROFS), it followed no
// symbolic link, it met no "." or "..", and it ended on something that
// exists and is not a link. And only on its second walk in a row: the
// first makes the path its slot's candidate (the start directory's address
// and the hash, in static data), so a boot, which walks most of its paths
// once, keeps none and allocates nothing. Such a path resolves the same way
// until the mount table changes, so mountAt and unmountAt forget every kept
// path (forgetAllPaths); nothing else needs to.
//
// A direct-mapped table of ENTRIES slots by a hash of (start directory,
// path), taken from malloc at the first path kept. A slot holds the
// start directory, the directory holding the last name and what the path
// names, each with a VFS reference (fs/vfs/cache.ts), so none can be freed
// and its address reused while the slot names it; where the last name lies
// in the path; and the path's UTF-16 units (longer paths are not kept). A
// path that hashes to a taken slot replaces what was there.
// Caller: the VFS, with the VFS lock held.

import { Vnode } from "./node";
import { hold, drop } from "./cache";
import { malloc } from "../../kernel/mm/index";
import { sameBytes } from "../../kernel/boot/cstring";
import { vnodeSlot } from "./names";

const ENTRIES: u32 = 16;
// A slot: three vnodes (pointers), the path's hash and length in units, the last name's span, whether a slash followed it, the path.
const START: usize = 0;
const DIRECTORY: usize = 8;
const NODE: usize = 16;
const HASH: usize = 24;
const UNITS: usize = 28;
const NAME_START: usize = 32;
const NAME_END: usize = 36;
const TRAILING: usize = 40;
const PATH: usize = 48;
// 16 slots of 240 bytes: 3,840, a size class whose slab is one page (kernel/mm/classes.ts).
const SLOT_BYTES: usize = 240;
const MAX_PATH_UNITS: i32 = <i32>(SLOT_BYTES - PATH) >> 1;

let slots: usize = 0;
/** Per slot, the path walked once that would be kept if walked again: its start directory's address and hash (u32 each). */
const candidates = memory.data(<i32>ENTRIES * 8, 8);
let anyCandidate = false;

/** What a hit found, for the walk (fs/vfs/path.ts) to take. */
export class KeptPath {
  directory: Vnode | null = null;
  node: Vnode | null = null;
  nameStart: i32 = 0;
  nameEnd: i32 = 0;
  trailingSlash: bool = false;
}

/**
 * A hash of `path`: its length and five of its eight-byte words (first,
 * last, and at a quarter, a half and three quarters), so that a walk the
 * cache cannot answer pays a few steps, not one per unit. Paths alike in
 * all of those share a slot, which the full compare tells apart.
 */
export function pathHash(path: string): u32 {
  const at = changetype<usize>(path);
  const units = path.length;
  const bytes = <usize>units << 1;
  let hash: u64 = 0xcbf29ce484222325 ^ <u64>bytes;
  if (bytes < 8) {
    for (let unit = at; unit < at + bytes; unit += 2) hash = (hash ^ <u64>load<u16>(unit)) * 0x100000001b3;
  } else {
    const quarter = (bytes - 8) >> 2; // every word read lies inside the path
    hash = (hash ^ load<u64>(at)) * 0x100000001b3;
    hash = (hash ^ load<u64>(at + quarter)) * 0x100000001b3;
    hash = (hash ^ load<u64>(at + quarter * 2)) * 0x100000001b3;
    hash = (hash ^ load<u64>(at + quarter * 3)) * 0x100000001b3;
    hash = (hash ^ load<u64>(at + bytes - 8)) * 0x100000001b3;
  }
  return <u32>(hash ^ (hash >> 32));
}

/**
 * Whether `path` (hash `hash`), walked from `start`, is kept; if so fills
 * `out` with what it resolved to, the directory and the node each held for
 * the caller.
 */
export function keptPath(start: Vnode, path: string, hash: u32, out: KeptPath): bool {
  if (slots == 0) return false;
  const units = path.length;
  const at = changetype<usize>(path);
  const slot = slots + vnodeSlot(start, hash, ENTRIES) * SLOT_BYTES;
  if (load<usize>(slot + START) != changetype<usize>(start) || load<u32>(slot + HASH) != hash) return false;
  if (load<u32>(slot + UNITS) != <u32>units || !sameBytes(slot + PATH, at, <usize>units << 1)) return false;
  const directory = changetype<Vnode>(load<usize>(slot + DIRECTORY));
  const node = changetype<Vnode>(load<usize>(slot + NODE));
  hold(directory);
  hold(node);
  out.directory = directory;
  out.node = node;
  out.nameStart = <i32>load<u32>(slot + NAME_START);
  out.nameEnd = <i32>load<u32>(slot + NAME_END);
  out.trailingSlash = load<u32>(slot + TRAILING) != 0;
  return true;
}

/**
 * Offers what `path` (hash `hash`) walked from `start` resolved to: `node`,
 * the name [nameStart, nameEnd) in `directory`. Kept if the slot's
 * candidate is this path (walked just before), else made the candidate.
 */
export function offerPath(start: Vnode, path: string, hash: u32, directory: Vnode, node: Vnode, nameStart: i32, nameEnd: i32, trailingSlash: bool): void {
  const units = path.length;
  if (units > MAX_PATH_UNITS) return;
  const index = vnodeSlot(start, hash, ENTRIES);
  const candidate = candidates + (index << 3);
  if (load<u32>(candidate) != <u32>changetype<usize>(start) || load<u32>(candidate, 4) != hash) {
    store<u32>(candidate, <u32>changetype<usize>(start));
    store<u32>(candidate, hash, 4);
    anyCandidate = true;
    return;
  }
  store<u64>(candidate, 0);
  if (slots == 0) {
    slots = malloc(<usize>ENTRIES * SLOT_BYTES);
    if (slots == 0) return;
    memory.fill(slots, 0, <usize>ENTRIES * SLOT_BYTES);
  }
  const at = changetype<usize>(path);
  const slot = slots + index * SLOT_BYTES;
  empty(slot);
  hold(start);
  hold(directory);
  hold(node);
  store<usize>(slot + START, changetype<usize>(start));
  store<usize>(slot + DIRECTORY, changetype<usize>(directory));
  store<usize>(slot + NODE, changetype<usize>(node));
  store<u32>(slot + HASH, hash);
  store<u32>(slot + UNITS, <u32>units);
  store<u32>(slot + NAME_START, <u32>nameStart);
  store<u32>(slot + NAME_END, <u32>nameEnd);
  store<u32>(slot + TRAILING, trailingSlash ? 1 : 0);
  memory.copy(slot + PATH, at, <usize>units << 1);
}

/** Empties a slot, dropping its references. */
function empty(slot: usize): void {
  const start = load<usize>(slot + START);
  if (start == 0) return;
  store<usize>(slot + START, 0);
  drop(changetype<Vnode>(load<usize>(slot + NODE)));
  drop(changetype<Vnode>(load<usize>(slot + DIRECTORY)));
  drop(changetype<Vnode>(start));
}

/** Forgets every kept path and candidate (the mount table is about to change, or has). */
export function forgetAllPaths(): void {
  if (anyCandidate) memory.fill(candidates, 0, <usize>ENTRIES * 8);
  anyCandidate = false;
  if (slots == 0) return;
  for (let i: u32 = 0; i < ENTRIES; i++) empty(slots + <usize>i * SLOT_BYTES);
}

/** Paths kept now (for tests and reports). */
export function keptPaths(): u32 {
  let count: u32 = 0;
  if (slots == 0) return 0;
  for (let i: u32 = 0; i < ENTRIES; i++) if (load<usize>(slots + <usize>i * SLOT_BYTES + START) != 0) count++;
  return count;
}
