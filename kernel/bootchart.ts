// Boot stamps and the boot chart.
//
// A stamp is a counter reading with a name, taken at the end of a boot step.
// The first stamps come from the boot stub (first instruction, paging on,
// runtime ready); the kernel adds one per step in kernel/init/boot.ts. The
// chart prints each stamp's time since the first instruction and since the
// previous stamp, in microseconds, and then one machine-readable line for
// tools:
//
//   bootchart-raw hz=<counter Hz> source=<how Hz was found> <name>=<ticks> ...
//
// Stamps are stored in static memory: recording one never allocates.

import { timestamp } from "../arch";
import { MAX_BOOT_STAMPS } from "./params";
import { ticksToNanoseconds } from "./format";
import { print, printLine, printDecimalPadded, printUnsigned } from "./console";

const ticks = memory.data(MAX_BOOT_STAMPS * 8);
const names = memory.data(MAX_BOOT_STAMPS * sizeof<usize>());
let count: i32 = 0;

/** Records a stamp taken earlier (by the boot stub). */
export function recordStamp(name: string, at: u64): void {
  if (count >= MAX_BOOT_STAMPS) return;
  store<u64>(ticks + (<usize>count << 3), at);
  store<usize>(names + (<usize>count << alignof<usize>()), changetype<usize>(name));
  count++;
}

/** Records a stamp now. */
export function stamp(name: string): void {
  recordStamp(name, timestamp());
}

export function stampCount(): i32 {
  return count;
}

export function stampTicks(index: i32): u64 {
  return load<u64>(ticks + (<usize>index << 3));
}

export function stampName(index: i32): string {
  return changetype<string>(load<usize>(names + (<usize>index << alignof<usize>())));
}

/** Microseconds, to 0.1 µs, between two counter readings. */
export function elapsedTenthsOfMicros(from: u64, to: u64, hz: u64): u64 {
  if (to <= from) return 0;
  return ticksToNanoseconds(to - from, hz) / 100;
}

/** Prints the chart in microseconds, or in raw counter ticks when `hz` is 0 (unknown). */
export function printBootChart(hz: u64, source: string): void {
  if (count == 0) return;
  const origin = stampTicks(0);
  if (hz != 0) {
    print("boot chart: counter ");
    printUnsigned(hz / 1000);
    print(" kHz (");
    print(source);
    printLine("), times from the first instruction");
    printLine("     at µs    step µs  stage");
  } else {
    printLine("boot chart: counter frequency unknown, times in counter ticks from the first instruction");
    printLine("  at ticks step ticks  stage");
  }
  for (let i = 0; i < count; i++) {
    const at = stampTicks(i);
    const previous = i == 0 ? at : stampTicks(i - 1);
    if (hz != 0) {
      printDecimalPadded(elapsedTenthsOfMicros(origin, at, hz), 1, 11);
      printDecimalPadded(elapsedTenthsOfMicros(previous, at, hz), 1, 11);
    } else {
      printDecimalPadded(at - origin, 0, 10);
      printDecimalPadded(at - previous, 0, 11);
    }
    print("  ");
    printLine(stampName(i));
  }
  print("bootchart-raw hz=");
  printUnsigned(hz);
  print(" source=");
  print(source == "architectural" ? "arch" : source == "cpuid" ? "cpuid" : source == "unknown" ? "none" : "pit");
  for (let i = 0; i < count; i++) {
    print(" ");
    print(stampName(i));
    print("=");
    printUnsigned(stampTicks(i) - origin);
  }
  printLine();
}
