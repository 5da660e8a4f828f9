// x86_64 interrupt controllers: the controller the x86_64 kernel hands
// kernel/irq (X86InterruptController), and the local APIC timer that
// kernel/time/local-apic-timer.ts hands kernel/time.
//
// start masks the legacy PIC (pic.ts), turns on this CPU's local
// APIC in x2APIC mode when the CPU has it, else xAPIC (lapic.ts), and masks
// every IOAPIC input (ioapic.ts). A source is a GSI, an IOAPIC input; its
// line is the IDT vector it is routed to, 0x30 + GSI (vectors.ts). The local
// APIC timer (local-timer.ts) raises vector 0x20. Message-signalled
// interrupts (message.ts) get vectors 0xc0-0xef. Interrupt entry and the IDT
// are in arch/x86_64/traps.S. See docs/interrupts.md.

import { fail } from "../../failure";
import { BootInfo } from "../../boot/bootinfo";
import { EINVAL, ENODEV } from "../../errno";
import { InterruptController, InterruptHandler, MessageInterrupt, SPURIOUS } from "../controller";
import { ApicFeatures, readApicFeatures } from "./cpu-features";
import { maskLegacyPic } from "./pic";
import * as lapic from "./lapic";
import * as ioapic from "./ioapic";
import * as timer from "./local-timer";
import { GSI_VECTOR_BASE, MAX_ROUTED_GSIS, SPURIOUS_VECTOR } from "./vectors";
import { allocateMessageVector } from "./message";

// Made in initController: nothing may allocate before the runtime is up.
let features: ApicFeatures = changetype<ApicFeatures>(0);

/** Sets up the controllers with every source masked; returns 0 or -errno with the reason (kernel/failure.ts). */
export function initController(info: BootInfo): i32 {
  maskLegacyPic();
  features = readApicFeatures();
  if (!features.hasApic) return fail(ENODEV, "the CPU has no local APIC");
  const error = lapic.enableLocalApic(features.hasX2apic);
  if (error < 0) return error;
  if (ioapic.initIoapic(GSI_VECTOR_BASE, MAX_ROUTED_GSIS) == 0) return fail(ENODEV, "no IOAPIC at 0xfec00000");
  return 0;
}

/** The vector GSI `source` is routed to, or -1 if the IOAPIC has no such input. */
export function lineOf(source: u32): i32 {
  return source < ioapic.ioapicInputs() ? <i32>(GSI_VECTOR_BASE + source) : -1;
}

/** Routes GSI `source` to this CPU and unmasks it; 0 or -EINVAL. */
export function unmask(source: u32): i32 {
  const line = lineOf(source);
  if (line < 0) return -EINVAL;
  const apicId = lapic.localApicId();
  if (apicId > 0xff) return -EINVAL;           // beyond an IOAPIC's 8-bit destination (needs interrupt remapping)
  ioapic.routeInput(source, <u32>line, apicId);
  return 0;
}

/** Sets GSI `source`'s trigger (ioapic.TRIGGER_*) for its next unmask; 0 or -EINVAL. */
export function setTrigger(source: u32, trigger: u32): i32 {
  return lineOf(source) >= 0 && ioapic.setTrigger(source, trigger) ? 0 : -EINVAL;
}

/** A free message vector aimed at this CPU (its line is the vector), or null. */
export function allocateMessage(): MessageInterrupt | null {
  return allocateMessageVector();
}

export function mask(source: u32): void {
  const line = lineOf(source);
  if (line >= 0) ioapic.maskInput(source, <u32>line);
}

/** The line for `vector` (the vector itself), or SPURIOUS for the APIC's spurious vector, which takes no EOI. */
export function acknowledge(vector: u32): u32 {
  return vector == SPURIOUS_VECTOR ? SPURIOUS : vector;
}

export function endOfInterrupt(line: u32): void {
  lapic.signalEndOfInterrupt();
}

/** Sets up the local APIC timer (TSC-deadline mode if the CPU has it) and gives its interrupt to `handler`. */
export function initLocalTimer(handler: InterruptHandler): i32 {
  return timer.initLocalTimer(handler, features.hasTscDeadline);
}

/** Raises the timer interrupt once the TSC reaches `deadline` (at once if it has). */
export function armLocalTimer(deadline: u64): void {
  timer.armLocalTimer(deadline);
}

export function disarmLocalTimer(): void {
  timer.disarmLocalTimer();
}

/** The LAPIC, IOAPIC and message vectors as kernel/irq sees them. */
export class X86InterruptController extends InterruptController {
  start(info: BootInfo): i32 {
    return initController(info);
  }
  lineOf(source: u32): i32 {
    return lineOf(source);
  }
  unmask(source: u32): i32 {
    return unmask(source);
  }
  mask(source: u32): void {
    mask(source);
  }
  acknowledge(vector: u32): u32 {
    return acknowledge(vector);
  }
  endOfInterrupt(line: u32): void {
    endOfInterrupt(line);
  }
  setTrigger(source: u32, trigger: u32): i32 {
    return setTrigger(source, trigger);
  }
  allocateMessage(): MessageInterrupt | null {
    return allocateMessage();
  }
}

// --- For reports and the self-test ---

export { localApicEnabled, usesX2apic, localApicId, sendSelfInterrupt } from "./lapic";
export { TRIGGER_CONVENTION, TRIGGER_EDGE_HIGH, TRIGGER_LEVEL_HIGH, TRIGGER_LEVEL_LOW, ioapicCount } from "./ioapic";
export { ioapicInputs, readEntry as ioapicEntry, ENTRY_MASKED as IOAPIC_ENTRY_MASKED } from "./ioapic";
export { usesTscDeadline, localTimerHandler, localTimerDeadline, localTimerCountsPerTick } from "./local-timer";
export { TIMER_VECTOR, GSI_VECTOR_BASE, FIRST_UNROUTED_VECTOR, SPURIOUS_VECTOR } from "./vectors";

/** One line for reports: "x2APIC|xAPIC, IOAPIC with N inputs". */
export function describeController(): string {
  return (lapic.usesX2apic() ? "x2APIC" : "xAPIC") + ", IOAPIC with " + ioapic.ioapicInputs().toString() + " inputs";
}
