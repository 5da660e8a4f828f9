// Blocking primitives for kernel threads: Mutex, Condition, Semaphore.
//
// Each waits on a WaitQueue with an optional deadline (absolute
// nanoseconds, FOREVER for none) and returns 0 or -errno: -ETIMEDOUT at the
// deadline, -EDEADLK for relocking a mutex one holds, -EPERM for unlocking
// one held by another thread. Release hands the mutex (or the semaphore's
// unit) straight to the first waiter, so waiters are served in arrival
// order and a thread that releases and retries at once cannot starve them.
// Condition and semaphore wake-ups may come from interrupt handlers
// (signal, broadcast, release); mutexes are for threads only.

import { setInterrupts } from "../../arch";
import { EDEADLK, EPERM, EAGAIN } from "../errno";
import { Thread } from "./thread";
import { WaitQueue } from "./wait-queue";
import { FOREVER, currentThread, blockOn, wake, preemptionPoint, holdSwitches, allowSwitches } from "./index";

export class Mutex {
  owner: Thread | null = null;
  waiters: WaitQueue = new WaitQueue();

  lock(deadline: u64 = FOREVER): i32 {
    const self = currentThread();
    // A free mutex is taken with switches held off, interrupts left on
    // (their handlers never take a mutex); a held one, with interrupts off.
    holdSwitches();
    const free = this.owner === null;
    if (free) this.owner = self;
    allowSwitches();
    if (free) return 0;
    const enabled = setInterrupts(0);
    let result = 0;
    if (this.owner === null) {
      this.owner = self;
    } else if (this.owner === self) {
      result = -EDEADLK;
    } else {
      // Ownership is handed over by unlock; a timeout leaves it untouched.
      result = blockOn(this.waiters, deadline);
    }
    setInterrupts(enabled);
    return result;
  }

  tryLock(): i32 {
    const enabled = setInterrupts(0);
    let result = -EAGAIN;
    if (this.owner === null) {
      this.owner = currentThread();
      result = 0;
    }
    setInterrupts(enabled);
    return result;
  }

  unlock(): i32 {
    // Only its owner changes a held mutex's owner: this test needs no guard.
    if (this.owner !== currentThread()) return -EPERM;
    // Nobody waiting: freed with switches held off, as lock takes it (an
    // interrupt handler may take a waiter away on its timeout, never add one).
    holdSwitches();
    const alone = this.waiters.head === null;
    if (alone) this.owner = null;
    allowSwitches();
    if (alone) return 0;
    const enabled = setInterrupts(0);
    this.handOver();
    setInterrupts(enabled);
    preemptionPoint();
    return 0;
  }

  /** Gives the mutex to the first waiter, or frees it (interrupts disabled). */
  handOver(): void {
    const next = this.waiters.head;
    this.owner = next;
    if (next !== null) wake(next, 0);
  }
}

export class Condition {
  waiters: WaitQueue = new WaitQueue();

  /**
   * Releases `mutex` (held by the caller), waits for signal/broadcast or the
   * deadline, and takes the mutex again before returning (even on timeout).
   */
  wait(mutex: Mutex, deadline: u64 = FOREVER): i32 {
    const enabled = setInterrupts(0);
    if (mutex.owner !== currentThread()) {
      setInterrupts(enabled);
      return -EPERM;
    }
    mutex.handOver();
    const result = blockOn(this.waiters, deadline);
    setInterrupts(enabled);
    mutex.lock();
    return result;
  }

  /** Wakes the first waiter; true if there was one. */
  signal(): bool {
    const enabled = setInterrupts(0);
    const first = this.waiters.head;
    if (first !== null) wake(first, 0);
    setInterrupts(enabled);
    preemptionPoint();
    return first !== null;
  }

  /** Wakes every waiter; returns how many. */
  broadcast(): i32 {
    const enabled = setInterrupts(0);
    let woken = 0;
    while (this.waiters.head !== null) {
      wake(this.waiters.head!, 0);
      woken++;
    }
    setInterrupts(enabled);
    preemptionPoint();
    return woken;
  }
}

export class Semaphore {
  waiters: WaitQueue = new WaitQueue();

  constructor(public count: u32 = 0) {}

  /** Takes one unit, waiting for it until the deadline. */
  acquire(deadline: u64 = FOREVER): i32 {
    const enabled = setInterrupts(0);
    let result = 0;
    if (this.count > 0) this.count--;
    else result = blockOn(this.waiters, deadline); // a release hands the unit over
    setInterrupts(enabled);
    return result;
  }

  tryAcquire(): i32 {
    const enabled = setInterrupts(0);
    let result = -EAGAIN;
    if (this.count > 0) {
      this.count--;
      result = 0;
    }
    setInterrupts(enabled);
    return result;
  }

  /** Returns one unit: to the first waiter if there is one. */
  release(): void {
    const enabled = setInterrupts(0);
    const first = this.waiters.head;
    if (first !== null) wake(first, 0);
    else this.count++;
    setInterrupts(enabled);
    preemptionPoint();
  }
}
