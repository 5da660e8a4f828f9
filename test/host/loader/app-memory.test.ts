// Host tier: the app's linear memory is demand-paged (loader/app-memory.ts)
// over the real page allocator and page tables (the ELF loader's harness).
//
// Guards: reserving 1 GiB takes no frame; a first touch inside the current
// size maps one zeroed frame read/write and nothing else, once; a fault
// beyond the current size, in the guard or already mapped is not the
// memory's to cure (it stays a trap); with no free frame beyond the
// kernel's reserve the answer is "no memory", never a half mapping;
// memory.grow counts untouched initial pages as taken; release returns
// every frame. Also the architectures' reading of a fault as "a data access
// to an unmapped page", the only kind the fault path retries.

import { describe, expect, it } from "vitest";
import { ElfHarness, NOT_MAPPED, FLAGS } from "../elf/client";
import { ARCH_X86_64, ARCH_AARCH64 } from "../firmware";

const WASM_PAGE = 0x1_0000n;
const PAGE = 0x1000n;
const [NOT_MINE, MAPPED, NO_MEMORY] = [0, 1, 2];
/** kernel/params.ts MEMORY_RESERVE_BYTES, in frames. */
const RESERVE_FRAMES = (256 * 1024) / 4096;

describe.each(["x86_64", "aarch64"] as const)("demand-paged app memory (%s tables)", (machine) => {
  it("reserves 1 GiB without a frame, maps one zeroed page per first touch, and gives every frame back", async () => {
    const h = await ElfHarness.create(machine);
    const e = h.exports;
    const before = h.pageCounts();
    const base = BigInt.asUintN(64, e.appMemoryReserve(16384n, 65536n));
    expect(base).toBeGreaterThanOrEqual(0x1_0000_0000n);
    expect(h.pageCounts()).toEqual(before);
    expect(e.appMemoryUntouched()).toBe(1n << 30n);

    // Scattered first touches, one a page's last byte; dirty the frames' memory first so zeroing shows.
    const touches = [0n, 5n * PAGE + 17n, (1n << 29n) + 3n, (1n << 30n) - 1n];
    for (const offset of touches) {
      expect(h.translate(base + offset)).toBe(NOT_MAPPED);
      expect(e.appMemoryDemand(base + offset)).toBe(MAPPED);
      const physical = h.translate(base + offset);
      expect(physical).not.toBe(NOT_MAPPED);
      expect(h.flags(base + offset)).toBe(FLAGS.read | FLAGS.write);
      const frame = Number(physical & ~(PAGE - 1n));
      expect(h.bytes().subarray(frame, frame + 4096).every((byte) => byte === 0)).toBe(true);
      // A second fault there is not a first touch: the fault path must not retry it forever.
      expect(e.appMemoryDemand(base + offset)).toBe(NOT_MINE);
    }
    const after = h.pageCounts();
    expect(after.app - before.app).toBe(touches.length);
    expect(e.appMemoryUntouched()).toBe((1n << 30n) - BigInt(touches.length) * PAGE);

    // Past the current size, below the base (its guard), far beyond: still traps.
    for (const address of [base + (1n << 30n), base + (1n << 30n) + 123n, base - 8n, base + (5n << 30n)]) {
      expect(e.appMemoryDemand(address)).toBe(NOT_MINE);
    }
    e.appMemoryRelease();
    expect(h.pageCounts()).toEqual(before);
    expect(e.appMemoryDemand(base)).toBe(NOT_MINE);
  });

  it("says 'no memory' when a first touch would eat into the kernel's reserve, mapping nothing", async () => {
    const h = await ElfHarness.create(machine);
    const e = h.exports;
    const base = BigInt.asUintN(64, e.appMemoryReserve(16384n, 16384n));
    let mapped = 0;
    let answer = MAPPED;
    for (let offset = 0n; answer === MAPPED; offset += PAGE) {
      answer = e.appMemoryDemand(base + offset);
      if (answer === MAPPED) mapped++;
      else {
        expect(answer).toBe(NO_MEMORY);
        expect(h.translate(base + offset)).toBe(NOT_MAPPED);
      }
    }
    expect(mapped).toBeGreaterThan(1000); // the harness has about 12 MiB of RAM
    expect(h.pageCounts().free).toBeGreaterThanOrEqual(RESERVE_FRAMES);
    e.appMemoryRelease();
  });

  it("keeps memory.grow's limits, counting untouched initial pages as taken", async () => {
    const h = await ElfHarness.create(machine);
    const e = h.exports;
    const base = BigInt.asUintN(64, e.appMemoryReserve(2n, 40n));
    expect(e.appMemoryGrow(1n)).toBe(2n); // committed at once: 16 frames
    expect(e.appMemoryCurrentSize()).toBe(3n * WASM_PAGE);
    expect(h.translate(base + 2n * WASM_PAGE)).not.toBe(NOT_MAPPED);
    expect(e.appMemoryGrow(38n)).toBe(-1n); // past the maximum
    expect(e.appMemoryDemand(base + 2n * WASM_PAGE + PAGE)).toBe(NOT_MINE); // grown pages are mapped already
    e.appMemoryRelease();

    // Declared: all but 128 KiB of what the reserve leaves. Untouched, it stays promised: growing by
    // 4 wasm pages (256 KiB, far less than is free) fails; by 1 it fits.
    const available = BigInt(h.pageCounts().free - RESERVE_FRAMES) * PAGE;
    const initial = (available - 2n * WASM_PAGE) / WASM_PAGE;
    e.appMemoryReserve(initial, 65536n);
    expect(e.appMemoryGrow(4n)).toBe(-1n);
    expect(e.appMemoryGrow(1n)).toBe(initial);
    e.appMemoryRelease();
  });
});

describe("which faults the fault path may retry: data accesses to unmapped pages", () => {
  it("x86_64: a page fault whose error code says not present, not a fetch, no reserved bit", async () => {
    const h = await ElfHarness.create();
    const missing = (vector: number, code: number) => h.exports.exceptionMissingPage(ARCH_X86_64, vector, BigInt(code)) !== 0;
    expect(missing(14, 0b00000)).toBe(true); // read, not present
    expect(missing(14, 0b00010)).toBe(true); // write, not present
    expect(missing(14, 0b00011)).toBe(false); // write, protection violation
    expect(missing(14, 0b10000)).toBe(false); // instruction fetch
    expect(missing(14, 0b01000)).toBe(false); // reserved bit set
    expect(missing(13, 0)).toBe(false); // general protection
    expect(missing(8, 0)).toBe(false); // double fault
  });

  it("aarch64: a data abort at EL1 with a translation fault at any level and a valid FAR", async () => {
    const h = await ElfHarness.create("aarch64");
    const syndrome = (ec: number, iss: number) => (BigInt(ec) << 26n) | (1n << 25n) | BigInt(iss);
    const missing = (ec: number, iss: number) => h.exports.exceptionMissingPage(ARCH_AARCH64, 0, syndrome(ec, iss)) !== 0;
    for (const level of [0, 1, 2, 3]) expect(missing(0x25, 0x04 | level)).toBe(true); // read
    expect(missing(0x25, 0x40 | 0x07)).toBe(true); // write (WnR), level 3
    expect(missing(0x25, 0x0f)).toBe(false); // permission fault
    expect(missing(0x25, 0x0b)).toBe(false); // access flag fault
    expect(missing(0x25, 0x21)).toBe(false); // alignment fault
    expect(missing(0x25, 0x400 | 0x07)).toBe(false); // FAR not valid
    expect(missing(0x21, 0x07)).toBe(false); // instruction abort
    expect(missing(0x24, 0x07)).toBe(false); // data abort from a lower EL: nothing runs there
  });
});
