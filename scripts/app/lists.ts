// The two lists in loader/native/ that say what an app.so may leave
// undefined: the WASI functions the kernel provides, with their wasm
// signatures (wasi-functions.list: `NAME PARAMS -> RESULTS [< IMPORTED]`),
// and the runtime symbols (runtime.list: one name per line). '#' starts a
// comment. The kernel's build reads the same files, so they are the single
// source of both sides' checks.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build/files";

export const NATIVE_DIR = join(ROOT, "loader", "native");
export const WASI_MODULE = "wasi_snapshot_preview1";
/** The C name wasm2c gives the import `wasi_snapshot_preview1.<fn>`. */
export const WASI_SYMBOL_PREFIX = "w2c_wasi__snapshot__preview1_";

export function readNameList(file: string): string[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter((line) => line !== "");
}

/** A function the kernel exports as wasi_<name>: its wasm signature, and the import name it binds. */
export interface WasiFunction {
  name: string;
  /** Value types as wasm text names: i32, i64, f32, f64. */
  params: string[];
  results: string[];
  /** The import name bound to it: its own name, or the IMPORTED of `< IMPORTED`. */
  importedAs: string;
}

/** Parses wasi-functions.list's lines (comments and blank lines already dropped). */
export function parseWasiFunctions(lines: string[]): WasiFunction[] {
  return lines.map((line) => {
    const match = /^(\w+)((?:\s+\w+)*)\s*->((?:\s*\w+)*)\s*(?:<\s*(\w+))?$/.exec(line);
    if (match === null) throw new Error(`loader/native/wasi-functions.list: cannot read '${line}' (expected NAME PARAMS -> RESULTS [< IMPORTED])`);
    const types = (text: string) => text.trim().split(/\s+/).filter(Boolean);
    return { name: match[1], params: types(match[2]), results: types(match[3]), importedAs: match[4] ?? match[1] };
  });
}

/** The WASI functions the kernel provides (wasi-functions.list). */
export function wasiFunctionTable(): WasiFunction[] {
  return parseWasiFunctions(readNameList(join(NATIVE_DIR, "wasi-functions.list")));
}

/** Their names (the kernel exports each as wasi_<name>). */
export function wasiFunctions(): string[] {
  return wasiFunctionTable().map((entry) => entry.name);
}

/** A signature as the list and error messages write it: "i32 i32 -> i32". */
export function signatureText(params: string[], results: string[]): string {
  return [...params, "->", ...results].join(" ");
}

/** Symbols besides the WASI imports that the kernel resolves in an app.so. */
export function runtimeSymbols(): string[] {
  return readNameList(join(NATIVE_DIR, "runtime.list"));
}

/**
 * The C symbol wasm2c uses for an import of `wasi_snapshot_preview1.<name>`:
 * wasm2c escapes '_' in the module name as "__" and any other byte outside
 * [A-Za-z0-9] as 0xNN; WASI function names are plain [a-z_] identifiers.
 */
export function wasiSymbol(name: string): string {
  return WASI_SYMBOL_PREFIX + name;
}

/** The names in `undefinedSymbols` the kernel would not resolve (neither WASI import nor runtime symbol). */
export function unresolvedSymbols(undefinedSymbols: string[]): string[] {
  const allowed = new Set([...wasiFunctions().map(wasiSymbol), ...runtimeSymbols()]);
  return undefinedSymbols.filter((name) => !allowed.has(name));
}
