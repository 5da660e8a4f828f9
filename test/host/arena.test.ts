// Guards kernel/rt/arena.ts and kernel/rt/index.ts: the kernel's runtime
// allocator. Random allocate/free/renew sequences through __new/__free/__renew
// must keep blocks disjoint and their contents intact, keep the arena's
// counters exact (inUse, stranded, highWater), give memory back when freed in
// LIFO order, and stop with a trap (and failedRequest set) when memory runs out.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "./harness-client";
import { Random } from "./random";

const harness = await Harness.create();
const e = harness.exports;
const BLOCK_OVERHEAD = 4;
const OBJECT_OVERHEAD = 16;
const STRING_ID = 2;

beforeEach(() => harness.resetArena());

/** The arena bytes one __new(size) takes: header plus payload, rounded to 16. */
function objectBlockSize(size: number): number {
  return (BLOCK_OVERHEAD + OBJECT_OVERHEAD + size + 15) & ~15;
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

interface Live {
  ptr: number;
  size: number;
  block: number;
  blockSize: number;
  fill: number;
}

describe("arena", () => {
  it("starts exactly where it is told", () => {
    e.arenaInit(0x20_0001, 0x28_0000);
    expect(harness.arena()).toMatchObject({ start: 0x20_0001, top: 0x20_0001, end: 0x28_0000, inUse: 0, stranded: 0, highWater: 0, failedRequest: 0 });
  });

  it("is placed by the runtime so that the first payload starts on the next 16-byte boundary", () => {
    e.runtimeHeapInit(0x20_0001, 0x28_0000);
    expect(harness.arena()).toMatchObject({ start: 0x20_000c, top: 0x20_000c, end: 0x28_0000 });
  });

  it("hands out consecutive blocks and takes the top one back", () => {
    e.arenaInit(0x20_0000, 0x28_0000);
    const a = e.arenaTake(32) >>> 0;
    const b = e.arenaTake(48) >>> 0;
    expect([a, b]).toEqual([0x20_0000, 0x20_0020]);
    e.arenaRelease(b, 48);
    expect(harness.arena()).toMatchObject({ top: 0x20_0020, inUse: 32, stranded: 0, highWater: 80 });
    e.arenaRelease(a, 32);
    expect(harness.arena()).toMatchObject({ top: 0x20_0000, inUse: 0, stranded: 0, highWater: 80 });
  });

  it("counts a block freed below the top as stranded and keeps its memory", () => {
    e.arenaInit(0x20_0000, 0x28_0000);
    const a = e.arenaTake(64) >>> 0;
    e.arenaTake(16);
    e.arenaRelease(a, 64);
    expect(harness.arena()).toMatchObject({ top: 0x20_0050, inUse: 16, stranded: 64 });
  });

  it("extends the top block only while the range has room", () => {
    e.arenaInit(0x20_0000, 0x20_0100);
    e.arenaTake(0xc0);
    expect(e.arenaExtend(0x40)).toBe(1);
    expect(e.arenaExtend(0x10)).toBe(0);
    expect(harness.arena()).toMatchObject({ top: 0x20_0100, inUse: 0x100, highWater: 0x100 });
  });

  it("traps with failedRequest set when a request does not fit", () => {
    e.arenaInit(0x20_0000, 0x20_1000);
    e.arenaTake(0xff0);
    const trap = trapOf(() => e.arenaTake(0x20));
    expect(trap?.message).toMatch(/unreachable/);
    expect(harness.arena()).toMatchObject({ top: 0x20_0ff0, inUse: 0xff0, failedRequest: 0x20 });
  });

  it("traps when used before it is set up", () => {
    e.arenaInit(0, 0x1000);
    expect(trapOf(() => e.arenaTake(16))?.message).toMatch(/unreachable/);
    expect(harness.arena().failedRequest).toBe(16);
  });
});

describe("runtime (__new/__free/__renew)", () => {
  it("writes the AssemblyScript object header", () => {
    const ptr = e.__new(10, STRING_ID) >>> 0;
    const view = harness.view();
    expect(view.getUint32(ptr - 4, true)).toBe(10); // rtSize
    expect(view.getUint32(ptr - 8, true)).toBe(STRING_ID); // rtId
    expect(view.getUint32(ptr - 20, true)).toBe(objectBlockSize(10) - BLOCK_OVERHEAD); // mmInfo: payload
    expect(harness.arena().inUse).toBe(objectBlockSize(10));
  });

  it("frees and reallocates raw __alloc blocks", () => {
    const { start } = harness.arena();
    const a = e.__alloc(10) >>> 0;
    expect(harness.view().getUint32(a - BLOCK_OVERHEAD, true)).toBe(12); // payload: 4 + 12 = 16 bytes of arena
    harness.bytes().fill(0x5a, a, a + 10);
    const grown = e.__realloc(a, 100) >>> 0;
    expect(grown).toBe(a); // the last block grows in place
    expect(harness.bytes().subarray(a, a + 10).every((b) => b === 0x5a)).toBe(true);
    const b = e.__alloc(1) >>> 0;
    const moved = e.__realloc(grown, 500) >>> 0;
    expect(moved).toBeGreaterThan(b);
    expect(harness.bytes().subarray(moved, moved + 10).every((b) => b === 0x5a)).toBe(true);
    expect(harness.arena().stranded).toBe(112);
    e.__free(moved);
    e.__free(b);
    expect(harness.arena()).toMatchObject({ top: start + 112, inUse: 0, stranded: 112 });
  });

  it("serves strings to the loader", () => {
    const ptr = harness.newString("wisp ☃");
    expect(harness.string(ptr)).toBe("wisp ☃");
  });

  // Regression test (kernel/rt/index.ts __alloc with kernel/rt/arena.ts). The bug it guards: the arena
  // aligns the *block* to 16 and __alloc returns block + BLOCK_OVERHEAD (4), so
  // every payload is 4 mod 16. AssemblyScript's runtime contract (rt/common.ts
  // AL_MASK, and its stub runtime) aligns the payload, block + 4, to 16.
  //
  it("returns 16-byte aligned payloads", () => {
    for (const size of [0, 1, 12, 16, 100]) {
      expect((e.__new(size, 0) >>> 0) % 16, `__new(${size})`).toBe(0);
      expect((e.__alloc(size) >>> 0) % 16, `__alloc(${size})`).toBe(0);
    }
  });

  it("keeps blocks disjoint, contents intact and counters exact over random alloc/free/renew", () => {
    const random = new Random(undefined, 21);
    for (let round = 0; round < 20; round++) {
      harness.resetArena();
      const start = harness.arena().start;
      const live: Live[] = [];
      let stranded = 0;
      let highWater = 0;
      const bytes = () => harness.bytes();
      const paint = (object: Live) => bytes().fill(object.fill, object.ptr, object.ptr + object.size);
      const intact = (object: Live) => bytes().subarray(object.ptr, object.ptr + object.size).every((b) => b === object.fill);
      const context = () => `seed ${random.seed}, round ${round}`;

      for (let step = 0; step < 300; step++) {
        const action = live.length === 0 ? 0 : random.int(0, 9);
        if (action <= 4) {
          const size = random.bool(0.1) ? random.int(0, 4000) : random.int(0, 64);
          const ptr = e.__new(size, random.int(0, 5)) >>> 0;
          const object = { ptr, size, block: ptr - OBJECT_OVERHEAD - BLOCK_OVERHEAD, blockSize: objectBlockSize(size), fill: random.int(1, 255) };
          live.push(object);
          paint(object);
        } else if (action <= 7) {
          const index = random.int(0, live.length - 1);
          const [object] = live.splice(index, 1);
          expect(intact(object), context()).toBe(true);
          const topBefore = harness.arena().top;
          e.__free(object.ptr - OBJECT_OVERHEAD); // __free takes the __alloc pointer, the object's header
          if (object.block + object.blockSize === topBefore) expect(harness.arena().top, context()).toBe(object.block);
          else stranded += object.blockSize;
        } else {
          const object = live[random.int(0, live.length - 1)];
          const size = object.size + random.int(0, 100);
          const topBefore = harness.arena().top;
          const wasLast = object.block + object.blockSize === topBefore;
          const grows = objectBlockSize(size) > object.blockSize;
          const ptr = e.__renew(object.ptr, size) >>> 0;
          expect(bytes().subarray(ptr, ptr + object.size).every((b) => b === object.fill), context()).toBe(true);
          if (ptr !== object.ptr) {
            expect(wasLast && grows, `${context()}: a last block grows in place`).toBe(false);
            stranded += wasLast ? 0 : object.blockSize;
          }
          object.ptr = ptr;
          object.block = ptr - OBJECT_OVERHEAD - BLOCK_OVERHEAD;
          object.size = size;
          object.blockSize = Math.max(object.blockSize, objectBlockSize(size));
          paint(object);
        }

        const arena = harness.arena();
        highWater = Math.max(highWater, arena.top - start);
        expect(arena.inUse, context()).toBe(live.reduce((sum, object) => sum + object.blockSize, 0));
        expect(arena.stranded, context()).toBe(stranded);
        expect(arena.top - start, context()).toBe(arena.inUse + arena.stranded);
        expect(arena.highWater, context()).toBe(highWater);
      }

      const sorted = [...live].sort((a, b) => a.block - b.block);
      for (let i = 0; i < sorted.length; i++) {
        expect(sorted[i].block, context()).toBeGreaterThanOrEqual(start);
        expect(sorted[i].block + sorted[i].blockSize, context()).toBeLessThanOrEqual(harness.arena().top);
        if (i > 0) expect(sorted[i].block, `${context()}: blocks overlap`).toBeGreaterThanOrEqual(sorted[i - 1].block + sorted[i - 1].blockSize);
        expect(intact(sorted[i]), context()).toBe(true);
      }
    }
  });

  it("returns the arena to its start when everything is freed in LIFO order", () => {
    const random = new Random(undefined, 22);
    const start = harness.arena().start;
    const pointers: number[] = [];
    for (let i = 0; i < 500; i++) pointers.push(e.__new(random.int(0, 300), 0) >>> 0);
    expect(harness.arena().inUse).toBeGreaterThan(0);
    while (pointers.length) e.__free(pointers.pop()! - OBJECT_OVERHEAD);
    expect(harness.arena()).toMatchObject({ top: start, inUse: 0, stranded: 0 });
  });

  it("traps with failedRequest set when an allocation does not fit", () => {
    const { top } = harness.arena();
    e.arenaSetEnd(top + 256);
    e.__new(200, 0);
    const trap = trapOf(() => e.__new(100, 0));
    expect(trap?.message).toMatch(/unreachable/);
    expect(harness.arena().failedRequest).toBe(objectBlockSize(100));
  });

  it("traps on an object larger than AssemblyScript allows", () => {
    expect(trapOf(() => e.__new(0x4000_0000, 0))?.message).toMatch(/unreachable/);
  });
});
