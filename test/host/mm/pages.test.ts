// Guards kernel/mm/pages.ts, the page-frame allocator, against a model kept
// in the test. Over random fake memory maps with holes (several usable
// ranges, overlapping and duplicated; reserved ranges; page 0; kernel,
// initrd and boot claims), random alloc(1..64)/free sequences must:
// hand out page-aligned runs of frames that were free (never reserved or
// claimed ones, never overlapping each other), next fit from where the last
// search ended as pages.ts documents, fail only when no such run exists;
// keep the per-use counts, the free count, `usable` and the high-water mark
// exact at every step; and come back to the starting state once everything
// is freed. markFree counts a frame once however often ranges cover it;
// claim takes only free frames. Misuse (freeing a frame that does not start
// an allocated run, twice, or an address outside the tables or unaligned)
// panics with pages.ts's message and changes nothing.
//
// The tables describe fake physical addresses (up to 64 MiB) that nothing
// reads or writes; only their metadata, in the harness's scratch area, is
// real memory.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";
import { PAGE_SIZE, SNAPSHOT_HEAD, USE, USE_COUNT } from "./client";
import { Random, suiteSeed } from "../random";

const harness = await Harness.create();
harness.useSerialConsole();
const e = harness.exports;

const METADATA = SCRATCH;
const SNAPSHOT = 0x8_0000;
const MAX_FRAMES = 16384; // metadata 66 KiB, snapshot 16 KiB: both fit in scratch
const MAX_VALUE = (1 << 23) - 1;
const NOT_HEAD = "page free of a frame that is not the start of an allocated run (double free?)";
const NEVER_HANDED_OUT = "page free of an address the page allocator never handed out";
const ALLOCATING_USES = [USE.pageTables, USE.slab, USE.large, USE.app] as const;

/** The allocator as pages.ts documents it: frame states, counts, next-fit hint. */
class Model {
  readonly use: Uint8Array;
  readonly head: Uint8Array;
  readonly runs = new Map<number, number>(); // first frame -> length, for allocated runs
  counts = new Array<number>(USE_COUNT).fill(0);
  usable = 0;
  highWater = 0;
  hint = 0;

  constructor(readonly base: number, readonly frames: number) {
    this.use = new Uint8Array(frames).fill(USE.reserved);
    this.head = new Uint8Array(frames);
    this.counts[USE.reserved] = frames;
  }

  address(frame: number): number {
    return this.base + frame * PAGE_SIZE;
  }

  private set(frame: number, use: number): void {
    this.counts[this.use[frame]]--;
    this.counts[use]++;
    this.use[frame] = use;
  }

  private noteHighWater(): void {
    this.highWater = Math.max(this.highWater, this.usable - this.counts[USE.free]);
  }

  markFree(from: number, to: number): void {
    const first = Math.max(0, Math.ceil((from - this.base) / PAGE_SIZE));
    const last = Math.min(this.frames, Math.floor((to - this.base) / PAGE_SIZE));
    for (let frame = first; frame < last; frame++) {
      if (this.use[frame] === USE.free) continue;
      this.set(frame, USE.free);
      this.usable++;
    }
  }

  claim(from: number, to: number, use: number): void {
    const first = Math.max(0, Math.floor((from - this.base) / PAGE_SIZE));
    const last = Math.min(this.frames, Math.ceil((to - this.base) / PAGE_SIZE));
    for (let frame = first; frame < last; frame++) {
      if (this.use[frame] !== USE.free) continue;
      this.set(frame, use);
      if (use === USE.reserved) this.usable--;
    }
    this.noteHighWater();
  }

  private firstFit(from: number, count: number): number {
    let run = 0;
    for (let frame = from; frame < this.frames; frame++) {
      run = this.use[frame] === USE.free ? run + 1 : 0;
      if (run === count) return frame - count + 1;
    }
    return -1;
  }

  /** The frame alloc must choose (next fit from the hint, then from 0), or -1 if no run exists. */
  expectedRun(count: number): number {
    const fromHint = this.firstFit(this.hint, count);
    return fromHint >= 0 ? fromHint : this.firstFit(0, count);
  }

  alloc(first: number, count: number, use: number): void {
    for (let frame = first; frame < first + count; frame++) this.set(frame, use);
    this.head[first] = 1;
    this.runs.set(first, count);
    this.hint = first + count;
    this.noteHighWater();
  }

  free(first: number): void {
    const count = this.runs.get(first)!;
    for (let frame = first; frame < first + count; frame++) this.set(frame, USE.free);
    this.head[first] = 0;
    this.runs.delete(first);
  }

  snapshot(): Uint8Array {
    return this.use.map((use, frame) => use | (this.head[frame] ? SNAPSHOT_HEAD : 0));
  }
}

interface Scenario {
  model: Model;
  /** Regions claimed for the kernel, initrd and boot arena, for misuse tests. */
  claimed: Array<[from: number, to: number]>;
}

function counts(): number[] {
  return harness.pageCounts();
}

/** expect(actual).toBe(expected), with expect's cost paid only on a mismatch (this runs every step). */
function same(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) expect(actual, message).toBe(expected);
}

function expectAgrees(model: Model, context: string, snapshot = true): void {
  const actualCounts = counts();
  if (actualCounts.some((count, use) => count !== model.counts[use])) expect(actualCounts, `${context}: counts per use`).toEqual(model.counts);
  same(e.pagesUsable() >>> 0, model.usable, `${context}: usable`);
  same(e.pagesFreeFrames() >>> 0, model.counts[USE.free], `${context}: free`);
  same(e.pagesUsedFrames() >>> 0, model.usable - model.counts[USE.free], `${context}: used`);
  same(e.pagesHighWater() >>> 0, model.highWater, `${context}: high-water`);
  if (snapshot) {
    const actual = harness.pageSnapshot(SNAPSHOT);
    const expected = model.snapshot();
    const frame = actual.findIndex((value, i) => value !== expected[i]);
    if (frame >= 0) {
      expect(`frame ${frame}: 0x${actual[frame].toString(16)}`, `${context}: frame state (use | head)`).toBe(`frame ${frame}: 0x${expected[frame].toString(16)}`);
    }
  }
}

/**
 * Sets up tables over a random memory map, as initMemory does: usable ranges
 * (some overlapping or repeated, with unaligned edges) freed, reserved ranges
 * and page 0 claimed as reserved, then kernel, initrd and boot regions claimed.
 */
function randomScenario(random: Random): Scenario {
  const frames = random.int(256, 8192);
  const base = random.bool(0.3) ? 0 : random.int(0, 0x3000) * PAGE_SIZE + (random.bool(0.3) ? random.int(1, PAGE_SIZE - 1) : 0);
  const alignedBase = base & ~(PAGE_SIZE - 1);
  const high = alignedBase + frames * PAGE_SIZE + (random.bool(0.3) ? random.int(1, PAGE_SIZE - 1) : 0);
  e.pagesInit(base, high, METADATA);
  const model = new Model(alignedBase, Math.floor((high - alignedBase) / PAGE_SIZE));
  expect(e.pagesBase() >>> 0).toBe(model.base);
  expect(e.pagesFrames() >>> 0).toBe(model.frames);
  const span = high - base;
  const point = () => base + random.int(0, span);
  const rangeIn = (): [number, number] => {
    const a = point();
    const b = Math.min(high, a + random.int(1, Math.max(1, span >> random.int(1, 4))));
    return [a, b];
  };

  const usable: Array<[number, number]> = [];
  for (let i = random.int(1, 6); i > 0; i--) usable.push(rangeIn());
  if (random.bool(0.5)) usable.push(usable[0]); // a duplicate entry
  if (random.bool(0.5)) usable.push([base, high]); // everything, over the rest
  for (const [from, to] of usable) {
    e.pagesMarkFree(from, to);
    model.markFree(from, to);
  }
  e.pagesSealHoles();
  for (let i = random.int(0, 4); i > 0; i--) {
    const [from, to] = rangeIn();
    e.pagesClaim(from, to, USE.reserved);
    model.claim(from, to, USE.reserved);
  }
  e.pagesClaim(0, PAGE_SIZE, USE.reserved);
  model.claim(0, PAGE_SIZE, USE.reserved);
  const claimed: Scenario["claimed"] = [];
  for (const use of [USE.kernel, USE.initrd, USE.boot]) {
    if (random.bool(0.3)) continue;
    const [from, to] = rangeIn();
    e.pagesClaim(from, to, use);
    model.claim(from, to, use);
    claimed.push([from, to]);
  }
  return { model, claimed };
}

function contextOf(random: Random, step: number | string): string {
  return `${random.label}, step ${step}`;
}

function newRandom(stream: number): Random {
  return new Random(suiteSeed(), stream);
}

describe("page-frame allocator (kernel/mm/pages.ts)", () => {
  it("sizes its metadata at one bit and one u32 per frame, and a byte per chunk of 128 frames", () => {
    expect(e.pagesMetadataBytes(1) >>> 0).toBe(4 + 4 + 1);
    expect(e.pagesMetadataBytes(32) >>> 0).toBe(4 + 128 + 1);
    expect(e.pagesMetadataBytes(33) >>> 0).toBe(8 + 132 + 1);
    expect(e.pagesMetadataBytes(129) >>> 0).toBe(20 + 516 + 2);
    expect(e.pagesMetadataBytes(1 << 20) >>> 0).toBe((1 << 17) + (1 << 22) + 8192);
    expect(e.pagesMetadataBytes(MAX_FRAMES) >>> 0).toBeLessThanOrEqual(SNAPSHOT - METADATA);
  });

  it("counts a frame once however many usable ranges cover it", () => {
    const base = 0x10_0000;
    e.pagesInit(base, base + 256 * PAGE_SIZE, METADATA);
    const model = new Model(base, 256);
    const ranges: Array<[number, number]> = [
      [base, base + 64 * PAGE_SIZE],
      [base, base + 64 * PAGE_SIZE], // duplicate
      [base + 32 * PAGE_SIZE + 5, base + 100 * PAGE_SIZE], // overlapping, unaligned start
      [base + 96 * PAGE_SIZE, base + 200 * PAGE_SIZE - 1], // overlapping, unaligned end
      [base - 50 * PAGE_SIZE, base + 3 * PAGE_SIZE], // starts below the tables
      [base + 250 * PAGE_SIZE, base + 300 * PAGE_SIZE], // ends above them
      [base + 10 * PAGE_SIZE + 1, base + 11 * PAGE_SIZE], // no whole frame
    ];
    for (const [from, to] of ranges) {
      e.pagesMarkFree(from, to);
      e.pagesSealHoles();
      model.markFree(from, to);
      expectAgrees(model, `markFree(0x${from.toString(16)}, 0x${to.toString(16)})`);
    }
    expect(e.pagesUsable()).toBe(199 + 6); // [0, 199) and [250, 256)
    expect(e.pagesCount(USE.reserved)).toBe(256 - 205);
  });

  it("takes more usable ranges than it records lazily (40 of them), and frames between them stay reserved", () => {
    const base = 0x20_0000;
    const frames = 4096;
    e.pagesInit(base, base + frames * PAGE_SIZE, METADATA);
    const model = new Model(base, frames);
    for (let i = 0; i < 40; i++) {
      const from = base + (i * 100 + 3) * PAGE_SIZE;
      const to = from + (50 + i) * PAGE_SIZE;
      e.pagesMarkFree(from, to);
      model.markFree(from, to);
    }
    e.pagesSealHoles();
    expectAgrees(model, "40 ranges, then sealed");
    expect(e.pagesUsable()).toBe(40 * 50 + (39 * 40) / 2);
    expect(e.pagesAlloc(90, USE.large) >>> 0).toBe(0); // the longest range is 89 frames
    const run = e.pagesAlloc(89, USE.large) >>> 0;
    expect(run).toBe(base + (39 * 100 + 3) * PAGE_SIZE);
    model.alloc((run - base) / PAGE_SIZE, 89, USE.large);
    expectAgrees(model, "the longest range allocated");
  });

  it("claims only free frames, whatever the range covers", () => {
    const base = 0x40_0000;
    e.pagesInit(base, base + 128 * PAGE_SIZE, METADATA);
    const model = new Model(base, 128);
    e.pagesMarkFree(base + 16 * PAGE_SIZE, base + 112 * PAGE_SIZE);
    e.pagesSealHoles();
    model.markFree(base + 16 * PAGE_SIZE, base + 112 * PAGE_SIZE);
    const run = e.pagesAlloc(8, USE.large) >>> 0;
    model.alloc((run - base) / PAGE_SIZE, 8, USE.large);
    // A claim over reserved frames, the allocated run and free frames takes only the free ones.
    e.pagesClaim(base, run + 12 * PAGE_SIZE - 1, USE.kernel);
    model.claim(base, run + 12 * PAGE_SIZE - 1, USE.kernel);
    expectAgrees(model, "claim over reserved, allocated and free frames");
    expect(e.pagesCount(USE.kernel)).toBe(4);
    expect(e.pagesRunLength(run)).toBe(8);
    // Claiming the same range again takes nothing more.
    e.pagesClaim(base, run + 12 * PAGE_SIZE - 1, USE.initrd);
    expectAgrees(model, "claim of claimed frames");
    // Reserved claims stop counting as usable; others only stop being free.
    e.pagesClaim(base + 100 * PAGE_SIZE, base + 102 * PAGE_SIZE, USE.reserved);
    model.claim(base + 100 * PAGE_SIZE, base + 102 * PAGE_SIZE, USE.reserved);
    expectAgrees(model, "reserved claim");
    expect(e.pagesUsable()).toBe(96 - 2);
  });

  it("refuses allocations of no frames, too many frames, or for no use", () => {
    e.pagesInit(0, 64 * PAGE_SIZE, METADATA);
    e.pagesMarkFree(0, 64 * PAGE_SIZE);
    e.pagesSealHoles();
    const before = counts();
    for (const [count, use] of [[0, USE.large], [MAX_VALUE + 1, USE.large], [1, USE.free], [1, USE_COUNT], [65, USE.app]]) {
      expect(e.pagesAlloc(count, use) >>> 0, `alloc(${count}, ${use})`).toBe(0);
    }
    expect(counts()).toEqual(before);
    expect(e.pagesHighWater()).toBe(0);
  });

  it("keeps runs disjoint, free and counted exactly over random alloc/free on maps with holes", () => {
    const SEQUENCES = 24;
    const STEPS = 1200;
    let allocations = 0;
    let refused = 0;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const random = newRandom(100 + sequence);
      const { model } = randomScenario(random);
      expectAgrees(model, contextOf(random, "setup"));
      const start = { counts: [...model.counts], snapshot: model.snapshot(), usable: model.usable };
      let highWater = model.highWater;

      for (let step = 0; step < STEPS; step++) {
        const context = contextOf(random, step);
        const live = [...model.runs.keys()];
        if (live.length === 0 || random.bool(0.55)) {
          const count = random.bool(0.7) ? random.int(1, 8) : random.int(1, 64);
          const use = random.pick(ALLOCATING_USES);
          const expected = model.expectedRun(count);
          const address = e.pagesAlloc(count, use) >>> 0;
          allocations++;
          if (expected < 0) {
            refused++;
            same(address, 0, `${context}: alloc(${count}) with no free run`);
          } else {
            same(address, model.address(expected), `${context}: alloc(${count}) next fit from frame ${model.hint}`);
            same(address % PAGE_SIZE, 0, `${context}: page aligned`);
            model.alloc(expected, count, use);
            same(e.pagesRunLength(address), count, `${context}: runLength`);
            same(e.pagesIsHead(address), 1, `${context}: isHead`);
            same(e.pagesUseOf(address + count * PAGE_SIZE - 1), use, `${context}: useOf the last frame`);
          }
        } else {
          const first = random.pick(live);
          e.pagesFree(model.address(first));
          model.free(first);
        }
        if ((e.pagesHighWater() >>> 0) < highWater) expect(e.pagesHighWater() >>> 0, `${context}: high-water never falls`).toBeGreaterThanOrEqual(highWater);
        highWater = e.pagesHighWater() >>> 0;
        expectAgrees(model, context, step % 4 === 0);
      }

      for (const first of [...model.runs.keys()]) {
        e.pagesFree(model.address(first));
        model.free(first);
      }
      const context = contextOf(random, "after freeing everything");
      expectAgrees(model, context);
      expect(model.counts, context).toEqual(start.counts);
      expect(model.snapshot(), context).toEqual(start.snapshot);
      expect(e.pagesUsable() >>> 0, context).toBe(start.usable);
    }
    console.log(`pages: ${SEQUENCES} sequences of ${STEPS} steps (seed 0x${suiteSeed().toString(16)}, streams 100..${99 + SEQUENCES}): ${allocations} allocations, ${refused} refused for want of a free run`);
    expect(refused, "some sequences must run out of free runs").toBeGreaterThan(0);
  });

  it("takes only free frames when claiming over live runs", () => {
    const SEQUENCES = 12;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const random = newRandom(200 + sequence);
      const { model } = randomScenario(random);
      for (let step = 0; step < 200; step++) {
        const context = contextOf(random, step);
        const choice = random.int(0, 9);
        if (choice < 6) {
          const count = random.int(1, 32);
          const first = model.expectedRun(count);
          const use = random.pick(ALLOCATING_USES);
          const address = e.pagesAlloc(count, use) >>> 0;
          same(address, first < 0 ? 0 : model.address(first), `${context}: alloc(${count})`);
          if (first >= 0) model.alloc(first, count, use);
        } else if (choice < 8 && model.runs.size) {
          const first = random.pick([...model.runs.keys()]);
          e.pagesFree(model.address(first));
          model.free(first);
        } else {
          const from = model.address(random.int(0, model.frames - 1)) + random.int(0, PAGE_SIZE - 1);
          const to = from + random.int(1, 40 * PAGE_SIZE);
          const use = random.pick([USE.reserved, USE.kernel, USE.initrd, USE.boot, USE.pageTables, USE.app]);
          e.pagesClaim(from, to, use);
          model.claim(from, to, use);
        }
        expectAgrees(model, context);
      }
    }
  });

  describe("misuse", () => {
    function scenario(): Scenario {
      const random = newRandom(300);
      let result: Scenario;
      do result = randomScenario(random); while (result.model.counts[USE.free] < 200 || result.claimed.length === 0);
      return result;
    }

    /** Expects `call` to panic with `message` and leave the tables as they were. */
    function expectPanic(model: Model, call: () => void, message: string, what: string): void {
      expect(harness.panicOf(call), what).toBe(message);
      expectAgrees(model, `after ${what}`);
    }

    it("panics on a free of a frame inside a run, not at its start", () => {
      const { model } = scenario();
      const address = e.pagesAlloc(5, USE.large) >>> 0;
      model.alloc((address - model.base) / PAGE_SIZE, 5, USE.large);
      expectPanic(model, () => e.pagesFree(address + 2 * PAGE_SIZE), NOT_HEAD, "free of the third frame of a run");
      expectPanic(model, () => e.pagesFree(address + 4 * PAGE_SIZE), NOT_HEAD, "free of the last frame of a run");
    });

    it("panics on a double free, and on a free of a frame never allocated", () => {
      const { model } = scenario();
      const address = e.pagesAlloc(3, USE.app) >>> 0;
      model.alloc((address - model.base) / PAGE_SIZE, 3, USE.app);
      e.pagesFree(address);
      model.free((address - model.base) / PAGE_SIZE);
      expectPanic(model, () => e.pagesFree(address), NOT_HEAD, "second free of a run");
      const free = model.use.findIndex((use) => use === USE.free);
      expectPanic(model, () => e.pagesFree(model.address(free)), NOT_HEAD, "free of a free frame");
      const reserved = model.use.findIndex((use) => use === USE.reserved);
      if (reserved >= 0) expectPanic(model, () => e.pagesFree(model.address(reserved)), NOT_HEAD, "free of a reserved frame");
    });

    it("panics on a free of a claimed frame", () => {
      const { model } = scenario();
      for (const use of [USE.kernel, USE.initrd, USE.boot]) {
        const frame = model.use.findIndex((value) => value === use);
        if (frame >= 0) expectPanic(model, () => e.pagesFree(model.address(frame)), NOT_HEAD, `free of a frame claimed for use ${use}`);
      }
    });

    it("panics on a free of an address outside the tables or not page aligned", () => {
      const { model } = scenario();
      const address = e.pagesAlloc(2, USE.slab) >>> 0;
      model.alloc((address - model.base) / PAGE_SIZE, 2, USE.slab);
      const end = model.address(model.frames);
      if (model.base >= PAGE_SIZE) expectPanic(model, () => e.pagesFree(model.base - PAGE_SIZE), NEVER_HANDED_OUT, "free below the tables");
      expectPanic(model, () => e.pagesFree(end), NEVER_HANDED_OUT, "free just past the tables");
      expectPanic(model, () => e.pagesFree(end + 0x100_0000), NEVER_HANDED_OUT, "free far past the tables");
      for (const offset of [1, 8, PAGE_SIZE / 2, PAGE_SIZE - 1]) {
        expectPanic(model, () => e.pagesFree(address + offset), NEVER_HANDED_OUT, `free of a run's address + ${offset}`);
      }
      e.pagesFree(address); // the run itself still frees
      model.free((address - model.base) / PAGE_SIZE);
      expectAgrees(model, "free after the refused ones");
    });
  });
});
