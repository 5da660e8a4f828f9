// The local APIC timer as a one-shot deadline timer in TSC ticks.
//
// Deadlines are absolute TSC values (the unit of arch timestamp()). Two modes:
//
// - TSC-deadline (CPUID.1:ECX bit 24): the timer entry is put in that mode
//   once, and arming writes the deadline to IA32_TSC_DEADLINE (MSR 0x6e0);
//   the hardware compares against the TSC itself, writing 0 disarms.
// - One-shot counting otherwise (QEMU TCG): arming converts the time left to
//   APIC timer counts (divide by 1) and writes the initial count. The
//   TSC-to-count ratio is measured once, on the first initLocalTimer, over
//   CALIBRATION_COUNTS timer counts (about 33 µs on QEMU, whose APIC timer
//   counts at 1 GHz): nothing waits at boot, and under -icount both clocks
//   run on instruction counts, so the ratio is the same every run.
//
// The handler never runs early: the interrupt entry compares the TSC with
// the deadline and, if the counter fired short (ratio rounding, or a
// distance longer than the 32-bit counter holds), programs the rest and
// returns. A deadline already past fires at once. Arming replaces the
// previous deadline; an interrupt raised for a replaced or disarmed
// deadline is dropped. One interrupt per arming.

import { ENODEV } from "../../errno";
import { fail } from "../../failure";
import { readMsr, writeMsr, setInterrupts, timestamp } from "../../../arch";
import { InterruptHandler } from "../controller";
import { attachLocalInterrupt } from "../index";
import * as lapic from "./lapic";
import { TIMER_VECTOR } from "./vectors";

const MSR_TSC_DEADLINE: u32 = 0x6e0;
const LVT_TIMER_ONE_SHOT: u32 = 0 << 17;
const LVT_TIMER_TSC_DEADLINE: u32 = 2 << 17;
const DIVIDE_BY_1: u32 = 0b1011;
const MAX_COUNT: u64 = 0xffff_ffff;
/** Timer counts the calibration measures over. */
const CALIBRATION_COUNTS: u32 = 1 << 15;
/** Give up if the timer does not count: a bounded number of reads. */
const MAX_CALIBRATION_READS: i32 = 1_000_000;

let tscDeadlineMode = false;
let calibrated = false;
/** APIC timer counts per TSC tick, 32.32 fixed point (one-shot mode). */
let countsPerTick: u64 = 0;
/** The longest distance, in ticks, whose count fits the 32-bit counter. */
let maxTicks: u64 = 0;
let armed = false;
let armedDeadline: u64 = 0;
let handler: InterruptHandler = ignoreTimer;

function ignoreTimer(line: u32): void {}

/** Measures the TSC against the APIC timer (masked, one-shot); returns 0 or -errno with the reason (kernel/failure.ts). */
function calibrate(): i32 {
  lapic.writeRegister(lapic.REG_LVT_TIMER, lapic.LVT_MASKED | LVT_TIMER_ONE_SHOT | TIMER_VECTOR);
  lapic.writeRegister(lapic.REG_TIMER_DIVIDE, DIVIDE_BY_1);
  lapic.writeRegister(lapic.REG_TIMER_INITIAL, <u32>MAX_COUNT);
  const startCount = lapic.readRegister(lapic.REG_TIMER_CURRENT);
  const startTick = timestamp();
  let counted: u32 = 0;
  let endTick = startTick;
  for (let reads = 0; counted < CALIBRATION_COUNTS; reads++) {
    if (reads == MAX_CALIBRATION_READS) return fail(ENODEV, "the local APIC timer does not count");
    counted = startCount - lapic.readRegister(lapic.REG_TIMER_CURRENT);
    endTick = timestamp();
  }
  lapic.writeRegister(lapic.REG_TIMER_INITIAL, 0);
  const ticks = endTick - startTick;
  if (ticks == 0) return fail(ENODEV, "the TSC does not count");
  countsPerTick = (<u64>counted << 32) / ticks;
  if (countsPerTick == 0) return fail(ENODEV, "the local APIC timer is too slow for the TSC");
  maxTicks = ((MAX_COUNT - 1) << 32) / countsPerTick;
  return 0;
}

/** Sets up the timer once (mode, calibration) and makes `timerHandler` its handler; returns 0 or -errno with the reason (kernel/failure.ts). */
export function initLocalTimer(timerHandler: InterruptHandler, hasTscDeadline: bool): i32 {
  if (!lapic.localApicEnabled()) return fail(ENODEV, "the local APIC is not enabled");
  if (!calibrated) {
    tscDeadlineMode = hasTscDeadline;
    if (!tscDeadlineMode) {
      const error = calibrate();
      if (error < 0) return error;
    }
    calibrated = true;
  }
  handler = timerHandler;
  disarm();
  lapic.writeRegister(lapic.REG_LVT_TIMER, (tscDeadlineMode ? LVT_TIMER_TSC_DEADLINE : LVT_TIMER_ONE_SHOT) | TIMER_VECTOR);
  attachLocalInterrupt(TIMER_VECTOR, onTimerInterrupt);
  return 0;
}

/** Programs the hardware for `deadline`; the caller has interrupts disabled. */
function program(deadline: u64): void {
  if (tscDeadlineMode) {
    writeMsr(MSR_TSC_DEADLINE, deadline == 0 ? 1 : deadline);   // 0 would disarm; 1 is as past
    return;
  }
  const now = timestamp();
  let count: u64 = 1;                                           // past: the smallest count fires at once
  if (deadline > now) {
    const ticks = deadline - now;
    count = ticks > maxTicks ? MAX_COUNT : ((ticks * countsPerTick) >> 32) + 1;
  }
  lapic.writeRegister(lapic.REG_TIMER_INITIAL, <u32>count);
}

function disarm(): void {
  armed = false;
  if (tscDeadlineMode) writeMsr(MSR_TSC_DEADLINE, 0);
  else lapic.writeRegister(lapic.REG_TIMER_INITIAL, 0);
}

export function armLocalTimer(deadline: u64): void {
  const wasEnabled = setInterrupts(0);
  armed = true;
  armedDeadline = deadline;
  program(deadline);
  if (wasEnabled) setInterrupts(1);
}

export function disarmLocalTimer(): void {
  const wasEnabled = setInterrupts(0);
  disarm();
  if (wasEnabled) setInterrupts(1);
}

function onTimerInterrupt(line: u32): void {
  if (!armed) return;                          // raised for a deadline since disarmed
  if (timestamp() < armedDeadline) {           // counted short: wait out the rest
    program(armedDeadline);
    return;
  }
  armed = false;
  handler(line);
}

export function usesTscDeadline(): bool {
  return tscDeadlineMode;
}

export function localTimerHandler(): InterruptHandler {
  return handler;
}

/** The deadline armed now, or 0 if the timer is not armed. */
export function localTimerDeadline(): u64 {
  return armed ? max<u64>(armedDeadline, 1) : 0;
}

/** The measured ratio, APIC timer counts per TSC tick in 32.32 fixed point (0 in TSC-deadline mode). */
export function localTimerCountsPerTick(): u64 {
  return countsPerTick;
}
