// Guards test/host/compile.ts and scripts/build/wasm-data.ts, which every other
// host test stands on: a compile error must fail loudly with asc's own
// message, the modules must carry the kernel's memory layout (static data
// from memoryBase, memory imported), and the data-segment reader must agree
// with the compiler about where static data ends.

import { describe, expect, it } from "vitest";
import { compileWithAsc, wasmBytes, wasmModule, kernelTarget } from "./compile";
import { Harness } from "./harness-client";
import { staticDataEnd, staticDataStart } from "../../scripts/build/wasm-data";

const MEMORY_BASE = 0x10_0000;
await Promise.all([wasmModule(kernelTarget("x86_64")), wasmModule(kernelTarget("aarch64")), wasmModule("harness")]); // compile outside any test's time limit

describe("host-test compilation", () => {
  it("fails loudly with asc's diagnostics on a compile error", async () => {
    const broken = compileWithAsc({
      entry: "test/host/broken-on-purpose.ts",
      virtualFiles: {
        "test/host/broken-on-purpose.ts":
          'import { abortHandler } from "../../kernel/panic";\nexport function broken(): i32 { return notDefinedAnywhere; }\n',
      },
    });
    await expect(broken).rejects.toThrow(/asc failed to compile test\/host\/broken-on-purpose\.ts[\s\S]*TS2304: Cannot find name 'notDefinedAnywhere'/);
  }, 60_000);

  it("places the kernel's and the harness's static data from memoryBase (1 MiB)", async () => {
    for (const target of [kernelTarget("x86_64"), kernelTarget("aarch64"), "harness"]) {
      const bytes = await wasmBytes(target);
      expect(staticDataStart(bytes), target).toBeGreaterThanOrEqual(MEMORY_BASE);
      expect(staticDataEnd(bytes), target).toBeGreaterThan(staticDataStart(bytes));
      expect(staticDataEnd(bytes), target).toBeLessThan(MEMORY_BASE + 0x10_0000);
    }
  });

  it("imports its memory, and exports it only from the harness", async () => {
    for (const target of [kernelTarget("x86_64"), kernelTarget("aarch64"), "harness"]) {
      const module = await wasmModule(target);
      expect(WebAssembly.Module.imports(module).some((entry) => entry.module === "env" && entry.kind === "memory"), target).toBe(true);
      expect(WebAssembly.Module.exports(module).some((entry) => entry.kind === "memory"), target).toBe(target === "harness");
    }
  });

  it("reads the same static data end as asc's __heap_base", async () => {
    const harness = await Harness.create();
    const end = staticDataEnd(await wasmBytes("harness"));
    const heapBase = harness.exports.heapBase();
    expect(heapBase).toBeGreaterThanOrEqual(end);
    expect(heapBase - end).toBeLessThan(16);
  });
});
