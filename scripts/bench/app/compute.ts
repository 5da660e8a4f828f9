// The compute benchmark: one CPU-bound C program (test/apps/compute/compute.c)
// run three ways on this host, to see what Wisp's AOT pipeline costs against
// native code and against a JIT:
//
//   native     clang -O2 for the host
//   node       clang --target=wasm32-wasi -O2, run by Node's WASI (V8)
//   wisp_aot   the same .wasm through `wisp build-app` (wasm2c + clang -O2 →
//              app.so), run by scripts/bench/app/native-harness.c, which
//              plays the kernel: guard-page memory, runtime symbols, WASI;
//              app.so's memcpy, memset, floor... are the host's (glibc's)
//   wisp_aot_kernel_libc
//              the same harness linked with the kernel's arch/common/libc.c
//              and math.c, so app.so gets the copies, fills and roundings it
//              gets in the guest
//
// Each run's time is the program's own `elapsed_ms` (the work alone, on the
// monotonic clock), so start-up (process, dlopen, V8 compile) is left out for
// all three. Every run's checksum must equal the native one. Results are
// medians over `runs`. Build outputs go to build/bench/app/.
//
//   npx tsx scripts/bench/app/compute.ts [--size N] [--runs N]

import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../../build/files";
import { buildApp } from "../../app";
import { wasiClangEnv } from "../../build/tools";

export interface ComputeBenchOptions {
  /** compute.c's size argument: work grows linearly; 1 ≈ 1 s natively. */
  size: number;
  runs: number;
}

export interface ComputeBenchResult {
  size: number;
  runs: number;
  checksum: string;
  native_ms: number;
  node_ms: number;
  wisp_aot_ms: number;
  wisp_aot_kernel_libc_ms: number;
  ratios: { node_vs_native: number; wisp_aot_vs_native: number; wisp_aot_vs_node: number; wisp_aot_kernel_libc_vs_native: number };
  /** Every run's elapsed_ms, per runtime, in run order. */
  samples: { native: number[]; node: number[]; wisp_aot: number[]; wisp_aot_kernel_libc: number[] };
}

const SOURCE = join(ROOT, "test", "apps", "compute", "compute.c");
const HARNESS_SOURCE = join(ROOT, "scripts", "bench", "app", "native-harness.c");
const OUT = join(ROOT, "build", "bench", "app");

/** Runs a .wasm under node:wasi in a child; the program's output goes to stdout. */
const NODE_RUNNER = `
import { WASI } from "node:wasi";
import { readFileSync } from "node:fs";
const [wasm, ...args] = process.argv.slice(1);
const wasi = new WASI({ version: "preview1", args: ["compute", ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(readFileSync(wasm));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
`;

interface Programs {
  native: string;
  wasm: string;
  appSo: string;
  harness: string;
  /** The harness with the kernel's libc.c and math.c linked in. */
  kernelLibcHarness: string;
}

async function buildPrograms(): Promise<Programs> {
  mkdirSync(OUT, { recursive: true });
  const native = join(OUT, "compute-native");
  const wasm = join(OUT, "compute.wasm");
  const harness = join(OUT, "native-harness");
  const kernelLibcHarness = join(OUT, "native-harness-kernel-libc");
  execFileSync("clang", ["-O2", SOURCE, "-o", native], { stdio: "inherit" });
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", SOURCE, "-o", wasm], { stdio: "inherit", env: wasiClangEnv() });
  execFileSync("clang", ["-O2", "-rdynamic", HARNESS_SOURCE, "-o", harness, "-ldl", "-lm"], { stdio: "inherit" });
  const kernelRuntime = ["libc.c", "math.c"].map((file) => join(ROOT, "arch", "common", file));
  execFileSync("clang", ["-O2", "-rdynamic", HARNESS_SOURCE, ...kernelRuntime, "-o", kernelLibcHarness, "-ldl", "-lm"], { stdio: "inherit" });
  const { soPath } = await buildApp(wasm, { arch: "x86_64" });
  return { native, wasm, appSo: soPath, harness, kernelLibcHarness };
}

interface RunResult {
  ms: number;
  checksum: string;
}

/**
 * One run: the command's stdout must carry `checksum <hex>` and
 * `elapsed_ms <ms>`. The exit status is not trusted for Node: Node 20.20's
 * WASI sometimes crashes (SIGSEGV) after this program has printed everything;
 * complete output is what counts.
 */
function runOnce(what: string, command: string, args: string[]): RunResult {
  const result = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 20, timeout: 600_000 });
  const checksum = /^checksum ([0-9a-f]{16})$/m.exec(result.stdout)?.[1];
  const ms = /^elapsed_ms ([0-9.]+)$/m.exec(result.stdout)?.[1];
  if (!checksum || !ms) {
    throw new Error(`${what}: no checksum/elapsed_ms in its output (exit ${result.status ?? result.signal})\n${result.stdout}${result.stderr}`);
  }
  return { ms: Number(ms), checksum };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

export async function runComputeBench(options: ComputeBenchOptions): Promise<ComputeBenchResult> {
  const size = Math.max(1, Math.floor(options.size));
  const runs = Math.max(1, Math.floor(options.runs));
  const programs = await buildPrograms();
  const sizeArg = String(size);
  const samples = { native: [] as number[], node: [] as number[], wisp_aot: [] as number[], wisp_aot_kernel_libc: [] as number[] };
  let checksum = "";
  const check = (what: string, run: RunResult) => {
    if (checksum === "") checksum = run.checksum;
    else if (run.checksum !== checksum) throw new Error(`${what}: checksum ${run.checksum}, native gave ${checksum}`);
    return run.ms;
  };
  // Interleave the runtimes so drifting machine load hits all three alike.
  for (let run = 0; run < runs; run++) {
    samples.native.push(check("native", runOnce("native", programs.native, [sizeArg])));
    samples.node.push(check("node", runOnce("node", process.execPath, ["--no-warnings", "--input-type=module", "-e", NODE_RUNNER, programs.wasm, sizeArg])));
    samples.wisp_aot.push(check("wisp_aot", runOnce("wisp_aot", programs.harness, [programs.appSo, sizeArg])));
    samples.wisp_aot_kernel_libc.push(check("wisp_aot_kernel_libc", runOnce("wisp_aot_kernel_libc", programs.kernelLibcHarness, [programs.appSo, sizeArg])));
  }
  const native_ms = median(samples.native);
  const node_ms = median(samples.node);
  const wisp_aot_ms = median(samples.wisp_aot);
  const wisp_aot_kernel_libc_ms = median(samples.wisp_aot_kernel_libc);
  return {
    size,
    runs,
    checksum,
    native_ms: round(native_ms),
    node_ms: round(node_ms),
    wisp_aot_ms: round(wisp_aot_ms),
    wisp_aot_kernel_libc_ms: round(wisp_aot_kernel_libc_ms),
    ratios: {
      node_vs_native: round(node_ms / native_ms, 3),
      wisp_aot_vs_native: round(wisp_aot_ms / native_ms, 3),
      wisp_aot_vs_node: round(wisp_aot_ms / node_ms, 3),
      wisp_aot_kernel_libc_vs_native: round(wisp_aot_kernel_libc_ms / native_ms, 3),
    },
    samples,
  };
}

function option(argv: string[], name: string, fallback: number): number {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(argv[at + 1]);
  if (!Number.isFinite(value) || value < 1) throw new Error(`${name} needs a positive number`);
  return value;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = process.argv.slice(2);
  const result = await runComputeBench({ size: option(argv, "--size", 1), runs: option(argv, "--runs", 3) });
  console.log(JSON.stringify(result, null, 2));
}
