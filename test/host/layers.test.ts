// Guards the kernel's layering: arch < kernel core < drivers < fs < loader,
// with kernel/init (the composition root) above them all. A file may import
// from its own layer or a lower one; only kernel/init may import upward,
// since wiring the layers together is its job. The layer comes from the
// folder, so a new file is checked without being listed. C and assembly
// #include lines count too. Also guards that the architecture is chosen at
// compile time: no code outside the per-architecture entry points asks at
// run time which architecture it runs on.

import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "./compile";

const LAYERS = ["arch", "kernel", "drivers", "fs", "loader"];
const ROOT_FOLDER = "kernel/init";

function layerOf(path: string): number {
  if (path === ROOT_FOLDER || path.startsWith(`${ROOT_FOLDER}/`)) return LAYERS.length;
  return LAYERS.indexOf(path.split("/")[0]);
}

function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(REPO_ROOT, folder), { withFileTypes: true })) {
    const path = `${folder}/${entry.name}`;
    if (entry.isDirectory()) found.push(...sourceFiles(path));
    else if (/\.(ts|c|h|S)$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** Every file another file names: relative `import ... from` paths and quoted #includes. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(REPO_ROOT, file), "utf8");
  const named = [
    ...[...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((match) => match[1]),
    ...[...text.matchAll(/^\s*#include\s+"([^"]+)"/gm)].map((match) => match[1]),
  ];
  return named.map((target) => relative(REPO_ROOT, normalize(join(REPO_ROOT, dirname(file), target))).split("\\").join("/"));
}

const files = LAYERS.flatMap(sourceFiles);

describe("layers", () => {
  it("finds the sources it checks, in every layer", () => {
    for (const layer of LAYERS) expect(files.some((file) => file.startsWith(`${layer}/`)), layer).toBe(true);
    expect(files).toContain("kernel/init/boot.ts");
  });

  it("knows a higher layer when it sees one", () => {
    expect(layerOf("fs/vfs/index.ts")).toBeGreaterThan(layerOf("drivers/block/index.ts"));
    expect(layerOf("kernel/init/boot.ts")).toBeGreaterThan(layerOf("loader/index.ts"));
    expect(layerOf("kernel/irq/index.ts")).toBeLessThan(layerOf("drivers/virtio/index.ts"));
  });

  it("has no file outside kernel/init import a higher layer", () => {
    const upward: string[] = [];
    for (const file of files) {
      if (layerOf(file) === LAYERS.length) continue;
      for (const target of importsOf(file)) {
        const targetLayer = layerOf(target);
        if (targetLayer > layerOf(file)) upward.push(`${file} -> ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it("keeps the core's interrupts, time and scheduler in one order: irq < time < sched", () => {
    const ORDER = ["kernel/irq", "kernel/time", "kernel/sched"];
    const rank = (path: string) => ORDER.findIndex((folder) => path === folder || path.startsWith(`${folder}/`));
    const backward: string[] = [];
    for (const file of files.filter((name) => rank(name) >= 0)) {
      for (const target of importsOf(file)) {
        if (rank(target) > rank(file)) backward.push(`${file} -> ${target}`);
      }
    }
    expect(backward).toEqual([]);
  });

  it("has no run-time architecture test outside the per-architecture entry points", () => {
    const tests: string[] = [];
    for (const file of files.filter((name) => name.endsWith(".ts") && !name.startsWith(`${ROOT_FOLDER}/`))) {
      const lines = readFileSync(join(REPO_ROOT, file), "utf8").split("\n");
      lines.forEach((line, index) => {
        if (/\bARCH_(X86_64|AARCH64)\b|\bonX86\b|\bisX86\b|\.arch\s*==|\barch\s*==/.test(line) && !file.endsWith("kernel/boot/handoff.ts")) {
          tests.push(`${file}:${index + 1}: ${line.trim()}`);
        }
      });
    }
    expect(tests).toEqual([]);
  });
});
