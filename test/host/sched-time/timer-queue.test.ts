// Guards kernel/time/timer-queue.ts, the pending timers ordered by deadline,
// against a model kept in the test: timers sorted by (deadline, arming
// order).
//
// Random add/re-add/cancel/popExpired sequences, with the clock moving only
// forward, must expire exactly the timer the model expires, never one whose
// deadline is after `now`; earliest, length and each timer's pending flag
// and deadline agree with the model at every step. Re-arming a pending
// timer moves it (and puts it after the timers already armed for the same
// deadline); cancel says true only for a pending timer. Half the sequences
// run with the clock crossing the u64 wrap: the model keeps deadlines
// unwrapped, the queue sees them modulo 2^64 and must keep the same order.
// 10,000 timers come out in order, equal deadlines in arming order. The
// heap's old arrays are freed as it grows: one queue holds exactly one
// array, of its capacity, whatever it went through.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { PAGE_SIZE, USE } from "../mm/client";
import { Random, suiteSeed } from "../random";

const U64_MASK = (1n << 64n) - 1n;
const WRAP = 1n << 64n;
/** The runtime's block header (docs/runtime.md) and TimerQueue's first heap array. */
const RUNTIME_HEADER = 8;
const INITIAL_CAPACITY = 16;
const SLOT_BYTES = 4; // a Timer reference in wasm32

const harness = await Harness.withMemory(256); // 16 MiB
const e = harness.exports;

function same(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) expect(actual, message).toBe(expected);
}

const wrapped = (deadline: bigint): bigint => deadline & U64_MASK;

interface Arming {
  /** The deadline as the model sees it: unwrapped, so plain comparison is the true order. */
  deadline: bigint;
  sequence: number;
}

/** The timer queue as timer-queue.ts documents it. */
class Model {
  readonly pending = new Map<number, Arming>();
  private nextSequence = 0;

  add(index: number, deadline: bigint): void {
    this.pending.set(index, { deadline, sequence: this.nextSequence++ });
  }

  cancel(index: number): boolean {
    return this.pending.delete(index);
  }

  earliest(): number {
    let best = -1;
    let bestArming: Arming | null = null;
    for (const [index, arming] of this.pending) {
      if (
        bestArming === null ||
        arming.deadline < bestArming.deadline ||
        (arming.deadline === bestArming.deadline && arming.sequence < bestArming.sequence)
      ) {
        best = index;
        bestArming = arming;
      }
    }
    return best;
  }

  popExpired(now: bigint): number {
    const first = this.earliest();
    if (first < 0 || this.pending.get(first)!.deadline > now) return -1;
    this.pending.delete(first);
    return first;
  }
}

/** A fresh queue of `count` timers in the harness and its model. */
function fresh(count: number): Model {
  e.timerQueueCreate(count);
  return new Model();
}

function add(model: Model, index: number, deadline: bigint): void {
  e.timerAdd(index, wrapped(deadline));
  model.add(index, deadline);
}

function popExpired(model: Model, now: bigint, context: string): number {
  const expected = model.popExpired(now);
  same(e.timerPopExpired(wrapped(now)), expected, `${context}: popExpired(${now})`);
  return expected;
}

function expectQuery(model: Model, context: string): void {
  same(e.timerQueueLength(), model.pending.size, `${context}: length`);
  same(e.timerEarliest(), model.earliest(), `${context}: earliest`);
}

function expectTimer(model: Model, index: number, context: string): void {
  const arming = model.pending.get(index);
  same(e.timerPending(index) !== 0, arming !== undefined, `${context}: pending(${index})`);
  if (arming) same(BigInt.asUintN(64, e.timerDeadline(index)), wrapped(arming.deadline), `${context}: deadline(${index})`);
}

/** Pops everything with a clock at or after every deadline, checking each against the model. */
function drain(model: Model, now: bigint, context: string): number[] {
  const popped: number[] = [];
  for (;;) {
    const index = popExpired(model, now, `${context}, draining`);
    if (index < 0) break;
    popped.push(index);
  }
  same(e.timerQueueLength(), 0, `${context}: length after draining`);
  return popped;
}

/** The model's pending timers in expiry order (for many timers, where scanning per pop is too slow). */
function inOrder(model: Model): number[] {
  return [...model.pending.entries()]
    .sort(([, a], [, b]) => (a.deadline === b.deadline ? a.sequence - b.sequence : a.deadline < b.deadline ? -1 : 1))
    .map(([index]) => index);
}

/** Pops everything expired by `now` from the queue alone; the model is left as it was. */
function drainUnchecked(now: bigint): number[] {
  const popped: number[] = [];
  for (let index = e.timerPopExpired(wrapped(now)); index >= 0; index = e.timerPopExpired(wrapped(now))) popped.push(index);
  return popped;
}

/** Bytes the kernel's allocator has handed out: slab objects by class size, plus large pages. */
function liveBytes(): number {
  let bytes = (e.pagesCount(USE.large) >>> 0) * PAGE_SIZE;
  for (let c = 0; c < (e.classCount() >>> 0); c++) bytes += (e.slabObjectsOf(c) >>> 0) * (e.classSizeOf(c) >>> 0);
  return bytes;
}

/** What malloc hands out for a heap array of `capacity` slots. */
function heapArrayBytes(capacity: number): number {
  const size = RUNTIME_HEADER + capacity * SLOT_BYTES;
  if (size > (e.classMaxSize() >>> 0)) return Math.ceil(size / PAGE_SIZE) * PAGE_SIZE;
  return e.classSizeOf(e.classOfSize(size)) >>> 0;
}

describe("timer queue (kernel/time/timer-queue.ts)", () => {
  it("compares deadlines by signed difference across the wrap", () => {
    const before = (a: bigint, b: bigint) => e.timeBefore(wrapped(a), wrapped(b)) !== 0;
    expect(before(1n, 2n)).toBe(true);
    expect(before(2n, 1n)).toBe(false);
    expect(before(5n, 5n)).toBe(false);
    expect(before(WRAP - 1n, WRAP)).toBe(true); // 2^64 - 1 before 0
    expect(before(WRAP, WRAP - 1n)).toBe(false);
    expect(before(WRAP - 1000n, WRAP + 1000n)).toBe(true);
    expect(before(0n, (1n << 63n) - 1n)).toBe(true); // just within 2^63
    expect(before(0n, (1n << 63n) + 1n)).toBe(false); // beyond 2^63 the order flips
    expect(before((1n << 63n) + 1n, 0n)).toBe(true);
  });

  it("is empty when new, and popExpired gives nothing", () => {
    const model = fresh(2);
    expectQuery(model, "new");
    expect(e.timerPopExpired(U64_MASK)).toBe(-1);
    expect(e.timerCancel(0)).toBe(0);
    expect(e.timerPending(0)).toBe(0);
  });

  it("never expires a timer before its deadline: the deadline itself expires it", () => {
    const model = fresh(3);
    add(model, 0, 1000n);
    add(model, 1, 1001n);
    add(model, 2, 999n);
    expect(popExpired(model, 998n, "before all")).toBe(-1);
    expect(popExpired(model, 999n, "at 999")).toBe(2);
    expect(popExpired(model, 999n, "at 999 again")).toBe(-1);
    expect(popExpired(model, 1000n, "at 1000")).toBe(0);
    expect(popExpired(model, 1000n, "at 1000 again")).toBe(-1);
    expectQuery(model, "one left");
    expect(popExpired(model, 5000n, "late")).toBe(1);
    expectQuery(model, "none left");
  });

  it("cancels pending timers only, wherever they sit in the heap", () => {
    const model = fresh(40);
    const random = new Random(suiteSeed(), 700);
    for (let index = 0; index < 40; index++) add(model, index, BigInt(random.int(0, 100)));
    for (const index of [0, 39, 17, 17, 5, 22, 39]) {
      same(e.timerCancel(index) !== 0, model.cancel(index), `cancel(${index})`);
      expectTimer(model, index, `after cancel(${index})`);
      expectQuery(model, `after cancel(${index})`);
    }
    const popped = drain(model, 100n, "after cancels");
    expect(popped).toHaveLength(35);
    expect(e.timerCancel(popped[0]), "cancel after expiry").toBe(0);
  });

  it("moves a pending timer when it is re-armed, behind others of the same deadline", () => {
    const model = fresh(4);
    add(model, 0, 500n);
    add(model, 1, 500n);
    add(model, 2, 100n);
    add(model, 3, 500n);
    add(model, 2, 900n); // moved later
    add(model, 0, 500n); // same deadline, armed again: now after 1 and 3
    expectTimer(model, 2, "after re-arming");
    expectQuery(model, "after re-arming");
    expect(e.timerQueueLength()).toBe(4);
    expect(drain(model, 1000n, "re-armed")).toEqual([1, 3, 0, 2]);
  });

  it("expires equal deadlines in arming order", () => {
    const COUNT = 200;
    const model = fresh(COUNT);
    const random = new Random(suiteSeed(), 701);
    const order = Array.from({ length: COUNT }, (_, index) => index);
    for (let i = COUNT - 1; i > 0; i--) {
      const j = random.int(0, i);
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const index of order) add(model, index, 77n);
    expect(drain(model, 77n, "equal deadlines")).toEqual(order);
  });

  it("hands out 10,000 timers in order, and by a clock moving forward", () => {
    const COUNT = 10_000;
    const random = new Random(suiteSeed(), 702);
    for (const how of ["all at once", "as the clock moves"]) {
      const model = fresh(COUNT);
      for (let index = 0; index < COUNT; index++) add(model, index, BigInt(random.int(0, 5000)) * 1_000_000n); // many equal deadlines
      expectQuery(model, how);
      const expected = inOrder(model);
      const top = model.pending.get(expected[COUNT - 1])!.deadline;
      if (how === "all at once") {
        expect(drainUnchecked(top), how).toEqual(expected);
        continue;
      }
      const popped: number[] = [];
      for (let now = 0n; popped.length < COUNT; now += BigInt(random.int(0, 3_000_000))) {
        for (let index = e.timerPopExpired(now); index >= 0; index = e.timerPopExpired(now)) {
          same(index, expected[popped.length], `${how}: expiry ${popped.length} at ${now}`);
          popped.push(index);
        }
        const next = expected[popped.length];
        if (next !== undefined) expect(model.pending.get(next)!.deadline, `${how}: the next deadline after ${now}`).toBeGreaterThan(now);
      }
      same(e.timerQueueLength(), 0, `${how}: length at the end`);
    }
  });

  it("keeps its order across the u64 wrap", () => {
    const COUNT = 3000;
    const random = new Random(suiteSeed(), 703);
    const model = fresh(COUNT);
    let now = WRAP - 1000n;
    for (let index = 0; index < COUNT; index++) add(model, index, WRAP + BigInt(random.int(-1500, 1500)));
    expectQuery(model, "armed around the wrap");
    let popped = 0;
    while (popped < COUNT) {
      for (let index = popExpired(model, now, "wrap"); index >= 0; index = popExpired(model, now, "wrap")) popped++;
      expectQuery(model, `at ${now}`);
      now += BigInt(random.int(1, 100));
    }
    expect(now).toBeGreaterThan(WRAP); // the clock did cross
  });

  it("agrees with the model over random add/re-add/cancel/popExpired sequences, half of them across the wrap", () => {
    const SEQUENCES = 8;
    const STEPS = 4000;
    const TIMERS = 128;
    let pops = 0;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const random = new Random(suiteSeed(), 710 + sequence);
      const model = fresh(TIMERS);
      // Across the wrap: the clock starts up to STEPS * 10 before 2^64 and moves ~ 20 per step on average.
      let now = sequence % 2 === 1 ? WRAP - BigInt(random.int(0, STEPS * 10)) : BigInt(random.int(0, 1000));
      const start = now;
      for (let step = 0; step < STEPS; step++) {
        const context = `${random.label}, step ${step}, now ${now}`;
        const action = random.int(0, 99);
        const index = random.int(0, TIMERS - 1);
        if (action < 45) {
          // Arm or re-arm; a deadline already past expires on the next popExpired.
          add(model, index, now + BigInt(random.int(-20, 400)));
        } else if (action < 60) {
          same(e.timerCancel(index) !== 0, model.cancel(index), `${context}: cancel(${index})`);
        } else if (action < 90) {
          if (popExpired(model, now, context) >= 0) pops++;
        } else {
          now += BigInt(random.int(0, 400));
        }
        expectTimer(model, index, context);
        expectQuery(model, context);
      }
      if (sequence % 2 === 1) expect(now, `${random.label}: the clock crosses the wrap`).toBeGreaterThan(WRAP);
      pops += drain(model, now + 1000n, random.label).length;
      expect(start).toBeLessThan(now);
    }
    console.log(`timer queue: ${SEQUENCES} sequences of ${STEPS} steps (seed 0x${suiteSeed().toString(16)}, streams 710..${709 + SEQUENCES}), ${pops} expiries`);
  });

  it("frees the heap's old arrays as it grows: one queue holds one array, of its capacity", () => {
    const COUNT = 10_000;
    let capacity = INITIAL_CAPACITY;
    while (capacity < COUNT) capacity *= 2;
    const model = fresh(COUNT); // the timers are allocated once, here
    e.timerQueueRenew(); // the queue is measured from its first array
    const start = liveBytes();
    for (let index = 0; index < COUNT; index++) add(model, index, BigInt(index));
    const grown = liveBytes();
    expect(grown - start, `${COUNT} timers: one array of ${capacity} slots instead of ${INITIAL_CAPACITY}`).toBe(
      heapArrayBytes(capacity) - heapArrayBytes(INITIAL_CAPACITY),
    );
    expect(drainUnchecked(BigInt(COUNT))).toEqual(inOrder(model));
    model.pending.clear();
    expect(liveBytes(), "the heap does not shrink, nor leak, when emptied").toBe(grown);
    for (let round = 0; round < 3; round++) {
      for (let index = 0; index < COUNT; index++) add(model, index, BigInt(COUNT - index));
      for (let index = 0; index < COUNT; index += 2) add(model, index, BigInt(index)); // re-arming moves
      for (let index = 1; index < COUNT; index += 4) same(e.timerCancel(index) !== 0, model.cancel(index), `round ${round}: cancel(${index})`);
      same(e.timerQueueLength(), model.pending.size, `round ${round}: length`);
      expect(drainUnchecked(BigInt(COUNT)), `round ${round}: expiry order`).toEqual(inOrder(model));
      model.pending.clear();
      expect(liveBytes(), `round ${round}: refilling a grown heap allocates nothing`).toBe(grown);
    }
  });
});
