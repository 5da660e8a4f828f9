// The boot counter's frequency, found once and only when first needed.
//
// Wisp never waits at boot to learn a frequency. In order of preference:
//   1. the architecture states it (aarch64 CNTFRQ_EL0);
//   2. CPUID leaf 0x15 (TSC/crystal ratio and crystal frequency) or 0x16
//      (base frequency in MHz) on x86_64;
//   3. a sub-millisecond measurement of the TSC against the PIT (x86_64).
// Under QEMU TCG none of 1-2 exist on x86_64, so the measurement runs, but
// only when a report (the boot chart) or a timer asks for the frequency.
// The architecture's entry point (kernel/init) registers what comes after 1
// with useFrequencyFinder (x86.ts on x86_64; nothing on aarch64).

import { counterFrequency } from "../../arch";

/** Finds the counter's frequency when the architecture does not state it: Hz, and the SOURCE_* it came from (0 Hz: not found). */
export type FrequencyFinder = () => u64;

export const SOURCE_NONE: u32 = 0;
export const SOURCE_ARCH: u32 = 1;
export const SOURCE_CPUID: u32 = 2;
export const SOURCE_CALIBRATED: u32 = 3;

let hz: u64 = 0;
let source: u32 = SOURCE_NONE;
let finder: FrequencyFinder | null = null;

/** What to ask when the architecture does not state the frequency. */
export function useFrequencyFinder(find: FrequencyFinder): void {
  finder = find;
}

/** The finder says where its answer came from (SOURCE_CPUID, SOURCE_CALIBRATED). */
export function noteFrequencySource(from: u32): void {
  source = from;
}

/** The counter frequency in Hz, 0 if it cannot be known on this machine. */
export function counterHz(): u64 {
  if (source != SOURCE_NONE) return hz;
  hz = counterFrequency();
  source = SOURCE_ARCH;
  const find = finder;
  if (hz == 0 && find !== null) hz = find();
  return hz;
}

export function counterSourceName(): string {
  if (source == SOURCE_ARCH) return "architectural";
  if (source == SOURCE_CPUID) return "cpuid";
  if (source == SOURCE_CALIBRATED) return "measured against the PIT";
  return "unknown";
}
