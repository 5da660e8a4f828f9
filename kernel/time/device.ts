// The one-shot timer hardware, one per architecture, behind one seam.
//
// x86_64: the local APIC timer (TSC-deadline mode when the CPU has it, else
// one-shot counting calibrated against the TSC), in kernel/irq/x86.
// aarch64: the EL1 virtual generic timer, compared against the same counter
// timestamp() reads (kernel/time/generic-timer.ts).
// Deadlines are in counter ticks, the unit of timestamp(). The device raises
// one interrupt per armed deadline and calls the handler given to
// initTimerDevice; arming again replaces the previous deadline.

import { ARCH_X86_64 } from "../boot/handoff";
import { InterruptHandler } from "../irq/index";
import * as x86 from "../irq/x86/index";
import * as generic from "./generic-timer";

let onX86 = true;

/** Connects the timer's interrupt to `handler`; returns "" or what went wrong. */
export function initTimerDevice(arch: u32, handler: InterruptHandler): string {
  onX86 = arch == ARCH_X86_64;
  return onX86 ? x86.initLocalTimer(handler) : generic.initGenericTimer(handler);
}

/** Raises the timer interrupt once the counter reaches `deadline` (at once if it has). */
export function armTimer(deadline: u64): void {
  if (onX86) x86.armLocalTimer(deadline);
  else generic.armGenericTimer(deadline);
}

export function disarmTimer(): void {
  if (onX86) x86.disarmLocalTimer();
  else generic.disarmGenericTimer();
}
