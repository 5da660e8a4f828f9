// The wall clock: nanoseconds since the Unix epoch.
//
// The machine's real-time clock (x86_64: the CMOS RTC; aarch64: the PL031
// the device tree names; the architecture's entry point chooses it with
// useRealTimeClock) is read once, when the wall clock is first asked
// for, and pinned to the monotonic clock; later readings add the monotonic
// clock's progress. So the wall clock costs nothing at boot, never jumps
// while the kernel runs, and moves at the monotonic clock's rate. The RTC
// counts whole seconds: the wall clock is right to within one.

import { BootInfo } from "../boot/bootinfo";

/** Reads a real-time clock: seconds since 1970-01-01T00:00:00Z, or -1 if the machine has none. */
export type RealTimeClock = (info: BootInfo) => i64;

function noClock(info: BootInfo): i64 {
  return -1;
}

const NANOSECONDS_PER_SECOND: i64 = 1_000_000_000;
/** The wall clock before it is read, or on a machine without an RTC. */
export const WALL_CLOCK_UNKNOWN: i64 = -1;

let firmware: BootInfo = changetype<BootInfo>(0);
let clock: RealTimeClock = noClock;
let read = false;
/** Wall time minus monotonic time, in nanoseconds. */
let offset: i64 = WALL_CLOCK_UNKNOWN;

/** The machine's real-time clock (the architecture's entry point chooses it). */
export function useRealTimeClock(reader: RealTimeClock): void {
  clock = reader;
}

export function initWallClock(info: BootInfo): void {
  firmware = info;
}

/** Seconds since 1970-01-01T00:00:00Z as the RTC reads now, or -1 if there is no RTC. */
export function readRealTimeClock(info: BootInfo): i64 {
  return clock(info);
}

/**
 * Nanoseconds since the Unix epoch at monotonic time `monotonic` (what
 * kernel/time now() returned), or WALL_CLOCK_UNKNOWN without an RTC.
 */
export function wallClockAt(monotonic: u64): i64 {
  if (!read) {
    read = true;
    const seconds = readRealTimeClock(firmware);
    if (seconds >= 0) offset = seconds * NANOSECONDS_PER_SECOND - <i64>monotonic;
  }
  return offset == WALL_CLOCK_UNKNOWN ? WALL_CLOCK_UNKNOWN : offset + <i64>monotonic;
}
