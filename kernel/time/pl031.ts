// ARM PL031 real-time clock (QEMU virt: "arm,pl031" at 0x09010000): the wall
// clock on aarch64. RTCDR counts seconds since the Unix epoch; QEMU starts it
// from the host's clock. The clock runs whenever RTCCR.start is set, which
// QEMU's reset leaves set; it is set here if not.

import { BootInfo } from "../boot/bootinfo";
import { mmioRead32, mmioWrite32 } from "../../arch";

const RTCDR: usize = 0x000;
const RTCCR: usize = 0x00c;
const RTCCR_START: u32 = 1;

/** Seconds since 1970-01-01T00:00:00Z from the PL031 the device tree names, -1 if it names none. */
export function readPl031Clock(info: BootInfo): i64 {
  if (info.rtcBase == 0 || info.rtcBase >= 0x1_0000_0000) return -1;
  const base = <usize>info.rtcBase;
  if ((mmioRead32(base + RTCCR) & RTCCR_START) == 0) mmioWrite32(base + RTCCR, RTCCR_START);
  return <i64>mmioRead32(base + RTCDR);
}
