// build-app: a WASI program (app.wasm) → app.so, the native module the Wisp
// kernel loads and runs (docs/build-app.md).
//
//   validate   refuse what Wisp cannot run, with the reason   (validate.ts);
//              bind each WASI import by name and signature, renaming those
//              of WasmEdge's forms told apart by signature (rename-imports.ts)
//   flatten    a function nesting blocks deeper than wasm2c can take has
//              its switch-like chains rewritten as jump trees   (nesting/)
//   split      a module with more code than SPLIT_CODE_BYTES is cut into
//              part modules, each compiled on its own       (units.ts, split/)
//   compile    wasm2c → clang per C file, in parallel → ld.lld, each step
//              resumable after an interrupted build         (steps.ts)
//   check      every undefined symbol is a WASI import the kernel provides
//              or a runtime symbol (loader/native/*.list); on aarch64 every
//              native frame fits the stack guard (frames.ts)
//   report     sizes, sections, relocations, time, memory      (report.ts)
//
// Outputs are cached by content: build/apps/<hash>/<arch>/app.so and
// report.json, where <hash> covers the wasm bytes, the tools' versions, every
// file in loader/native/, this folder's sources and the flags of both
// architectures. A second build of the same input is a cache hit.

import { createHash } from "node:crypto";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { ROOT, listFiles } from "../build/files";
import { withFileLock } from "../build/lock";
import { ARCHES, Arch } from "../build/targets";
import { LINK_FLAGS, MAX_PARTS, compileFlags, defaultJobs } from "./compile";
import { EM_AARCH64, EM_X86_64, readElf } from "./elf-reader";
import { frameProblem, largestFrame, readFrames } from "./frames";
import { unresolvedSymbols } from "./lists";
import { stopChildren } from "./measured";
import type { Progress } from "./progress";
import { AppReport, makeReport } from "./report";
import { limitNesting } from "./nesting";
import { renameImports } from "./rename-imports";
import { runSteps } from "./steps";
import { CODE_BYTES_PER_OUTPUT, SPLIT_CODE_BYTES, unitsFor } from "./units";
import { AppRefusedError, validateApp } from "./validate";

export { AppRefusedError } from "./validate";
export type { AppReport } from "./report";
export { formatReport } from "./report";
export type { Progress } from "./progress";
export { progressPrinter } from "./progress";

const run = promisify(execFile);

export interface BuildAppOptions {
  arch: Arch;
  /** Parallel compiles; default: one per CPU, fewer when free memory is short (compile.ts defaultJobs). */
  jobs?: number;
  /** Rebuild even when the cache has the output. */
  force?: boolean;
  /** wasm2c output parts of an unsplit module; default: from the code size (units.ts outputsFor). Part of the cache key. */
  parts?: number;
  /** Split modules with more code than this, into parts of at most this much (default SPLIT_CODE_BYTES). Part of the cache key. */
  splitCodeBytes?: number;
  /** Called after every step of a compile (not for a cache hit). */
  onProgress?: (progress: Progress) => void;
}

export interface BuildAppResult {
  soPath: string;
  cached: boolean;
  report: AppReport;
}

export const APPS_DIR = join(ROOT, "build", "apps");
const LOCK_REFRESH_MS = 60_000;
/** wasm2c writes about this many bytes of C per byte of code (measured: see docs/build-app.md); sizes default jobs. */
const C_BYTES_PER_CODE_BYTE = 12;

let toolVersions: Promise<string> | null = null;

/** The versions of wasm2c, clang and ld.lld, as one string for the cache key. */
export function versions(): Promise<string> {
  const version = async (command: string) => (await run(command, ["--version"])).stdout.trim();
  toolVersions ??= Promise.all([
    version(join(ROOT, "node_modules", ".bin", "wasm2c")), version("clang"), version("ld.lld"),
  ]).then((all) => all.join("\n"));
  return toolVersions;
}

/** The content hash naming a module's cache directory (shared by both architectures). */
export async function appHash(wasmBytes: Uint8Array, parts?: number, splitCodeBytes?: number): Promise<string> {
  const hash = createHash("sha256");
  const part = (label: string, data: string | Uint8Array) => {
    hash.update(`${label}\0${data.length}\0`);
    hash.update(data);
  };
  part("wasm", wasmBytes);
  part("parts", String(parts ?? "auto"));
  part("split", String(splitCodeBytes ?? SPLIT_CODE_BYTES));
  part("tools", await versions());
  part("flags", JSON.stringify({ compile: ARCHES.map(compileFlags), link: LINK_FLAGS }));
  const inputs = [...listFiles("loader/native", ""), "arch/common/include/wasm-rt-shared.h", ...listFiles("scripts/app", ".ts")].sort();
  for (const file of inputs) part(file, readFileSync(join(ROOT, file)));
  return hash.digest("hex");
}

/** Builds (or finds in the cache) the app.so of `wasmPath` for `options.arch`. */
export async function buildApp(wasmPath: string, options: BuildAppOptions): Promise<BuildAppResult> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(wasmPath);
  } catch (error) {
    throw new AppRefusedError(`cannot read ${wasmPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (options.parts !== undefined && !(Number.isInteger(options.parts) && options.parts >= 1 && options.parts <= MAX_PARTS)) {
    throw new Error(`parts must be an integer from 1 to ${MAX_PARTS}`);
  }
  const hash = await appHash(bytes, options.parts, options.splitCodeBytes);
  const dir = join(APPS_DIR, hash, options.arch);
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, "build.lock");
  return withFileLock(lock, async () => {
    // withFileLock takes over a lock older than 10 minutes; a big module can
    // compile for longer, so the holder keeps its lock's time fresh.
    const keepFresh = setInterval(() => {
      try {
        utimesSync(lock, new Date(), new Date());
      } catch {
        // the lock is gone: nothing to keep fresh
      }
    }, LOCK_REFRESH_MS);
    // Ctrl-C (or a kill) must not leave compilers running: stop them, then exit as the signal would have.
    const onSignal = (signal: NodeJS.Signals) => {
      stopChildren();
      process.exit(128 + (signal === "SIGINT" ? 2 : 15));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      return await buildLocked(wasmPath, bytes, hash, dir, options);
    } finally {
      clearInterval(keepFresh);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}

function cachedReport(dir: string, hash: string): AppReport | null {
  const soPath = join(dir, "app.so");
  const reportPath = join(dir, "report.json");
  if (!existsSync(soPath) || !existsSync(reportPath)) return null;
  try {
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as AppReport;
    return report.hash === hash ? report : null;
  } catch {
    return null;
  }
}

async function buildLocked(wasmPath: string, bytes: Uint8Array, hash: string, dir: string, options: BuildAppOptions): Promise<BuildAppResult> {
  const soPath = join(dir, "app.so");
  if (!options.force) {
    const report = cachedReport(dir, hash);
    if (report) return { soPath, cached: true, report };
  }
  const start = performance.now();
  const info = await validateApp(wasmPath, bytes);
  // An earlier build's work directory is kept: its finished steps are resumed (steps.ts).
  const work = join(dir, "work");
  mkdirSync(work, { recursive: true });
  // Imports of WasmEdge's forms bound by signature get the kernel's name for that form first.
  let source = wasmPath;
  let sourceBytes = bytes;
  if (info.renames.size > 0) {
    source = join(work, "bound.wasm");
    sourceBytes = renameImports(bytes, info.renames);
    writeFileSync(source, sourceBytes);
  }
  // Switches too deeply nested for wasm2c are flattened first (nesting/).
  const shallow = limitNesting(sourceBytes, info.types);
  if (shallow.functions.length > 0) {
    source = join(work, "shallow.wasm");
    sourceBytes = shallow.bytes;
    writeFileSync(source, sourceBytes);
  }
  const plan = unitsFor(source, sourceBytes, info.codeBytes, work, { outputs: options.parts, splitCodeBytes: options.splitCodeBytes });
  const jobs = Math.max(1, options.jobs ?? defaultJobs([CODE_BYTES_PER_OUTPUT * C_BYTES_PER_CODE_BYTE]));
  const steps = await runSteps(plan, work, { arch: options.arch, jobs, versions: await versions(), fixedMemory: true, onProgress: options.onProgress });

  const so = readFileSync(join(work, "app.so"));
  const elf = readElf(so);
  checkUndefined(elf.undefinedSymbols);
  const machine = options.arch === "x86_64" ? EM_X86_64 : EM_AARCH64;
  if (elf.machine !== machine) throw new Error(`ld.lld wrote ELF machine ${elf.machine}, not ${options.arch}`);
  const frames = readFrames(so, elf);
  const problem = frameProblem(frames, options.arch);
  if (problem !== null) throw new AppRefusedError(`${wasmPath} ${problem}`);

  renameSync(join(work, "app.so"), soPath);
  rmSync(work, { recursive: true, force: true });
  const report = makeReport(
    {
      arch: options.arch, hash, wasmBytes: bytes.length, soBytes: so.length, compileSeconds: (performance.now() - start) / 1000,
      linearMemory: { initialPages: Number(info.memories[0].min), maximumPages: info.memories[0].max === null ? null : Number(info.memories[0].max) },
    },
    elf, so, plan, steps, jobs, largestFrame(frames), shallow.functions,
  );
  writeFileSync(join(dir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  return { soPath, cached: false, report };
}

/** Fails naming every undefined symbol the kernel would not resolve. */
function checkUndefined(undefinedSymbols: string[]): void {
  const unknown = unresolvedSymbols(undefinedSymbols);
  if (unknown.length > 0) {
    throw new Error(
      `app.so needs ${unknown.join(", ")}, which the Wisp kernel does not provide ` +
        `(neither a WASI import in loader/native/wasi-functions.list nor in loader/native/runtime.list)`,
    );
  }
}
