// What the kernel wants done the moment the app's _start is reached (the
// boot chart is printed then, so that it covers the whole boot). One hook,
// set by the boot code; no closures in AssemblyScript, so it is a flag.

import { printBootChart } from "../kernel/bootchart";
import { counterHz, counterSourceName } from "../kernel/clock";

let chartPending = false;

/** Print the boot chart when the app starts. */
export function printBootChartAtAppStart(): void {
  chartPending = true;
}

export function appStartHook(): void {
  if (!chartPending) return;
  chartPending = false;
  printBootChart(counterHz(), counterSourceName());
}
