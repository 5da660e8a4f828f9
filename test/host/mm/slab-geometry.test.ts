// Guards the slab geometry table of kernel/mm/slab.ts (GEOMETRY): for every
// size class, the pages per slab and objects per slab must be what the rule
// gives — the fewest pages from 1 to 16 that lose at most 1/16 of the slab to
// the 32-byte header, the bitmap (a bit per object, in 4-byte
// words, objects from the next 16-byte boundary) and the unusable tail, or
// 16 pages when no size does — and every class must keep at least 86% of
// its slab in objects.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { PAGE_SIZE } from "./client";

const HEADER_BYTES = 32;
const MAX_SLAB_PAGES = 16;

const harness = await Harness.create();
const e = harness.exports;
const CLASSES = e.classCount() >>> 0;

function objectsFitting(slabBytes: number, size: number): number {
  const firstObject = (capacity: number) => (HEADER_BYTES + Math.ceil(capacity / 32) * 4 + 15) & ~15;
  let capacity = Math.floor((slabBytes - HEADER_BYTES) / size);
  while (capacity > 0 && firstObject(capacity) + capacity * size > slabBytes) capacity--;
  return capacity;
}

function ruleFor(size: number): { pages: number; objects: number } {
  let best = 0;
  for (let pages = 1; pages <= MAX_SLAB_PAGES; pages++) {
    const bytes = pages * PAGE_SIZE;
    const objects = objectsFitting(bytes, size);
    if (objects === 0) continue;
    best = pages;
    if ((bytes - objects * size) * 16 <= bytes) break;
  }
  return { pages: best, objects: objectsFitting(best * PAGE_SIZE, size) };
}

describe("slab geometry (kernel/mm/slab.ts GEOMETRY)", () => {
  it("gives every class the pages and objects per slab the rule gives", () => {
    const table = Array.from({ length: CLASSES }, (_, c) => ({ pages: e.slabPagesOf(c) >>> 0, objects: e.slabCapacityOf(c) >>> 0 }));
    const rule = Array.from({ length: CLASSES }, (_, c) => ruleFor(e.classSizeOf(c) >>> 0));
    expect(table).toEqual(rule);
  });

  it("keeps at least 86% of every slab in objects", () => {
    for (let c = 0; c < CLASSES; c++) {
      const size = e.classSizeOf(c) >>> 0;
      const used = ((e.slabCapacityOf(c) >>> 0) * size) / ((e.slabPagesOf(c) >>> 0) * PAGE_SIZE);
      expect(used, `class ${size}`).toBeGreaterThanOrEqual(0.86);
    }
  });
});
