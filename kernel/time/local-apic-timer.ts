// x86_64's one-shot timer as kernel/time sees it: the local APIC timer,
// which lives with the other APIC code in kernel/irq/x86 (TSC-deadline mode
// when the CPU has it, else one-shot counting calibrated against the TSC).

import { InterruptHandler } from "../irq/controller";
import { initLocalTimer, armLocalTimer, disarmLocalTimer } from "../irq/x86/index";
import { TimerDevice } from "./device";

export class LocalApicTimer extends TimerDevice {
  start(handler: InterruptHandler): i32 {
    return initLocalTimer(handler);
  }
  arm(deadline: u64): void {
    armLocalTimer(deadline);
  }
  disarm(): void {
    disarmLocalTimer();
  }
}
