// One interrupt handler for every virtio queue: it finds the queues that
// listen on the line that fired, acknowledges their transport, and hands
// each chain the device returned to its driver's completion function.
// A function reference and an owner pointer stand in for a closure.

import { setInterrupts } from "../../arch";
import { VirtioTransport, INTERRUPT_USED_BUFFER } from "./transport";
import { Virtqueue, NOTHING_USED } from "./queue";

/** Called in the interrupt handler for each chain the device used: its head and the bytes it wrote. */
export type Completion = (owner: usize, head: u32, written: u32) => void;

class Listener {
  line: i32 = -1;
  constructor(public transport: VirtioTransport, public queue: Virtqueue, public owner: usize, public complete: Completion) {}
}

let listeners: Listener[] | null = null;

/**
 * Routes `transport`'s interrupt here; completions of `queue` go to
 * `complete(owner, ...)`. Returns the line, or -errno.
 */
export function listen(transport: VirtioTransport, queue: Virtqueue, owner: usize, complete: Completion): i32 {
  if (listeners === null) listeners = [];
  const line = transport.attachInterrupt(onVirtioInterrupt);
  if (line < 0) return line;
  const listener = new Listener(transport, queue, owner, complete);
  listener.line = line;
  const enabled = setInterrupts(0);
  listeners!.push(listener);
  setInterrupts(enabled);
  return line;
}

/** Handles the used chains of `queue` now (interrupts disabled); also how a waiter polls. */
export function drainQueue(queue: Virtqueue, owner: usize, complete: Completion): void {
  while (true) {
    const used = queue.takeUsed();
    if (used == NOTHING_USED) return;
    complete(owner, <u32>(used & 0xffff_ffff), <u32>(<u64>used >> 32));
  }
}

function onVirtioInterrupt(line: u32): void {
  const all = listeners;
  if (all === null) return;
  for (let i = 0; i < all.length; i++) {
    const listener = all[i];
    if (listener.line != <i32>line) continue;
    const status = listener.transport.takeInterruptStatus();
    if ((status & INTERRUPT_USED_BUFFER) != 0 || status == 0) drainQueue(listener.queue, listener.owner, listener.complete);
  }
}
