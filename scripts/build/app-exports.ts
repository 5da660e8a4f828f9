// The kernel's export table for application modules, as C source.
//
// An app.so leaves two kinds of symbols undefined (loader/native/): its WASI
// imports, named by wasm2c `w2c_wasi__snapshot__preview1_<fn>`, and the
// runtime symbols listed in loader/native/runtime.list. The kernel resolves
// them by name from this table (arch.appExports() hands its address to the
// loader). A WASI import is the kernel's own export `wasi_<fn>` (its wasm2c
// name w2c_kernel_wasi_<fn> has the same C signature: the app passes the
// kernel's instance as its import instance). A runtime symbol `wasm_rt_x`
// is implemented as `wisp_app_wasm_rt_x` (arch/common/app-runtime.c); the
// others (memcpy, the math functions) by the kernel's libc.c and math.c.

import { readFileSync } from "node:fs";

export interface AppExports {
  source: string;
  /** WASI functions the list names that the kernel does not export. */
  missing: string[];
}

/** Names in a list file: one per line, '#' starts a comment. */
export function readNameList(path: string): string[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim())
    .filter(Boolean);
}

/** wasm2c's C types back to wasm value types. */
const WASM_TYPE: Record<string, string> = { u32: "i32", u64: "i64", f32: "f32", f64: "f64" };

/**
 * The wasm signature of each wasi_<name> the kernel header declares, as
 * wasi-functions.list writes it ("i32 i32 -> i32").
 */
export function kernelWasiSignatures(kernelHeader: string): Map<string, string> {
  const signatures = new Map<string, string>();
  for (const match of kernelHeader.matchAll(/^(\w+) w2c_kernel_wasi_(\w+)\(w2c_kernel\*((?:, \w+)*)\);/gm)) {
    const params = match[3].split(",").map((type) => type.trim()).filter(Boolean).map((type) => WASM_TYPE[type] ?? type);
    const results = match[1] === "void" ? [] : [WASM_TYPE[match[1]] ?? match[1]];
    signatures.set(match[2], [...params, "->", ...results].join(" "));
  }
  return signatures;
}

export function appExportsSource(kernelHeader: string, runtimeNames: string[], wasiNames: string[]): AppExports {
  const exported = new Set([...kernelHeader.matchAll(/\bw2c_kernel_wasi_(\w+)\(/g)].map((match) => match[1]));
  const entries: Array<[name: string, implementation: string]> = [];
  for (const name of [...exported].sort()) entries.push([`w2c_wasi__snapshot__preview1_${name}`, `w2c_kernel_wasi_${name}`]);
  for (const name of runtimeNames) entries.push([name, name.startsWith("wasm_rt_") ? `wisp_app_${name}` : name]);
  const lines = [
    "/* The kernel's export table for application modules (scripts/build/app-exports.ts). */",
    "#include <stdint.h>",
    "",
    "struct wisp_app_export {",
    "  uint64_t name;",
    "  uint64_t address;",
    "};",
    "",
    ...entries.map(([, implementation], index) => `extern char wisp_export_${index}[] __asm__("${implementation}");`),
    "",
    "static const struct wisp_app_export table[] = {",
    ...entries.map(([name], index) => `  {(uint64_t)(uintptr_t)"${name}", (uint64_t)(uintptr_t)wisp_export_${index}},`),
    "  {0, 0},",
    "};",
    "",
    "struct w2c_arch;",
    "uint32_t w2c_arch_appExports(struct w2c_arch* arch) {",
    "  (void)arch;",
    "  return (uint32_t)(uintptr_t)table;",
    "}",
    "",
  ];
  return { source: lines.join("\n"), missing: wasiNames.filter((name) => !exported.has(name)) };
}
