// The wall clock: seconds since the Unix epoch, read from the machine's
// real-time clock (x86_64: the CMOS RTC; aarch64: the PL031 the device tree
// names). Read once when first asked; later readings add the monotonic
// clock's progress, so the wall clock never jumps while the kernel runs.

import { BootInfo } from "../boot/bootinfo";
import { ARCH_X86_64 } from "../boot/handoff";
import { readCmosClock } from "./rtc-cmos";
import { readPl031Clock } from "./pl031";

/** Seconds since 1970-01-01T00:00:00Z as the RTC reads now, or -1 if there is no RTC. */
export function readRealTimeClock(info: BootInfo, arch: u32): i64 {
  return arch == ARCH_X86_64 ? readCmosClock() : readPl031Clock(info);
}
