// The run queue: threads ready to run, by priority, first come first served
// within a priority.
//
// 32 priority levels (31 runs first), each a doubly linked FIFO threaded
// through the queued object itself, plus a bitmap of the non-empty levels,
// so push, pop and remove are O(1) and finding the best level is one
// count-leading-zeros. One queue per CPU (kernel/sched/cpu.ts), so SMP can
// come without changing this file.

import { panic } from "../panic";

export const PRIORITY_LEVELS: i32 = 32;
/** The idle thread's level: it runs only when nothing else can. */
export const PRIORITY_IDLE: i32 = 0;
export const PRIORITY_LOW: i32 = 8;
export const PRIORITY_DEFAULT: i32 = 16;
export const PRIORITY_HIGH: i32 = 24;
export const PRIORITY_MAX: i32 = 31;

/** What a run queue holds: Thread extends it. */
export class Runnable {
  runNext: Runnable | null = null;
  runPrev: Runnable | null = null;
  priority: i32 = PRIORITY_DEFAULT;
  queued: bool = false;
}

// A check, not an assert: the kernel is built with noAssert, and a second
// push would link the entry to itself and lose the queue.
const PUSHED_TWICE = "run queue: pushed twice";

export class RunQueue {
  private heads: StaticArray<Runnable | null> = new StaticArray<Runnable | null>(PRIORITY_LEVELS);
  private tails: StaticArray<Runnable | null> = new StaticArray<Runnable | null>(PRIORITY_LEVELS);
  private nonEmpty: u32 = 0;
  private count: i32 = 0;

  get length(): i32 {
    return this.count;
  }

  /** The highest priority with a queued entry, or -1 when empty. */
  highestPriority(): i32 {
    return this.nonEmpty == 0 ? -1 : 31 - <i32>clz(this.nonEmpty);
  }

  /** Queues `item` at the back of its level (a thread that used its time). */
  push(item: Runnable): void {
    if (item.queued) panic(PUSHED_TWICE);
    const level = item.priority;
    item.runNext = null;
    item.runPrev = this.tails[level];
    if (item.runPrev !== null) item.runPrev!.runNext = item;
    else this.heads[level] = item;
    this.tails[level] = item;
    this.added(item, level);
  }

  /** Queues `item` at the front of its level (a thread preempted before its time was up). */
  pushFront(item: Runnable): void {
    if (item.queued) panic(PUSHED_TWICE);
    const level = item.priority;
    item.runPrev = null;
    item.runNext = this.heads[level];
    if (item.runNext !== null) item.runNext!.runPrev = item;
    else this.tails[level] = item;
    this.heads[level] = item;
    this.added(item, level);
  }

  /** Takes the first entry of the highest non-empty level, or null. */
  pop(): Runnable | null {
    const level = this.highestPriority();
    if (level < 0) return null;
    const item = this.heads[level]!;
    this.remove(item);
    return item;
  }

  /** Takes `item` out wherever it is; false if it was not queued. */
  remove(item: Runnable): bool {
    if (!item.queued) return false;
    const level = item.priority;
    if (item.runPrev !== null) item.runPrev!.runNext = item.runNext;
    else this.heads[level] = item.runNext;
    if (item.runNext !== null) item.runNext!.runPrev = item.runPrev;
    else this.tails[level] = item.runPrev;
    item.runNext = null;
    item.runPrev = null;
    item.queued = false;
    this.count--;
    if (this.heads[level] === null) this.nonEmpty &= ~(<u32>1 << level);
    return true;
  }

  /** The entry pop would return, left in place. */
  peek(): Runnable | null {
    const level = this.highestPriority();
    return level < 0 ? null : this.heads[level];
  }

  private added(item: Runnable, level: i32): void {
    item.queued = true;
    this.count++;
    this.nonEmpty |= <u32>1 << level;
  }
}
