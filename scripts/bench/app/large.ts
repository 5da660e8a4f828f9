// wisp bench app's "large module" row: what a big program costs, to compile
// and to start.
//
//   compile   a generated WASI command with N MiB of code (big-module.ts:
//             work functions calling across every part boundary and through
//             the table), built by build-app as `wisp build-app --json`
//             would: wall and CPU seconds per stage, the parts, and the
//             peak resident memory of the largest tool process. The app.so
//             is cached by content (build/apps/): a later run reports the
//             figures of the compile that made it (`cached: true`).
//   start     the app booted as `wisp run` boots it, with the boot chart:
//             exec (the kernel turning to the app, kernel-ready) to app-loaded
//             (mapped, relocated) and to _start (app-start, after wasm2c's
//             instantiation), in instructions under --icount, else us; its
//             output must be the program's checksum lines.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildApp } from "../../app";
import { ROOT } from "../../build/files";
import type { Arch } from "../../build/targets";
import { prepareAppImage } from "../../run/app";
import { defaultMachine, qemuCommand } from "../../run/qemu";
import { kernelWithRoot } from "../../run/linked-image";
import { bootApp } from "../app-boot";
import { parseBootChart } from "../bootchart";
import { bigModule } from "./big-module";

/** Rounds of work per generated function: what docs/build-app.md measured 30 MB with (about 790 bytes of code each). */
const STEPS = 16;

export interface LargeModuleRow {
  mib: number;
  functions: number;
  wasmBytes: number;
  compile: {
    cached: boolean;
    wallSeconds: number;
    cpuSeconds: number;
    stages: { split: number; wasm2c: number; clang: number; link: number };
    stageCpuSeconds: { wasm2c: number; clang: number; link: number };
    parts: number;
    splitParts: number;
    peakKiB: number;
    peakProcess: { stage: string; file: string } | null;
    soBytes: number;
  };
  start: { unit: "instructions" | "us"; execToLoaded: number; execToStart: number; memoryMiB: number };
}

/** Functions of STEPS steps that make about `mib` MiB of code (the size of one is measured, not assumed). */
export function functionsFor(mib: number): number {
  const probe = 64;
  const perFunction = (bigModule(2 * probe, { steps: STEPS }).length - bigModule(probe, { steps: STEPS }).length) / probe;
  return Math.max(1, Math.round((mib * 1024 * 1024) / perFunction));
}

export async function runLargeModuleBench(options: {
  arch: Arch; mib: number; icount: boolean; kernelElf: string; jobs?: number; log: (line: string) => void;
}): Promise<LargeModuleRow> {
  const { arch, mib, icount, log } = options;
  const functions = functionsFor(mib);
  const dir = join(ROOT, "build", "bench", "app");
  mkdirSync(dir, { recursive: true });
  const wasm = join(dir, `large-${mib}mib.wasm`);
  const bytes = bigModule(functions, { steps: STEPS });
  writeFileSync(wasm, bytes);
  log(`large module: ${mib} MiB of code (${functions} functions), build-app for ${arch}`);
  const { report, cached } = await buildApp(wasm, { arch, jobs: options.jobs });

  const image = await prepareAppImage({ wasm, arch, args: [], env: [], dirs: [] });
  // Room for the kernel, the image (app.so in place) and the app's small memory.
  const memoryMiB = 64 + 2 * Math.ceil(image.bytes / (1024 * 1024));
  const command = qemuCommand({
    arch, accel: "tcg", machine: defaultMachine(arch), memory: `${memoryMiB}M`, rng: true, icount,
    ...kernelWithRoot(arch, options.kernelElf, image.path), cmdline: "console=streams quiet bootchart",
  });
  log("large module: boot to _start");
  const { run, kernel, stdout, status } = await bootApp(command, 600);
  if (status !== 0 || !/^checksum \d+\nglobal \d+\n$/.test(stdout)) {
    throw new Error(`the large module did not run cleanly (${JSON.stringify(run.outcome)}, status ${status}):\n${kernel}${stdout}`);
  }
  const chart = parseBootChart(kernel);
  const ticks = (name: string) => {
    const stage = chart?.stages.find((candidate) => candidate.name === name);
    if (!chart || !stage) throw new Error(`the large module's boot chart has no ${name} stamp`);
    return stage.ticks;
  };
  // Ticks to the unit: instructions under --icount (the arch counter runs at hz, one instruction a nanosecond), else us.
  const scale = icount ? (chart!.source === "arch" ? 1e9 / chart!.hz : 1) : 1e6 / chart!.hz;
  const since = (name: string) => Math.round((ticks(name) - ticks("kernel-ready")) * scale);
  return {
    mib, functions, wasmBytes: bytes.length,
    compile: {
      cached, wallSeconds: report.compileSeconds, cpuSeconds: report.cpuSeconds, stages: report.stages,
      stageCpuSeconds: report.stageCpuSeconds, parts: report.parts, splitParts: report.split?.parts.length ?? 1,
      peakKiB: report.peakKiB, peakProcess: report.peakProcess, soBytes: report.soBytes,
    },
    start: { unit: icount ? "instructions" : "us", execToLoaded: since("app-loaded"), execToStart: since("app-start"), memoryMiB },
  };
}

export function printLargeModuleRow(row: LargeModuleRow): void {
  const c = row.compile;
  console.log(`large module (${row.mib} MiB of code, ${row.functions} functions; scripts/bench/app/big-module.ts)`);
  console.log(`  compile${c.cached ? " (cached: figures of the build that made it)" : ""}   ${c.wallSeconds.toFixed(1)} s wall, ${c.cpuSeconds.toFixed(1)} s CPU (wasm2c ${c.stageCpuSeconds.wasm2c.toFixed(1)}, clang ${c.stageCpuSeconds.clang.toFixed(1)}), ${c.splitParts} part modules, ${c.parts} C files`);
  console.log(`  peak memory                ${(c.peakKiB / 1024).toFixed(0)} MiB (${c.peakProcess ? `${c.peakProcess.stage} ${c.peakProcess.file}` : "no process"}); app.so ${c.soBytes} bytes`);
  console.log(`  exec -> loaded / _start    ${row.start.execToLoaded} / ${row.start.execToStart} ${row.start.unit} (--mem ${row.start.memoryMiB}M)`);
}
