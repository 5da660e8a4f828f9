// Guards kernel/mm/malloc.ts and kernel/mm/slab.ts: malloc/free/usableSize
// over slabs (up to 8 KiB) and whole pages (beyond), on a harness whose
// memory initMemory handed to the page allocator.
//
// Random malloc(1..20000)/free/usableSize sequences must return memory while
// there is any (a refusal is checked against the page allocator: the class
// has no free object and no run of pages for a new slab, or no run for a
// large allocation), 8-byte aligned (page aligned above 8 KiB), inside
// frames used for slabs or large allocations, never overlapping another live
// block over its whole usableSize, with usableSize exactly the class size
// (or the pages) and so at least the request; what the test writes over
// each block's usable bytes survives every other operation. Per-class object
// counts and large-allocation pages stay exact; once everything is freed and
// the free lists are given back (kernel/mm/free-lists.ts) only the one kept
// empty slab per class remains. Misuse (double free, interior
// pointers, pointers into slab headers or large allocations, foreign
// pointers, a corrupt slab) panics with the messages in malloc.ts and
// slab.ts and changes nothing.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { PAGE_SIZE, USE } from "./client";
import { E820 } from "../firmware";
import { Random, suiteSeed } from "../random";

const MAX_CLASS = 8192;
const MIDDLE_OF_SLAB_OBJECT = "free of a pointer into the middle of a slab object";
const DOUBLE_FREE = "double free of a slab object";
const NEVER_HANDED_OUT = "free of a pointer malloc never handed out";
const MIDDLE_OF_LARGE = "free of a pointer into the middle of a large allocation";
const CORRUPT_SLAB = "free of a pointer into a corrupt slab";
const USABLE_SIZE_FOREIGN = "usableSize of a pointer malloc never handed out";

const harness = await Harness.withMemory(256); // 16 MiB
const e = harness.exports;
const CLASSES = e.classCount() >>> 0;
const classSize = Array.from({ length: CLASSES }, (_, c) => e.classSizeOf(c) >>> 0);
const slabPages = Array.from({ length: CLASSES }, (_, c) => e.slabPagesOf(c) >>> 0);
const slabCapacity = Array.from({ length: CLASSES }, (_, c) => e.slabCapacityOf(c) >>> 0);
const pagesFor = (size: number) => Math.ceil(size / PAGE_SIZE);

interface Block {
  address: number;
  size: number;
  usable: number;
  /** Class index, or -1 for a large allocation. */
  klass: number;
  fill: number;
}

function same(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) expect(actual, message).toBe(expected);
}

/** The test's record of what it holds: blocks by address, sorted extents, objects per class, large pages. */
class Holdings {
  readonly blocks: Block[] = [];
  readonly objects = new Array<number>(CLASSES).fill(0);
  largePages = 0;

  constructor(readonly harness: Harness) {}

  /** Index of the first block starting at or after `address`. */
  private position(address: number): number {
    let low = 0;
    let high = this.blocks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.blocks[middle].address < address) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  add(block: Block, context: string): void {
    const at = this.position(block.address);
    const before = this.blocks[at - 1];
    const after = this.blocks[at];
    if (before && before.address + before.usable > block.address) {
      expect.fail(`${context}: block 0x${block.address.toString(16)} overlaps 0x${before.address.toString(16)} (+${before.usable})`);
    }
    if (after && block.address + block.usable > after.address) {
      expect.fail(`${context}: block 0x${block.address.toString(16)} (+${block.usable}) overlaps 0x${after.address.toString(16)}`);
    }
    this.blocks.splice(at, 0, block);
    if (block.klass >= 0) this.objects[block.klass]++;
    else this.largePages += block.usable / PAGE_SIZE;
    this.harness.bytes().fill(block.fill, block.address, block.address + block.usable);
  }

  remove(index: number): Block {
    const [block] = this.blocks.splice(index, 1);
    if (block.klass >= 0) this.objects[block.klass]--;
    else this.largePages -= block.usable / PAGE_SIZE;
    return block;
  }

  intact(block: Block): boolean {
    const bytes = this.harness.bytes();
    for (let i = block.address; i < block.address + block.usable; i++) if (bytes[i] !== block.fill) return false;
    return true;
  }
}

/** True if the allocator had no way to serve `size` (what must hold whenever malloc returns 0). */
function legitimatelyRefused(h: Harness, size: number): boolean {
  const longest = h.exports.pagesLongestFreeRun() >>> 0;
  if (size > MAX_CLASS) return longest < pagesFor(size);
  const c = h.exports.classOfSize(size) >>> 0;
  const full = (h.exports.slabObjectsOf(c) >>> 0) === (h.exports.slabCountOf(c) >>> 0) * slabCapacity[c];
  return full && longest < slabPages[c];
}

/** One malloc with every check on its result; returns the block, or null if malloc (legitimately) refused. */
function mallocChecked(h: Harness, held: Holdings, size: number, fill: number, context: string): Block | null {
  const x = h.exports;
  const address = x.mmMalloc(size) >>> 0;
  if (address === 0) {
    if (!legitimatelyRefused(h, size)) expect.fail(`${context}: malloc(${size}) returned 0 with memory left for it`);
    return null;
  }
  const large = size > MAX_CLASS;
  const klass = large ? -1 : x.classOfSize(size) >>> 0;
  const usable = x.mmUsableSize(address) >>> 0;
  same(usable, large ? pagesFor(size) * PAGE_SIZE : classSize[klass], `${context}: usableSize of malloc(${size})`);
  same(address % (large ? PAGE_SIZE : 8), 0, `${context}: alignment of malloc(${size}) = 0x${address.toString(16)}`);
  if (!large && classSize[klass] % 16 === 0) same(address % 16, 0, `${context}: 16-byte alignment for class ${classSize[klass]}`);
  const use = large ? USE.large : USE.slab;
  same(x.pagesUseOf(address), use, `${context}: first byte's frame use`);
  same(x.pagesUseOf(address + usable - 1), use, `${context}: last byte's frame use`);
  const block = { address, size, usable, klass, fill };
  held.add(block, context);
  return block;
}

function freeChecked(h: Harness, held: Holdings, index: number, context: string): void {
  const block = held.remove(index);
  if (!held.intact(block)) expect.fail(`${context}: contents of 0x${block.address.toString(16)} (${block.size} bytes) changed`);
  h.exports.mmFree(block.address);
}

function expectAccounting(h: Harness, held: Holdings, context: string): void {
  const x = h.exports;
  const objects = Array.from({ length: CLASSES }, (_, c) => x.slabObjectsOf(c) >>> 0);
  if (objects.some((count, c) => count !== held.objects[c])) expect(objects, `${context}: objects per class`).toEqual(held.objects);
  same(x.pagesCount(USE.large) >>> 0, held.largePages, `${context}: large-allocation pages`);
  const slabPagesInUse = classSize.reduce((sum, _, c) => sum + (x.slabCountOf(c) >>> 0) * slabPages[c], 0);
  same(x.pagesCount(USE.slab) >>> 0, slabPagesInUse, `${context}: slab pages = slabs x pages per slab`);
}

/** After everything is freed and the free lists given back: no objects, at most one (kept empty) slab per class, no large pages. */
function expectOnlySpareSlabs(h: Harness, context: string): void {
  const x = h.exports;
  x.mmTrimFreeLists();
  for (let c = 0; c < CLASSES; c++) same((x.freeListedOf(c) >>> 0) + (x.freeRunOf(c) >>> 0), 0, `${context}: objects still waiting in class ${classSize[c]}`);
  for (let c = 0; c < CLASSES; c++) {
    same(x.slabObjectsOf(c) >>> 0, 0, `${context}: objects left in class ${classSize[c]}`);
    if ((x.slabCountOf(c) >>> 0) > 1) expect(x.slabCountOf(c) >>> 0, `${context}: slabs left in class ${classSize[c]}`).toBeLessThanOrEqual(1);
  }
  const spare = classSize.reduce((sum, _, c) => sum + (x.slabCountOf(c) >>> 0) * slabPages[c], 0);
  expect(x.pagesCount(USE.slab) >>> 0, context).toBe(spare);
  expect(x.pagesCount(USE.large) >>> 0, context).toBe(0);
}

function randomSize(random: Random): number {
  const kind = random.int(0, 19);
  if (kind < 10) return random.int(1, 256);
  if (kind < 15) return random.int(257, 2048);
  if (kind < 18) return random.int(2049, MAX_CLASS);
  return random.int(MAX_CLASS + 1, 20000);
}

describe("malloc over slabs and pages (kernel/mm/malloc.ts, slab.ts)", () => {
  it("serves each size from its class, 8-byte aligned, and whole pages above 8 KiB", () => {
    const held = new Holdings(harness);
    const sizes = [1, 7, 8, 9, 16, 17, 100, 128, 129, 144, 145, 1000, 4095, 4096, 4097, 8191, 8192, 8193, 12288, 12289, 20000, 65536];
    for (const size of sizes) mallocChecked(harness, held, size, 0xa5, `malloc(${size})`);
    expectAccounting(harness, held, "after the mallocs");
    while (held.blocks.length) freeChecked(harness, held, 0, "freeing");
    expectOnlySpareSlabs(harness, "after freeing");
  });

  it("ignores free(0)", () => {
    const before = harness.pageCounts();
    e.mmFree(0);
    expect(harness.pageCounts()).toEqual(before);
  });

  it("keeps live blocks disjoint and intact, and counts exact, over random malloc/free sequences", () => {
    const SEQUENCES = 20;
    const STEPS = 3000;
    const free0 = e.pagesFreeFrames() >>> 0;
    const spare0 = e.pagesCount(USE.slab) >>> 0; // kept empty slabs from earlier tests
    let mallocs = 0;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const random = new Random(suiteSeed(), 400 + sequence);
      const held = new Holdings(harness);
      const target = random.int(50, 400); // live blocks to hover around
      for (let step = 0; step < STEPS; step++) {
        const context = `${random.label}, step ${step}`;
        const action = random.int(0, 99);
        if (held.blocks.length === 0 || action < (held.blocks.length < target ? 60 : 40)) {
          const block = mallocChecked(harness, held, randomSize(random), random.int(1, 255), context);
          if (block === null) expect.fail(`${context}: a 16 MiB machine ran out of memory`);
          mallocs++;
        } else if (action < 95) {
          freeChecked(harness, held, random.int(0, held.blocks.length - 1), context);
        } else {
          const block = random.pick(held.blocks);
          same(e.mmUsableSize(block.address) >>> 0, block.usable, `${context}: usableSize again`);
        }
        if (step % 50 === 0) expectAccounting(harness, held, context);
      }
      const context = random.label;
      for (const block of held.blocks) if (!held.intact(block)) expect.fail(`${context}: 0x${block.address.toString(16)} changed`);
      expectAccounting(harness, held, `${context}, at the end`);
      while (held.blocks.length) freeChecked(harness, held, held.blocks.length - 1, `${context}, freeing everything`);
      expectOnlySpareSlabs(harness, `${context}, after freeing everything`);
      const spare = e.pagesCount(USE.slab) >>> 0;
      expect(e.pagesFreeFrames() >>> 0, `${context}: every page but the spare slabs is free again`).toBe(free0 - (spare - spare0));
    }
    console.log(`malloc: ${SEQUENCES} sequences of ${STEPS} steps (seed 0x${suiteSeed().toString(16)}, streams 400..${399 + SEQUENCES}), ${mallocs} mallocs`);
  });

  it("returns 0 only when memory for the request is gone, and recovers when blocks are freed", async () => {
    const SEQUENCES = 6;
    let refusals = 0;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      // 1 MiB of RAM from the kernel image up: a few hundred pages.
      const small = await Harness.withMemory(64, [{ base: 0x10_0000n, size: 0x10_0000n, type: E820.usable }]);
      const held = new Holdings(small);
      const random = new Random(suiteSeed(), 500 + sequence);
      for (let step = 0; step < 3000; step++) {
        const context = `${random.label}, step ${step}`;
        if (held.blocks.length === 0 || random.int(0, 99) < 75) {
          if (mallocChecked(small, held, randomSize(random), random.int(1, 255), context) === null) refusals++;
        } else {
          freeChecked(small, held, random.int(0, held.blocks.length - 1), context);
        }
        if (step % 100 === 0) expectAccounting(small, held, context);
      }
      while (held.blocks.length) freeChecked(small, held, 0, "freeing everything");
      expectOnlySpareSlabs(small, `${random.label}, after freeing everything`);
      for (const size of [20000, 8192, 100]) expect(small.exports.mmMalloc(size) >>> 0, `malloc(${size}) after recovery`).not.toBe(0);
    }
    console.log(`malloc on 1 MiB: ${SEQUENCES} sequences of 3000 steps (streams 500..${499 + SEQUENCES}), ${refusals} refusals, each checked`);
    expect(refusals, "the sequences must exhaust memory").toBeGreaterThan(20 * SEQUENCES);
  });

  it("zeroes the frames allocZeroed hands out", () => {
    const dirty = e.mmMalloc(5 * PAGE_SIZE) >>> 0;
    harness.bytes().fill(0xee, dirty, dirty + 5 * PAGE_SIZE);
    e.mmFree(dirty);
    const counts = harness.pageCounts();
    const zeroed = e.pagesAllocZeroed(5, USE.app) >>> 0;
    expect(zeroed).not.toBe(0);
    expect(harness.bytes().subarray(zeroed, zeroed + 5 * PAGE_SIZE).every((byte) => byte === 0)).toBe(true);
    e.pagesFree(zeroed);
    expect(harness.pageCounts()).toEqual(counts);
  });

  describe("misuse", () => {
    /** Expects `call` to panic with `message`, with nothing allocated or freed meanwhile. */
    function expectPanic(call: () => void, message: string | string[], what: string): void {
      const counts = harness.pageCounts();
      const objects = Array.from({ length: CLASSES }, (_, c) => e.slabObjectsOf(c) >>> 0);
      const panic = harness.panicOf(call);
      if (Array.isArray(message)) expect(message, what).toContain(panic);
      else expect(panic, what).toBe(message);
      expect(harness.pageCounts(), `pages after ${what}`).toEqual(counts);
      expect(Array.from({ length: CLASSES }, (_, c) => e.slabObjectsOf(c) >>> 0), `objects after ${what}`).toEqual(objects);
    }

    /** The first byte of the slab holding `address` (its head frame). */
    function slabStart(address: number): number {
      const page = address & ~(PAGE_SIZE - 1);
      return e.pagesIsHead(page) ? page : page - (e.pagesValueOf(page) >>> 0) * PAGE_SIZE;
    }

    it("panics on a double free of a slab object", () => {
      const a = e.mmMalloc(48) >>> 0;
      const b = e.mmMalloc(48) >>> 0; // keeps the slab alive
      e.mmFree(a);
      expectPanic(() => e.mmFree(a), DOUBLE_FREE, "second free of a slab object");
      e.mmFree(b);
      // The emptied slab is kept only while the kept-empty budget allows; otherwise its
      // pages went back and the second free is a pointer malloc does not own.
      expectPanic(() => e.mmFree(b), [DOUBLE_FREE, NEVER_HANDED_OUT], "second free of the last object of an emptied slab");
    });

    it("panics on a pointer into the middle of a slab object, its header or its tail", () => {
      for (const size of [16, 100, 1000, 3000, 8192]) {
        const object = e.mmMalloc(size) >>> 0;
        const usable = e.mmUsableSize(object) >>> 0;
        for (const offset of [1, 4, 8, usable - 8, usable - 1]) {
          expectPanic(() => e.mmFree(object + offset), MIDDLE_OF_SLAB_OBJECT, `free of a ${size}-byte object + ${offset}`);
        }
        const start = slabStart(object);
        expectPanic(() => e.mmFree(start), MIDDLE_OF_SLAB_OBJECT, `free of the slab header of class ${usable}`);
        expectPanic(() => e.mmFree(start + 32), MIDDLE_OF_SLAB_OBJECT, `free of the slab's bitmap of class ${usable}`);
        const end = start + slabPages[e.classOfSize(size) >>> 0] * PAGE_SIZE;
        expectPanic(() => e.mmFree(end - 8), MIDDLE_OF_SLAB_OBJECT, `free of the last bytes of a slab of class ${usable}`);
        e.mmFree(object);
      }
    });

    it("panics on a pointer into a large allocation other than its start, and on its double free", () => {
      const large = e.mmMalloc(3 * PAGE_SIZE + 1) >>> 0;
      for (const offset of [8, PAGE_SIZE, PAGE_SIZE + 8, 3 * PAGE_SIZE]) {
        expectPanic(() => e.mmFree(large + offset), MIDDLE_OF_LARGE, `free of a large allocation + ${offset}`);
      }
      e.mmFree(large);
      expectPanic(() => e.mmFree(large), NEVER_HANDED_OUT, "second free of a large allocation");
    });

    it("panics on pointers malloc never handed out", () => {
      const free = (() => {
        for (let address = PAGE_SIZE; address < harness.memoryEnd; address += PAGE_SIZE) if (e.pagesUseOf(address) === USE.free) return address;
        throw new Error("no free page");
      })();
      const foreign: Array<[number, string]> = [
        [8, "page 0"],
        [0x10_0040, "the kernel's static data"],
        [harness.heapStart + 8, "a boot-arena block"],
        [0xf_0000, "firmware (reserved)"],
        [free, "a free page"],
        [free + 24, "inside a free page"],
        [harness.memoryEnd + PAGE_SIZE, "beyond the tables"],
      ];
      for (const [address, what] of foreign) expectPanic(() => e.mmFree(address), NEVER_HANDED_OUT, `free of ${what}`);
      for (const [address, what] of foreign) expectPanic(() => e.mmUsableSize(address), USABLE_SIZE_FOREIGN, `usableSize of ${what}`);
      const app = e.pagesAlloc(1, USE.app) >>> 0;
      expectPanic(() => e.mmFree(app), NEVER_HANDED_OUT, "free of application pages");
      e.pagesFree(app);
    });

    it("panics on a free into a slab whose header was overwritten", () => {
      const object = e.mmMalloc(200) >>> 0;
      const start = slabStart(object);
      const view = harness.view();
      const magic = view.getUint32(start, true);
      view.setUint32(start, 0, true);
      expectPanic(() => e.mmFree(object), CORRUPT_SLAB, "free into a slab with a zeroed magic");
      view.setUint32(start, magic, true);
      e.mmFree(object);
    });
  });
});
