// What the app benchmarks that run C programs four ways share
// (scripts/bench/app/compute.ts, scripts/bench/app/cpu-suite.ts):
//
//   native     clang -O2 for the host
//   node       clang --target=wasm32-wasi -O2, run by Node's WASI (V8)
//   wisp_aot   the same .wasm through `wisp build-app` (app.so), run by
//              scripts/bench/app/native-harness.c, which plays the kernel;
//              app.so's memcpy, memset, floor... are the host's (glibc's)
//   wisp_aot_kernel_libc
//              the same harness linked with the kernel's arch/common/libc.c
//              and math.c, as in the guest
//
// A program prints `checksum <16 hex digits>` and `elapsed_ms <ms>` (the work
// alone, on the monotonic clock); runOnce reads both.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../build/files";
import { buildApp } from "../../app";
import { wasiClangEnv } from "../../build/tools";

export const RUNTIMES = ["native", "node", "wisp_aot", "wisp_aot_kernel_libc"] as const;
export type Runtime = (typeof RUNTIMES)[number];
/** Every run's elapsed_ms, per runtime, in run order. */
export type Samples = Record<Runtime, number[]>;

export interface Ratios {
  node_vs_native: number;
  wisp_aot_vs_native: number;
  wisp_aot_vs_node: number;
  wisp_aot_kernel_libc_vs_native: number;
}

/** One program's result over the four runtimes: its checksum, each runtime's median elapsed_ms, their quotients, every sample. */
export interface RuntimeComparison {
  checksum: string;
  native_ms: number;
  node_ms: number;
  wisp_aot_ms: number;
  wisp_aot_kernel_libc_ms: number;
  /** Quotients of the medians above. */
  ratios: Ratios;
  samples: Samples;
}

export const RATIO_NAMES: Array<keyof Ratios> = ["node_vs_native", "wisp_aot_vs_native", "wisp_aot_vs_node", "wisp_aot_kernel_libc_vs_native"];

const HARNESS_SOURCE = join(ROOT, "scripts", "bench", "app", "native-harness.c");

/** Runs a .wasm under node:wasi in a child; argv[0] is the file's name without .wasm; the output goes to stdout. */
export const NODE_RUNNER = `
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
const [wasm, ...args] = process.argv.slice(1);
const wasi = new WASI({ version: "preview1", args: [basename(wasm, ".wasm"), ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(wasm));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;

export interface Harnesses {
  harness: string;
  /** The harness with the kernel's libc.c and math.c linked in. */
  kernelLibcHarness: string;
}

/** Builds the native harness twice into `outDir`: with the host's libc and with the kernel's. */
export function buildHarnesses(outDir: string): Harnesses {
  mkdirSync(outDir, { recursive: true });
  const harness = join(outDir, "native-harness");
  const kernelLibcHarness = join(outDir, "native-harness-kernel-libc");
  execFileSync("clang", ["-O2", "-rdynamic", HARNESS_SOURCE, "-o", harness, "-ldl", "-lm"], { stdio: "inherit" });
  const kernelRuntime = ["libc.c", "math.c"].map((file) => join(ROOT, "arch", "common", file));
  execFileSync("clang", ["-O2", "-rdynamic", HARNESS_SOURCE, ...kernelRuntime, "-o", kernelLibcHarness, "-ldl", "-lm"], { stdio: "inherit" });
  return { harness, kernelLibcHarness };
}

export interface NativeAndWasm {
  native: string;
  wasm: string;
}

/** Compiles one C program for the host (`<name>-native`) and for wasm32-wasi (`<name>.wasm`) into `outDir`. */
export function compileProgram(source: string, outDir: string, name: string, nativeLibraries: string[] = []): NativeAndWasm {
  mkdirSync(outDir, { recursive: true });
  const native = join(outDir, `${name}-native`);
  const wasm = join(outDir, `${name}.wasm`);
  execFileSync("clang", ["-O2", source, "-o", native, ...nativeLibraries], { stdio: "inherit" });
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", source, "-o", wasm], { stdio: "inherit", env: wasiClangEnv() });
  return { native, wasm };
}

export interface Program extends NativeAndWasm {
  appSo: string;
}

/** compileProgram, then `wisp build-app` of the .wasm for x86_64 (cached by content). */
export async function buildProgram(source: string, outDir: string, name: string, nativeLibraries: string[] = []): Promise<Program> {
  const compiled = compileProgram(source, outDir, name, nativeLibraries);
  const { soPath } = await buildApp(compiled.wasm, { arch: "x86_64" });
  return { ...compiled, appSo: soPath };
}

/** The command line that runs `program` under `runtime`; the node and native runtimes need only native and wasm. */
export function runtimeCommand(runtime: Runtime, program: NativeAndWasm & Partial<Program>, harnesses: Harnesses | null, args: string[]): { command: string; args: string[] } {
  switch (runtime) {
    case "native":
      return { command: program.native, args };
    case "node":
      return { command: process.execPath, args: ["--no-warnings", "--input-type=module", "-e", NODE_RUNNER, program.wasm, ...args] };
    case "wisp_aot":
    case "wisp_aot_kernel_libc": {
      if (!harnesses || !program.appSo) throw new Error(`${runtime} needs the harnesses and an app.so`);
      return { command: runtime === "wisp_aot" ? harnesses.harness : harnesses.kernelLibcHarness, args: [program.appSo, ...args] };
    }
  }
}

export interface RunResult {
  ms: number;
  checksum: string;
}

/**
 * One run: the command's stdout must carry `checksum <hex>` and
 * `elapsed_ms <ms>`. The exit status is not trusted for Node: Node 20.20's
 * WASI sometimes crashes (SIGSEGV) after a program has printed everything;
 * complete output is what counts.
 */
export function runOnce(what: string, command: string, args: string[]): RunResult {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 20, timeout: 600_000 });
  const checksum = /^checksum ([0-9a-f]{16})$/m.exec(result.stdout)?.[1];
  const ms = /^elapsed_ms ([0-9.]+)$/m.exec(result.stdout)?.[1];
  if (!checksum || !ms) {
    throw new Error(`${what}: no checksum/elapsed_ms in its output (exit ${result.status ?? result.signal})\n${result.stdout}${result.stderr}`);
  }
  return { ms: Number(ms), checksum };
}

export function emptySamples(): Samples {
  return { native: [], node: [], wisp_aot: [], wisp_aot_kernel_libc: [] };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const round = (value: number, digits = 2) => Number(value.toFixed(digits));

/** The four ratios of per-runtime times, each rounded to `digits`. */
export function ratiosOf(ms: Record<Runtime, number>, digits: number): Ratios {
  return {
    node_vs_native: round(ms.node / ms.native, digits),
    wisp_aot_vs_native: round(ms.wisp_aot / ms.native, digits),
    wisp_aot_vs_node: round(ms.wisp_aot / ms.node, digits),
    wisp_aot_kernel_libc_vs_native: round(ms.wisp_aot_kernel_libc / ms.native, digits),
  };
}
