// The boot counter's frequency, found once and only when first needed.
//
// Wisp never waits at boot to learn a frequency. In order of preference:
//   1. the architecture states it (aarch64 CNTFRQ_EL0);
//   2. CPUID leaf 0x15 (TSC/crystal ratio and crystal frequency) or 0x16
//      (base frequency in MHz) on x86_64;
//   3. a sub-millisecond measurement of the TSC against the PIT (x86_64).
// Under QEMU TCG none of 1-2 exist on x86_64, so the measurement runs, but
// only when a report (the boot chart) or a timer asks for the frequency.

import { counterFrequency } from "../../arch";
import { cpuidFrequency, calibrateAgainstPit } from "./x86";

export const SOURCE_NONE: u32 = 0;
export const SOURCE_ARCH: u32 = 1;
export const SOURCE_CPUID: u32 = 2;
export const SOURCE_CALIBRATED: u32 = 3;

let hz: u64 = 0;
let source: u32 = SOURCE_NONE;

/** The counter frequency in Hz, 0 if it cannot be known on this machine. */
export function counterHz(isX86: bool): u64 {
  if (source != SOURCE_NONE) return hz;
  hz = counterFrequency();
  source = SOURCE_ARCH;
  if (hz == 0 && isX86) {
    hz = cpuidFrequency();
    source = SOURCE_CPUID;
  }
  if (hz == 0 && isX86) {
    hz = calibrateAgainstPit();
    source = SOURCE_CALIBRATED;
  }
  return hz;
}

export function counterSourceName(): string {
  if (source == SOURCE_ARCH) return "architectural";
  if (source == SOURCE_CPUID) return "cpuid";
  if (source == SOURCE_CALIBRATED) return "measured against the PIT";
  return "unknown";
}
