// The host-test harness's part for kernel/sched/run-queue.ts,
// kernel/time/timer-queue.ts and kernel/time/civil.ts: queue items and
// timers cross as indexes, so the tests can drive the queues against a model.

import { Runnable, RunQueue } from "../../../kernel/sched/run-queue";
import { Timer, TimerQueue, before } from "../../../kernel/time/timer-queue";
import { daysFromCivil, unixSeconds, fromBcd } from "../../../kernel/time/civil";

// --- kernel/sched/run-queue.ts ---
// One queue and its items, by index: an item is a Runnable that knows its
// index, as a Thread knows itself. runQueueCreate allocates (once per test
// set-up); the other exports allocate nothing.

class IndexedRunnable extends Runnable {
  index: i32 = 0;
}

let runQueue: RunQueue | null = null;
let runnables: StaticArray<IndexedRunnable | null> | null = null;

function runnable(index: i32): IndexedRunnable {
  return runnables![index]!;
}

function indexOfRunnable(item: Runnable | null): i32 {
  return item === null ? -1 : changetype<IndexedRunnable>(item).index;
}

/** A fresh, empty queue and `count` items at PRIORITY_DEFAULT, not queued. */
export function runQueueCreate(count: i32): void {
  runQueue = new RunQueue();
  const items = new StaticArray<IndexedRunnable | null>(count);
  for (let i = 0; i < count; i++) {
    const item = new IndexedRunnable();
    item.index = i;
    items[i] = item;
  }
  runnables = items;
}

/** Sets an item's priority (only while it is not queued: the queue files it by priority). */
export function runnableSetPriority(index: i32, priority: i32): void {
  runnable(index).priority = priority;
}

export function runnableQueued(index: i32): bool {
  return runnable(index).queued;
}

export function runQueuePush(index: i32): void {
  runQueue!.push(runnable(index));
}

export function runQueuePushFront(index: i32): void {
  runQueue!.pushFront(runnable(index));
}

/** pop: the index of the item taken, or -1 when empty. */
export function runQueuePop(): i32 {
  return indexOfRunnable(runQueue!.pop());
}

export function runQueueRemove(index: i32): bool {
  return runQueue!.remove(runnable(index));
}

/** peek: the index of the item pop would take, or -1 when empty. */
export function runQueuePeek(): i32 {
  return indexOfRunnable(runQueue!.peek());
}

export function runQueueHighestPriority(): i32 {
  return runQueue!.highestPriority();
}

export function runQueueLength(): i32 {
  return runQueue!.length;
}

// --- kernel/time/timer-queue.ts ---
// One queue and its timers, by index: a timer's owner is its index.
// timerQueueCreate and timerQueueRenew allocate (once per test set-up); the
// other exports allocate nothing beyond what TimerQueue itself does.

let timerQueue: TimerQueue | null = null;
let timers: StaticArray<Timer | null> | null = null;

function timer(index: i32): Timer {
  return timers![index]!;
}

function indexOfTimer(item: Timer | null): i32 {
  return item === null ? -1 : <i32>item.owner;
}

/** A fresh, empty queue and `count` timers, none pending. */
export function timerQueueCreate(count: i32): void {
  timerQueue = new TimerQueue();
  const items = new StaticArray<Timer | null>(count);
  for (let i = 0; i < count; i++) {
    const item = new Timer();
    item.owner = <usize>i;
    items[i] = item;
  }
  timers = items;
}

/**
 * A fresh, empty queue over the same timers (for counting what one queue
 * allocates). The timers must not be pending in the old queue, which is
 * left allocated.
 */
export function timerQueueRenew(): void {
  timerQueue = new TimerQueue();
}

export function timerAdd(index: i32, deadline: u64): void {
  timerQueue!.add(timer(index), deadline);
}

export function timerCancel(index: i32): bool {
  return timerQueue!.cancel(timer(index));
}

/** earliest: the index of the first timer to expire, or -1 when none is pending. */
export function timerEarliest(): i32 {
  return indexOfTimer(timerQueue!.earliest());
}

/** popExpired: the index of the timer taken, or -1 if none has expired by `now`. */
export function timerPopExpired(now: u64): i32 {
  return indexOfTimer(timerQueue!.popExpired(now));
}

export function timerPending(index: i32): bool {
  return timer(index).pending;
}

export function timerDeadline(index: i32): u64 {
  return timer(index).deadline;
}

export function timerQueueLength(): i32 {
  return timerQueue!.length;
}

export function timeBefore(a: u64, b: u64): bool {
  return before(a, b);
}

// --- kernel/time/civil.ts ---

export function civilDaysFromCivil(year: i32, month: u32, day: u32): i64 {
  return daysFromCivil(year, month, day);
}

export function civilUnixSeconds(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32): i64 {
  return unixSeconds(year, month, day, hour, minute, second);
}

export function civilFromBcd(value: u32): u32 {
  return fromBcd(value);
}
