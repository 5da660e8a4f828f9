// What an interrupt controller gives the dispatcher (kernel/irq/index.ts).
//
// One controller per architecture: x86_64's LAPIC and IOAPIC (kernel/irq/x86)
// or aarch64's GIC (kernel/irq/gic). The architecture's entry point
// (kernel/init) hands its controller to useInterruptController; nothing else
// names one. A source is the platform's own number (an IOAPIC input, GSI, on
// x86_64; a GIC INTID on aarch64); a line is what handlers are keyed by (an
// x86 vector; the INTID). Methods with a body are what a controller without
// the feature answers.

import { BootInfo } from "../boot/bootinfo";
import { EINVAL } from "../errno";

/** A handler receives the line it was attached to. */
export type InterruptHandler = (line: u32) => void;

/** What a controller's acknowledge returns when nothing is pending (a spurious interrupt). */
export const SPURIOUS: u32 = 0xffff_ffff;

/** Triggers for setInterruptTrigger. */
export const TRIGGER_EDGE_HIGH: u32 = 1;
export const TRIGGER_LEVEL_HIGH: u32 = 2;
export const TRIGGER_LEVEL_LOW: u32 = 3;

/** Where and what a device writes to raise a message-signalled interrupt (MSI-X); `line` is its handler's key. */
export class MessageInterrupt {
  constructor(public line: u32, public address: u64, public data: u32) {}
}

export abstract class InterruptController {
  /** Sets the controller up with every source masked; 0, or -errno with the reason (kernel/failure.ts). */
  abstract start(info: BootInfo): i32;
  /** The line `source` raises, or -1 if the controller has no such source. */
  abstract lineOf(source: u32): i32;
  /** Routes `source` to this CPU and unmasks it; 0 or -EINVAL. */
  abstract unmask(source: u32): i32;
  abstract mask(source: u32): void;
  /** Takes the pending interrupt the arch stub entered with (`vector`): its line, or SPURIOUS. */
  abstract acknowledge(vector: u32): u32;
  abstract endOfInterrupt(line: u32): void;
  /** Makes `source` use `trigger` (TRIGGER_*) from its next unmask on; 0 or -EINVAL. Level-high only by default. */
  setTrigger(source: u32, trigger: u32): i32 {
    return trigger == TRIGGER_LEVEL_HIGH ? 0 : -EINVAL;
  }
  /** A message-signalled interrupt aimed at this CPU, or null when the controller has none (left). */
  allocateMessage(): MessageInterrupt | null {
    return null;
  }
}
