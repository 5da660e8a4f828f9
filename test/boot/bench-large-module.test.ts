// Boot tier: `wisp bench app`'s "large module" row, at a size CI can afford
// (half a MiB of code; the real row is 30 MiB and costs about 1,000 CPU seconds
// to compile). Guards the row's JSON shape and that its figures come from a
// real compile and a real boot up to _start, with the module's own output.

import { describe, expect, it } from "vitest";
import { buildKernel } from "../../scripts/build";
import { runLargeModuleBench, functionsFor } from "../../scripts/bench/app/large";

describe("wisp bench app: the large module row", () => {
  it("compiles a generated half-MiB module and times exec -> _start in instructions", { timeout: 900_000 }, async () => {
    const kernel = await buildKernel({ arch: "x86_64", log: () => {} });
    const row = await runLargeModuleBench({ arch: "x86_64", mib: 0.5, icount: true, kernelElf: kernel.elf, log: () => {} });
    expect(row).toMatchObject({
      mib: 0.5,
      functions: functionsFor(0.5),
      compile: {
        cached: expect.any(Boolean),
        stages: { split: expect.any(Number), wasm2c: expect.any(Number), clang: expect.any(Number), link: expect.any(Number) },
        stageCpuSeconds: { wasm2c: expect.any(Number), clang: expect.any(Number), link: expect.any(Number) },
        splitParts: 1,
      },
      start: { unit: "instructions" },
    });
    expect(row.wasmBytes).toBeGreaterThan(0.5 * (1 << 20));
    expect(row.wasmBytes).toBeLessThan(0.6 * (1 << 20));
    expect(row.compile.cpuSeconds).toBeGreaterThan(0);
    expect(row.compile.wallSeconds).toBeGreaterThan(0);
    expect(row.compile.parts).toBeGreaterThanOrEqual(2); // one C file per 256 KiB of code
    expect(row.compile.peakKiB).toBeGreaterThan(10 * 1024);
    expect(row.compile.peakProcess?.stage).toMatch(/^(wasm2c|clang|link)$/);
    expect(row.compile.soBytes).toBeGreaterThan(row.wasmBytes / 2);
    expect(row.start.execToLoaded).toBeGreaterThan(0);
    expect(row.start.execToStart).toBeGreaterThan(row.start.execToLoaded);
  });
});
