// The timer queue: pending timers ordered by deadline, earliest first.
//
// A binary min-heap of Timer objects; each timer remembers its slot, so
// cancelling or moving one is O(log n) and needs no search. Ties break by
// arming order (a sequence number), so timers with equal deadlines expire in
// the order they were set. Deadlines are compared by signed difference, so
// the order holds across a wrap of the u64 clock as long as pending
// deadlines lie within 2^63 of each other.
//
// Expiry is monotonic: popExpired(now) hands out timers in queue order and
// never one whose deadline is after `now`; the caller (kernel/time) never
// passes a `now` smaller than the last one, even when timers are armed from
// interrupt context in between (OSv issue 382).

export class Timer {
  /** When the timer expires, in the queue's clock units (kernel/time uses nanoseconds). */
  deadline: u64 = 0;
  /** Arming order, for equal deadlines. */
  sequence: u64 = 0;
  /** The heap slot while pending, -1 otherwise. */
  slot: i32 = -1;
  /** Called at expiry (kernel/time), with interrupts disabled. */
  callback: ((timer: Timer) => void) | null = null;
  /** The callback's context: what the timer is for (a thread, a queue...). */
  owner: usize = 0;

  get pending(): bool {
    return this.slot >= 0;
  }
}

/** True if deadline a comes before b (wrap-safe). */
@inline export function before(a: u64, b: u64): bool {
  return <i64>(a - b) < 0;
}

function earlier(a: Timer, b: Timer): bool {
  if (a.deadline != b.deadline) return before(a.deadline, b.deadline);
  return a.sequence < b.sequence;
}

const INITIAL_CAPACITY: i32 = 16;

export class TimerQueue {
  private heap: StaticArray<Timer | null> = new StaticArray<Timer | null>(INITIAL_CAPACITY);
  private count: i32 = 0;
  private nextSequence: u64 = 0;

  get length(): i32 {
    return this.count;
  }

  /** Arms `timer` for `deadline`, moving it if it was already pending. */
  add(timer: Timer, deadline: u64): void {
    if (timer.pending) this.cancel(timer);
    timer.deadline = deadline;
    timer.sequence = this.nextSequence++;
    if (this.count == this.heap.length) this.grow();
    timer.slot = this.count;
    this.heap[this.count++] = timer;
    this.siftUp(timer.slot);
  }

  /** Takes `timer` out of the queue; false if it was not pending. */
  cancel(timer: Timer): bool {
    const slot = timer.slot;
    if (slot < 0 || slot >= this.count || this.heap[slot] !== timer) return false;
    const last = this.heap[--this.count]!;
    this.heap[this.count] = null;
    timer.slot = -1;
    if (last !== timer) {
      this.place(last, slot);
      this.siftUp(slot);
      this.siftDown(last.slot);
    }
    return true;
  }

  /** The pending timer that expires first, or null. */
  earliest(): Timer | null {
    return this.count == 0 ? null : this.heap[0];
  }

  /** Removes and returns the earliest timer if its deadline is not after `now`, else null. */
  popExpired(now: u64): Timer | null {
    if (this.count == 0) return null;
    const first = this.heap[0]!;
    if (before(now, first.deadline)) return null;
    this.cancel(first);
    return first;
  }

  private grow(): void {
    const old = this.heap;
    const bigger = new StaticArray<Timer | null>(old.length * 2);
    for (let i = 0; i < this.count; i++) bigger[i] = old[i];
    this.heap = bigger;
    heap.free(changetype<usize>(old));
  }

  private place(timer: Timer, slot: i32): void {
    this.heap[slot] = timer;
    timer.slot = slot;
  }

  private siftUp(slot: i32): void {
    const timer = this.heap[slot]!;
    while (slot > 0) {
      const parentSlot = (slot - 1) >> 1;
      const parent = this.heap[parentSlot]!;
      if (!earlier(timer, parent)) break;
      this.place(parent, slot);
      slot = parentSlot;
    }
    this.place(timer, slot);
  }

  private siftDown(slot: i32): void {
    const timer = this.heap[slot]!;
    while (true) {
      const left = slot * 2 + 1;
      if (left >= this.count) break;
      let child = left;
      const right = left + 1;
      if (right < this.count && earlier(this.heap[right]!, this.heap[left]!)) child = right;
      if (!earlier(this.heap[child]!, timer)) break;
      this.place(this.heap[child]!, slot);
      slot = child;
    }
    this.place(timer, slot);
  }
}
