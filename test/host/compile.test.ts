// Guards test/host/compile.ts and scripts/build/wasm-data.ts, which every other
// host test stands on: a compile error must fail loudly with asc's own
// message, the modules must carry the kernel's memory layout (static data
// from memoryBase, memory imported), the data-segment reader must agree
// with the compiler about where static data ends, and the harness's cache
// key must cover every part its entry re-exports.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileWithAsc, hashedSources, wasmBytes, wasmModule, kernelTarget, REPO_ROOT } from "./compile";
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

  it("keys the harness's cache on every part its entry re-exports, and on what the parts share", () => {
    const entry = readFileSync(join(REPO_ROOT, "test/host/harness.ts"), "utf8");
    const parts = [...entry.matchAll(/^export \* from "\.\/([^"]+)";/gm)].map((match) => `test/host/${match[1]}.ts`);
    expect(parts).toContain("test/host/mm/harness.ts");
    const hashed = hashedSources("harness");
    expect(hashed).toEqual(expect.arrayContaining(["test/host/harness.ts", ...parts, "test/host/boot/parsed-info.ts"]));
    expect(hashed.filter((file) => file.startsWith("test/") && file.endsWith("client.ts"))).toEqual([]);
  });
});
