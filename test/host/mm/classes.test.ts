// Guards kernel/mm/classes.ts, the slab allocator's size classes: every
// request from 1 byte to MAX_CLASS_SIZE (8 KiB) gets a class at least as
// large; the class index never decreases as the request grows; the 64 class
// sizes strictly increase, are multiples of 8 and end at 8 KiB; above 128
// bytes rounding keeps at least 8/9 of the memory a request consumes, and
// below it wastes less than 8 bytes.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";

const harness = await Harness.create();
const e = harness.exports;
const COUNT = e.classCount() >>> 0;
const MAX = e.classMaxSize() >>> 0;
const sizes = Array.from({ length: COUNT }, (_, index) => e.classSizeOf(index) >>> 0);
const classOf = Array.from({ length: MAX + 1 }, (_, size) => e.classOfSize(size) >>> 0);

describe("slab size classes (kernel/mm/classes.ts)", () => {
  it("has 64 classes from 8 bytes to 8 KiB", () => {
    expect(COUNT).toBe(64);
    expect(MAX).toBe(8192);
    expect(sizes[0]).toBe(8);
    expect(sizes[COUNT - 1]).toBe(MAX);
  });

  it("has strictly increasing class sizes, each a multiple of 8", () => {
    for (let index = 0; index < COUNT; index++) {
      expect(sizes[index] % 8, `class ${index}`).toBe(0);
      if (index > 0) expect(sizes[index], `class ${index}`).toBeGreaterThan(sizes[index - 1]);
    }
  });

  it("gives every size from 1 to 8 KiB a class that holds it", () => {
    const bad = [];
    for (let size = 1; size <= MAX; size++) {
      const index = classOf[size];
      if (index >= COUNT || size > sizes[index]) bad.push(`${size} -> class ${index} (${sizes[index]} bytes)`);
    }
    expect(bad).toEqual([]);
  });

  it("gives each size the smallest class that holds it, so the class never decreases as sizes grow", () => {
    const bad = [];
    for (let size = 1; size <= MAX; size++) {
      const index = classOf[size];
      if (size > 1 && index < classOf[size - 1]) bad.push(`${size - 1} -> ${classOf[size - 1]} but ${size} -> ${index}`);
      if (index > 0 && size <= sizes[index - 1]) bad.push(`${size} fits class ${index - 1} but got ${index}`);
    }
    expect(bad).toEqual([]);
  });

  it("keeps at least 8/9 of each class in use above 128 bytes, and wastes under 8 bytes below", () => {
    const bad = [];
    for (let size = 1; size <= MAX; size++) {
      const classSize = sizes[classOf[size]];
      if (size > 128 ? size * 9 < classSize * 8 : classSize - size >= 8) bad.push(`${size} -> ${classSize}`);
    }
    expect(bad).toEqual([]);
  });

  it("serves every class size exactly", () => {
    for (let index = 0; index < COUNT; index++) expect(classOf[sizes[index]], `size ${sizes[index]}`).toBe(index);
  });
});
