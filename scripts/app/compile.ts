// wasm → app.so: wasm2c into parts, clang on each part in parallel, ld.lld.
//
//   wasm2c -n app --num-outputs N   app.wasm → app_0.c … app_<N-1>.c, app.h, app-impl.h
//   clang (one process per part + loader/native/app-main.c)      → *.o
//   ld.lld -shared                                               → app.so
//
// The flags, and why, are in docs/build-app.md; they are part of the cache key.

import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { availableParallelism, freemem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import type { Arch } from "../build/targets";
import { inParallel } from "../build/tools";
import { ROOT } from "../build/files";
import { NATIVE_DIR } from "./lists";
import { runMeasured } from "./measured";

const run = promisify(execFile);

/** Code section bytes per wasm2c output part; parts compile in parallel. */
const CODE_BYTES_PER_PART = 256 << 10;
export const MAX_PARTS = 64;

/** How many C files wasm2c writes for a module with `codeBytes` of code: 1 for small, up to MAX_PARTS. */
export function partsFor(codeBytes: number): number {
  return Math.min(MAX_PARTS, Math.max(1, Math.ceil(codeBytes / CODE_BYTES_PER_PART)));
}

/** clang flags for app code, after --target. */
export function compileFlags(arch: Arch): string[] {
  return [
    `--target=${arch}-linux-gnu`, "-O2", "-fPIC", "-fvisibility=hidden", "-ffreestanding", "-nostdinc",
    "-fno-stack-protector", "-fno-asynchronous-unwind-tables", "-fno-unwind-tables",
    // Stack clash (frames.ts): x86_64 probes every page of a big frame, so no
    // frame steps over the stack's guard; clang 14 has no probes for aarch64
    // (it ignores the flag), where build-app checks each frame's size instead,
    // read from .stack_sizes.
    ...(arch === "x86_64" ? ["-fstack-clash-protection"] : []), "-fstack-size-section",
    // No errno: sqrt and friends become instructions, not calls that set it.
    "-fno-math-errno",
    // x86_64: interrupts arrive on the running stack (no IST), so no red zone.
    ...(arch === "x86_64" ? ["-mno-red-zone"] : []),
    // wasm2c output trips many harmless warnings (unused labels, casts).
    "-w",
  ];
}

export const LINK_FLAGS = [
  "-shared", "-z", "now", "-z", "relro", "--pack-dyn-relocs=relr", "--hash-style=sysv",
  "-z", "max-page-size=4096", "-z", "noexecstack", "--strip-debug", "-soname", "app.so",
];

/**
 * What one clang is expected to hold at -O2, from the size of its C file:
 * measured at about 50 bytes of memory per byte of wasm2c output (a 14.6 MB
 * part peaked at 0.72 GB), plus the compiler itself.
 */
const CLANG_BASE_BYTES = 100 << 20;
const CLANG_BYTES_PER_SOURCE_BYTE = 64;

/** Parallel compiles by default: one per CPU, fewer if the largest parts would not fit in free memory. */
export function defaultJobs(sourceBytes: number[]): number {
  const largest = Math.max(0, ...sourceBytes);
  const fit = Math.floor(freemem() / (CLANG_BASE_BYTES + CLANG_BYTES_PER_SOURCE_BYTE * largest));
  return Math.max(1, Math.min(availableParallelism(), fit));
}

let resourceInclude: Promise<string> | null = null;

/** clang's own freestanding headers (stdint.h, stddef.h, stdarg.h, stdbool.h). */
export function clangResourceInclude(): Promise<string> {
  resourceInclude ??= run("clang", ["-print-resource-dir"]).then(({ stdout }) => join(stdout.trim(), "include"));
  return resourceInclude;
}

export interface CompileStats {
  parts: number;
  jobs: number;
  wasm2cSeconds: number;
  clangSeconds: number;
  linkSeconds: number;
  /** Largest resident set of any one process (wasm2c, a clang, ld.lld), KiB. */
  peakKiB: number;
  /** Sum of the peaks of the clangs that can run at once (the `jobs` largest), KiB: a bound on the compile's memory. */
  concurrentPeakKiB: number;
  /** CPU seconds of all tool processes together. */
  cpuSeconds: number;
  perPart: { file: string; seconds: number; peakKiB: number; cpuSeconds: number }[];
}

/** Compiles `wasm` into `work`/app.so, with `jobs` clangs at a time (default: defaultJobs). */
export async function compileApp(wasm: string, work: string, arch: Arch, parts: number, jobs?: number): Promise<CompileStats> {
  const wasm2c = await runMeasured(
    join(ROOT, "node_modules", ".bin", "wasm2c"),
    [wasm, "-n", "app", "--num-outputs", String(parts), "-o", join(work, "app.c")],
    work,
  );
  const sources = readdirSync(work).filter((name) => /^app(_\d+)?\.c$/.test(name)).sort().map((name) => join(work, name));
  sources.push(join(NATIVE_DIR, "app-main.c"));
  const parallel = jobs ?? defaultJobs(sources.map((source) => statSync(source).size));

  const include = ["-isystem", await clangResourceInclude(), "-I", join(NATIVE_DIR, "include"), "-I", NATIVE_DIR, "-I", work];
  const flags = [...compileFlags(arch), ...include];
  const objects = sources.map((source, i) => join(work, `part${i}.o`));
  const clangStart = performance.now();
  const perPart = await inParallel(
    sources.map((source, i) => async () => {
      const measured = await runMeasured("clang", [...flags, "-c", source, "-o", objects[i]], work);
      return { file: source.startsWith(work) ? source.slice(work.length + 1) : "loader/native/app-main.c", ...measured };
    }),
    parallel,
  );
  const clangSeconds = (performance.now() - clangStart) / 1000;

  const link = await runMeasured("ld.lld", [...LINK_FLAGS, "-o", join(work, "app.so"), ...objects], work);
  const peaks = perPart.map((part) => part.peakKiB).sort((a, b) => b - a);
  return {
    parts,
    jobs: parallel,
    wasm2cSeconds: wasm2c.seconds,
    clangSeconds,
    linkSeconds: link.seconds,
    peakKiB: Math.max(wasm2c.peakKiB, link.peakKiB, ...peaks),
    concurrentPeakKiB: peaks.slice(0, parallel).reduce((sum, kib) => sum + kib, 0),
    cpuSeconds: wasm2c.cpuSeconds + link.cpuSeconds + perPart.reduce((sum, part) => sum + part.cpuSeconds, 0),
    perPart,
  };
}
