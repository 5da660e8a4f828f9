// Deciding whether a wasm file is a program Wisp can compile and run, before
// any compile starts. Each refusal is one sentence naming what is wrong.
//
//   1. the bytes are a core wasm module (not text, not a component);
//   2. wasm-validate accepts it with only the features Wisp compiles
//      (FEATURES_ALLOWED); when it does not, each refused feature is tried
//      alone to name the one the module uses;
//   3. its imports are functions of wasi_snapshot_preview1 that the kernel
//      provides with their signatures (loader/native/wasi-functions.list;
//      an import of one of WasmEdge's forms is renamed to the one its
//      signature picks), it defines one memory and exports it as "memory",
//      and it exports a _start function.

import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { ROOT } from "../build/files";
import { WASI_MODULE, wasiFunctionTable, signatureText } from "./lists";
import { WasmFormatError, WasmModuleInfo, hasWasmMagic, readWasmModule } from "./wasm-module";

const run = promisify(execFile);

/** A module Wisp will not build; the message says why. */
export class AppRefusedError extends Error {}

/**
 * Features wasm-validate enables by default that Wisp does not compile yet.
 * Everything else enabled by default (mutable-globals, saturating
 * float-to-int, sign-extension, multi-value, bulk-memory, reference-types)
 * is compiled.
 */
const NO_SIMD = "--disable-simd";
const DEFAULT_FEATURES_REFUSED = [NO_SIMD];

/**
 * Refused features: the complete wasm-validate flags that accept each one
 * (and nothing else refused), and the reason given. The first that makes a
 * refused module valid names what it uses.
 */
const REFUSED_FEATURES: { flags: string[]; reason: string }[] = [
  { flags: [], reason: "uses SIMD (v128), which Wisp does not compile yet" },
  { flags: ["--enable-relaxed-simd"], reason: "uses relaxed SIMD, which Wisp does not compile yet" },
  { flags: [NO_SIMD, "--enable-threads"], reason: "uses threads (shared memory or atomics), which Wisp does not support" },
  { flags: [NO_SIMD, "--enable-memory64"], reason: "uses memory64 (64-bit memory addresses), which Wisp does not support" },
  { flags: [NO_SIMD, "--enable-multi-memory"], reason: "uses more than one memory (multi-memory), which Wisp does not support" },
  { flags: [NO_SIMD, "--enable-exceptions"], reason: "uses exception handling, which Wisp does not support" },
  { flags: [NO_SIMD, "--enable-tail-call"], reason: "uses tail calls, which Wisp does not compile yet" },
  { flags: [NO_SIMD, "--enable-extended-const"], reason: "uses extended constant expressions, which Wisp does not compile yet" },
  { flags: [NO_SIMD, "--enable-custom-page-sizes"], reason: "uses custom page sizes, which Wisp does not support" },
  { flags: [NO_SIMD, "--enable-function-references"], reason: "uses typed function references, which Wisp does not support" },
  { flags: [NO_SIMD, "--enable-gc"], reason: "uses garbage-collected types (wasm GC), which Wisp does not support" },
];

async function wasmValidate(file: string, flags: string[]): Promise<string | null> {
  try {
    await run(join(ROOT, "node_modules", ".bin", "wasm-validate"), [...flags, file], { maxBuffer: 16 << 20 });
    return null;
  } catch (error) {
    const failure = error as { code?: string | number; stderr?: string; message: string };
    if (failure.code === "ENOENT") throw new Error("wasm-validate is not installed: run 'npm ci'");
    // Colour codes, if wabt decides to add them, have no place in a message.
    return (failure.stderr || failure.message).replace(/\x1b\[[0-9;]*m/g, "").trim();
  }
}

/** A module Wisp can build: what it holds, and the imports to rename to the WASI function they bind (bindImports). */
export type ValidatedApp = WasmModuleInfo & { renames: Map<number, string> };

/** Throws AppRefusedError unless `bytes` (read from `file`) is a module Wisp compiles. */
export async function validateApp(file: string, bytes: Uint8Array): Promise<ValidatedApp> {
  const info = await readValidWasm(file, bytes);
  const renames = bindImports(file, info);
  checkInterface(file, info);
  return { ...info, renames };
}

/** Steps 1 and 2: what the core module `bytes` (read from `file`) holds, or AppRefusedError saying why it is not one Wisp compiles. */
export async function readValidWasm(file: string, bytes: Uint8Array): Promise<WasmModuleInfo> {
  if (!hasWasmMagic(bytes)) {
    const text = new TextDecoder().decode(bytes.subarray(0, 64)).trimStart();
    const hint = text.startsWith("(module") ? " (it looks like wasm text: compile it with wat2wasm first)" : "";
    throw new AppRefusedError(`${file} is not a wasm file${hint}`);
  }
  const version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (version !== 1) {
    throw new AppRefusedError(`${file} is a wasm component or an unknown wasm version (0x${(version >>> 0).toString(16)}); Wisp runs core WASI modules`);
  }
  const problem = await wasmValidate(file, DEFAULT_FEATURES_REFUSED);
  if (problem !== null) throw new AppRefusedError(`${file} ${await nameRefusedFeature(file, problem)}`);
  let info: WasmModuleInfo;
  try {
    info = readWasmModule(bytes);
  } catch (error) {
    if (error instanceof WasmFormatError) throw new AppRefusedError(`${file} is not a valid wasm module: ${error.message}`);
    throw error;
  }
  return info;
}

async function nameRefusedFeature(file: string, problem: string): Promise<string> {
  const results = await Promise.all(
    REFUSED_FEATURES.map(async (feature) => (await wasmValidate(file, feature.flags)) === null),
  );
  const found = REFUSED_FEATURES.find((_, i) => results[i]);
  if (found) return found.reason;
  if ((await wasmValidate(file, ["--enable-all"])) === null) return "uses several WebAssembly features that Wisp does not support together";
  return `is not a valid wasm module:\n${problem}`;
}

/**
 * The WASI function each import binds to (wasi-functions.list): by name
 * and signature. Returns the imports to rename before compiling (their
 * index among the imports → the function's name), for WasmEdge's forms
 * told apart by signature.
 */
function bindImports(file: string, info: WasmModuleInfo): Map<number, string> {
  const table = wasiFunctionTable();
  const renames = new Map<number, string>();
  info.imports.forEach((imported, index) => {
    const what = `${imported.module}.${imported.name}`;
    if (imported.module !== WASI_MODULE) {
      throw new AppRefusedError(`${file} imports ${what}: Wisp apps may import only from ${WASI_MODULE}`);
    }
    if (imported.kind !== "func") {
      throw new AppRefusedError(`${file} imports a ${imported.kind} (${what}): Wisp apps may import only functions`);
    }
    const candidates = table.filter((entry) => entry.importedAs === imported.name);
    if (candidates.length === 0) {
      throw new AppRefusedError(`${file} imports ${what}, which is not a WASI preview 1 function the Wisp kernel provides`);
    }
    const type = info.types[imported.typeIndex ?? -1];
    const wanted = type ? signatureText(type.params.map(valueTypeName), type.results.map(valueTypeName)) : "?";
    const bound = candidates.find((entry) => signatureText(entry.params, entry.results) === wanted);
    if (bound === undefined) {
      const offered = candidates.map((entry) => `(${signatureText(entry.params, entry.results)})`).join(" or ");
      throw new AppRefusedError(`${file} imports ${what} as (${wanted}), but the Wisp kernel provides it as ${offered}`);
    }
    if (bound.name !== imported.name) renames.set(index, bound.name);
  });
  return renames;
}

const VALUE_TYPES: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64", 0x7b: "v128", 0x70: "funcref", 0x6f: "externref" };

/** A value type code's text name (i32, i64, ...). */
export function valueTypeName(code: number): string {
  return VALUE_TYPES[code] ?? `0x${code.toString(16)}`;
}

function checkInterface(file: string, info: WasmModuleInfo): void {
  if (info.memories.length === 0) throw new AppRefusedError(`${file} defines no memory: a WASI command must define and export its memory`);
  if (info.memories.some((memory) => memory.is64)) throw new AppRefusedError(`${file} uses memory64 (64-bit memory addresses), which Wisp does not support`);
  if (info.memories.some((memory) => memory.shared)) throw new AppRefusedError(`${file} uses threads (shared memory or atomics), which Wisp does not support`);
  if (!info.exports.some((e) => e.name === "memory" && e.kind === "memory")) {
    throw new AppRefusedError(`${file} does not export its memory as "memory": WASI needs it to pass buffers`);
  }
  const start = info.exports.find((e) => e.name === "_start" && e.kind === "func");
  if (!start) {
    throw new AppRefusedError(`${file} has no exported _start function: a WASI command must export _start; reactors are not supported`);
  }
  const type = info.types[info.functionTypes[start.index]];
  if (!type || type.params.length !== 0 || type.results.length !== 0) {
    throw new AppRefusedError(`${file} exports _start with parameters or results: a WASI command's _start takes and returns nothing`);
  }
}
