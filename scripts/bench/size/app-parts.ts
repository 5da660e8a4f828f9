// Where each byte of an app.so comes from, from its own symbol table (an
// app.so keeps one: the kernel names the function a trap hit with it).
//
// Every section the loader maps (SHF_ALLOC) is a row or several: in .text
// and .rodata, each symbol with a size is put down to
//   the app's functions    w2c_app_<name>: the wasm function <name> (from
//                          C, Rust, ... through wasm2c), named as in the
//                          wasm's name section, 0xHH escapes undone
//   the app's data         data_segment_data_w2c_app_*: the wasm data
//                          segments, copied into linear memory at start
//   runtime glue           the rest: wasm2c's instantiation and the tables
// and what no symbol covers (alignment, jump tables, the PLT) is one row;
// the dynamic linking sections (.dynsym, .hash, .dynstr, .rela.*, .dynamic,
// .got.plt) are a row each. Every section's rows sum to its size.

import { execFileSync } from "node:child_process";
import { demangle, Part } from "./kernel-parts";

export const APP_FUNCTIONS = "the app's functions (wasm code through wasm2c)";
export const APP_DATA = "the app's data segments (copied into linear memory at start)";
export const RUNTIME_GLUE = "wasm2c glue (instantiation, tables)";
const DYNAMIC = "dynamic linking (symbols, relocations, hash, GOT)";
const UNNAMED = "bytes no symbol covers (alignment, jump tables, constants)";

interface Section {
  index: number;
  name: string;
  address: number;
  size: number;
  flags: string;
}

/** llvm-readelf's section headers of `path`. */
function sections(path: string): Section[] {
  const text = execFileSync("llvm-readelf", ["-S", "-W", path], { encoding: "utf8" });
  const found: Section[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*\[\s*(\d+)\]\s+(\S*)\s+(\S+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+[0-9a-f]+\s+(\S*)/.exec(line);
    if (match === null) continue;
    found.push({ index: Number(match[1]), name: match[2], address: parseInt(match[4], 16), size: parseInt(match[5], 16), flags: match[6] });
  }
  return found;
}

interface Symbol {
  name: string;
  address: number;
  size: number;
  section: number;
}

/** The symbols of `path` that have a size and a section. */
function symbols(path: string): Symbol[] {
  const text = execFileSync("llvm-readelf", ["-s", "-W", path], { encoding: "utf8" });
  const found: Symbol[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*\d+:\s+([0-9a-f]+)\s+(\d+)\s+\S+\s+\S+\s+\S+\s+(\d+)\s+(\S+)/.exec(line);
    if (match === null || Number(match[2]) === 0) continue;
    found.push({ name: match[4], address: parseInt(match[1], 16), size: Number(match[2]), section: Number(match[3]) });
  }
  return found;
}

function symbolPart(name: string): [file: string, symbol: string] {
  if (name.startsWith("data_segment_data_w2c_app_")) return [APP_DATA, demangle(name.slice("data_segment_data_w2c_app_".length))];
  if (name.startsWith("w2c_app_")) return [APP_FUNCTIONS, demangle(name.slice("w2c_app_".length))];
  return [RUNTIME_GLUE, name];
}

/** Every byte of app.so's mapped sections, attributed (each section's parts sum to its size). */
export function appParts(path: string): Part[] {
  const all = symbols(path);
  const parts: Part[] = [];
  for (const section of sections(path)) {
    if (!section.flags.includes("A") || section.size === 0) continue;
    const add = (file: string, symbol: string | null, bytes: number) => {
      if (bytes > 0) parts.push({ section: section.name, file, folder: file, symbol, bytes });
    };
    if (section.name !== ".text" && section.name !== ".rodata" && section.name !== ".data" && section.name !== ".bss") {
      add(section.name === ".plt" ? RUNTIME_GLUE : DYNAMIC, section.name, section.size);
      continue;
    }
    const inside = all.filter((s) => s.section === section.index).sort((a, b) => a.address - b.address);
    let at = section.address;
    for (const symbol of inside) {
      const start = Math.max(symbol.address, at);
      const end = Math.min(symbol.address + symbol.size, section.address + section.size);
      if (end <= start) continue; // an alias of bytes already counted
      add(UNNAMED, null, start - at);
      const [file, name] = symbolPart(symbol.name);
      add(file, name, end - start);
      at = end;
    }
    add(UNNAMED, null, section.address + section.size - at);
  }
  return parts;
}
