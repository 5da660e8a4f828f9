// Interrupts: the front door.
//
// initInterrupts(info) notes what the firmware said; the interrupt controller
// the architecture's entry point chose with useInterruptController (x86_64:
// LAPIC or x2APIC and IOAPIC, legacy PIC masked, in kernel/irq/x86; aarch64:
// the GIC, in kernel/irq/gic; see controller.ts) is set up, with every source masked,
// the first time anything needs interrupts: a handler attached, a timer
// armed, a second thread. Until then interrupts stay disabled and a kernel
// that never needs them pays nothing at boot. A driver calls
// attachInterrupt(source, handler): the source is the platform's own number
// (an IOAPIC input, GSI, on x86_64; a GIC INTID on aarch64), and the handler
// runs with interrupts disabled each time it fires. setInterruptTrigger
// overrides a source's trigger before attaching it (x86_64: microvm's
// virtio-mmio lines); attachMessageInterrupt hands out a vector for a
// message-signalled interrupt (x86_64 MSI-X) with its handler.
//
// The arch entry stub saves the interrupted state and calls handleInterrupt,
// which asks the controller which line fired, runs its handler, ends the
// interrupt, and then runs the hook the scheduler registered
// (useInterruptHooks), which switches threads if the handler woke one that
// should run now. Handlers do little: they note what
// happened and wake threads. A spurious interrupt or one without a handler
// is counted, never fatal.

import { BootInfo } from "../boot/bootinfo";
import { EINVAL, EBUSY } from "../errno";
import { panic } from "../panic";
import { failureDetail } from "../failure";
import { InterruptController, InterruptHandler, MessageInterrupt, SPURIOUS } from "./controller";
import { lineEntry, lineTableBytes } from "./lines";

export {
  InterruptController, InterruptHandler, MessageInterrupt, SPURIOUS, TRIGGER_EDGE_HIGH, TRIGGER_LEVEL_HIGH, TRIGGER_LEVEL_LOW,
} from "./controller";

/** Lines the dispatcher can hold: x86 vectors (256) or GIC INTIDs below 1020. */
export const MAX_LINES: u32 = 1024;

/** What runs around every interrupt's handler: the scheduler's bookkeeping (kernel/sched). */
export type InterruptHook = () => void;

function nothing(): void {}

let controller: InterruptController = changetype<InterruptController>(0);
let before: InterruptHook = nothing;
let after: InterruptHook = nothing;
let ready = false;
let firmware: BootInfo = changetype<BootInfo>(0);
// Per line, made with the controller (lines.ts): a handler and the interrupts taken.
let table: usize = 0;
let spurious: u32 = 0;
let unexpected: u32 = 0;
let total: u64 = 0;
let attached: u32 = 0;

/** The architecture's controller; its entry point (kernel/init) calls this once, before boot uses interrupts. */
export function useInterruptController(chosen: InterruptController): void {
  controller = chosen;
}

/** Hooks run before and after every interrupt's handler (the scheduler registers its own). */
export function useInterruptHooks(beforeHandler: InterruptHook, afterHandler: InterruptHook): void {
  before = beforeHandler;
  after = afterHandler;
}

/** Notes the firmware's description of the machine; touches no hardware. */
export function initInterrupts(info: BootInfo): void {
  firmware = info;
}

/** Sets the interrupt controller up if it is not yet; panics if it cannot be. */
export function interruptsReady(): bool {
  if (ready) return true;
  table = heap.alloc(lineTableBytes(MAX_LINES));
  memory.fill(table, 0, lineTableBytes(MAX_LINES));
  if (changetype<usize>(controller) == 0) panic("interrupts: this kernel has no interrupt controller");
  const result = controller.start(firmware);
  if (result < 0) panic("interrupts: " + failureDetail(result));
  ready = true;
  return true;
}

/**
 * Routes `source` to this CPU, installs `handler` for it and unmasks it.
 * Returns the line handlers are keyed by (>= 0), -EINVAL for a source the
 * controller lacks, or -EBUSY if the line already has a handler.
 */
export function attachInterrupt(source: u32, handler: InterruptHandler): i32 {
  interruptsReady();
  const line = controller.lineOf(source);
  if (line < 0 || <u32>line >= MAX_LINES) return -EINVAL;
  if (handlerAt(<u32>line) != 0) return -EBUSY;
  setHandler(<u32>line, changetype<usize>(handler));
  const error = controller.unmask(source);
  if (error < 0) {
    setHandler(<u32>line, 0);
    return error;
  }
  attached++;
  return line;
}

/**
 * Makes `source` use `trigger` (TRIGGER_*) instead of the platform's
 * convention from its next attach on. x86_64 only (IOAPIC inputs); on
 * aarch64 every SPI is level-sensitive and this returns -EINVAL for
 * anything else. 0 or -EINVAL.
 */
export function setInterruptTrigger(source: u32, trigger: u32): i32 {
  interruptsReady();
  return controller.setTrigger(source, trigger);
}

/**
 * Allocates a message-signalled interrupt aimed at this CPU and installs
 * `handler` for it: the device writes `data` to `address` (both in the
 * result) to raise it, and the handler receives `line`. x86_64 only (null on
 * aarch64: no GICv2m yet); null when the vectors run out.
 */
export function attachMessageInterrupt(handler: InterruptHandler): MessageInterrupt | null {
  interruptsReady();
  const message = controller.allocateMessage();
  if (message === null) return null;
  setHandler(message.line, changetype<usize>(handler));
  attached++;
  return message;
}

/** Masks `source` and removes its handler. */
export function detachInterrupt(source: u32): void {
  if (!ready) return;
  const line = controller.lineOf(source);
  if (line < 0 || <u32>line >= MAX_LINES) return;
  controller.mask(source);
  if (handlerAt(<u32>line) != 0) attached--;
  setHandler(<u32>line, 0);
}

/** Installs a handler for a line the controller itself owns (the local timer); no routing. */
export function attachLocalInterrupt(line: u32, handler: InterruptHandler): void {
  interruptsReady();
  setHandler(line, changetype<usize>(handler));
}

function handlerAt(line: u32): usize {
  return <usize>lineEntry(table, line).handler;
}

function setHandler(line: u32, handler: usize): void {
  lineEntry(table, line).handler = <u32>handler;
}

/** The arch stub's entry: `vector` is the x86 vector, or SPURIOUS where the controller says. */
export function handleInterrupt(vector: u32): void {
  total++;
  if (!ready) {
    unexpected++;                     // cannot happen: interrupts stay off until the controller is up
    return;
  }
  before();
  const line = controller.acknowledge(vector);
  if (line == SPURIOUS) {
    spurious++;
    after();
    return;
  }
  if (line < MAX_LINES) {
    lineEntry(table, line).taken++;
    const handler = handlerAt(line);
    if (handler != 0) changetype<InterruptHandler>(handler)(line);
    else unexpected++;
  } else {
    unexpected++;
  }
  controller.endOfInterrupt(line);
  after();
}

/** Device sources with a handler: something outside the CPU that may still wake a thread. */
export function attachedSources(): u32 {
  return attached;
}

export function spuriousInterrupts(): u32 {
  return spurious;
}

export function unexpectedInterrupts(): u32 {
  return unexpected;
}

export function interruptsTaken(): u64 {
  return total;
}

export function interruptsOnLine(line: u32): u32 {
  return ready && line < MAX_LINES ? lineEntry(table, line).taken : 0;
}
