// One interrupt handler for every virtio queue: it finds the devices that
// listen on the line that fired, acknowledges each one's transport once,
// and hands every chain the device returned on any of its queues to that
// queue's completion function. A device has one interrupt whatever its
// queue count (virtio-mmio: one line; virtio-pci: one MSI-X vector its
// queues share), so a second queue of the same transport joins the first
// one's line. A function reference and an owner pointer stand in for a
// closure.

import { setInterrupts } from "../../arch";
import { VirtioTransport, INTERRUPT_USED_BUFFER } from "./transport";
import { Virtqueue, NOTHING_USED } from "./queue";

/** Called in the interrupt handler for each chain the device used: its head and the bytes it wrote. */
export type Completion = (owner: usize, head: u32, written: u32) => void;

class QueueListener {
  constructor(public queue: Virtqueue, public owner: usize, public complete: Completion) {}
}

/** One device's interrupt: its line and the queues drained when it fires. */
class DeviceListener {
  queues: QueueListener[] = [];
  constructor(public transport: VirtioTransport, public line: i32) {}
}

let listeners: DeviceListener[] | null = null;

/**
 * Routes `transport`'s interrupt here (the first time; a further queue of
 * the same device shares it); completions of `queue` go to
 * `complete(owner, ...)`. Returns the line, or -errno.
 */
export function listen(transport: VirtioTransport, queue: Virtqueue, owner: usize, complete: Completion): i32 {
  if (listeners === null) listeners = [];
  let device = listenerOf(transport);
  if (device === null) {
    const line = transport.attachInterrupt(onVirtioInterrupt);
    if (line < 0) return line;
    device = new DeviceListener(transport, line);
    const enabled = setInterrupts(0);
    listeners!.push(device);
    setInterrupts(enabled);
  }
  const queueListener = new QueueListener(queue, owner, complete);
  const enabled = setInterrupts(0);
  device.queues.push(queueListener);
  setInterrupts(enabled);
  return device.line;
}

function listenerOf(transport: VirtioTransport): DeviceListener | null {
  const all = listeners!;
  for (let i = 0; i < all.length; i++) if (all[i].transport === transport) return all[i];
  return null;
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
    const device = all[i];
    if (device.line != <i32>line) continue;
    const status = device.transport.takeInterruptStatus();
    if ((status & INTERRUPT_USED_BUFFER) == 0 && status != 0) continue;
    for (let q = 0; q < device.queues.length; q++) {
      const queue = device.queues[q];
      drainQueue(queue.queue, queue.owner, queue.complete);
    }
  }
}
