// Booting with QEMU's instruction log on, and reading the log back through
// the profiler as a stream (a hello boot logs about a million lines, 75 MB).

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { boot, type BootRun } from "../../run";
import { bootApp } from "../app-boot";
import { parseBootChart, type BootChart } from "../bootchart";
import type { ProfiledBoot } from "./boot-setup";
import { BootProfiler } from "./profiler";
import { TraceReader } from "./trace";

const TIMEOUT_SECONDS = 600;

/** Boots `setup` once; the guest's boot chart (the kernel's own messages hold it). */
export async function bootTraced(setup: ProfiledBoot): Promise<{ chart: BootChart; run: BootRun }> {
  let run: BootRun;
  let kernelText: string;
  if (setup.runsApp) {
    const booted = await bootApp(setup.command, TIMEOUT_SECONDS);
    run = booted.run;
    kernelText = booted.kernel;
  } else {
    run = await boot(setup.command, { timeout: TIMEOUT_SECONDS, stream: false });
    kernelText = run.output;
  }
  if (run.outcome.kind === "timeout" || run.outcome.kind === "qemu-failed") {
    throw new Error(`the traced boot did not finish (${JSON.stringify(run.outcome)}):\n${kernelText}${run.qemuErrors}`);
  }
  const chart = parseBootChart(kernelText);
  if (chart === null) throw new Error(`the guest printed no boot chart:\n${kernelText}${run.qemuErrors}`);
  return { chart, run };
}

/** Feeds the log at `path` to `profiler`, line by line; the number of log lines taken back. */
export async function readTrace(path: string, profiler: BootProfiler, faultEntries: Set<number>): Promise<number> {
  let going = true;
  const reader = new TraceReader((pc) => {
    if (going) going = profiler.step(pc);
  }, faultEntries);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of lines) {
    reader.push(line);
    if (!going) break;
  }
  lines.close();
  reader.flush();
  return reader.takenBack;
}
