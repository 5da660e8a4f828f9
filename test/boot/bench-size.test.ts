// Boot tier (it builds both kernels and the hello app): `wisp bench size
// --json` breaks the real kernel.elf and app.so down so that every section's
// rows sum to its size; nearly all of the kernel's code is put down to its
// AssemblyScript files (which only works while the build keeps function
// names); a known function is where it belongs; the app's code is its own
// functions, printf's among them.

import { describe, expect, it } from "vitest";
import { statSync } from "node:fs";
import { wispAsync } from "./wisp-cli";

interface Breakdown {
  file: string;
  fileBytes: number;
  sections: Array<{ name: string; bytes: number; attributed: number }>;
  functions: Array<{ name: string; file: string; bytes: number }>;
  parts: Array<{ section: string; file: string; bytes: number }>;
}

const textShare = (result: Breakdown, accept: (file: string) => boolean) => {
  const text = result.parts.filter((part) => part.section === ".text");
  return text.filter((part) => accept(part.file)).reduce((sum, part) => sum + part.bytes, 0) / text.reduce((sum, part) => sum + part.bytes, 0);
};

describe("wisp bench size", () => {
  it("accounts for every byte of kernel.elf and app.so, on both architectures", async () => {
    const run = await wispAsync("bench", "size", "--json");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const { results } = JSON.parse(run.stdout) as { results: Array<{ arch: string; kernel: Breakdown; app: Breakdown }> };
    expect(results.map((result) => result.arch)).toEqual(["x86_64", "aarch64"]);
    for (const { arch, kernel, app } of results) {
      for (const breakdown of [kernel, app]) {
        expect(breakdown.fileBytes).toBe(statSync(breakdown.file).size);
        for (const section of breakdown.sections) expect(section.attributed, `${arch} ${breakdown.file} ${section.name}`).toBe(section.bytes);
      }
      expect(kernel.sections.map((section) => section.name)).toEqual(expect.arrayContaining([".text", ".rodata", ".data", ".bss"]));
      expect(textShare(kernel, (file) => file.endsWith(".ts")), arch).toBeGreaterThan(0.85);
      expect(kernel.functions.find((fn) => fn.name === "kernel/net/tcp-input/tcpInput")).toMatchObject({ file: "kernel/net/tcp-input.ts" });
      expect(textShare(app, (file) => file.startsWith("the app's functions")), arch).toBeGreaterThan(0.8);
      expect(app.functions.map((fn) => fn.name)).toEqual(expect.arrayContaining(["printf_core", "_start"]));
    }
  }, 600_000);
});
