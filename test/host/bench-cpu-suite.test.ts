// The CPU suite of `wisp bench app` (scripts/bench/app/cpu-suite.ts): every
// kernel in test/apps/cpu/ compiles for the host and for wasm32-wasi and
// gives the same checksum natively and under Node's WASI at a tiny size
// (0.01: each kernel's work counts scaled down a hundredfold); the suite runs
// end to end on two kernels, all four runtimes, and reports medians, ratios
// and geometric means that agree with each other; an unknown kernel name is
// refused with the list of known ones.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CPU_KERNELS_DIR, cpuKernels, runCpuSuite } from "../../scripts/bench/app/cpu-suite";
import { RATIO_NAMES, RUNTIMES, compileProgram, median, runOnce, runtimeCommand } from "../../scripts/bench/app/programs";

const TINY = "0.01";
const REQUIRED = ["sieve", "nbody", "matmul", "stream", "randaccess", "indirect", "interp", "u64math", "qsort", "chacha"];

describe("the CPU kernels", () => {
  const out = mkdtempSync(join(tmpdir(), "wisp-cpu-kernels-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("are the .c files of test/apps/cpu/, sorted, at least the ten the suite promises", () => {
    const kernels = cpuKernels();
    expect(kernels).toEqual([...kernels].sort());
    for (const name of REQUIRED) expect(kernels).toContain(name);
  });

  for (const name of cpuKernels()) {
    it(`${name}: the same checksum natively and under Node's WASI`, () => {
      const program = compileProgram(join(CPU_KERNELS_DIR, `${name}.c`), out, name, ["-lm"]);
      const runs = (["native", "node"] as const).map((runtime) => {
        const { command, args } = runtimeCommand(runtime, program, null, [TINY]);
        return runOnce(`${name} under ${runtime}`, command, args);
      });
      expect(runs[1].checksum, `${name}: node against native`).toBe(runs[0].checksum);
      for (const run of runs) expect(run.ms).toBeGreaterThan(0);
    });
  }
});

describe("runCpuSuite", () => {
  it("runs two kernels all four ways and reports consistent medians, ratios and geometric means", async () => {
    const kernels = ["sieve", "chacha"];
    const result = await runCpuSuite({ runs: 1, size: Number(TINY), kernels });
    expect(Object.keys(result)).toEqual(["size", "runs", "kernels", "geomean", "targets"]);
    expect(result.size).toBe(Number(TINY));
    expect(result.runs).toBe(1);
    expect(Object.keys(result.kernels)).toEqual(kernels);
    for (const name of kernels) {
      const kernel = result.kernels[name];
      expect(Object.keys(kernel)).toEqual(["checksum", "native_ms", "node_ms", "wisp_aot_ms", "wisp_aot_kernel_libc_ms", "ratios", "samples"]);
      expect(kernel.checksum).toMatch(/^[0-9a-f]{16}$/);
      const ms = { native: kernel.native_ms, node: kernel.node_ms, wisp_aot: kernel.wisp_aot_ms, wisp_aot_kernel_libc: kernel.wisp_aot_kernel_libc_ms };
      for (const runtime of RUNTIMES) {
        expect(kernel.samples[runtime]).toHaveLength(1);
        expect(ms[runtime]).toBeGreaterThan(0);
        expect(ms[runtime]).toBeCloseTo(median(kernel.samples[runtime]), 3);
      }
      expect(Object.keys(kernel.ratios)).toEqual(RATIO_NAMES);
      expect(kernel.ratios.node_vs_native).toBeCloseTo(ms.node / ms.native, 3);
      expect(kernel.ratios.wisp_aot_vs_native).toBeCloseTo(ms.wisp_aot / ms.native, 3);
      expect(kernel.ratios.wisp_aot_vs_node).toBeCloseTo(ms.wisp_aot / ms.node, 3);
      expect(kernel.ratios.wisp_aot_kernel_libc_vs_native).toBeCloseTo(ms.wisp_aot_kernel_libc / ms.native, 3);
    }
    expect(Object.keys(result.geomean)).toEqual(RATIO_NAMES);
    for (const ratio of RATIO_NAMES) {
      const product = kernels.reduce((acc, name) => acc * result.kernels[name].ratios[ratio], 1);
      expect(result.geomean[ratio], ratio).toBeCloseTo(Math.sqrt(product), 3);
    }
    const geomeanTarget = result.targets.geomean_wisp_aot_vs_native;
    expect(geomeanTarget).toEqual({ max: 1.1, value: result.geomean.wisp_aot_vs_native, met: result.geomean.wisp_aot_vs_native <= 1.1 });
    const slower = kernels.filter((name) => result.kernels[name].wisp_aot_ms >= result.kernels[name].node_ms);
    expect(result.targets.wisp_aot_faster_than_node).toEqual({ met: slower.length === 0, slower_kernels: slower });
  }, 600_000);

  it("refuses an unknown kernel, naming the known ones, before building anything", async () => {
    await expect(runCpuSuite({ runs: 1, size: 1, kernels: ["sieve", "no-such-kernel"] })).rejects.toThrow(
      `unknown CPU kernel 'no-such-kernel' (known: ${cpuKernels().join(", ")})`,
    );
  });
});
