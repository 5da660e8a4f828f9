// The two name lists in loader/native/ that say what an app.so may leave
// undefined: the WASI functions the kernel provides and the runtime symbols.
// One name per line; '#' starts a comment. The kernel's build reads the same
// files, so they are the single source of both sides' checks.

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

/** WASI preview 1 function names the kernel exports as wasi_<name>. */
export function wasiFunctions(): string[] {
  return readNameList(join(NATIVE_DIR, "wasi-functions.list"));
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
