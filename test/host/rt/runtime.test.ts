// Guards kernel/rt/index.ts once initMemory has switched it to malloc: the
// AssemblyScript runtime's objects (strings, ArrayBuffers, arrays) come from
// kernel/mm with the 8-byte [rtId][rtSize] header, and memory comes back
// when kernel code frees them as it must, heap.free(changetype<usize>(obj))
// (an array's backing buffer too, since nothing collects it). Rounds of
// creating and freeing varied objects bring the pages in use back to the
// baseline once the free lists are trimmed (only the one kept empty slab per
// class may stay); growing an
// array by push to hundreds of KiB, and __renew up and down, leak nothing;
// blocks made in the boot arena before initMemory still go back to the
// arena. Running out of memory traps, and the trap report names the request.

import { describe, expect, it } from "vitest";
import { Harness, HarnessExports } from "../harness-client";
import { PANIC_STATUS } from "../core/client";
import { pcMemoryMap, PAGE_SIZE, USE } from "../mm/client";
import { E820 } from "../firmware";
import { Random, suiteSeed } from "../random";

const HEADER = 8;
const STRING_ID = 2;
const TRAP_UNREACHABLE = 5;

/** A string made before initMemory, in the boot arena. */
const early = await Harness.create({}, 128);
early.useSerialConsole();
const earlyString = early.exports.rtString(1000) >>> 0;
expect(early.initMemory(pcMemoryMap(early.memoryEnd))).toBe("");

const harness = await Harness.withMemory(128); // 8 MiB
const e = harness.exports;
const CLASSES = e.classCount() >>> 0;

interface Memory {
  used: number;
  slabPages: number;
  large: number;
  objects: number;
}

/** Memory in use once the free lists have given back what they hold (kernel/mm/free-lists.ts). */
function memoryOf(x: HarnessExports): Memory {
  x.mmTrimFreeLists();
  let objects = 0;
  for (let c = 0; c < CLASSES; c++) objects += x.slabObjectsOf(c) >>> 0;
  return { used: x.pagesUsedFrames() >>> 0, slabPages: x.pagesCount(USE.slab) >>> 0, large: x.pagesCount(USE.large) >>> 0, objects };
}

/** Pages the kept empty slabs hold: at most one slab per class, none with objects. */
function spareSlabPages(x: HarnessExports, context: string): number {
  let pages = 0;
  for (let c = 0; c < CLASSES; c++) {
    const slabs = x.slabCountOf(c) >>> 0;
    if (slabs > 1) expect(slabs, `${context}: slabs of class ${x.classSizeOf(c)}`).toBeLessThanOrEqual(1);
    pages += slabs * (x.slabPagesOf(c) >>> 0);
  }
  return pages;
}

/** Memory is back at `baseline`: the same objects, no large pages, and extra pages only in kept empty slabs. */
function expectBackTo(x: HarnessExports, baseline: Memory, context: string): void {
  const now = memoryOf(x);
  expect(now.objects, `${context}: slab objects`).toBe(baseline.objects);
  expect(now.large, `${context}: large-allocation pages`).toBe(baseline.large);
  expect(now.slabPages, `${context}: slab pages are the kept empty slabs`).toBe(spareSlabPages(x, context));
  expect(now.used - now.slabPages, `${context}: pages in use besides slabs`).toBe(baseline.used - baseline.slabPages);
}

type Made = { kind: "object"; ptr: number } | { kind: "array"; ptr: number };

/** Makes one random runtime object (or a few, for a concatenation), checking what it can read back. */
function makeObjects(random: Random, into: Made[], context: string): void {
  const kind = random.int(0, 9);
  if (kind < 3) {
    const length = random.bool(0.1) ? random.int(4097, 12000) : random.int(0, 300);
    const ptr = e.rtString(length) >>> 0;
    if (harness.string(ptr) !== "w".repeat(length)) expect.fail(`${context}: rtString(${length}) read back wrong`);
    into.push({ kind: "object", ptr });
  } else if (kind < 5) {
    const a = harness.newString("x".repeat(random.int(0, 100)));
    const b = e.rtString(random.int(1, 3000)) >>> 0; // not empty, so the concatenation is a fresh string
    const joined = e.rtConcat(a, b) >>> 0;
    if (harness.string(joined).length !== harness.string(a).length + harness.string(b).length) expect.fail(`${context}: concat length`);
    into.push({ kind: "object", ptr: a }, { kind: "object", ptr: b }, { kind: "object", ptr: joined });
  } else if (kind < 7) {
    into.push({ kind: "object", ptr: e.rtBuffer(random.bool(0.15) ? random.int(8193, 40000) : random.int(0, 2000)) >>> 0 });
  } else if (kind < 9) {
    into.push({ kind: "array", ptr: e.rtArray(random.int(0, 3000)) >>> 0 });
  } else {
    const count = random.int(0, 2000);
    const array = e.rtPushed(count) >>> 0;
    if ((e.rtArrayLength(array) >>> 0) !== count) expect.fail(`${context}: pushed array length`);
    into.push({ kind: "array", ptr: array });
  }
}

function freeObjects(objects: Made[]): void {
  for (const object of objects) {
    if (object.kind === "array") e.rtFreeArray(object.ptr);
    else e.rtFree(object.ptr);
  }
}

describe("runtime on malloc (kernel/rt/index.ts after initMemory)", () => {
  it("allocates from slabs and pages with the 8-byte header, 8-byte aligned", () => {
    expect(e.mmReady()).toBe(1);
    const text = e.rtString(10) >>> 0;
    const view = harness.view();
    expect(text % 8).toBe(0);
    expect([view.getUint32(text - 8, true), view.getUint32(text - 4, true)]).toEqual([STRING_ID, 20]);
    expect(e.pagesUseOf(text - HEADER)).toBe(USE.slab);
    expect(e.mmUsableSize(text - HEADER) >>> 0).toBe(e.classSizeOf(e.classOfSize(HEADER + 20)) >>> 0);
    const buffer = e.rtBuffer(20000) >>> 0;
    expect(e.pagesUseOf(buffer - HEADER)).toBe(USE.large);
    expect((buffer - HEADER) % PAGE_SIZE).toBe(0);
    expect(view.getUint32(buffer - 4, true)).toBe(20000);
    const before = memoryOf(e);
    e.rtFree(text);
    e.rtFree(buffer);
    expect(memoryOf(e)).toMatchObject({ objects: before.objects - 1, large: before.large - 5 });
  });

  it("gives a block made in the boot arena back to the arena, not to malloc", () => {
    const x = early.exports;
    expect(x.arenaContains(earlyString - HEADER)).toBe(1);
    const inUse = x.arenaInUse() >>> 0;
    const pages = early.pageCounts();
    x.rtFree(earlyString);
    expect(x.arenaInUse() >>> 0).toBe(inUse - ((HEADER + 2000 + 7) & ~7));
    expect(early.pageCounts()).toEqual(pages);
    const fresh = x.rtString(1000) >>> 0; // new blocks come from malloc, even with arena room
    expect(x.arenaContains(fresh - HEADER)).toBe(0);
    expect(x.pagesUseOf(fresh - HEADER)).toBe(USE.slab);
    x.rtFree(fresh);
  });

  it("returns to the baseline after every round of creating and freeing objects", () => {
    const ROUNDS = 40;
    const baseline = memoryOf(e);
    let made = 0;
    let worst = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const random = new Random(suiteSeed(), 600 + round);
      const context = random.label;
      const objects: Made[] = [];
      const count = random.int(50, 400);
      for (let i = 0; i < count; i++) makeObjects(random, objects, `${context}, object ${i}`);
      // Free in a random order.
      for (let i = objects.length - 1; i > 0; i--) {
        const j = random.int(0, i);
        [objects[i], objects[j]] = [objects[j], objects[i]];
      }
      worst = Math.max(worst, memoryOf(e).used);
      freeObjects(objects);
      made += objects.length;
      expectBackTo(e, baseline, `${context}, after round ${round}`);
    }
    console.log(`runtime: ${ROUNDS} rounds (seed 0x${suiteSeed().toString(16)}, streams 600..${599 + ROUNDS}), ${made} objects; pages in use ${baseline.used} before, up to ${worst} during, ${memoryOf(e).used} after`);
  });

  it("ends a replayed round with exactly the pages in use it ended with before", () => {
    const play = () => {
      const objects: Made[] = [];
      const random = new Random(suiteSeed(), 700);
      for (let i = 0; i < 300; i++) makeObjects(random, objects, `stream 700, object ${i}`);
      freeObjects(objects);
      return memoryOf(e);
    };
    const first = play();
    for (let again = 0; again < 5; again++) expect(play(), `replay ${again}`).toEqual(first);
  });

  it("leaks nothing while an array grows by push from empty to hundreds of KiB", () => {
    const baseline = memoryOf(e);
    for (const count of [1, 8, 9, 100, 2047, 2048, 2049, 5000, 100_000]) {
      const array = e.rtPushed(count) >>> 0;
      expect(e.rtArrayLength(array)).toBe(count);
      const data = e.rtArrayData(array) >>> 0;
      const values = new Int32Array(harness.memory.buffer, data, count);
      expect(values.every((value, i) => value === i), `contents after ${count} pushes`).toBe(true);
      // Only the array and its final buffer are live: every intermediate buffer went back.
      const now = memoryOf(e);
      const bufferBytes = harness.view().getUint32(data - 4, true);
      const largePages = HEADER + bufferBytes > 8192 ? Math.ceil((HEADER + bufferBytes) / PAGE_SIZE) : 0;
      expect(now.objects - baseline.objects, `live slab objects after ${count} pushes`).toBe(largePages ? 1 : 2);
      expect(now.large - baseline.large, `large pages after ${count} pushes`).toBe(largePages);
      e.rtFreeArray(array);
      expectBackTo(e, baseline, `after freeing the ${count}-element array`);
    }
  });

  it("keeps contents and leaks nothing when __renew grows and shrinks a block", () => {
    const baseline = memoryOf(e);
    const random = new Random(suiteSeed(), 800);
    let ptr = e.__new(1, 0) >>> 0;
    let size = 1;
    harness.bytes()[ptr] = 0x42;
    const sizes = [...Array.from({ length: 60 }, () => random.int(1, 120_000)), 1, 9000, 8, 200_000, 3];
    for (const next of sizes) {
      const pattern = harness.bytes().slice(ptr, ptr + Math.min(size, next));
      const moved = e.__renew(ptr, next) >>> 0;
      const kept = harness.bytes().subarray(moved, moved + pattern.length);
      expect(kept.every((byte, i) => byte === pattern[i]), `contents kept by renew ${size} -> ${next}`).toBe(true);
      expect(harness.view().getUint32(moved - 4, true), "rtSize").toBe(next);
      expect(e.mmUsableSize(moved - HEADER) >>> 0, `usable after renew to ${next}`).toBeGreaterThanOrEqual(HEADER + next);
      ptr = moved;
      size = next;
      harness.bytes().fill(random.int(0, 255), ptr, ptr + size);
      const now = memoryOf(e);
      const large = HEADER + size > 8192;
      // One block live: either one slab object or one large run (which may be bigger than needed after a shrink in place).
      expect(now.objects - baseline.objects + (now.large > baseline.large ? 1 : 0), `blocks live after renew to ${next}`).toBe(1);
      if (large) expect(now.large - baseline.large).toBeGreaterThanOrEqual(Math.ceil((HEADER + size) / PAGE_SIZE));
    }
    e.rtFree(ptr);
    expectBackTo(e, baseline, "after freeing the renewed block");
  });

  describe("out of memory", () => {
    /** A machine with about 1 MiB of RAM, all of it then taken by large allocations and slab objects. */
    async function exhausted(): Promise<Harness> {
      const small = await Harness.withMemory(64, [{ base: 0x10_0000n, size: 0x10_0000n, type: E820.usable }]);
      const x = small.exports;
      for (const size of [64 * PAGE_SIZE, 8 * PAGE_SIZE, PAGE_SIZE, 8192, 256, 8]) while (x.mmMalloc(size) !== 0);
      return small;
    }

    function trapOf(run: () => unknown): WebAssembly.RuntimeError | null {
      try {
        run();
        return null;
      } catch (error) {
        if (error instanceof WebAssembly.RuntimeError) return error;
        throw error;
      }
    }

    it("traps, and the trap report names the request", async () => {
      const small = await exhausted();
      expect(trapOf(() => small.exports.__new(16, STRING_ID))?.message).toMatch(/unreachable/);
      expect(small.failedRequest()).toBe(16);
      const report = small.stopped(() => small.exports.trapReport(TRAP_UNREACHABLE));
      expect(report).toEqual({ status: PANIC_STATUS, output: "\npanic: kernel trap: out of memory (a request for 16 bytes)\n" });
    });

    // Regression test (kernel/rt/index.ts failedRequest, read by kernel/traps.ts
    // reportWasmTrap). The bug it guards: 0 means "no request failed", but a request for 0 bytes
    // still needs an 8-byte block, and AssemblyScript makes such requests
    // (an empty array's backing buffer: __new(0, id)). When memory is gone,
    // __new(0, id) traps with failedRequest = 0 and the report says
    // "unreachable executed" instead of "out of memory". A boot with usable
    // RAM only [1 MiB, image end + 8 KiB) shows it on the real kernel.
    it("names a request for 0 bytes as out of memory too", async () => {
      const small = await exhausted();
      expect(trapOf(() => small.exports.__new(0, 1))?.message).toMatch(/unreachable/);
      const report = small.stopped(() => small.exports.trapReport(TRAP_UNREACHABLE));
      expect(report.output).toBe("\npanic: kernel trap: out of memory (a request for 0 bytes)\n");
    });
  });
});
