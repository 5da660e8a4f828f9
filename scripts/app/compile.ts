// The compiler flags, the linker flags and how many compiles run at once
// (docs/build-app.md says why each flag is there; they are part of the cache
// key). The steps themselves are in steps.ts.

import { execFile } from "node:child_process";
import { availableParallelism, freemem } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Arch } from "../build/targets";
import { MAX_OUTPUTS, outputsFor } from "./units";

const run = promisify(execFile);

/** C files per wasm2c run (units.ts); the names the --parts option and its tests know. */
export const MAX_PARTS = MAX_OUTPUTS;
export const partsFor = outputsFor;

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

