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
// One is not a function: `wisp_app_memory`, whose address is where the app's
// linear memory always starts (APP_MEMORY_BASE in kernel/params.ts).

import { readFileSync } from "node:fs";

/** The runtime symbol whose address is the app's linear memory (loader/native/runtime.list). */
export const APP_MEMORY_SYMBOL = "wisp_app_memory";

/** APP_MEMORY_BASE as kernel/params.ts (`params`, its text) defines it. */
export function appMemoryBase(params: string): bigint {
  const match = /^export const APP_MEMORY_BASE: u64 = (0x[0-9A-Fa-f_]+);$/m.exec(params);
  if (!match) throw new Error("kernel/params.ts: no `export const APP_MEMORY_BASE: u64 = 0x...;` line");
  return BigInt(match[1].replaceAll("_", ""));
}

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
export function kernelWasiSignatures(kernelHeader: string, prefix = "wasi_"): Map<string, string> {
  const signatures = new Map<string, string>();
  const declaration = new RegExp(`^(\\w+) w2c_kernel_${prefix}(\\w+)\\(w2c_kernel\\*((?:, \\w+)*)\\);`, "gm");
  for (const match of kernelHeader.matchAll(declaration)) {
    const params = match[3].split(",").map((type) => type.trim()).filter(Boolean).map((type) => WASM_TYPE[type] ?? type);
    const results = match[1] === "void" ? [] : [WASM_TYPE[match[1]] ?? match[1]];
    signatures.set(match[2], [...params, "->", ...results].join(" "));
  }
  return signatures;
}

/**
 * The loader's hash of a name (loader/elf/symbols.ts hashName): its bytes
 * as little-endian 64-bit words, the last one padded with zeros, each folded
 * in as h = (h ^ word) * NAME_HASH_FACTOR modulo 2^64.
 */
export const NAME_HASH_FACTOR = 0x9e37_79b9_7f4a_7c15n;

export function nameHash(name: string): bigint {
  const bytes = Buffer.from(name);
  const padded = Buffer.alloc(Math.ceil(bytes.length / 8) * 8);
  bytes.copy(padded);
  let hash = 0n;
  for (let i = 0; i < padded.length; i += 8) hash = ((hash ^ padded.readBigUInt64LE(i)) * NAME_HASH_FACTOR) & 0xffff_ffff_ffff_ffffn;
  return hash;
}

/**
 * The hash slots of an export table whose entries are `names` in order:
 * 2^bits 16-bit slots (at least twice the entries), slot (hash >> (64 -
 * bits)) or the next free one after it (wrapping) holding entry index + 1,
 * 0 where free. The loader probes from a name's slot to a free one.
 */
export function exportHashSlots(names: string[]): { bits: number; slots: number[] } {
  let bits = 1;
  while (2 ** bits < 2 * names.length) bits++;
  const slots = new Array<number>(2 ** bits).fill(0);
  names.forEach((name, index) => {
    let slot = Number(nameHash(name) >> BigInt(64 - bits));
    while (slots[slot] !== 0) slot = (slot + 1) % slots.length;
    slots[slot] = index + 1;
  });
  return { bits, slots };
}

/** What an export resolves to: a kernel symbol's address, or a constant address. */
type Target = { symbol: string } | { address: bigint };

export function appExportsSource(kernelHeader: string, runtimeNames: string[], wasiNames: string[], memoryBase: bigint): AppExports {
  const exported = new Set([...kernelHeader.matchAll(/\bw2c_kernel_wasi_(\w+)\(/g)].map((match) => match[1]));
  const appEntries: Array<[name: string, target: Target]> = [];
  for (const name of [...exported].sort()) appEntries.push([`w2c_wasi__snapshot__preview1_${name}`, { symbol: `w2c_kernel_wasi_${name}` }]);
  for (const name of runtimeNames) {
    if (name === APP_MEMORY_SYMBOL) appEntries.push([name, { address: memoryBase }]);
    else appEntries.push([name, { symbol: name.startsWith("wasm_rt_") ? `wisp_app_${name}` : name }]);
  }
  // A filesystem module's imports of module "wisp" are the kernel's module_<fn>
  // exports; its runtime symbols have implementations of their own
  // (arch/common/module-runtime.c), since its memory and traps are not the app's.
  const moduleEntries: Array<[name: string, target: Target]> = [];
  const moduleExported = [...kernelHeader.matchAll(/\bw2c_kernel_module_(\w+)\(/g)].map((match) => match[1]);
  for (const name of [...new Set(moduleExported)].sort()) moduleEntries.push([`w2c_wisp_${name}`, { symbol: `w2c_kernel_module_${name}` }]);
  for (const name of runtimeNames) {
    if (name.startsWith("wisp_app_")) continue;
    moduleEntries.push([name, { symbol: name.startsWith("wasm_rt_") ? `wisp_module_${name}` : name }]);
  }
  const lines = [
    "/* The kernel's export tables for application and filesystem modules (scripts/build/app-exports.ts). */",
    "#include <stdint.h>",
    "",
    "struct wisp_app_export {",
    "  uint64_t name;",
    "  uint64_t address;",
    "};",
    "",
    ...exportTable("app", appEntries),
    ...exportTable("module", moduleEntries),
    "struct w2c_arch;",
    "uint32_t w2c_arch_appExports(struct w2c_arch* arch) {",
    "  (void)arch;",
    "  return (uint32_t)(uintptr_t)&app_table;",
    "}",
    "",
    "uint32_t w2c_arch_moduleExports(struct w2c_arch* arch) {",
    "  (void)arch;",
    "  return (uint32_t)(uintptr_t)&module_table;",
    "}",
    "",
  ];
  return { source: lines.join("\n"), missing: wasiNames.filter((name) => !exported.has(name)) };
}

/**
 * A name's C literal padded with NULs to a whole number of 8-byte words (its
 * own NUL included): the loader compares names a word at a time and may read
 * the whole word that holds the NUL (loader/elf/symbols.ts).
 */
function paddedName(name: string): string {
  return name + "\\0".repeat(7 - (name.length % 8));
}

/**
 * One table, `<label>_table`: {name, address} pairs sorted by name (byte
 * order), then a terminator whose name is 0 and whose address is the hash's
 * `bits`, then the 2^bits hash slots (exportHashSlots) the loader looks
 * names up by.
 */
function exportTable(label: string, unsorted: Array<[name: string, target: Target]>): string[] {
  const entries = [...unsorted].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const address = (target: Target, index: number) =>
    "symbol" in target ? `(uint64_t)(uintptr_t)${label}_export_${index}` : `UINT64_C(0x${target.address.toString(16)})`;
  const { bits, slots } = exportHashSlots(entries.map(([name]) => name));
  return [
    ...entries.flatMap(([, target], index) => ("symbol" in target ? [`extern char ${label}_export_${index}[] __asm__("${target.symbol}");`] : [])),
    "",
    `static const struct {`,
    `  struct wisp_app_export entries[${entries.length + 1}];`,
    `  uint16_t slots[${slots.length}];`,
    `} ${label}_table = {`,
    "  {",
    ...entries.map(([name, target], index) => `    {(uint64_t)(uintptr_t)"${paddedName(name)}", ${address(target, index)}},`),
    `    {0, ${bits}},`,
    "  },",
    `  {${slots.join(", ")}},`,
    "};",
    "",
  ];
}
