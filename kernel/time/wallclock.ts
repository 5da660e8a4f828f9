// The wall clock: nanoseconds since the Unix epoch.
//
// The machine's real-time clock (x86_64: the CMOS RTC; aarch64: the PL031
// the device tree names) is read once, when the wall clock is first asked
// for, and pinned to the monotonic clock; later readings add the monotonic
// clock's progress. So the wall clock costs nothing at boot, never jumps
// while the kernel runs, and moves at the monotonic clock's rate. The RTC
// counts whole seconds: the wall clock is right to within one.

import { BootInfo } from "../boot/bootinfo";
import { ARCH_X86_64 } from "../boot/handoff";
import { readCmosClock } from "./rtc-cmos";
import { readPl031Clock } from "./pl031";

const NANOSECONDS_PER_SECOND: i64 = 1_000_000_000;
/** The wall clock before it is read, or on a machine without an RTC. */
export const WALL_CLOCK_UNKNOWN: i64 = -1;

let firmware: BootInfo = changetype<BootInfo>(0);
let architecture: u32 = ARCH_X86_64;
let read = false;
/** Wall time minus monotonic time, in nanoseconds. */
let offset: i64 = WALL_CLOCK_UNKNOWN;

export function initWallClock(info: BootInfo, arch: u32): void {
  firmware = info;
  architecture = arch;
}

/** Seconds since 1970-01-01T00:00:00Z as the RTC reads now, or -1 if there is no RTC. */
export function readRealTimeClock(info: BootInfo, arch: u32): i64 {
  return arch == ARCH_X86_64 ? readCmosClock() : readPl031Clock(info);
}

/**
 * Nanoseconds since the Unix epoch at monotonic time `monotonic` (what
 * kernel/time now() returned), or WALL_CLOCK_UNKNOWN without an RTC.
 */
export function wallClockAt(monotonic: u64): i64 {
  if (!read) {
    read = true;
    const seconds = readRealTimeClock(firmware, architecture);
    if (seconds >= 0) offset = seconds * NANOSECONDS_PER_SECOND - <i64>monotonic;
  }
  return offset == WALL_CLOCK_UNKNOWN ? WALL_CLOCK_UNKNOWN : offset + <i64>monotonic;
}
