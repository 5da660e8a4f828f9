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
// medians over `runs`. Build outputs go to build/bench/app/. Building and
// running are shared with the CPU suite (programs.ts, cpu-suite.ts).
//
//   npx tsx scripts/bench/app/compute.ts [--size N] [--runs N]

import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { ROOT } from "../../build/files";
import { buildApp } from "../../app";
import { Harnesses, NativeAndWasm, RUNTIMES, RunResult, RuntimeComparison, buildHarnesses, compileProgram, emptySamples, median, ratiosOf, round, runOnce, runtimeCommand } from "./programs";

export interface ComputeBenchOptions {
  /** compute.c's size argument: work grows linearly; 1 ≈ 1 s natively. */
  size: number;
  runs: number;
}

export interface ComputeBenchResult extends RuntimeComparison {
  size: number;
  runs: number;
}

const SOURCE = join(ROOT, "test", "apps", "compute", "compute.c");
const OUT = join(ROOT, "build", "bench", "app");

async function buildPrograms(): Promise<NativeAndWasm & { appSo: string; harnesses: Harnesses }> {
  const compiled = compileProgram(SOURCE, OUT, "compute");
  const harnesses = buildHarnesses(OUT);
  const { soPath } = await buildApp(compiled.wasm, { arch: "x86_64" });
  return { ...compiled, appSo: soPath, harnesses };
}

export async function runComputeBench(options: ComputeBenchOptions): Promise<ComputeBenchResult> {
  const size = Math.max(1, Math.floor(options.size));
  const runs = Math.max(1, Math.floor(options.runs));
  const programs = await buildPrograms();
  const sizeArg = String(size);
  const samples = emptySamples();
  let checksum = "";
  const check = (what: string, run: RunResult) => {
    if (checksum === "") checksum = run.checksum;
    else if (run.checksum !== checksum) throw new Error(`${what}: checksum ${run.checksum}, native gave ${checksum}`);
    return run.ms;
  };
  // Interleave the runtimes so drifting machine load hits all of them alike.
  for (let run = 0; run < runs; run++) {
    for (const runtime of RUNTIMES) {
      const { command, args } = runtimeCommand(runtime, programs, programs.harnesses, [sizeArg]);
      samples[runtime].push(check(runtime, runOnce(runtime, command, args)));
    }
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
    ratios: ratiosOf({ native: native_ms, node: node_ms, wisp_aot: wisp_aot_ms, wisp_aot_kernel_libc: wisp_aot_kernel_libc_ms }, 3),
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
