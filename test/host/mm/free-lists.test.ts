// Guards kernel/mm/free-lists.ts, the CPU's free lists in front of the slabs:
// free puts an object on its class's list and malloc hands the most recently
// freed one back; a new slab's objects come out in address order (the run);
// a list never holds more than its limit (the rest goes back to the slabs);
// a second free of a listed object, and a free of one still in the run, are
// caught, while a live object that happens to hold the mark is freed as
// usual; trimming gives every listed object and run back, so after long
// random churn every page but the kept empty slabs is free again.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { PAGE_SIZE, USE } from "./client";
import { Random, suiteSeed } from "../random";

const harness = await Harness.withMemory(256); // 16 MiB
const e = harness.exports;
const CLASSES = e.classCount() >>> 0;
const classSize = Array.from({ length: CLASSES }, (_, c) => e.classSizeOf(c) >>> 0);
const listed = (c: number) => e.freeListedOf(c) >>> 0;
const held = (c: number) => e.slabObjectsOf(c) >>> 0;
const LIST_BYTES = 4096;
const limitOf = (c: number) => Math.min(128, Math.max(2, Math.floor(LIST_BYTES / classSize[c])));

describe("free lists in front of the slabs (kernel/mm/free-lists.ts)", () => {
  it("hands the most recently freed object of a class back first, and counts it as listed meanwhile", () => {
    for (const size of [8, 48, 200, 1000, 8192]) {
      const c = e.classOfSize(size) >>> 0;
      const a = e.mmMalloc(size) >>> 0;
      const b = e.mmMalloc(size) >>> 0;
      const before = { listed: listed(c), held: held(c) };
      e.mmFree(a);
      e.mmFree(b);
      expect({ listed: listed(c), held: held(c) }, `class ${classSize[c]}`).toEqual({ listed: before.listed + 2, held: before.held - 2 });
      expect(e.mmMalloc(size) >>> 0, `class ${classSize[c]}: last freed first`).toBe(b);
      expect(e.mmMalloc(size) >>> 0, `class ${classSize[c]}: then the one before`).toBe(a);
      expect({ listed: listed(c), held: held(c) }).toEqual(before);
      e.mmFree(a);
      e.mmFree(b);
    }
  });

  it("keeps each list within its limit, giving the older half back to the slabs", () => {
    for (const size of [16, 256, 4096, 8192]) {
      const c = e.classOfSize(size) >>> 0;
      const objects = Array.from({ length: 3 * limitOf(c) + 5 }, () => e.mmMalloc(size) >>> 0);
      expect(objects.every((address) => address !== 0)).toBe(true);
      let most = 0;
      for (const address of objects) {
        e.mmFree(address);
        most = Math.max(most, listed(c));
      }
      expect(most, `class ${classSize[c]}: the most listed`).toBe(limitOf(c));
      expect(held(c)).toBe(0);
      e.mmTrimFreeLists();
      expect(listed(c)).toBe(0);
      expect(e.slabCountOf(c) >>> 0, `class ${classSize[c]}: only the kept empty slab stays`).toBeLessThanOrEqual(1);
    }
  });

  it("catches a second free of a listed object, and frees a live object that holds the mark by chance", () => {
    const size = 64;
    const c = e.classOfSize(size) >>> 0;
    const keep = e.mmMalloc(size) >>> 0;
    const a = e.mmMalloc(size) >>> 0;
    e.mmFree(a);
    const view = harness.view();
    const mark = (view.getUint32(a + 4, true) ^ a) >>> 0;
    const counts = harness.pageCounts();
    const before = { listed: listed(c), held: held(c) };
    expect(harness.panicOf(() => e.mmFree(a))).toBe("double free of a slab object");
    expect(harness.pageCounts()).toEqual(counts);
    expect({ listed: listed(c), held: held(c) }).toEqual(before);

    const b = e.mmMalloc(size) >>> 0;
    expect(b).toBe(a);
    view.setUint32(b + 4, (b ^ mark) >>> 0, true); // what a listed object carries
    e.mmFree(b);
    expect({ listed: listed(c), held: held(c) }).toEqual(before);
    expect(harness.panicOf(() => e.mmFree(b))).toBe("double free of a slab object");
    e.mmFree(keep);
  });

  it("hands a new slab's objects out in address order, refuses a free of one not yet handed out, and takes the rest back on trim", () => {
    const size = 384;
    const c = e.classOfSize(size) >>> 0;
    e.mmTrimFreeLists();
    const slabs = e.slabCountOf(c) >>> 0;
    const first = e.mmMalloc(size) >>> 0;
    const second = e.mmMalloc(size) >>> 0;
    expect(second - first).toBe(classSize[c]);
    const waiting = e.freeRunOf(c) >>> 0;
    expect(waiting).toBeGreaterThan(0);
    const counts = harness.pageCounts();
    expect(harness.panicOf(() => e.mmFree(second + classSize[c]))).toBe("double free of a slab object");
    expect(harness.pageCounts()).toEqual(counts);
    expect(e.freeRunOf(c) >>> 0).toBe(waiting);
    e.mmTrimFreeLists();
    expect(e.freeRunOf(c) >>> 0).toBe(0);
    // Back in the slab as never handed out: a free of one is still refused, and they come out again in order.
    expect(harness.panicOf(() => e.mmFree(second + classSize[c]))).toBe("double free of a slab object");
    expect(e.mmMalloc(size) >>> 0).toBe(second + classSize[c]);
    for (const address of [first, second, second + classSize[c]]) e.mmFree(address);
    e.mmTrimFreeLists();
    expect(held(c)).toBe(0);
    expect(e.slabCountOf(c) >>> 0).toBeLessThanOrEqual(Math.max(1, slabs));
  });

  it("gives every page back after long random churn over all sizes, once the lists are trimmed", () => {
    const STEPS = 200_000;
    const random = new Random(suiteSeed(), 700);
    e.mmTrimFreeLists();
    const free0 = e.pagesFreeFrames() >>> 0;
    const spare0 = e.pagesCount(USE.slab) >>> 0;
    const live: number[] = [];
    let liveBytes = 0;
    let peakSlabPages = 0;
    let worstSpread = 0;
    for (let step = 0; step < STEPS; step++) {
      const target = 1000 + 800 * Math.sin(step / 9000); // the live set swells and shrinks
      if (live.length === 0 || (live.length < target ? random.int(0, 99) < 60 : random.int(0, 99) < 40)) {
        const kind = random.int(0, 9);
        const size = kind < 6 ? random.int(1, 256) : kind < 9 ? random.int(257, 2048) : random.int(2049, 8192);
        const address = e.mmMalloc(size) >>> 0;
        if (address === 0) expect.fail(`${random.label}, step ${step}: malloc(${size}) failed on 16 MiB`);
        live.push(address);
        liveBytes += e.mmUsableSize(address) >>> 0;
      } else {
        const at = random.int(0, live.length - 1);
        liveBytes -= e.mmUsableSize(live[at]) >>> 0;
        e.mmFree(live[at]);
        live[at] = live[live.length - 1];
        live.pop();
      }
      if (step % 1000 === 0) {
        const slabPages = e.pagesCount(USE.slab) >>> 0;
        peakSlabPages = Math.max(peakSlabPages, slabPages);
        if (live.length >= 500) worstSpread = Math.max(worstSpread, (slabPages * PAGE_SIZE) / liveBytes);
        for (let c = 0; c < CLASSES; c++) {
          if (listed(c) > limitOf(c)) expect.fail(`${random.label}, step ${step}: ${listed(c)} objects listed in class ${classSize[c]}`);
        }
      }
    }
    for (const address of live) e.mmFree(address);
    e.mmTrimFreeLists();
    for (let c = 0; c < CLASSES; c++) {
      expect(held(c), `objects left in class ${classSize[c]}`).toBe(0);
      expect(e.slabCountOf(c) >>> 0, `slabs left in class ${classSize[c]}`).toBeLessThanOrEqual(1);
    }
    // Slabs hold 2.6x the live bytes at worst in this churn without free lists; the lists may add their limits' worth.
    expect(worstSpread).toBeLessThan(4.5);
    const spare = e.pagesCount(USE.slab) >>> 0;
    expect(e.pagesFreeFrames() >>> 0, "every page but the kept empty slabs is free again").toBe(free0 - (spare - spare0));
    console.log(`free lists: ${STEPS} steps of churn (${random.label}), peak ${peakSlabPages} slab pages (${(peakSlabPages * PAGE_SIZE) >> 10} KiB), at worst ${worstSpread.toFixed(2)}x the live bytes, ${spare} kept after`);
  });
});
