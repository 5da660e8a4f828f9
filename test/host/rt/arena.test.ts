// Guards kernel/rt/arena.ts and the boot-arena half of kernel/rt/index.ts:
// the kernel runtime before the page allocator exists. Every block is an
// 8-byte header [rtId u32][rtSize u32] and an 8-byte aligned payload, taking
// (8 + size) rounded up to 8 bytes of arena. Random allocate/free/renew
// sequences through __new/__free/__renew must keep blocks disjoint and their
// contents intact, keep the arena's counters exact (inUse, stranded,
// highWater), give memory back when freed in LIFO order; a full arena makes
// take() return 0 and the runtime trap with failedRequest set.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random } from "../random";

const harness = await Harness.create();
const e = harness.exports;
const HEADER = 8;
const STRING_ID = 2;
/** AssemblyScript's OBJECT_MAXSIZE (rt/common.ts): 1 GiB less its 4-byte block and 16-byte object headers. */
const OBJECT_MAXSIZE = (1 << 30) - 20;

beforeEach(() => harness.resetArena());

/** The arena bytes one block of `size` payload bytes takes: header plus payload, rounded to 8. */
function blockBytes(size: number): number {
  return (HEADER + size + 7) & ~7;
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
  id: number;
  fill: number;
}

describe("arena", () => {
  it("starts exactly where it is told", () => {
    e.arenaInit(0x20_0001, 0x28_0000);
    expect(harness.arena()).toMatchObject({ start: 0x20_0001, top: 0x20_0001, end: 0x28_0000, inUse: 0, stranded: 0, highWater: 0 });
  });

  it("is placed by the runtime on the next 8-byte boundary", () => {
    e.runtimeHeapInit(0x20_0001, 0x28_0000);
    expect(harness.arena()).toMatchObject({ start: 0x20_0008, top: 0x20_0008, end: 0x28_0000 });
    e.runtimeHeapInit(0x20_0008, 0x28_0000);
    expect(harness.arena()).toMatchObject({ start: 0x20_0008, top: 0x20_0008 });
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

  it("returns 0 and changes nothing when a request does not fit", () => {
    e.arenaInit(0x20_0000, 0x20_1000);
    e.arenaTake(0xff0);
    expect(e.arenaTake(0x20)).toBe(0);
    expect(harness.arena()).toMatchObject({ top: 0x20_0ff0, inUse: 0xff0, highWater: 0xff0 });
    expect(e.arenaTake(0x10) >>> 0).toBe(0x20_0ff0); // what is left still fits
  });

  it("returns 0 when used before it is set up", () => {
    e.arenaInit(0, 0x1000);
    expect(e.arenaTake(16)).toBe(0);
    expect(harness.arena()).toMatchObject({ top: 0, inUse: 0 });
  });

  it("contains exactly the addresses of its range", () => {
    e.arenaInit(0x20_0000, 0x20_1000);
    expect([0x1f_ffff, 0x20_0000, 0x20_0fff, 0x20_1000].map((address) => e.arenaContains(address))).toEqual([0, 1, 1, 0]);
  });
});

describe("runtime on the boot arena (__new/__free/__renew)", () => {
  it("writes the 8-byte block header: rtId, then rtSize", () => {
    const ptr = e.__new(10, STRING_ID) >>> 0;
    const view = harness.view();
    expect(view.getUint32(ptr - 4, true)).toBe(10); // rtSize
    expect(view.getUint32(ptr - 8, true)).toBe(STRING_ID); // rtId
    expect(ptr - HEADER).toBe(harness.arena().start);
    expect(harness.arena().inUse).toBe(blockBytes(10));
    const raw = e.__alloc(3) >>> 0;
    expect([view.getUint32(raw - 8, true), view.getUint32(raw - 4, true)]).toEqual([0, 3]);
  });

  it("frees and reallocates raw __alloc blocks", () => {
    const { start } = harness.arena();
    const a = e.__alloc(10) >>> 0; // 8 + 10 -> 24 bytes of arena
    expect(harness.arena().top).toBe(start + 24);
    harness.bytes().fill(0x5a, a, a + 10);
    const grown = e.__realloc(a, 100) >>> 0;
    expect(grown).toBe(a); // the last block grows in place, to 112 bytes
    expect(harness.view().getUint32(a - 4, true)).toBe(100);
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

  it("ignores __free of a null pointer", () => {
    const before = harness.arena();
    e.__free(0);
    expect(harness.arena()).toEqual(before);
  });

  it("serves strings to the loader", () => {
    const ptr = harness.newString("wisp ☃");
    expect(harness.string(ptr)).toBe("wisp ☃");
  });

  it("returns 8-byte aligned payloads whatever the sizes before them", () => {
    for (const size of [0, 1, 3, 7, 8, 9, 12, 16, 100, 1001]) {
      expect((e.__new(size, 0) >>> 0) % 8, `__new(${size})`).toBe(0);
      expect((e.__alloc(size) >>> 0) % 8, `__alloc(${size})`).toBe(0);
    }
    e.runtimeHeapInit(harness.heapStart + 3, 0x30_0000);
    expect((e.__alloc(5) >>> 0) % 8, "after an unaligned heapInit").toBe(0);
  });

  // Shrinking renews are left to the next test: this one grows only.
  it("keeps blocks disjoint, contents intact and counters exact over random alloc/free/renew", () => {
    const random = new Random(undefined, 21);
    for (let round = 0; round < 20; round++) {
      harness.resetArena();
      const start = harness.arena().start;
      const live: Live[] = [];
      let stranded = 0;
      let highWater = 0;
      const bytes = () => harness.bytes();
      const block = (object: Live) => object.ptr - HEADER;
      const paint = (object: Live) => bytes().fill(object.fill, object.ptr, object.ptr + object.size);
      const intact = (object: Live) => bytes().subarray(object.ptr, object.ptr + object.size).every((b) => b === object.fill);
      const context = () => `seed ${random.seed}, round ${round}`;

      for (let step = 0; step < 300; step++) {
        const action = live.length === 0 ? 0 : random.int(0, 9);
        if (action <= 4) {
          const size = random.bool(0.1) ? random.int(0, 4000) : random.int(0, 64);
          const id = random.int(0, 5);
          const ptr = e.__new(size, id) >>> 0;
          expect(ptr % 8, context()).toBe(0);
          const object = { ptr, size, id, fill: random.int(1, 255) };
          live.push(object);
          paint(object);
        } else if (action <= 7) {
          const index = random.int(0, live.length - 1);
          const [object] = live.splice(index, 1);
          expect(intact(object), context()).toBe(true);
          const topBefore = harness.arena().top;
          e.__free(object.ptr); // the payload, as heap.free(changetype<usize>(object)) passes it
          if (block(object) + blockBytes(object.size) === topBefore) expect(harness.arena().top, context()).toBe(block(object));
          else stranded += blockBytes(object.size);
        } else {
          const object = live[random.int(0, live.length - 1)];
          const size = object.size + random.int(0, 100);
          const topBefore = harness.arena().top;
          const wasLast = block(object) + blockBytes(object.size) === topBefore;
          const grows = blockBytes(size) > blockBytes(object.size);
          const ptr = e.__renew(object.ptr, size) >>> 0;
          expect(bytes().subarray(ptr, ptr + object.size).every((b) => b === object.fill), context()).toBe(true);
          expect(harness.view().getUint32(ptr - 8, true), `${context()}: renew keeps rtId`).toBe(object.id);
          expect(harness.view().getUint32(ptr - 4, true), `${context()}: renew sets rtSize`).toBe(size);
          if (ptr !== object.ptr) {
            expect(grows && !wasLast, `${context()}: only a block that must grow and is not last moves`).toBe(true);
            stranded += blockBytes(object.size);
          } else {
            expect(grows && !wasLast, `${context()}: a block that must grow and is not last moves`).toBe(false);
          }
          object.ptr = ptr;
          object.size = size;
          paint(object);
        }

        const arena = harness.arena();
        highWater = Math.max(highWater, arena.top - start);
        expect(arena.inUse, context()).toBe(live.reduce((sum, object) => sum + blockBytes(object.size), 0));
        expect(arena.stranded, context()).toBe(stranded);
        expect(arena.top - start, context()).toBe(arena.inUse + arena.stranded);
        expect(arena.highWater, context()).toBe(highWater);
      }

      const sorted = [...live].sort((a, b) => a.ptr - b.ptr);
      for (let i = 0; i < sorted.length; i++) {
        expect(block(sorted[i]), context()).toBeGreaterThanOrEqual(start);
        expect(block(sorted[i]) + blockBytes(sorted[i].size), context()).toBeLessThanOrEqual(harness.arena().top);
        if (i > 0) expect(block(sorted[i]), `${context()}: blocks overlap`).toBeGreaterThanOrEqual(block(sorted[i - 1]) + blockBytes(sorted[i - 1].size));
        expect(intact(sorted[i]), context()).toBe(true);
      }
    }
  });

  // Regression test (kernel/rt/index.ts __realloc with freeBlock). The bug it guards: a renew that
  // shrinks an arena block in place stores the smaller size in rtSize, and
  // freeBlock gives back arenaBytes(rtSize), not the bytes the block took.
  // __new(100) takes 112 bytes; __renew to 10 and __free release only 24:
  // inUse stays at 88, the top never comes back and those bytes are lost to
  // the boot arena (String.UTF8.decodeUnsafe shrinks this way whenever its
  // input has multi-byte characters).
  it("gives back every byte of a block shrunk in place when it is freed", () => {
    const { start } = harness.arena();
    const ptr = e.__new(100, STRING_ID) >>> 0;
    expect(e.__renew(ptr, 10) >>> 0).toBe(ptr);
    e.__free(ptr);
    expect(harness.arena()).toMatchObject({ top: start, inUse: 0, stranded: 0 });
  });

  it("returns the arena to its start when everything is freed in LIFO order", () => {
    const random = new Random(undefined, 22);
    const start = harness.arena().start;
    const pointers: number[] = [];
    for (let i = 0; i < 500; i++) pointers.push(e.__new(random.int(0, 300), 0) >>> 0);
    expect(harness.arena().inUse).toBeGreaterThan(0);
    while (pointers.length) e.__free(pointers.pop()!);
    expect(harness.arena()).toMatchObject({ top: start, inUse: 0, stranded: 0 });
  });

  it("traps with failedRequest set to the object size when an allocation does not fit", () => {
    const { top } = harness.arena();
    e.arenaSetEnd(top + 256);
    e.__new(200, 0);
    const trap = trapOf(() => e.__new(100, 0));
    expect(trap?.message).toMatch(/unreachable/);
    expect(harness.failedRequest()).toBe(100);
    expect(harness.arena()).toMatchObject({ top: top + blockBytes(200), inUse: blockBytes(200) });
  });

  it("traps on an object larger than AssemblyScript allows", () => {
    expect(trapOf(() => e.__new(OBJECT_MAXSIZE + 1, 0))?.message).toMatch(/unreachable/);
    expect(harness.failedRequest()).toBe(OBJECT_MAXSIZE + 1);
  });
});
