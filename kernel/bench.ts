// In-kernel benchmarks by name, each run after boot by its own count option
// (malloc-bench=N, ...). A benchmark registers itself with its option
// (registerBenchmark; the test profile's wiring in kernel/init does it);
// runRequestedBenchmarks runs those whose option was given, in registration
// order. The default profile carries none of them.

import { declareCount, KernelOption } from "./options";

/** Runs a benchmark `count` times (pairs, rounds, MiB: its option says) and prints its report. */
export type Benchmark = (count: u32) => void;

class Registered {
  next: Registered | null = null;
  constructor(public option: KernelOption, public run: Benchmark) {}
}

let first: Registered | null = null;
let last: Registered | null = null;

/** Forgets every registration (host tests register afresh). */
export function forgetBenchmarks(): void {
  first = null;
  last = null;
}

/** Declares `name=PLACEHOLDER` (1 to `max` `unit`) and runs `run` with it after boot when given. */
export function registerBenchmark(name: string, placeholder: string, unit: string, max: i64, help: string, run: Benchmark): void {
  const entry = new Registered(declareCount(name, placeholder, unit, max, help), run);
  if (last === null) first = entry;
  else last!.next = entry;
  last = entry;
}

export function runRequestedBenchmarks(): void {
  let entry = first;
  while (entry !== null) {
    if (entry.option.number != 0) entry.run(entry.option.number);
    entry = entry.next;
  }
}
