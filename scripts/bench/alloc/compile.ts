// Builds the allocator harness (harness.ts) with the kernel's exact compiler
// options, then, for throughput, through wasm2c and the host's clang together
// with native.c. Outputs go to build/bench/alloc/ and are rebuilt only when
// their inputs change.

import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { hashInputs, isFresh, recordFresh } from "../../build/cache";
import { ROOT, kernelSources } from "../../build/files";
import { asc, tool } from "../../build/tools";
import { fixMemoryBase } from "../../build";

/** Where native.c maps the harness's 4 GiB memory window. */
const WINDOW = "0x100000000000ull";

const DIR = join(ROOT, "build", "bench", "alloc");
const HARNESS = "scripts/bench/alloc/harness.ts";

async function cached(name: string, inputs: string[], outputs: string[], work: () => Promise<void>): Promise<void> {
  const hash = hashInputs(inputs.map((input) => join(ROOT, input)), name);
  const stamp = join(DIR, `${name}.hash`);
  if (isFresh(stamp, hash, outputs)) return;
  await work();
  recordFresh(stamp, hash);
}

/** The harness as wasm (static data at 1 MiB, memory imported), for Node. */
export async function harnessWasm(): Promise<string> {
  mkdirSync(DIR, { recursive: true });
  const wasm = join(DIR, "harness.wasm");
  await cached("wasm", [...kernelSources(), HARNESS], [wasm], () =>
    asc(["--config", join(ROOT, "asconfig.json"), "--baseDir", ROOT, "--target", "release", "-o", wasm], HARNESS),
  );
  return wasm;
}

/** A host executable running the harness's AOT code beside glibc malloc (see native.c). */
export async function nativeBenchmark(): Promise<string> {
  const wasm = await harnessWasm();
  const c = join(DIR, "harness.c");
  const exe = join(DIR, "alloc-bench");
  await cached("native", [...kernelSources(), HARNESS, "scripts/bench/alloc/native.c", "arch/common/include/wasm-rt.h"], [exe], async () => {
    await tool("wasm2c", [wasm, "-n", "harness", "-o", c]);
    // Like the kernel's, the harness's memory has a constant base: a window
    // native.c maps at WISP_WINDOW (Linux keeps address 0 unmapped).
    fixMemoryBase(c, "WISP_WINDOW");
    // Angle-bracket includes take the host's libc; only "wasm-rt.h" comes from Wisp.
    await tool("clang", ["-O2", `-DWISP_WINDOW=${WINDOW}`, "-iquote", join(ROOT, "arch/common/include"), "-iquote", DIR,
      "-o", exe, c, join(ROOT, "scripts/bench/alloc/native.c"), "-lm"]);
  });
  return exe;
}
