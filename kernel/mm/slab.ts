// Slabs: runs of pages cut into objects of one size class.
//
// Layout of a slab (1 to 16 pages, chosen per class so that at most 1/16 of
// it is lost to the header and the unusable tail):
//
//   +--------+--------------------+-------------------------------------+-----+
//   | header | free-object bitmap | object 0 | object 1 | ...            | tail|
//   +--------+--------------------+-------------------------------------+-----+
//   0        32                   firstObject (16-byte aligned)
//
// Objects freed back to the slab form a list threaded through their first 4
// bytes, and the bitmap has their bits set; objects never handed out are
// those from `fresh` on. The CPU's free lists (free-lists.ts) take objects
// out of slabs in batches (slabRefill: freed ones, and the untouched rest
// as a run) and give them back one by one (slabReturn) or as the run's
// remainder (slabReturnFresh); the slab counts what they hold as in use.
// So a double free or a pointer into the middle of an object is caught in
// every build, not only debug ones (checkedClass).
//
// Slabs with free objects are on their class's partial list. A slab whose
// last object is freed stays there as the class's one kept empty slab, so an
// alloc/free loop does not bounce pages, as long as all kept empty slabs
// together stay within a budget of 1/64 of usable RAM (at least 8 pages): a
// 2 MiB VM keeps a few pages, a 64 MiB one up to 1 MiB. Any other empty slab
// goes back to the page allocator at once.
//
// The hot paths avoid division: object indexes come from multiplying by a
// per-class reciprocal, exact for every offset inside a slab.

import { pages, PAGE_SIZE, PAGE_SHIFT, USE_SLAB, HEAD, VALUE_SHIFT } from "./pages";
import { CLASS_COUNT, classSize } from "./classes";
import { panic } from "../panic";

const SLAB_MAGIC: u32 = 0x51ab0000;
const HEADER_BYTES: usize = 32;

@unmanaged
export class Slab {
  magic: u32;       // SLAB_MAGIC | class
  classIndex: u32;
  next: u32;        // partial list
  previous: u32;
  freeList: u32;    // first free object, 0 if none
  inUse: u32;
  fresh: u32;       // index of the first object never handed out
  capacity: u32;

  static at(address: usize): Slab {
    return changetype<Slab>(address);
  }

  get address(): usize {
    return changetype<usize>(this);
  }
}

// Per-class geometry, computed once by initSlabs().
const objectSize = memory.data(<i32>CLASS_COUNT * 4);
/** floor(2^32 / size) + 1: (offset * reciprocal) >> 32 == offset / size for offsets below 2^32 / size. */
const reciprocal = memory.data(<i32>CLASS_COUNT * 4);
const slabPages = memory.data(<i32>CLASS_COUNT * 4);
const slabCapacity = memory.data(<i32>CLASS_COUNT * 4);
const firstObject = memory.data(<i32>CLASS_COUNT * 4);
/** Head of each class's partial list (slabs with a free object), 0 if empty. */
const partial = memory.data(<i32>CLASS_COUNT * 4);
/** Each class's kept empty slab (on its partial list), 0 if none. */
const keptEmpty = memory.data(<i32>CLASS_COUNT * 4);
/** Pages held by kept empty slabs, and the most they may hold. */
let keptPages: u32 = 0;
let keptBudget: u32 = 0;
const MIN_KEPT_BUDGET: u32 = 8;
/** Slabs per class (the kept empty one included), for the accounting report. */
const slabCount = memory.data(<i32>CLASS_COUNT * 4);
/** Every per-class table, for initSlabs to clear. */
const TABLES: StaticArray<usize> = [objectSize, reciprocal, slabPages, slabCapacity, firstObject, partial, keptEmpty, slabCount];

// @ts-ignore: decorator
@inline function get(table: usize, index: u32): u32 {
  return load<u32>(table + (<usize>index << 2));
}

// @ts-ignore: decorator
@inline function put(table: usize, index: u32, value: u32): void {
  store<u32>(table + (<usize>index << 2), value);
}

function bitmapBytes(capacity: u32): usize {
  return ((<usize>capacity + 31) >> 5) << 2;
}

/** Forgets every slab; each class's geometry is worked out when it is first used. */
export function initSlabs(): void {
  keptPages = 0;
  keptBudget = max<u32>(MIN_KEPT_BUDGET, pages.usable >> 6);
  const bytes = <usize>CLASS_COUNT * 4;
  for (let i = 0; i < TABLES.length; i++) memory.fill(TABLES[i], 0, bytes);
}

/**
 * Each class's slab: pages, then objects, per class. A slab has the fewest
 * pages (1 to 16) that lose at most 1/16 of themselves to the header, the
 * bitmap and the unusable tail, or 16 when none does, and holds as many
 * objects as fit after the header and its bitmap. A table, not a search at
 * each class's first use: boot touches some 25 classes.
 * test/host/mm/slab-geometry.test.ts works the table out again from the rule.
 */
const GEOMETRY = memory.data<u16>([
  1, 500, 1, 252, 1, 168, 1, 126, 1, 101, 1, 84, 1, 72, 1, 63,
  1, 56, 1, 50, 1, 46, 1, 42, 1, 38, 1, 36, 1, 33, 1, 31,
  1, 28, 1, 25, 1, 23, 1, 21, 1, 19, 1, 18, 1, 16, 1, 15,
  1, 14, 1, 12, 1, 11, 1, 10, 2, 19, 1, 9, 1, 8, 2, 15,
  1, 7, 1, 6, 2, 11, 1, 5, 3, 14, 2, 9, 1, 4, 4, 15,
  2, 7, 1, 3, 4, 11, 2, 5, 3, 7, 4, 9, 1, 2, 8, 15,
  3, 5, 2, 3, 5, 7, 4, 5, 5, 6, 8, 9, 1, 1, 16, 15,
  6, 5, 4, 3, 7, 5, 8, 5, 5, 3, 9, 5, 2, 1, 16, 7,
]);

/** Lays out class `c`'s slabs from GEOMETRY, once. */
function ensureGeometry(c: u32): void {
  if (get(slabPages, c) != 0) return;
  const size = classSize(c);
  const capacity = <u32>load<u16>(GEOMETRY + (<usize>c << 2), 2);
  put(objectSize, c, <u32>size);
  put(reciprocal, c, <u32>(0x1_0000_0000 / <u64>size) + 1);
  put(slabCapacity, c, capacity);
  put(firstObject, c, <u32>((HEADER_BYTES + bitmapBytes(capacity) + 15) & ~15));
  put(slabPages, c, <u32>load<u16>(GEOMETRY + (<usize>c << 2)));
}

export function pagesPerSlab(c: u32): u32 {
  ensureGeometry(c);
  return get(slabPages, c);
}

export function objectsPerSlab(c: u32): u32 {
  ensureGeometry(c);
  return get(slabCapacity, c);
}

export function slabsInClass(c: u32): u32 {
  return get(slabCount, c);
}

function pushPartial(slab: Slab): void {
  const head = get(partial, slab.classIndex);
  slab.previous = 0;
  slab.next = head;
  if (head != 0) Slab.at(head).previous = <u32>slab.address;
  put(partial, slab.classIndex, <u32>slab.address);
}

function removePartial(slab: Slab): void {
  if (slab.previous != 0) Slab.at(slab.previous).next = slab.next;
  else put(partial, slab.classIndex, slab.next);
  if (slab.next != 0) Slab.at(slab.next).previous = slab.previous;
  slab.next = slab.previous = 0;
}

function newSlab(c: u32): Slab | null {
  ensureGeometry(c);
  const count = get(slabPages, c);
  const address = pages.alloc(count, USE_SLAB);
  if (address == 0) return null;
  // Continuation frames remember how far they are from the slab's start.
  for (let i: u32 = 1; i < count; i++) pages.setValue(address + (<usize>i << PAGE_SHIFT), i);
  const slab = Slab.at(address);
  slab.magic = SLAB_MAGIC | c;
  slab.classIndex = c;
  slab.freeList = 0;
  slab.inUse = 0;
  slab.fresh = 0;
  slab.capacity = get(slabCapacity, c);
  memory.fill(address + HEADER_BYTES, 0, bitmapBytes(slab.capacity));
  put(slabCount, c, get(slabCount, c) + 1);
  return slab; // not on the partial list: slabRefill takes it whole
}

// @ts-ignore: decorator
@inline function objectIndex(c: u32, offset: usize): u32 {
  return <u32>((<u64>offset * <u64>get(reciprocal, c)) >> 32);
}

// @ts-ignore: decorator
@inline function bitmapWord(slab: Slab, index: u32): usize {
  return slab.address + HEADER_BYTES + (<usize>(index >> 5) << 2);
}

/** How many objects the last slabRefill linked into its chain. */
export let taken: u32 = 0;
/** The run of objects never handed out that the last slabRefill took whole: [freshStart, freshEnd), empty if equal. */
export let freshStart: usize = 0;
export let freshEnd: usize = 0;

/**
 * Takes objects of class `c` out of its first slab with a free one (a new
 * slab when none has): up to `want` objects freed back to it, linked into a
 * chain through their first 4 bytes, each marked with `mark` (XOR its
 * address) in its next 4, which is returned (0 if none; `taken` says how
 * many); and all its objects never handed out, as the run [freshStart,
 * freshEnd). Both count as in use for the slab from now on. Returns with
 * nothing (chain 0, empty run) only when no pages are left for a slab.
 */
export function slabRefill(c: u32, want: u32, mark: u32): usize {
  taken = 0;
  const head = get(partial, c);
  if (head == 0) {
    const fresh = newSlab(c);
    if (fresh === null) {
      freshStart = freshEnd = 0;
      return 0;
    }
    takeRest(fresh, c);
    return 0;
  }
  const slab = Slab.at(head);
  if (get(keptEmpty, c) == head) {
    put(keptEmpty, c, 0);
    keptPages -= get(slabPages, c);
  }
  const first = slab.address + <usize>get(firstObject, c);
  let chain: usize = 0;
  while (taken < want && slab.freeList != 0) {
    const object = <usize>slab.freeList;
    slab.freeList = load<u32>(object);
    const index = objectIndex(c, object - first);
    const word = bitmapWord(slab, index);
    store<u32>(word, load<u32>(word) & ~(1 << (index & 31)));
    store<u32>(object, <u32>chain);
    store<u32>(object, <u32>object ^ mark, 4);
    chain = object;
    taken++;
  }
  slab.inUse += taken;
  takeRest(slab, c);
  if (slab.inUse == slab.capacity) removePartial(slab);
  return chain;
}

/** Takes `slab`'s objects never handed out as the run [freshStart, freshEnd), empty if none are left. */
function takeRest(slab: Slab, c: u32): void {
  const from = slab.fresh;
  const capacity = slab.capacity;
  const first = slab.address + <usize>get(firstObject, c);
  const size = <usize>get(objectSize, c);
  freshStart = first + <usize>from * size;
  freshEnd = first + <usize>capacity * size;
  slab.inUse += capacity - from;
  slab.fresh = capacity;
}

/**
 * Gives back the objects [start, end) of the run a slabRefill took, none of
 * them handed out since: its slab counts them as never handed out again.
 */
export function slabReturnFresh(start: usize, end: usize): void {
  if (start == end) return;
  const slab = slabOf(start, pages.descriptorOf(start));
  const c = slab.classIndex;
  const from = objectIndex(c, start - slab.address - <usize>get(firstObject, c));
  const capacity = slab.capacity;
  if (slab.inUse == capacity) pushPartial(slab);
  slab.inUse -= capacity - from;
  slab.fresh = from;
  if (slab.inUse == 0) releaseEmpty(slab);
}

/**
 * The slab holding `address`, given its frame's descriptor (a USE_SLAB frame),
 * checked; stops the kernel if the slab header is not intact.
 */
// @ts-ignore: decorator
@inline export function slabOf(address: usize, descriptor: u32): Slab {
  const page = address & ~(PAGE_SIZE - 1);
  const start = (descriptor & HEAD) != 0 ? page : page - (<usize>(descriptor >> VALUE_SHIFT) << PAGE_SHIFT);
  const slab = Slab.at(start);
  if ((slab.magic & 0xffff0000) != SLAB_MAGIC || slab.classIndex >= CLASS_COUNT) {
    panic("free of a pointer into a corrupt slab");
  }
  return slab;
}

/**
 * Checks that `address` (in a frame with `descriptor`, USE_SLAB) is the
 * start of an object its slab has handed out, and returns the object's class;
 * stops the kernel with what is wrong if not. An object on a free list
 * (free-lists.ts) still counts as handed out here: that list catches its
 * second free.
 */
export function checkedClass(address: usize, descriptor: u32): u32 {
  const slab = slabOf(address, descriptor);
  const c = slab.classIndex;
  const first = slab.address + <usize>get(firstObject, c);
  const index = objectIndex(c, address - first);
  if (address < first || index >= slab.capacity || first + <usize>index * <usize>get(objectSize, c) != address) {
    panic("free of a pointer into the middle of a slab object");
  }
  // Never handed out (at or past `fresh`), or back in the slab's free list (its bit set): freed already.
  if (index >= slab.fresh || (load<u32>(bitmapWord(slab, index)) & (1 << (index & 31))) != 0) panic("double free of a slab object");
  return c;
}

/**
 * Puts the object at `address` (checked with checkedClass) back into its
 * slab; an emptied slab is kept or goes back to the page allocator.
 */
export function slabReturn(address: usize): void {
  const slab = slabOf(address, pages.descriptorOf(address));
  const c = slab.classIndex;
  const index = objectIndex(c, address - slab.address - <usize>get(firstObject, c));
  const word = bitmapWord(slab, index);
  store<u32>(word, load<u32>(word) | (1 << (index & 31)));
  if (slab.inUse == slab.capacity) pushPartial(slab);
  store<u32>(address, slab.freeList);
  slab.freeList = <u32>address;
  slab.inUse--;
  if (slab.inUse == 0) releaseEmpty(slab);
}

/** An emptied slab stays as its class's kept empty one while the budget allows; else its pages go back. */
function releaseEmpty(slab: Slab): void {
  const c = slab.classIndex;
  if (get(keptEmpty, c) == 0 && keptPages + get(slabPages, c) <= keptBudget) {
    put(keptEmpty, c, <u32>slab.address);
    keptPages += get(slabPages, c);
  } else {
    removePartial(slab);
    slab.magic = 0;
    put(slabCount, c, get(slabCount, c) - 1);
    pages.free(slab.address);
  }
}

export function slabObjectSize(address: usize, descriptor: u32): usize {
  return <usize>get(objectSize, slabOf(address, descriptor).classIndex);
}
