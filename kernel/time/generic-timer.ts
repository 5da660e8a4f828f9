// aarch64 one-shot timer: the EL1 virtual timer of the generic timer.
//
// It compares CNTVCT_EL0 (what timestamp() reads) against CNTV_CVAL_EL0 and
// raises its PPI (INTID 27 on QEMU virt; the device tree's `timer` node says)
// while the counter is at or past the deadline and the timer is enabled.
// The interrupt is level-triggered: it stays asserted until the timer is
// disarmed or moved into the future, so the interrupt path disarms it before
// calling the handler (the time layer re-arms for the next deadline). A
// deadline already past fires at once.

import { ENODEV } from "../errno";
import { fail } from "../failure";
import { setTimerDeadline } from "../../arch";
import { InterruptHandler, attachInterrupt } from "../irq/index";
import { virtualTimerInterrupt } from "../irq/gic/index";
import { TimerDevice } from "./device";

let handler: InterruptHandler | null = null;
let attached = false;

/**
 * Routes the virtual timer's PPI to `timerHandler` (replacing the handler of
 * an earlier call); returns 0 or -errno with the reason (kernel/failure.ts).
 */
export function initGenericTimer(timerHandler: InterruptHandler): i32 {
  handler = timerHandler;
  if (attached) return 0;
  setTimerDeadline(0);
  const line = attachInterrupt(virtualTimerInterrupt(), onVirtualTimer);
  if (line < 0) return fail(ENODEV, "the generic timer's interrupt cannot be attached");
  attached = true;
  return 0;
}

/** The handler the timer calls now, so a self-test can borrow the timer and give it back. */
export function genericTimerHandler(): InterruptHandler | null {
  return handler;
}

/** Raises the timer interrupt once CNTVCT reaches `deadline` (counter ticks; at once if it has). */
export function armGenericTimer(deadline: u64): void {
  setTimerDeadline(deadline == 0 ? 1 : deadline); // 0 means "disarm" to the arch layer
}

export function disarmGenericTimer(): void {
  setTimerDeadline(0);
}

function onVirtualTimer(line: u32): void {
  setTimerDeadline(0);
  const current = handler;
  if (current !== null) current(line);
}

/** The generic timer as kernel/time sees it. */
export class GenericTimer extends TimerDevice {
  start(handler: InterruptHandler): i32 {
    return initGenericTimer(handler);
  }
  arm(deadline: u64): void {
    armGenericTimer(deadline);
  }
  disarm(): void {
    disarmGenericTimer();
  }
}
