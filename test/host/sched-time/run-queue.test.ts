// Guards kernel/sched/run-queue.ts, the per-CPU run queue, against a model
// kept in the test: one FIFO list per priority level.
//
// Random push/pushFront/pop/remove sequences (items changing priority while
// not queued) must pop exactly what the model pops: the highest non-empty
// level first, first in first out within a level, pushFront ahead of
// everything at its level; remove takes an item out from the head, middle
// or tail of its level and says false for one that is not queued; peek,
// highestPriority, length and each item's queued flag agree with the model
// at every step. Pushing an item that is already queued panics with
// run-queue.ts's message and leaves the queue as it was (the kernel is built
// with noAssert, so this must be a check that survives it, not an assert).

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random, suiteSeed } from "../random";

const LEVELS = 32;
const PUSHED_TWICE = "run queue: pushed twice";

const harness = await Harness.withMemory(64);
const e = harness.exports;

function same(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) expect(actual, message).toBe(expected);
}

/** The run queue as run-queue.ts documents it. */
class Model {
  readonly levels: number[][] = Array.from({ length: LEVELS }, () => []);
  readonly priority: number[];
  readonly queued: boolean[];
  length = 0;

  constructor(readonly count: number) {
    this.priority = new Array<number>(count).fill(16);
    this.queued = new Array<boolean>(count).fill(false);
  }

  highestPriority(): number {
    for (let level = LEVELS - 1; level >= 0; level--) if (this.levels[level].length > 0) return level;
    return -1;
  }

  peek(): number {
    const level = this.highestPriority();
    return level < 0 ? -1 : this.levels[level][0];
  }

  push(item: number, front: boolean): void {
    const level = this.levels[this.priority[item]];
    if (front) level.unshift(item);
    else level.push(item);
    this.queued[item] = true;
    this.length++;
  }

  remove(item: number): boolean {
    if (!this.queued[item]) return false;
    const level = this.levels[this.priority[item]];
    level.splice(level.indexOf(item), 1);
    this.queued[item] = false;
    this.length--;
    return true;
  }

  pop(): number {
    const item = this.peek();
    if (item >= 0) this.remove(item);
    return item;
  }
}

/** A fresh queue of `count` items in the harness and its model. */
function fresh(count: number): Model {
  e.runQueueCreate(count);
  return new Model(count);
}

function setPriority(model: Model, item: number, priority: number): void {
  e.runnableSetPriority(item, priority);
  model.priority[item] = priority;
}

function push(model: Model, item: number): void {
  e.runQueuePush(item);
  model.push(item, false);
}

function pushFront(model: Model, item: number): void {
  e.runQueuePushFront(item);
  model.push(item, true);
}

function expectQuery(model: Model, context: string): void {
  same(e.runQueueLength(), model.length, `${context}: length`);
  same(e.runQueueHighestPriority(), model.highestPriority(), `${context}: highestPriority`);
  same(e.runQueuePeek(), model.peek(), `${context}: peek`);
}

/** Pops everything, checking each against the model. */
function drain(model: Model, context: string): number[] {
  const popped: number[] = [];
  for (;;) {
    expectQuery(model, `${context}, draining`);
    const expected = model.pop();
    same(e.runQueuePop(), expected, `${context}: pop while draining`);
    if (expected < 0) return popped;
    same(e.runnableQueued(expected), 0, `${context}: queued after pop`);
    popped.push(expected);
  }
}

describe("run queue (kernel/sched/run-queue.ts)", () => {
  it("is empty when new: pop and peek give nothing, highestPriority -1", () => {
    fresh(4);
    expect(e.runQueueLength()).toBe(0);
    expect(e.runQueueHighestPriority()).toBe(-1);
    expect(e.runQueuePeek()).toBe(-1);
    expect(e.runQueuePop()).toBe(-1);
    expect(e.runQueueRemove(0)).toBe(0);
  });

  it("pops by strict priority, first in first out within a level", () => {
    const model = fresh(8);
    const priorities = [0, 31, 16, 31, 0, 16, 8, 31];
    priorities.forEach((priority, item) => setPriority(model, item, priority));
    for (let item = 0; item < 8; item++) push(model, item);
    expectQuery(model, "after pushing");
    expect(drain(model, "strict priority")).toEqual([1, 3, 7, 2, 5, 6, 0, 4]);
  });

  it("puts pushFront ahead of everything at its level, and nothing else", () => {
    const model = fresh(6);
    [16, 16, 16, 24, 16, 8].forEach((priority, item) => setPriority(model, item, priority));
    push(model, 0);
    push(model, 1);
    pushFront(model, 2);
    pushFront(model, 5); // alone at its level: head and tail
    push(model, 3);
    pushFront(model, 4);
    expectQuery(model, "after pushing");
    expect(drain(model, "pushFront")).toEqual([3, 4, 2, 0, 1, 5]);
  });

  it("removes from the head, middle and tail of a level, and refuses items not queued", () => {
    const model = fresh(5);
    for (let item = 0; item < 5; item++) push(model, item);
    for (const [item, expected] of [[2, 1], [0, 1], [4, 1], [4, 0], [2, 0]] as const) {
      same(e.runQueueRemove(item), expected, `remove(${item})`);
      same(model.remove(item), expected === 1, `model remove(${item})`);
      expectQuery(model, `after remove(${item})`);
    }
    push(model, 4); // a removed item can be queued again, at the back
    pushFront(model, 0);
    expect(drain(model, "after removes")).toEqual([0, 1, 3, 4]);
  });

  it("empties a level's bit when its last item goes, by pop or by remove", () => {
    const model = fresh(3);
    [31, 20, 5].forEach((priority, item) => setPriority(model, item, priority));
    for (let item = 0; item < 3; item++) push(model, item);
    expect(e.runQueueHighestPriority()).toBe(31);
    e.runQueueRemove(0);
    model.remove(0);
    expectQuery(model, "after removing the only 31");
    expect(e.runQueueHighestPriority()).toBe(20);
    expect(e.runQueuePop()).toBe(1);
    model.pop();
    expect(e.runQueueHighestPriority()).toBe(5);
    expect(drain(model, "last level")).toEqual([2]);
  });

  it("panics when an item already queued is pushed again, front or back, and keeps the queue intact", () => {
    const model = fresh(6);
    [16, 16, 16, 24, 0, 16].forEach((priority, item) => setPriority(model, item, priority));
    for (const item of [0, 1, 2, 3, 4]) push(model, item);
    for (const item of [0, 1, 2, 3, 4]) {
      expect(harness.panicOf(() => e.runQueuePush(item)), `push(${item}) again`).toBe(PUSHED_TWICE);
      expect(harness.panicOf(() => e.runQueuePushFront(item)), `pushFront(${item}) again`).toBe(PUSHED_TWICE);
      expectQuery(model, `after pushing ${item} twice`);
    }
    push(model, 5);
    expect(drain(model, "after the refused pushes")).toEqual([3, 0, 1, 2, 5, 4]);
  });

  it("agrees with the model over random push/pushFront/pop/remove sequences", () => {
    const SEQUENCES = 8;
    const STEPS = 5000;
    const ITEMS = 96;
    let pops = 0;
    for (let sequence = 0; sequence < SEQUENCES; sequence++) {
      const random = new Random(suiteSeed(), 600 + sequence);
      const model = fresh(ITEMS);
      // Few levels in some sequences (long FIFOs), all 32 in others.
      const levels = sequence % 2 === 0 ? [0, 7, 16, 31] : Array.from({ length: LEVELS }, (_, level) => level);
      for (let step = 0; step < STEPS; step++) {
        const context = `${random.label}, step ${step}`;
        const action = random.int(0, 99);
        const item = random.int(0, ITEMS - 1);
        if (action < 45) {
          if (model.queued[item]) {
            same(e.runnableQueued(item), 1, `${context}: queued`);
          } else {
            if (random.bool(0.3)) setPriority(model, item, random.pick(levels));
            if (action < 30) push(model, item);
            else pushFront(model, item);
          }
        } else if (action < 75) {
          const expected = model.pop();
          same(e.runQueuePop(), expected, `${context}: pop`);
          if (expected >= 0) pops++;
        } else {
          // Mostly items that are queued (head, middle or tail of their level), sometimes not.
          const queued = model.levels.flat();
          const target = queued.length > 0 && random.bool(0.8) ? random.pick(queued) : item;
          const expected = model.remove(target);
          same(e.runQueueRemove(target) !== 0, expected, `${context}: remove(${target})`);
        }
        same(e.runnableQueued(item) !== 0, model.queued[item], `${context}: queued(${item})`);
        expectQuery(model, context);
      }
      drain(model, random.label);
    }
    console.log(`run queue: ${SEQUENCES} sequences of ${STEPS} steps (seed 0x${suiteSeed().toString(16)}, streams 600..${599 + SEQUENCES}), ${pops} pops`);
  });
});
