// The CPU suite: small CPU kernels (test/apps/cpu/<name>.c: integers,
// floating point, memory bandwidth and latency, indirect calls, a big switch,
// 64-bit arithmetic, sorting, a cipher...) each run the four ways of
// programs.ts: native, under Node's WASI, as Wisp's AOT code in the native
// harness, and the same with the kernel's libc. Runs go round-robin, kernel
// by kernel and runtime by runtime, `runs` times over, so drifting machine
// load hits every runtime alike. Per kernel: the medians of each runtime's
// elapsed_ms, their ratios, and every sample; over all kernels: the
// geometric means of the ratios, and the targets (geomean wisp_aot/native at
// most 1.10, wisp_aot faster than node on every kernel). Every run's
// checksum must equal the kernel's native one, or the suite fails naming the
// kernel and the runtime. Kernels are the .c files in test/apps/cpu/ (kernel.h
// is their shared part): adding a file adds a kernel. Build outputs go to
// build/bench/app/cpu/.
//
//   npx tsx scripts/bench/app/cpu-suite.ts [--runs N] [--size N] [--kernels a,b]

import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../../build/files";
import { Program, RATIO_NAMES, RuntimeComparison, RUNTIMES, Ratios, Runtime, Samples, buildHarnesses, buildProgram, emptySamples, median, ratiosOf, round, runOnce, runtimeCommand } from "./programs";

export const CPU_KERNELS_DIR = join(ROOT, "test", "apps", "cpu");
const OUT = join(ROOT, "build", "bench", "app", "cpu");

export const TARGET_GEOMEAN_WISP_AOT_VS_NATIVE = 1.1;

export interface CpuSuiteOptions {
  runs: number;
  /** Every kernel's size argument: a positive number, 1 ≈ 0.2-0.4 s natively; fractions (0.01) give quick runs. */
  size: number;
  /** Kernels to run, in this order; default: all of them. */
  kernels?: string[];
  /** Progress lines (builds, runs); default: none. */
  log?: (line: string) => void;
}

export type CpuKernelResult = RuntimeComparison;

export interface CpuSuiteResult {
  size: number;
  runs: number;
  kernels: Record<string, CpuKernelResult>;
  /** The geometric mean of each ratio over the kernels. */
  geomean: Ratios;
  targets: {
    geomean_wisp_aot_vs_native: { max: number; value: number; met: boolean };
    wisp_aot_faster_than_node: { met: boolean; slower_kernels: string[] };
  };
}

/** The kernels in test/apps/cpu/: its .c files' names, sorted. */
export function cpuKernels(): string[] {
  return readdirSync(CPU_KERNELS_DIR)
    .filter((file) => file.endsWith(".c"))
    .map((file) => file.slice(0, -2))
    .sort();
}

/** Why `names` cannot all be run (the unknown ones, and the known), or null. */
export function unknownKernelsMessage(names: string[]): string | null {
  const known = cpuKernels();
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length === 0) return null;
  return `unknown CPU kernel${unknown.length > 1 ? "s" : ""} ${unknown.map((name) => `'${name}'`).join(", ")} (known: ${known.join(", ")})`;
}

function kernelResult(samples: Samples, checksum: string): CpuKernelResult {
  const ms = Object.fromEntries(RUNTIMES.map((runtime) => [runtime, round(median(samples[runtime]), 3)])) as Record<Runtime, number>;
  return {
    checksum,
    native_ms: ms.native,
    node_ms: ms.node,
    wisp_aot_ms: ms.wisp_aot,
    wisp_aot_kernel_libc_ms: ms.wisp_aot_kernel_libc,
    ratios: ratiosOf(ms, 4),
    samples,
  };
}

function geometricMeans(results: CpuKernelResult[]): Ratios {
  const mean = (name: keyof Ratios) => round(Math.exp(results.reduce((sum, result) => sum + Math.log(result.ratios[name]), 0) / results.length), 4);
  return Object.fromEntries(RATIO_NAMES.map((name) => [name, mean(name)])) as unknown as Ratios;
}

export async function runCpuSuite(options: CpuSuiteOptions): Promise<CpuSuiteResult> {
  const runs = options.runs;
  const size = options.size;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`the CPU suite needs a whole number of runs from 1, not ${runs}`);
  if (!Number.isFinite(size) || size <= 0) throw new Error(`the CPU suite needs a positive size, not ${size}`);
  const names = options.kernels ? [...new Set(options.kernels)] : cpuKernels();
  if (names.length === 0) throw new Error("the CPU suite needs at least one kernel");
  const unknown = unknownKernelsMessage(names);
  if (unknown) throw new Error(unknown);
  const log = options.log ?? (() => {});

  const harnesses = buildHarnesses(OUT);
  const programs = new Map<string, Program>();
  for (const name of names) {
    log(`cpu suite: building ${name} (native, wasm, app.so)`);
    programs.set(name, await buildProgram(join(CPU_KERNELS_DIR, `${name}.c`), OUT, name, ["-lm"]));
  }

  const samples = new Map(names.map((name) => [name, emptySamples()]));
  const checksums = new Map<string, string>();
  const sizeArg = String(size);
  for (let run = 0; run < runs; run++) {
    log(`cpu suite: run ${run + 1} of ${runs}`);
    for (const name of names) {
      for (const runtime of RUNTIMES) {
        const { command, args } = runtimeCommand(runtime, programs.get(name)!, harnesses, [sizeArg]);
        const result = runOnce(`cpu suite: ${name} under ${runtime}`, command, args);
        const expected = checksums.get(name);
        if (expected === undefined) checksums.set(name, result.checksum);
        else if (result.checksum !== expected) {
          throw new Error(`cpu suite: ${name} under ${runtime} gave checksum ${result.checksum}, native gave ${expected}`);
        }
        samples.get(name)![runtime].push(result.ms);
      }
    }
  }

  const kernels: Record<string, CpuKernelResult> = {};
  for (const name of names) kernels[name] = kernelResult(samples.get(name)!, checksums.get(name)!);
  const geomean = geometricMeans(Object.values(kernels));
  const slower = names.filter((name) => !(kernels[name].wisp_aot_ms < kernels[name].node_ms));
  return {
    size,
    runs,
    kernels,
    geomean,
    targets: {
      geomean_wisp_aot_vs_native: {
        max: TARGET_GEOMEAN_WISP_AOT_VS_NATIVE,
        value: geomean.wisp_aot_vs_native,
        met: geomean.wisp_aot_vs_native <= TARGET_GEOMEAN_WISP_AOT_VS_NATIVE,
      },
      wisp_aot_faster_than_node: { met: slower.length === 0, slower_kernels: slower },
    },
  };
}

/** The suite as a table: a line per kernel, then the geometric means and the targets. */
export function formatCpuSuite(result: CpuSuiteResult): string[] {
  const pad = (text: string, width: number) => text.padStart(width);
  const ratio = (value: number) => pad(value.toFixed(3), 9);
  const lines = [`${"kernel".padEnd(12)}${pad("native ms", 11)}${pad("node", 9)}${pad("wisp", 9)}${pad("wisp/node", 11)}${pad("k-libc", 9)}   (ratios against native unless named)`];
  for (const [name, kernel] of Object.entries(result.kernels)) {
    const r = kernel.ratios;
    lines.push(`${name.padEnd(12)}${pad(kernel.native_ms.toFixed(1), 11)}${ratio(r.node_vs_native)}${ratio(r.wisp_aot_vs_native)}  ${ratio(r.wisp_aot_vs_node)}${ratio(r.wisp_aot_kernel_libc_vs_native)}`);
  }
  const g = result.geomean;
  lines.push(`${"geomean".padEnd(12)}${pad("", 11)}${ratio(g.node_vs_native)}${ratio(g.wisp_aot_vs_native)}  ${ratio(g.wisp_aot_vs_node)}${ratio(g.wisp_aot_kernel_libc_vs_native)}`);
  const t = result.targets;
  lines.push(`target: geomean wisp/native <= ${t.geomean_wisp_aot_vs_native.max.toFixed(2)}: ${t.geomean_wisp_aot_vs_native.met ? "met" : "missed"} (${t.geomean_wisp_aot_vs_native.value.toFixed(3)})`);
  const slower = t.wisp_aot_faster_than_node.slower_kernels;
  lines.push(`target: wisp faster than node on every kernel: ${t.wisp_aot_faster_than_node.met ? "met" : `missed (${slower.join(", ")})`}`);
  return lines;
}

function numberOption(argv: string[], name: string, fallback: number, whole: boolean): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isFinite(value) || value <= 0 || (whole && !Number.isInteger(value))) {
    throw new Error(`${name} needs a positive ${whole ? "whole " : ""}number`);
  }
  return value;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const kernelsAt = argv.indexOf("--kernels");
  const kernels = kernelsAt < 0 ? undefined : (argv[kernelsAt + 1] ?? "").split(",").map((name) => name.trim()).filter(Boolean);
  const result = await runCpuSuite({
    runs: numberOption(argv, "--runs", 3, true),
    size: numberOption(argv, "--size", 1, false),
    kernels,
    log: (line) => process.stderr.write(line + "\n"),
  });
  for (const line of formatCpuSuite(result)) process.stderr.write(line + "\n");
  console.log(JSON.stringify(result, null, 2));
}
