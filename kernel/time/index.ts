// Time: the monotonic clock and one-shot timers. The front door.
//
//   now()              nanoseconds since the counter started (machine reset);
//                      never goes backwards.
//   startTimer(t, ns)  arms `t` to run its callback at deadline `ns`, from
//                      thread or interrupt context; re-arming moves it.
//   cancelTimer(t)     disarms it; true if it was pending.
//   wallClock()        nanoseconds since the Unix epoch (kernel/time/wallclock.ts).
//
// The clock is the arch counter (x86_64 TSC, aarch64 CNTVCT) scaled by its
// frequency, which kernel/clock finds when first needed: a kernel that never
// asks the time pays nothing at boot. Pending timers wait in one TimerQueue
// (per CPU later); the hardware timer (kernel/time/device.ts) is armed for
// the earliest only, so an idle CPU sleeps until exactly then (tickless).
// The architecture's entry point (kernel/init) chooses the timer hardware
// (useTimerDevice) and the real-time clock (useRealTimeClock).
// Callbacks run in the timer interrupt with interrupts disabled and must be
// short: they wake threads. A deadline is converted to counter ticks rounding
// up, so no timer ever fires before its deadline.

import { timestamp, setInterrupts } from "../../arch";
import { counterHz } from "../clock/index";
import { ticksToNanoseconds } from "../format";
import { panic } from "../panic";
import { failureDetail } from "../failure";
import { Timer, TimerQueue, before } from "./timer-queue";
import { TimerDevice } from "./device";
import { initWallClock, wallClockAt } from "./wallclock";
import { BootInfo } from "../boot/bootinfo";

export { Timer } from "./timer-queue";
export { TimerDevice } from "./device";
export { WALL_CLOCK_UNKNOWN, RealTimeClock, useRealTimeClock } from "./wallclock";

const NANOSECONDS_PER_SECOND: u64 = 1_000_000_000;
/** No hardware deadline armed. */
const DISARMED: u64 = 0;

let device: TimerDevice = changetype<TimerDevice>(0);
let hz: u64 = 0;
let deviceReady = false;
let lastExpiry: u64 = 0;
let armedTicks: u64 = DISARMED;
let expiries: u64 = 0;
let queue: TimerQueue = changetype<TimerQueue>(0);

/** The architecture's one-shot timer; its entry point (kernel/init) calls this once, at boot. */
export function useTimerDevice(timer: TimerDevice): void {
  device = timer;
}

/** Remembers the machine; nothing is measured, read or programmed until first needed. */
export function initTime(info: BootInfo): void {
  queue = new TimerQueue();
  initWallClock(info);
}

/** Nanoseconds since the Unix epoch, or WALL_CLOCK_UNKNOWN on a machine without a real-time clock. */
export function wallClock(): i64 {
  return wallClockAt(now());
}

/** The counter's frequency in Hz, found on first use. */
export function clockHz(): u64 {
  if (hz == 0) {
    hz = counterHz();
    if (hz == 0) panic("time: the counter frequency cannot be found on this machine");
  }
  return hz;
}

/** True once the counter frequency is known (asking for it first may take a 0.5 ms measurement). */
export function clockKnown(): bool {
  return hz != 0;
}

/** Monotonic nanoseconds. */
export function now(): u64 {
  return ticksToNanoseconds(timestamp(), clockHz());
}

/** The first counter value at or after `ns` nanoseconds (rounded up). */
export function nanosecondsToTicks(ns: u64): u64 {
  const rate = clockHz();
  const whole = (ns / NANOSECONDS_PER_SECOND) * rate;
  const part = (ns % NANOSECONDS_PER_SECOND) * rate;
  return whole + part / NANOSECONDS_PER_SECOND + (part % NANOSECONDS_PER_SECOND != 0 ? 1 : 0);
}

/** Arms `timer` for the absolute deadline `deadline` (nanoseconds); replaces an earlier arming. */
export function startTimer(timer: Timer, deadline: u64): void {
  const enabled = setInterrupts(0);
  if (!deviceReady) connectDevice();
  queue.add(timer, deadline);
  if (queue.earliest() === timer) program();
  setInterrupts(enabled);
}

/** Disarms `timer`; true if it was pending (its callback will not run). */
export function cancelTimer(timer: Timer): bool {
  const enabled = setInterrupts(0);
  const wasPending = queue.cancel(timer);
  setInterrupts(enabled);
  return wasPending;
}

/** Timers waiting to expire. */
export function pendingTimers(): i32 {
  return changetype<usize>(queue) == 0 ? 0 : queue.length;
}

/** Timers expired since boot. */
export function expiredTimers(): u64 {
  return expiries;
}

function connectDevice(): void {
  clockHz();
  if (changetype<usize>(device) == 0) panic("time: this kernel has no timer device");
  const result = device.start(onTimerInterrupt);
  if (result < 0) panic("time: " + failureDetail(result));
  deviceReady = true;
}

/** The timer interrupt: run every callback whose deadline has come, in order, then re-arm. */
function onTimerInterrupt(line: u32): void {
  armedTicks = DISARMED;
  let current = now();
  if (before(current, lastExpiry)) current = lastExpiry;
  lastExpiry = current;
  let timer = queue.popExpired(current);
  while (timer !== null) {
    expiries++;
    const callback = timer.callback;
    if (callback !== null) callback(timer);
    timer = queue.popExpired(current);
  }
  program();
}

/** Points the hardware at the earliest pending deadline (or disarms it). */
function program(): void {
  const first = queue.earliest();
  if (first === null) {
    if (armedTicks != DISARMED) device.disarm();
    armedTicks = DISARMED;
    return;
  }
  const ticks = nanosecondsToTicks(first.deadline);
  if (ticks == armedTicks) return;
  armedTicks = ticks;
  device.arm(ticks);
}
