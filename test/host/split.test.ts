// Guards the splitter and build-app's split path (scripts/app/split/,
// scripts/app/units.ts, steps.ts): a module cut into parts runs exactly as
// the whole module does, in Node (every instruction naming a function,
// global, table or memory across a part boundary; element and data segments;
// a start function; WASI imports; exports; multi-value; mutable globals) and
// compiled to app.so and run natively by the bench harness; a passive segment
// two parts would share is refused; small modules stay whole; an interrupted
// build resumes from its finished steps.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../scripts/app";
import { UnsplittableError, splitModule } from "../../scripts/app/split";
import { unitsFor } from "../../scripts/app/units";
import { ROOT } from "../../scripts/build/files";
import { bigModule } from "../../scripts/bench/app/big-module";
import { NodeRun, runParts, runWhole } from "./split/node-run";

const work = mkdtempSync(join(tmpdir(), "wisp-split-"));
const name = (p: number) => `app${p}`;

function wat(file: string): Uint8Array {
  const out = join(work, "module.wasm");
  execFileSync(join(ROOT, "node_modules", ".bin", "wat2wasm"), [file, "-o", out]);
  return readFileSync(out);
}

const crossPart = wat(join(ROOT, "test", "host", "split", "cross-part.wat"));

/** What cross-part.wat prints: 33 checks, then proc_exit(3). */
const CROSS_PART_LINES = 33;

describe("split modules run as the whole one in Node", () => {
  it("cross-part.wat, one function per part", () => {
    const whole = runWhole(crossPart);
    expect(whole.status).toBe(3);
    expect(whole.stdout.split("\n").filter(Boolean)).toHaveLength(CROSS_PART_LINES);
    const split = splitModule(crossPart, { maxCodeBytes: 1, name });
    expect(split.parts.length).toBe(15); // every function alone
    expect(split.start).not.toBeNull();
    expect(runParts(split)).toEqual(whole);
  });

  it("cross-part.wat in parts of a few functions", () => {
    const split = splitModule(crossPart, { maxCodeBytes: 300, name });
    expect(split.parts.length).toBeGreaterThan(1);
    expect(runParts(split)).toEqual(runWhole(crossPart));
  });

  it("a generated program of 3,000 functions in 6 or more parts", () => {
    const bytes = bigModule(3000, { steps: 4 });
    const whole = runWhole(bytes);
    expect(whole.stdout).toMatch(/^checksum \d+\nglobal \d+\n$/);
    const split = splitModule(bytes, { maxCodeBytes: 64 << 10, name });
    expect(split.parts.length).toBeGreaterThanOrEqual(6);
    expect(runParts(split)).toEqual(whole);
  });

  it("padded LEB128 immediates are read and renumbered", () => {
    const bytes = bigModule(500, { steps: 2, lebBytes: 5 });
    const split = splitModule(bytes, { maxCodeBytes: 32 << 10, name });
    expect(split.parts.length).toBeGreaterThan(2);
    expect(runParts(split)).toEqual(runWhole(bytes));
  });
});

describe("what cannot or need not be split", () => {
  it("a passive data segment used by code in two parts is refused, naming it", () => {
    const bytes = wat(join(ROOT, "test", "host", "split", "shared-segment.wat"));
    expect(() => splitModule(bytes, { maxCodeBytes: 1, name })).toThrow(UnsplittableError);
    expect(() => splitModule(bytes, { maxCodeBytes: 1, name })).toThrow("data segment 0 is used by code in parts 0 and 1");
  });

  it("a passive element segment naming another part's function is refused", () => {
    const bytes = wat(join(ROOT, "test", "host", "split", "foreign-element.wat"));
    expect(() => splitModule(bytes, { maxCodeBytes: 1, name })).toThrow("passive element segment 0 names functions outside the part that uses it (1)");
  });

  it("a module within the bound goes to wasm2c whole, glued by app-main.c", () => {
    const plan = unitsFor("m.wasm", crossPart, 1000, work, {});
    expect(plan.units.map((unit) => unit.name)).toEqual(["app"]);
    expect(plan.glue.file).toMatch(/loader\/native\/app-main\.c$/);
  });
});

describe("split app.so runs as the unsplit one (native harness, x86_64)", () => {
  let harness = "";
  beforeAll(() => {
    harness = join(work, "native-harness");
    execFileSync("clang", ["-O2", "-rdynamic", join(ROOT, "scripts", "bench", "app", "native-harness.c"), "-o", harness, "-ldl", "-lm"]);
  });

  const runNative = (soPath: string): NodeRun => {
    const result = spawnSync(harness, [soPath], { encoding: "utf8" });
    return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
  };

  it("cross-part.wat: whole, split one function per part, and Node agree", async () => {
    const wasm = join(work, "cross-part.wasm");
    writeFileSync(wasm, crossPart);
    const whole = await buildApp(wasm, { arch: "x86_64" });
    const split = await buildApp(wasm, { arch: "x86_64", splitCodeBytes: 1 });
    expect(whole.report.split).toBeNull();
    expect(whole.report.linearMemory).toEqual({ initialPages: 1, maximumPages: 16 }); // (memory 1 16)
    expect(split.report.split?.parts).toHaveLength(15);
    const node = runWhole(crossPart);
    expect(runNative(whole.soPath)).toEqual(node);
    expect(runNative(split.soPath)).toEqual(node);
  });

  it("a generated program in 4 parts: the same checksum as in Node", async () => {
    const bytes = bigModule(800, { steps: 4 });
    const wasm = join(work, "big.wasm");
    writeFileSync(wasm, bytes);
    const split = await buildApp(wasm, { arch: "x86_64", splitCodeBytes: 64 << 10, jobs: 2 });
    expect(split.report.split!.parts.length).toBeGreaterThanOrEqual(3);
    expect(split.report.wasm2c).toHaveLength(split.report.split!.parts.length);
    expect(split.report.stageCpuSeconds.clang).toBeGreaterThan(0);
    expect(runNative(split.soPath)).toEqual(runWhole(bytes));
  });

  it("a build stopped after its first steps resumes them", async () => {
    const wasm = join(work, "resume.wasm");
    writeFileSync(wasm, bigModule(300, { steps: 2 }));
    const options = { arch: "x86_64" as const, splitCodeBytes: 16 << 10, jobs: 1, force: true };
    let steps = 0;
    const stopped = buildApp(wasm, { ...options, onProgress: () => {
      if (++steps === 4) throw new Error("stopped after 4 steps");
    } });
    await expect(stopped).rejects.toThrow("stopped after 4 steps");
    const resumed = await buildApp(wasm, options);
    expect(resumed.report.resumedSteps).toBe(4);
    expect(resumed.report.perPart.length + resumed.report.wasm2c.length).toBeGreaterThan(4);
  });
});
