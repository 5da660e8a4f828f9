// The page-table walker: maps, unmaps, protects, commits and translates
// ranges of virtual space in the kernel's one set of tables.
//
//   virtual address (below 512 GiB)
//   47       39 38       30 29       21 20       12 11          0
//  +-----------+-----------+-----------+-----------+-------------+
//  |  level 0  |  level 1  |  level 2  |  level 3  |   offset    |
//  +-----------+-----------+-----------+-----------+-------------+
//    PML4        PDPT          PD          PT        x86_64
//    -           L1 (root)     L2          L3        aarch64
//
// A table is one 4 KiB page of 512 u64 entries from the page allocator
// (USE_PAGE_TABLES). A level 2 entry is a 2 MiB leaf or points to a level 3
// table of 4 KiB leaves; where the CPU has them (useGigaPages), a level 1
// entry may be a 1 GiB leaf. An operation walks its range once, top down:
//   - a leaf goes in at the highest level whose whole slot gets one mapping
//     of memory aligned to the slot (1 GiB, 2 MiB), else at level 3;
//   - a large leaf that is only partly changed is first split into a table
//     one level down that maps the same memory (a split is never undone);
//   - a table an unmap leaves empty is freed, and so is every table under an
//     entry that is replaced as a whole.
//
// TLB: while the tables are live, each changed leaf's address is queued and
// invalidated when the operation ends; past PENDING_MAX of them, or when a
// whole table was replaced, the root is reloaded instead (a full flush).
// Freed tables and frames go back to the page allocator only after that, so
// no stale translation reaches reused memory (they are chained through their
// first word meanwhile: a page-aligned address is an invalid entry on both
// architectures). A leaf whose address or memory type changes is cleared
// and invalidated before the new entry is written (break-before-make).
//
// FIXME: aarch64 also asks for break-before-make when a live block is split.
// The split writes an equivalent table over the block and then invalidates,
// which is safe only with FEAT_BBM level 2 (QEMU does not mind); breaking
// first could unmap the very page that holds the table being written.

import { pages, USE_PAGE_TABLES, USE_APP } from "../pages";
import { setPageTableRoot, invalidatePage } from "../../../arch";
import { ENOENT, ENOMEM } from "../../errno";
import {
  READ, WRITE, DEVICE, OWNED, ENTRY_NONE, ENTRY_TABLE, ENTRY_LEAF, LEVEL_1G, LEVEL_2M, LEVEL_4K,
  TABLE_BYTES, LARGE_PAGE_BYTES, GIGA_PAGE_BYTES, levelShift,
} from "./flags";
import { rootLevel, tableEntry, leafEntry, entryKind, entryAddress, entryFlags } from "./entry";

/** translate()'s answer for an address nothing maps. */
export const NOT_MAPPED: u64 = u64.MAX_VALUE;

const OP_MAP = 0;
const OP_UNMAP = 1;
const OP_PROTECT = 2;
const OP_COMMIT = 3;
const OP_CHECK = 4;
/** Pages invalidated one by one at the end of an operation; beyond this the whole TLB is flushed. */
const PENDING_MAX: i32 = 16;

let root: usize = 0;
/** True once the root is loaded: changes must then reach the TLB. */
let live = false;

// The operation in progress.
let op = OP_MAP;
let opFlags: u32 = 0;
/** physical - virtual for OP_MAP (wrapping). */
let opDelta: u64 = 0;
const pending = memory.data(PENDING_MAX * 8);
let pendingCount: i32 = 0;
let flushAll = false;
let wroteNew = false;
let lastNew: u64 = 0;
/** Pages to free once the TLB is clean, chained through their first word. */
let deferred: usize = 0;
/** The level of the entry leafFor() found last. */
let leafLevel: i32 = 0;
/**
 * Per level, the table newTable() made last there: its entries past the
 * walk's position are still zero, since walks go up in address order. They
 * stay known across maps that each start where the one before ended (the
 * kernel map is built part after part, in address order, from a fresh
 * root); any other operation forgets them.
 */
const freshTables = memory.data(8 * (LEVEL_4K + 1));
/** The root was just made: the first map starts in fresh tables wherever it starts. */
let rootIsFresh = false;
/** Whether any entry of freshTables is set (so forgetting is a no-op when none is). */
let anyFresh = false;
const NO_MAP_END: u64 = u64.MAX_VALUE;
/** Where the last operation, if it was a map, ended; else NO_MAP_END. */
let lastMapEnd: u64 = NO_MAP_END;

/** Allocates the empty root table; false if there is no memory. */
export function createRoot(): bool {
  root = pages.allocZeroed(1, USE_PAGE_TABLES);
  forgetFreshTables();
  store<usize>(freshTables + (<usize>rootLevel() << 3), root);
  rootIsFresh = anyFresh = true;
  return root != 0;
}

function forgetFreshTables(): void {
  if (!anyFresh) return;
  for (let level = 0; level <= LEVEL_4K; level++) store<usize>(freshTables + (<usize>level << 3), 0);
  anyFresh = false;
}

/** Loads the root into the CPU: from now on changes are invalidated in the TLB. */
export function activate(): void {
  setPageTableRoot(root);
  live = true;
}

export function mapPages(virtual: u64, physical: u64, size: u64, flags: u32): i32 {
  opDelta = physical - virtual;
  opFlags = flags;
  return run(OP_MAP, virtual, size);
}

/** Unmaps [virtual, virtual + size); frames commitPages allocated are freed. */
export function unmapPages(virtual: u64, size: u64): i32 {
  return run(OP_UNMAP, virtual, size);
}

/** Changes the flags of every page in the range; -ENOENT, changing nothing, if one is not mapped. */
export function protectPages(virtual: u64, size: u64, flags: u32): i32 {
  const mapped = run(OP_CHECK, virtual, size);
  if (mapped < 0) return mapped;
  opFlags = flags;
  return run(OP_PROTECT, virtual, size);
}

/** Maps a fresh zeroed frame (USE_APP, owned) with `flags` (read/write unless given) at every unmapped page of the range. */
export function commitPages(virtual: u64, size: u64, flags: u32 = READ | WRITE): i32 {
  opFlags = flags;
  return run(OP_COMMIT, virtual, size);
}

/** The physical address `virtual` maps to, or NOT_MAPPED. */
export function translateAddress(virtual: u64): u64 {
  const entry = leafFor(virtual);
  if (entry == 0) return NOT_MAPPED;
  const span = spanOf(leafLevel);
  return entryAddress(entry, span) + (virtual & (span - 1));
}

/** The READ/WRITE/EXECUTE/DEVICE flags of the page holding `virtual`, 0 if it is not mapped. */
export function flagsAt(virtual: u64): u32 {
  const entry = leafFor(virtual);
  return entry == 0 ? 0 : entryFlags(entry) & ~OWNED;
}

/** The leaf entry that maps `virtual` (its level in leafLevel), or 0. */
function leafFor(virtual: u64): u64 {
  let table = root;
  for (let level = rootLevel(); level <= LEVEL_4K; level++) {
    const entry = load<u64>(slot(table, level, virtual));
    const kind = entryKind(entry, level);
    if (kind == ENTRY_NONE) return 0;
    if (kind == ENTRY_LEAF) {
      leafLevel = level;
      return entry;
    }
    table = <usize>entryAddress(entry, TABLE_BYTES);
  }
  return 0;
}

// @ts-ignore: decorator
@inline function spanOf(level: i32): u64 {
  return <u64>1 << levelShift(level);
}

// @ts-ignore: decorator
@inline function slot(table: usize, level: i32, virtual: u64): usize {
  return table + (<usize>((virtual >> levelShift(level)) & 511) << 3);
}

function run(kind: i32, virtual: u64, size: u64): i32 {
  if (kind != OP_MAP || (virtual != lastMapEnd && !rootIsFresh)) forgetFreshTables();
  rootIsFresh = false;
  lastMapEnd = kind == OP_MAP ? virtual + size : NO_MAP_END;
  op = kind;
  const result = walk(root, rootLevel(), virtual, virtual + size);
  if (live) {
    if (flushAll) setPageTableRoot(root);
    else if (pendingCount > 0) {
      for (let i = 0; i < pendingCount; i++) invalidatePage(load<u64>(pending + (<usize>i << 3)));
    } else if (wroteNew) {
      invalidatePage(lastNew); // publishes the new entries to the walker (aarch64 needs the barriers)
    }
  }
  pendingCount = 0;
  flushAll = false;
  wroteNew = false;
  while (deferred != 0) {
    const page = deferred;
    deferred = load<usize>(page);
    pages.free(page);
  }
  return result;
}

function walk(table: usize, level: i32, from: u64, to: u64): i32 {
  const span = spanOf(level);
  let virtual = from;
  while (virtual < to) {
    const at = slot(table, level, virtual);
    const slotEnd = (virtual & ~(span - 1)) + span;
    const stop = slotEnd < to ? slotEnd : to;
    const whole = (virtual & (span - 1)) == 0 && stop == slotEnd;
    if (op == OP_MAP && whole && leafFits(level, virtual) && load<u64>(at) == 0) {
      virtual = fillLeaves(at, level, virtual, to);
      continue;
    }
    const result = visit(at, level, virtual, stop, whole);
    if (result < 0) return result;
    virtual = stop;
  }
  return 0;
}

/** Whether 1 GiB leaves may be used (useGigaPages). */
let gigaPages = false;

/** Lets OP_MAP put 1 GiB leaves at level 1 (the CPU has them: EntryFormat.gigaPages). */
export function useGigaPages(enabled: bool): void {
  gigaPages = enabled;
}

/** Whether OP_MAP can put a leaf for `virtual` at `level` (its whole slot being mapped). */
function leafFits(level: i32, virtual: u64): bool {
  if (level == LEVEL_4K) return true;
  if (level == LEVEL_1G) return gigaPages && ((virtual + opDelta) & (GIGA_PAGE_BYTES - 1)) == 0;
  return level == LEVEL_2M && ((virtual + opDelta) & (LARGE_PAGE_BYTES - 1)) == 0;
}

/** OP_MAP over empty entries: consecutive leaves, no questions asked. Returns where it stopped. */
function fillLeaves(at: usize, level: i32, virtual: u64, to: u64): u64 {
  const shift = levelShift(level);
  const span: u64 = <u64>1 << shift;
  const slotsLeft = <u64>((TABLE_BYTES - (at & (TABLE_BYTES - 1))) >> 3);
  const slotsWanted = (to - virtual) >> shift;
  const count = <usize>(slotsWanted < slotsLeft ? slotsWanted : slotsLeft);
  let entry = leafEntry(virtual + opDelta, opFlags, level);
  let done: usize = 0;
  if ((at & ~(TABLE_BYTES - 1)) == load<usize>(freshTables + (<usize>level << 3))) {
    // A table made in this walk: nothing ahead of `at` is mapped yet. Two entries a step.
    const end = at + (count << 3);
    if ((count & 1) != 0) {
      store<u64>(at, entry);
      entry += span;
      at += 8;
    }
    for (; at < end; at += 16) {
      store<u64>(at, entry);
      store<u64>(at + 8, entry + span);
      entry += span << 1;
    }
    done = count;
  } else {
    do {
      store<u64>(at, entry);
      entry += span;
      at += 8;
      done++;
    } while (done < count && load<u64>(at) == 0);
  }
  const end = virtual + (<u64>done << shift);
  noteNew(end - span);
  return end;
}

/** Applies the operation to the entry at `at`, which covers [virtual, stop) of its slot. */
function visit(at: usize, level: i32, virtual: u64, stop: u64, whole: bool): i32 {
  const old = load<u64>(at);
  const kind = entryKind(old, level);
  if (op == OP_CHECK) {
    if (kind == ENTRY_NONE) return -ENOENT;
    if (kind == ENTRY_LEAF) return 0;
  } else if (op == OP_MAP) {
    if (whole && leafFits(level, virtual)) {
      replace(at, old, kind, level, virtual, leafEntry(virtual + opDelta, opFlags, level));
      return 0;
    }
  } else if (op == OP_UNMAP) {
    if (kind == ENTRY_NONE) return 0;
    if (whole) {
      replace(at, old, kind, level, virtual, 0);
      return 0;
    }
  } else if (op == OP_PROTECT) {
    if (kind == ENTRY_NONE) return -ENOENT;
    if (kind == ENTRY_LEAF && whole) {
      const address = entryAddress(old, spanOf(level));
      replace(at, old, kind, level, virtual, leafEntry(address, opFlags | (entryFlags(old) & OWNED), level));
      return 0;
    }
  } else if (op == OP_COMMIT) {
    if (kind == ENTRY_LEAF) return 0;
    if (level == LEVEL_4K) {
      const frame = pages.allocZeroed(1, USE_APP);
      if (frame == 0) return -ENOMEM;
      store<u64>(at, leafEntry(frame, opFlags | OWNED, level));
      noteNew(virtual);
      return 0;
    }
  }
  let child: usize;
  if (kind == ENTRY_TABLE) child = <usize>entryAddress(old, TABLE_BYTES);
  else if (kind == ENTRY_LEAF) child = split(at, old, level, virtual);
  else child = newTable(at, virtual, level + 1);
  if (child == 0) return -ENOMEM;
  const result = walk(child, level + 1, virtual, stop);
  if (op == OP_UNMAP && isEmpty(child)) {
    store<u64>(at, 0);
    pend(virtual);
    deferFree(child);
  }
  return result;
}

/** Writes `entry` (0 to unmap) over `old`, freeing what `old` owned. */
function replace(at: usize, old: u64, kind: i32, level: i32, virtual: u64, entry: u64): void {
  if (kind == ENTRY_TABLE) {
    store<u64>(at, entry);
    discard(<usize>entryAddress(old, TABLE_BYTES), level + 1);
    if (live) flushAll = true; // the table may have mapped many pages
    if (entry != 0) noteNew(virtual);
    return;
  }
  if (kind == ENTRY_NONE) {
    store<u64>(at, entry);
    if (entry != 0) noteNew(virtual);
    return;
  }
  const span = spanOf(level);
  const oldAddress = entryAddress(old, span);
  const oldFlags = entryFlags(old);
  const newFlags = entry != 0 ? entryFlags(entry) : 0;
  const sameFrame = entry != 0 && entryAddress(entry, span) == oldAddress;
  if (live && entry != 0 && (!sameFrame || ((oldFlags ^ newFlags) & DEVICE) != 0)) {
    store<u64>(at, 0);
    invalidatePage(virtual);
  }
  store<u64>(at, entry);
  pend(virtual);
  if ((oldFlags & OWNED) != 0 && !(sameFrame && (newFlags & OWNED) != 0)) deferFree(<usize>oldAddress);
}

/** Queues every table under (and including) `table` and the frames its leaves own for freeing. */
function discard(table: usize, level: i32): void {
  const span = spanOf(level);
  for (let i: usize = 0; i < TABLE_BYTES; i += 8) {
    const entry = load<u64>(table + i);
    const kind = entryKind(entry, level);
    if (kind == ENTRY_TABLE) discard(<usize>entryAddress(entry, TABLE_BYTES), level + 1);
    else if (kind == ENTRY_LEAF && (entryFlags(entry) & OWNED) != 0) deferFree(<usize>entryAddress(entry, span));
  }
  deferFree(table);
}

/** Replaces the leaf at `at` with a table of 512 leaves one level down mapping the same memory. */
function split(at: usize, old: u64, level: i32, virtual: u64): usize {
  const child = pages.alloc(1, USE_PAGE_TABLES); // every entry is written below
  if (child == 0) return 0;
  const span = spanOf(level);
  const childSpan = span >> 9;
  let entry = leafEntry(entryAddress(old, span), entryFlags(old), level + 1);
  for (let i: usize = 0; i < TABLE_BYTES; i += 8) {
    store<u64>(child + i, entry);
    entry += childSpan;
  }
  store<u64>(at, tableEntry(child));
  pend(virtual);
  return child;
}

/** A zeroed table for level `level`, entered at `at`. */
function newTable(at: usize, virtual: u64, level: i32): usize {
  const child = pages.allocZeroed(1, USE_PAGE_TABLES);
  if (child == 0) return 0;
  store<u64>(at, tableEntry(child));
  noteNew(virtual);
  store<usize>(freshTables + (<usize>level << 3), child);
  anyFresh = true;
  return child;
}

function isEmpty(table: usize): bool {
  for (let i: usize = 0; i < TABLE_BYTES; i += 8) if (load<u64>(table + i) != 0) return false;
  return true;
}

/** Queues the TLB invalidation of a changed entry (nothing to do before the tables are live). */
function pend(virtual: u64): void {
  if (!live) return;
  if (pendingCount < PENDING_MAX) {
    store<u64>(pending + (<usize>pendingCount << 3), virtual);
    pendingCount++;
  } else {
    flushAll = true;
  }
}

function noteNew(virtual: u64): void {
  wroteNew = true;
  lastNew = virtual;
}

function deferFree(page: usize): void {
  store<usize>(page, deferred);
  deferred = page;
}
