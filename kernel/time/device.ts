// The one-shot timer hardware behind one seam.
//
// x86_64: the local APIC timer (TSC-deadline mode when the CPU has it, else
// one-shot counting calibrated against the TSC), in kernel/irq/x86.
// aarch64: the EL1 virtual generic timer, compared against the same counter
// timestamp() reads (kernel/time/generic-timer.ts). The architecture's entry
// point (kernel/init) hands its timer to useTimerDevice.
// Deadlines are in counter ticks, the unit of timestamp(). The device raises
// one interrupt per armed deadline and calls the handler given to start;
// arming again replaces the previous deadline.

import { InterruptHandler } from "../irq/controller";

export abstract class TimerDevice {
  /** Connects the timer's interrupt to `handler`; 0, or -errno with the reason (kernel/failure.ts). */
  abstract start(handler: InterruptHandler): i32;
  /** Raises the timer interrupt once the counter reaches `deadline` (at once if it has). */
  abstract arm(deadline: u64): void;
  abstract disarm(): void;
}
