// Wait queues: threads blocked until something happens, first in first out.
//
// The scheduler's own blocking primitive; sleep, join, mutexes, condition
// variables and semaphores are all built on it. Queues are changed with
// interrupts disabled (one CPU: that is the lock), so an interrupt handler
// may wake threads too. A wait may carry a deadline: the thread's timer
// takes it off the queue and wakes it with -ETIMEDOUT.

import { Thread } from "./thread";

export class WaitQueue {
  head: Thread | null = null;
  tail: Thread | null = null;

  get empty(): bool {
    return this.head === null;
  }

  append(thread: Thread): void {
    thread.waitingOn = this;
    thread.waitNext = null;
    thread.waitPrev = this.tail;
    if (this.tail !== null) this.tail!.waitNext = thread;
    else this.head = thread;
    this.tail = thread;
  }

  /** Takes `thread` off this queue; false if it was not on it. */
  remove(thread: Thread): bool {
    if (thread.waitingOn !== this) return false;
    if (thread.waitPrev !== null) thread.waitPrev!.waitNext = thread.waitNext;
    else this.head = thread.waitNext;
    if (thread.waitNext !== null) thread.waitNext!.waitPrev = thread.waitPrev;
    else this.tail = thread.waitPrev;
    thread.waitingOn = null;
    thread.waitNext = null;
    thread.waitPrev = null;
    return true;
  }

  /** Takes the first waiter off, or returns null. */
  shift(): Thread | null {
    const first = this.head;
    if (first !== null) this.remove(first);
    return first;
  }
}
