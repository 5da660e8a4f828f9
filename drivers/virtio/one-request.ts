// One request in flight on a virtqueue, waited for with a deadline: what the
// virtio-rng and virtio-9p drivers share. The driver fills a chain (taken
// with interrupts disabled) and calls send; send publishes it, sleeps until
// the device returns it (woken by the queue's interrupt, and looking at the
// used ring itself every POLL_INTERVAL_NS in case an interrupt was lost),
// and gives the bytes the device wrote. A request not answered by its
// deadline resets the device, so that it can no longer write the buffers,
// and fails it for good: every later send is -EIO at once. A driver with
// several requests in flight on one queue (virtio-9p) gives each its own
// OneRequest and routes the queue's completions through `dispatch`, which
// hands each chain to the request it belongs to.

import { setInterrupts } from "../../arch";
import { EIO } from "../../kernel/errno";
import { Semaphore } from "../../kernel/sched/sync";
import { now } from "../../kernel/time/index";
import { VirtioTransport } from "./transport";
import { Virtqueue } from "./queue";
import { listen, drainQueue, Completion } from "./interrupts";

/** How often a waiter looks at the used ring itself. */
const POLL_INTERVAL_NS: u64 = 1_000_000_000;

export class OneRequest {
  done: Semaphore = new Semaphore(0);
  head: u32 = 0;
  inFlight: bool = false;
  finished: bool = false;
  written: u32 = 0;
  failed: bool = false;
  /** Where the queue's completions go: this request itself, unless a driver shares the queue among several. */
  dispatchOwner: usize;
  dispatch: Completion = onChainUsed;

  constructor(public transport: VirtioTransport, public queue: Virtqueue, public deadlineNs: u64) {
    this.dispatchOwner = changetype<usize>(this);
  }

  /** Routes the queue's interrupt to `dispatch`; the line (>= 0) or -errno. */
  listen(): i32 {
    return listen(this.transport, this.queue, this.dispatchOwner, this.dispatch);
  }

  /**
   * Publishes the chain at `head` (filled by the caller, with interrupts
   * `enabled` before it disabled them) and waits; the bytes the device
   * wrote, or -EIO when the device failed.
   */
  send(head: u32, enabled: u32): i64 {
    this.head = head;
    this.inFlight = true;
    this.finished = false;
    this.written = 0;
    if (this.queue.publish(head)) this.transport.notify(this.queue.index);
    setInterrupts(enabled);

    const deadline = now() + this.deadlineNs;
    while (!this.finished) {
      const step = now() + POLL_INTERVAL_NS;
      if (this.done.acquire(step < deadline ? step : deadline) == 0) break;
      const wasEnabled = setInterrupts(0);
      drainQueue(this.queue, this.dispatchOwner, this.dispatch);
      if (!this.finished && now() >= deadline) this.failForGood();
      setInterrupts(wasEnabled);
    }
    this.done.tryAcquire(); // a release that came after the wait gave up
    return this.failed ? -EIO : <i64>this.written;
  }

  /** The device stopped answering: reset it so it can no longer write the buffers (interrupts disabled). */
  failForGood(): void {
    if (this.failed) return;
    this.transport.reset();
    this.abandon();
  }

  /** Fails this request for good without touching the device (another request on its queue reset it). */
  abandon(): void {
    this.failed = true;
    const waiting = this.inFlight;
    this.inFlight = false;
    this.finished = true;
    if (waiting) this.done.release();
  }

  /** Called from the interrupt handler (or a polling waiter) for each chain the device returned. */
  completed(head: u32, written: u32): void {
    if (!this.inFlight || this.finished || head != this.head) return;
    this.queue.freeChain(head);
    this.inFlight = false;
    this.written = written;
    this.finished = true;
    this.done.release();
  }
}

function onChainUsed(owner: usize, head: u32, written: u32): void {
  changetype<OneRequest>(owner).completed(head, written);
}
