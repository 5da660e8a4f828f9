// Where each byte of kernel.elf comes from: every input section of the link
// map is put down to a source file, and the files to folders.
//
// The generated C (kernel.o) names each function after its wasm function:
// `w2c_kernel_` and the AssemblyScript name with every character other
// than a letter, a digit or `_` written 0xHH, so `kernel0x2Fnet0x2Ftcp0x2Ff`
// is kernel/net/tcp/f, a function of kernel/net/tcp.ts (`~lib/...` is
// AssemblyScript's standard library). An exported function is named after
// its export instead (`kmain`, its body `kmain_0`); the wasm's export and
// name sections lead back to its source. Functions get their own sections
// (-ffunction-sections), and their jump tables name them too.
//
// The rest: arch/<arch>/*.S (boot stub, traps, context switch), arch/common/
// *.c (the runtime), the generated export tables, wasm2c's own glue in
// kernel.o (instantiation, the table of function references, its strings),
// the kernel's static data, what the compiler outlined (-Oz's shared
// sequences, aarch64), what the linker merged (<internal>), and the
// alignment between input sections. Every output section's parts add up
// to its size.

import { basename } from "node:path";
import { OutputSection } from "./link-map";
import { WasmModuleInfo } from "../../app/wasm-module";

/** One attributed run of bytes. */
export interface Part {
  /** The output section (.text, .rodata, .data, .bss). */
  section: string;
  /** A source file (kernel/net/tcp.ts, arch/common/libc.c) or a description ("alignment"). */
  file: string;
  /** The folder the file lives in, or the description again. */
  folder: string;
  /** The function or object, when the input section names one. */
  symbol: string | null;
  bytes: number;
}

export const ALIGNMENT = "alignment between input sections";
export const WASM2C_GLUE = "wasm2c glue (build/gen/kernel.c: instantiation, function table, strings)";
export const STATIC_DATA = "the kernel's static data (build/gen/kernel.c, linked where the wasm memory has it)";
export const MERGED = "merged by the linker (constants and strings)";
export const OUTLINED = "code the compiler outlined (-Oz: sequences shared by many functions)";
const EXPORT_TABLES = "build/gen/app-exports.c (the kernel's export tables)";
const LIBRARY = "~lib (AssemblyScript's standard library)";

/** `kernel0x2Fnet0x2Ftcp` as `kernel/net/tcp`. */
export function demangle(name: string): string {
  return name.replace(/0x([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The file an AssemblyScript function name ("kernel/net/tcp/Connection#f", "~lib/rt/tlsf/alloc") belongs to, or null. */
export function sourceFileOf(name: string): string | null {
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === "<") depth++;
    else if (c === ">" && name[i - 1] !== "=") depth--; // "=>" of a function type is no bracket
    else if (c === "%") i += 2; // %28 and the like: escaped punctuation
    else if (c === "/" && depth === 0) cut = i;
  }
  if (cut <= 0) return null;
  return `${name.slice(0, cut)}.ts`;
}

function folderOf(file: string): string {
  if (file.startsWith("~lib/")) return LIBRARY;
  const slash = file.lastIndexOf("/");
  return slash < 0 ? file : file.slice(0, slash);
}

/** Names the kernel's exported functions have in its wasm (export name -> AssemblyScript name). */
export function exportedNames(module: WasmModuleInfo): Map<string, string> {
  const names = new Map<string, string>();
  for (const entry of module.exports) {
    if (entry.kind !== "func") continue;
    const internal = module.functionNames.get(entry.index);
    if (internal !== undefined) names.set(entry.name, internal);
  }
  return names;
}

/** The AssemblyScript function a kernel.o section is about (".text.w2c_kernel_X", ".rodata..Lswitch.table.w2c_kernel_X.12"), or null. */
export function functionOf(section: string, exports: Map<string, string>): string | null {
  const match = /w2c_kernel_([A-Za-z0-9_]+?)(?:\.\d+)?$/.exec(section);
  if (match === null) return null;
  const name = demangle(match[1]);
  if (name.includes("/")) return name;
  const exported = exports.get(name) ?? exports.get(name.replace(/_\d+$/, ""));
  return exported ?? null;
}

function objectPart(object: string, arch: string): string {
  const name = basename(object);
  if (name.endsWith(".S.o")) return `arch/${arch}/${name.slice(0, -2)}`;
  if (name === "app-exports.o") return EXPORT_TABLES;
  return `arch/common/${name.slice(0, -2)}.c`;
}

/** Every byte of the output sections, attributed (the parts of each section sum to its size). */
export function kernelParts(outputs: OutputSection[], arch: string, module: WasmModuleInfo): Part[] {
  const exports = exportedNames(module);
  const parts: Part[] = [];
  for (const output of outputs) {
    let at = output.address;
    const add = (file: string, symbol: string | null, bytes: number) => {
      if (bytes > 0) parts.push({ section: output.name, file, folder: file.includes("/") && !file.includes(" ") ? folderOf(file) : file, symbol, bytes });
    };
    for (const input of output.inputs) {
      if (input.address > at) add(ALIGNMENT, null, input.address - at);
      at = Math.max(at, input.address + input.size);
      if (input.object === "<internal>") {
        add(MERGED, null, input.size);
        continue;
      }
      if (basename(input.object) !== "kernel.o") {
        add(objectPart(input.object, arch), input.section.replace(/^\.(text|rodata|data|bss|uninit)\.?/, "") || null, input.size);
        continue;
      }
      const fn = functionOf(input.section, exports);
      const file = fn === null ? null : (sourceFileOf(fn) ?? null);
      if (fn !== null && file !== null) add(file, fn, input.size);
      else if (input.section === ".wasm_data" || /data_segment/.test(input.section)) add(STATIC_DATA, null, input.size);
      else if (/OUTLINED_FUNCTION/.test(input.section)) add(OUTLINED, null, input.size);
      else add(WASM2C_GLUE, fn, input.size);
    }
    if (output.address + output.size > at) add(ALIGNMENT, null, output.address + output.size - at);
  }
  return parts;
}
