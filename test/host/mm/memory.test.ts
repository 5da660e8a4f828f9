// Guards kernel/mm/index.ts initMemory: the page allocator is built from the
// firmware memory map (usable RAM below 4 GiB, whole frames only), page 0,
// firmware reservations, the kernel image [ASC_MEMORY_BASE, imageEnd), the
// initrd and the used part of the boot arena are claimed, the arena is closed
// at its page boundary, and the runtime moves to malloc; every frame's use
// and every count follow from the map. A map without usable RAM below 4 GiB,
// or tables that do not fit in the arena, are refused and leave the runtime
// on the arena.

import { describe, expect, it } from "vitest";
import { wasmModule } from "../compile";
import { buildDtb, virtTree } from "../dtb";
import { E820, MemoryMapEntry } from "../firmware";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";
import { pcMemoryMap, PAGE_SIZE, SNAPSHOT_HEAD, USE, USE_COUNT } from "./client";

const MiB = 0x10_0000;
const MEMORY_PAGES = 256; // 16 MiB
await wasmModule("harness"); // compile (or load) once, outside any test's time limit

async function fresh(): Promise<Harness> {
  return Harness.create({}, MEMORY_PAGES);
}

const frameOf = (address: number) => Math.floor(address / PAGE_SIZE);
const framesUpTo = (address: number) => Math.ceil(address / PAGE_SIZE);

/** What initMemory must leave behind on a harness, from the map alone. */
function expectedUses(h: Harness, memmap: MemoryMapEntry[], initrd?: [number, number]): Uint8Array {
  const usableBelow4G = memmap.filter((range) => range.type === E820.usable && range.base < 1n << 32n);
  const low = Math.min(...usableBelow4G.map((range) => Number(range.base)));
  const high = Math.max(...usableBelow4G.map((range) => Math.min(Number(range.base + range.size), 2 ** 32)));
  const base = low - (low % PAGE_SIZE);
  const uses = new Uint8Array(Math.floor((high - base) / PAGE_SIZE)).fill(USE.reserved);
  const claim = (from: number, to: number, use: number) => {
    for (let frame = Math.max(frameOf(from - base), 0); frame < Math.min(framesUpTo(to - base), uses.length); frame++) {
      if (uses[frame] === USE.free) uses[frame] = use;
    }
  };
  for (const range of usableBelow4G) {
    for (let frame = framesUpTo(Number(range.base) - base); frame < Math.min(frameOf(Number(range.base + range.size) - base), uses.length); frame++) uses[frame] = USE.free;
  }
  for (const range of memmap) if (range.type !== E820.usable) claim(Number(range.base), Number(range.base + range.size), USE.reserved);
  claim(0, PAGE_SIZE, USE.reserved);
  claim(MiB, h.heapStart, USE.kernel);
  if (initrd) claim(initrd[0], initrd[1], USE.initrd);
  claim(h.arena().start, h.arena().end, USE.boot);
  return uses;
}

function countsOf(uses: Uint8Array): number[] {
  const counts = new Array<number>(USE_COUNT).fill(0);
  for (const use of uses) counts[use]++;
  return counts;
}

/** Checks counts, `usable`, the high-water mark and every frame's use against `uses`. */
function expectPages(h: Harness, uses: Uint8Array, usable: number): void {
  const e = h.exports;
  const counts = countsOf(uses);
  expect(e.pagesFrames() >>> 0).toBe(uses.length);
  expect(h.pageCounts()).toEqual(counts);
  expect(e.pagesUsable() >>> 0).toBe(usable);
  expect(e.pagesHighWater() >>> 0).toBe(usable - counts[USE.free]);
  // The snapshot goes into a large allocation (its own frames excepted from the comparison).
  const bytes = Math.max(uses.length, 3 * PAGE_SIZE);
  const out = e.mmMalloc(bytes) >>> 0;
  const run = [frameOf(out - e.pagesBase()), frameOf(out - e.pagesBase()) + framesUpTo(bytes)];
  const snapshot = h.pageSnapshot(out).map((value) => value & ~SNAPSHOT_HEAD);
  e.mmFree(out);
  const frame = snapshot.findIndex((use, i) => (i >= run[0] && i < run[1] ? use !== USE.large : use !== uses[i]));
  expect(frame, frame >= 0 ? `frame ${frame} is ${snapshot[frame]}, expected ${uses[frame]}` : "").toBe(-1);
}

describe("initMemory (kernel/mm/index.ts)", () => {
  it("builds the page allocator over a PC memory map and moves the runtime to malloc", async () => {
    const h = await fresh();
    const memmap = pcMemoryMap(h.memoryEnd);
    expect(h.exports.mmReady()).toBe(0);
    const topBefore = h.arena().top;
    expect(h.initMemory(memmap)).toBe("");
    expect(h.exports.mmReady()).toBe(1);
    expect(h.exports.pagesBase()).toBe(0);
    // The arena is closed at the page boundary after its last block (the tables included).
    const arena = h.arena();
    expect(arena.end % PAGE_SIZE).toBe(0);
    expect(arena.end - arena.top).toBeLessThan(PAGE_SIZE);
    expect(arena.top).toBeGreaterThan(topBefore);
    const uses = expectedUses(h, memmap);
    // Usable: 159 frames below the EBDA and 3840 from 1 MiB, less page 0.
    expect(159 + 3840 - 1).toBe(countsOf(uses).reduce((sum, count, use) => sum + (use === USE.reserved ? 0 : count), 0));
    expectPages(h, uses, 159 + 3840 - 1);
    expect(countsOf(uses)[USE.kernel]).toBe(framesUpTo(h.heapStart) - 256);
    const text = h.newString("now from a slab");
    expect(h.exports.pagesUseOf(text - 8)).toBe(USE.slab);
    expect(h.exports.arenaContains(text - 8)).toBe(0);
  });

  it("claims the initrd and firmware reservations inside usable RAM", async () => {
    const h = await fresh();
    const memmap = [...pcMemoryMap(h.memoryEnd), { base: 0x80_0000n, size: 0x2000n, type: E820.acpi }, { base: 0xa0_0800n, size: 0x1000n, type: E820.nvs }];
    const initrd: [number, number] = [0x20_0123, 0x20_0123 + 100 * 1024];
    expect(h.initMemory(memmap, { base: BigInt(initrd[0]), size: BigInt(initrd[1] - initrd[0]) })).toBe("");
    const uses = expectedUses(h, memmap, initrd);
    const counts = countsOf(uses);
    expect(counts[USE.initrd]).toBe(26); // every frame the initrd touches
    expectPages(h, uses, 159 + 3840 - 1 - 2 - 2);
  });

  it("leaves RAM above 4 GiB alone", async () => {
    const h = await fresh();
    const memmap = [...pcMemoryMap(h.memoryEnd), { base: 1n << 32n, size: 1n << 32n, type: E820.usable }];
    expect(h.initMemory(memmap)).toBe("");
    expect(h.exports.pagesFrames() >>> 0).toBe(h.memoryEnd / PAGE_SIZE);
    expectPages(h, expectedUses(h, memmap), 159 + 3840 - 1);
  });

  it("manages RAM that does not start at 0, with unaligned edges", async () => {
    const h = await fresh();
    const memmap = [{ base: BigInt(MiB - 0x800), size: BigInt(h.memoryEnd - MiB - 0x1000 + 0x800 + 0x123), type: E820.usable }];
    expect(h.initMemory(memmap)).toBe("");
    expect(h.exports.pagesBase() >>> 0).toBe(MiB - PAGE_SIZE);
    const uses = expectedUses(h, memmap);
    expect(uses[0]).toBe(USE.reserved); // the partial first frame
    expectPages(h, uses, h.memoryEnd / PAGE_SIZE - 256 - 1);
  });

  it("refuses a map without usable RAM below 4 GiB, and the runtime stays on the arena", async () => {
    const h = await fresh();
    const memmap = [{ base: 0n, size: BigInt(h.memoryEnd), type: E820.reserved }, { base: 1n << 32n, size: 1n << 30n, type: E820.usable }];
    expect(h.initMemory(memmap)).toBe("the memory map has no usable RAM below 4 GiB");
    expect(h.exports.mmReady()).toBe(0);
    const text = h.newString("still from the arena");
    expect(h.exports.arenaContains(text - 8)).toBe(1);
  });

  it("refuses when the page allocator's tables do not fit in the boot arena", async () => {
    const h = await fresh();
    h.exports.arenaSetEnd(h.arena().top + 0x1000); // the tables for 16 MiB need 16.5 KiB
    expect(h.initMemory(pcMemoryMap(h.memoryEnd))).toBe("no room for the page allocator's tables after the kernel image or the initrd");
    expect(h.exports.mmReady()).toBe(0);
  });

  describe("RAM up to the 4 GiB line (QEMU virt with -m 3G: RAM [1 GiB, 4 GiB))", () => {
    const GiB = 0x4000_0000;

    /** Boots memory from a device tree whose RAM is [1 GiB, 1 GiB + size), with room in the arena for the tables. */
    async function virt(size: number): Promise<Harness> {
      const h = await fresh();
      const blob = buildDtb(virtTree({ memoryBase: BigInt(GiB), memorySize: BigInt(size), initrd: null })).bytes;
      h.write(SCRATCH, blob);
      expect(h.parseFdt(SCRATCH).error).toBe("");
      h.exports.arenaSetEnd(h.memoryEnd - MiB); // as heapSetEnd does once the map is known
      expect(h.initParsedMemory()).toBe("");
      return h;
    }

    it("counts every frame of RAM ending one page below 4 GiB as usable", async () => {
      const h = await virt(3 * GiB - PAGE_SIZE);
      expect(h.exports.pagesFrames() >>> 0).toBe(3 * 262144 - 1);
      expect(h.exports.pagesUsable() >>> 0).toBe(3 * 262144 - 1);
      expect(h.exports.pagesFreeFrames() >>> 0).toBe(3 * 262144 - 1);
    });

    // Regression test (kernel/mm/index.ts initMemory, with kernel/mm/pages.ts
    // markFree and frameSpan). The bug it guards: when usable RAM reaches 4 GiB, `high` is
    // 0x1_0000_0000 and `<usize>high` (u32) is 0. markFree(base, 0) then
    // returns at once (`last <= first`), and frameSpan's end,
    // base + (frames << PAGE_SHIFT), wraps to 0, so no range is ever inside
    // the tables: no frame is freed or claimed. usable and free stay 0 and
    // the first malloc after initMemory fails: on aarch64 QEMU virt with
    // 3 GiB or more of RAM the kernel traps "out of memory" right after the
    // memory stamp.
    it("counts every frame of RAM ending exactly at 4 GiB as usable", async () => {
      const h = await virt(3 * GiB);
      expect(h.exports.pagesFrames() >>> 0).toBe(3 * 262144);
      expect(h.exports.pagesUsable() >>> 0).toBe(3 * 262144);
      expect(h.exports.pagesFreeFrames() >>> 0).toBe(3 * 262144);
    });
  });
});
