// wasm → app.so, one step per process, `jobs` processes at a time:
//
//   wasm2c -n <unit> --num-outputs N   <unit>.wasm → <unit>_0.c … , <unit>.h, <unit>-impl.h
//                                      (an app's: memory at a constant address, memory-access.ts)
//   clang, one per C file, queued as soon as its unit's wasm2c is done → .o
//   clang on the glue (app-main.c, or the generated parts-main.c)       → .o
//   ld.lld -shared                                                      → app.so
//
// Every wasm2c and clang step is resumable: it leaves a stamp beside its
// output holding the hash of its inputs (the part's wasm or C file and
// headers, the tool versions and the flags, scripts/build/cache.ts), and a
// step whose stamp matches is not run again. An interrupted build therefore
// resumes from the steps it finished. A failing step stops the others and
// is reported as one line naming the stage and the part, with the tool's own
// message below it.

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { performance } from "node:perf_hooks";
import { ROOT } from "../build/files";
import { hashInputs, isFresh, recordFresh } from "../build/cache";
import type { Arch } from "../build/targets";
import { ToolError } from "../build/tools";
import { LINK_FLAGS, clangResourceInclude, compileFlags } from "./compile";
import { NATIVE_DIR } from "./lists";
import { Measured, ToolRunError, runMeasured, stopChildren } from "./measured";
import { TaskPool } from "./pool";
import type { Progress } from "./progress";
import { rewriteUnitMemoryAccess } from "./memory-access";
import { glueSource } from "./split/glue";
import type { CompileUnit, Units } from "./units";

export type Stage = "wasm2c" | "clang" | "link";

/** One process of the build (or one found done by its stamp: `resumed`). */
export interface Step extends Measured {
  stage: Stage;
  unit: string;
  file: string;
  resumed: boolean;
  startedAt: number;
  endedAt: number;
}

export interface StepOptions {
  arch: Arch;
  jobs: number;
  /** The tools' versions: part of every stamp. */
  versions: string;
  /** Apps: the memory-access rewrites (memory-access.ts: a constant base, floats kept in FP registers); filesystem modules keep wasm2c's code. */
  fixedMemory: boolean;
  onProgress?: (progress: Progress) => void;
}

const WASM2C = join(ROOT, "node_modules", ".bin", "wasm2c");
/** Lines of a failing tool's stderr kept in the error. */
const STDERR_LINES = 20;

export async function runSteps(plan: Units, work: string, options: StepOptions): Promise<Step[]> {
  const started = performance.now();
  const steps: Step[] = [];
  const include = ["-isystem", await clangResourceInclude(), "-I", join(NATIVE_DIR, "include"), "-I", NATIVE_DIR, "-I", work];
  const flags = [...compileFlags(options.arch), ...include];
  const objects: string[] = [];
  const pool = new TaskPool(options.jobs);
  let unitsDone = 0;
  // Every wasm2c, every clang (the planned C files until a unit's wasm2c says how many it wrote) and the glue's.
  let stepsExpected = plan.units.reduce((sum, unit) => sum + 1 + unit.outputs, 1);
  const report = () => options.onProgress?.({
    unitsDone, units: plan.units.length, stepsDone: steps.length, steps: stepsExpected, elapsedSeconds: (performance.now() - started) / 1000,
  });

  /** Runs (or resumes) one step; a failure stops every other process and names the step. */
  const step = async (
    stage: Stage, unit: string, file: string, output: string, key: string, command: string, args: string[], what: string, after?: () => void,
  ) => {
    const stamp = `${output}.stamp`;
    const at = performance.now();
    let measured: Measured = { seconds: 0, peakKiB: 0, cpuSeconds: 0 };
    const resumed = isFresh(stamp, key, [output]);
    if (!resumed) {
      try {
        measured = await runMeasured(command, args, work);
        after?.();
      } catch (error) {
        stopChildren();
        throw failure(stage, what, error);
      }
      recordFresh(stamp, key);
    }
    steps.push({ stage, unit, file, ...measured, resumed, startedAt: at, endedAt: performance.now() });
    report();
  };

  const clang = (unit: string, source: string, headers: string[], what: string, label = relativeName(source, work)) => {
    const object = source.replace(/\.c$/, ".o");
    objects.push(object);
    pool.add(async () => {
      const key = hashInputs([source, ...headers], { flags: compileFlags(options.arch), versions: options.versions });
      await step("clang", unit, label, object, key, "clang", [...flags, "-c", source, "-o", object], what);
    });
  };

  const wasm2c = (unit: CompileUnit, index: number) => pool.add(async () => {
    const header = join(unit.dir, `${unit.name}.h`);
    const key = hashInputs([unit.wasm], { name: unit.name, outputs: unit.outputs, versions: options.versions, fixedMemory: options.fixedMemory });
    const what = plan.units.length > 1 ? `part ${unit.name} (${index + 1} of ${plan.units.length}, ${unit.functions} functions)` : unit.name;
    const fixMemory = options.fixedMemory ? () => rewriteUnitMemoryAccess(unit.dir, unit.name) : undefined;
    await step("wasm2c", unit.name, relativeName(unit.wasm, work), header, key, WASM2C,
      [unit.wasm, "-n", unit.name, "--num-outputs", String(unit.outputs), "-o", join(unit.dir, `${unit.name}.c`)], what, fixMemory);
    const headers = [header, join(unit.dir, `${unit.name}-impl.h`)].filter((file) => existsSync(file)); // -impl.h: several outputs only
    const sources = readdirSync(unit.dir).filter((name) => new RegExp(`^${unit.name}(_\\d+)?\\.c$`).test(name)).sort();
    stepsExpected += sources.length - unit.outputs;
    sources.forEach((name, i) => clang(unit.name, join(unit.dir, name), headers, `${what}, C file ${i + 1} of ${sources.length}`));
    unitsDone++;
    if (unitsDone === plan.units.length) glue();
  });

  const glue = () => {
    const headers = plan.units.map((unit) => join(unit.dir, `${unit.name}.h`));
    if ("generate" in plan.glue) {
      const source = glueSource({ ...plan.glue.generate, headers: headers.map((file) => readFileSync(file, "utf8")) });
      writeFileSync(plan.glue.file, source);
    }
    // The fixed glue is copied into the work directory, where its object goes;
    // a module that imports nothing has an instantiate without the kernel's instance.
    const source = plan.glue.file.startsWith(work) ? plan.glue.file : join(work, "app-main.c");
    if (source !== plan.glue.file) {
      const importsNothing = /void wasm2c_app_instantiate\(w2c_app\*\);/.test(readFileSync(headers[0], "utf8"));
      writeFileSync(source, (importsNothing ? "#define WISP_APP_IMPORTS_NOTHING 1\n" : "") + readFileSync(plan.glue.file, "utf8"));
    }
    clang("glue", source, headers, "the glue", relativeName(plan.glue.file, ROOT));
  };

  plan.units.forEach(wasm2c);
  await pool.idle();
  // In the order they were queued (units in order, each's C files in order, the glue last), not of completion.
  const order = new Map(objects.map((object, i) => [relativeName(object, work), i]));
  const rank = (s: Step) => (s.stage === "wasm2c" ? -1 : order.get(s.file.replace(/\.c$/, ".o")) ?? objects.length);
  steps.sort((a, b) => rank(a) - rank(b));

  const so = join(work, "app.so");
  const linkStart = performance.now();
  try {
    const measured = await runMeasured("ld.lld", [...LINK_FLAGS, "-o", so, ...objects], work);
    steps.push({ stage: "link", unit: "", file: "app.so", ...measured, resumed: false, startedAt: linkStart, endedAt: performance.now() });
  } catch (error) {
    throw failure("link", "app.so", error);
  }
  return steps;
}

function relativeName(file: string, dir: string): string {
  return file.startsWith(dir) ? relative(dir, file) : file;
}

/** "wasm2c failed on part app3 (4 of 8, 1200 functions): exit 1" and the tool's first lines. */
export function failure(stage: Stage, what: string, error: unknown): Error {
  if (!(error instanceof ToolRunError)) return error as Error;
  const lines = error.stderr.split("\n");
  const shown = lines.slice(0, STDERR_LINES).join("\n") + (lines.length > STDERR_LINES ? `\n(${lines.length - STDERR_LINES} more lines)` : "");
  return new ToolError(`${stage} failed on ${what}: ${error.status}\n${shown}`);
}
