// Free lists: the fast path of malloc and free for the slab classes.
//
// The CPU keeps, per size class, what it may hand out at once (one CPU
// today; with more, each gets its own records and the fast path still takes
// no lock):
//   - a list of freed objects, linked through their first 4 bytes (kernel
//     addresses lie below 4 GiB), each carrying a mark in its next 4: its
//     address XOR FREE_MARK;
//   - a run of objects never handed out: the rest of a slab, taken whole,
//     handed out in address order.
//
//   malloc: pop the list, else the next object of the run (a handful of
//           loads and stores); when both are empty, slab.ts slabRefill takes
//           a slab's freed objects (up to half the list's limit) and its
//           untouched rest.
//   free:   every check slab.ts makes (the start of an object its slab
//           handed out, the slab header intact), then push. A list that
//           grows past its limit (LIST_BYTES of objects, at least
//           MIN_LIST_OBJECTS) gives its older half back to the slabs, so
//           pages still come back when objects are freed.
//
// Objects on a list or in a run still count as handed out for their slab. A
// second free is caught three ways: an object back in its slab has its
// bitmap bit set; one in the run lies in the run; one on the list carries
// the mark, and a free that finds the mark looks for the object on its list
// before believing it (a live object may hold those bytes by chance, and is
// then freed as usual).
//
// trimFreeLists() gives every list and run back to the slabs: malloc does
// so before it reports memory exhausted, and meminfo before it counts.

import { CLASS_COUNT, classSize } from "./classes";
import { slabRefill, slabReturn, slabReturnFresh, taken, freshStart, freshEnd } from "./slab";
import { panic } from "../panic";

const FREE_MARK: u32 = 0x5eed_f4ee;
/** Bytes of free objects a class's list may hold before it gives half back. */
const LIST_BYTES: u32 = 4096;
const MIN_LIST_OBJECTS: u32 = 2;
const MAX_LIST_OBJECTS: u32 = 128;

// A record per class, 32 bytes: everything its fast path reads.
const HEAD: usize = 0;       // first listed object, 0 if none
const LISTED: usize = 4;     // objects on the list
const RUN_NEXT: usize = 8;   // the run: next object, and where it ends
const RUN_END: usize = 12;
const SIZE: usize = 16;      // the class's object size (0 until its first refill)
const HELD: usize = 20;      // objects callers hold (malloc'd, not yet freed)
const LIMIT: usize = 24;     // the most objects the list may hold
const RECORD_SHIFT: usize = 5;
const records = memory.data(<i32>CLASS_COUNT << <i32>RECORD_SHIFT);

// @ts-ignore: decorator
@inline function record(c: u32): usize {
  return records + (<usize>c << RECORD_SHIFT);
}

// @ts-ignore: decorator
@inline function field(at: usize, offset: usize): u32 {
  return load<u32>(at + offset);
}

// @ts-ignore: decorator
@inline function setField(at: usize, offset: usize, value: u32): void {
  store<u32>(at + offset, value);
}

/** Empties every list and run (what they held is forgotten with the slabs: initSlabs runs too). */
export function initFreeLists(): void {
  memory.fill(records, 0, <usize>CLASS_COUNT << RECORD_SHIFT);
}

/** Objects of class `c` that callers hold (malloc'd, not yet freed). */
export function objectsInClass(c: u32): u32 {
  return field(record(c), HELD);
}

/** Objects of class `c` waiting on its free list. */
export function listedInClass(c: u32): u32 {
  return field(record(c), LISTED);
}

/** Objects of class `c` in its run (never handed out). */
export function runInClass(c: u32): u32 {
  const at = record(c);
  const size = field(at, SIZE);
  return size == 0 ? 0 : (field(at, RUN_END) - field(at, RUN_NEXT)) / size;
}

/** An object of class `c` from its list or run, or 0 if both are empty. */
// @ts-ignore: decorator
@inline export function popFree(c: u32): usize {
  const at = record(c);
  let object = <usize>field(at, HEAD);
  if (object != 0) {
    setField(at, HEAD, load<u32>(object));
    setField(at, LISTED, field(at, LISTED) - 1);
    store<u32>(object, 0, 4); // the mark
  } else {
    object = <usize>field(at, RUN_NEXT);
    if (object == <usize>field(at, RUN_END)) return 0;
    setField(at, RUN_NEXT, <u32>object + field(at, SIZE));
  }
  setField(at, HELD, field(at, HELD) + 1);
  return object;
}

/** Refills class `c`'s list and run (both empty) from its slabs and pops; 0 when no pages are left. */
export function refillAndPop(c: u32): usize {
  const at = record(c);
  if (field(at, SIZE) == 0) {
    const size = <u32>classSize(c);
    setField(at, SIZE, size);
    setField(at, LIMIT, min<u32>(MAX_LIST_OBJECTS, max<u32>(MIN_LIST_OBJECTS, LIST_BYTES / size)));
  }
  const chain = slabRefill(c, max<u32>(1, field(at, LIMIT) >> 1), FREE_MARK);
  setField(at, HEAD, <u32>chain);
  setField(at, LISTED, taken);
  setField(at, RUN_NEXT, <u32>freshStart);
  setField(at, RUN_END, <u32>freshEnd);
  return popFree(c);
}

/** Puts the object at `address`, of class `c` and checked by slab.ts, on its list. */
// @ts-ignore: decorator
@inline export function pushFree(c: u32, address: usize): void {
  const at = record(c);
  if (load<u32>(address, 4) == (<u32>address ^ FREE_MARK) && isListed(at, address)) panic("double free of a slab object");
  if (address >= <usize>field(at, RUN_NEXT) && address < <usize>field(at, RUN_END)) panic("double free of a slab object");
  store<u32>(address, field(at, HEAD));
  store<u32>(address, <u32>address ^ FREE_MARK, 4);
  setField(at, HEAD, <u32>address);
  const listed = field(at, LISTED) + 1;
  setField(at, LISTED, listed);
  setField(at, HELD, field(at, HELD) - 1);
  if (listed > field(at, LIMIT)) giveBack(at, listed >> 1);
}

/** Whether `address` is on the list of the class whose record is at `at`. */
function isListed(at: usize, address: usize): bool {
  for (let object = <usize>field(at, HEAD); object != 0; object = <usize>load<u32>(object)) {
    if (object == address) return true;
  }
  return false;
}

/** Gives all but the first `keep` objects of a class's list (its record at `at`) back to their slabs. */
function giveBack(at: usize, keep: u32): void {
  const listed = field(at, LISTED);
  if (listed <= keep) return;
  // The first `keep` objects (the most recently freed) stay.
  let object = <usize>field(at, HEAD);
  let last: usize = 0;
  for (let i: u32 = 0; i < keep; i++) {
    last = object;
    object = <usize>load<u32>(object);
  }
  if (last == 0) setField(at, HEAD, 0);
  else store<u32>(last, 0);
  while (object != 0) {
    const next = <usize>load<u32>(object);
    slabReturn(object);
    object = next;
  }
  setField(at, LISTED, keep);
}

/** Gives every list and run back to the slabs; returns how many objects went back. */
export function trimFreeLists(): u32 {
  let returned: u32 = 0;
  for (let c: u32 = 0; c < CLASS_COUNT; c++) {
    const at = record(c);
    returned += listedInClass(c) + runInClass(c);
    giveBack(at, 0);
    slabReturnFresh(<usize>field(at, RUN_NEXT), <usize>field(at, RUN_END));
    setField(at, RUN_NEXT, 0);
    setField(at, RUN_END, 0);
  }
  return returned;
}
