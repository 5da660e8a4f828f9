// The kernel's functions by address, for naming the program counters of a
// trace: every symbol ld.lld's link map lists in code (.text, and aarch64's
// .image_header, whose first instruction is the kernel's first) (wasm2c's functions,
// the arch/ stubs and labels, the C runtime), named as `wisp bench size`
// names them (kernel/net/tcp/tcpInput, exported functions by their
// AssemblyScript name, C and assembly names as they are). A program counter
// belongs to the last symbol at or below it; one outside the code is the app's
// code (app.so, mapped by the loader where the map cannot see it), one
// bucket. Symbols with the same name (an export's wrapper and its body)
// are one function. aarch64's mapping symbols ($x.0, $d.1) name nothing.

import { demangle, exportedNames, functionOf } from "../size/kernel-parts";
import { readLinkMap, readLinkMapSymbols } from "../size/link-map";
import type { WasmModuleInfo } from "../../app/wasm-module";

/** The output sections that hold the kernel's code. */
const CODE_SECTIONS = [".text", ".image_header"];

/** The name every program counter outside the kernel's code gets. */
export const OUTSIDE_KERNEL = "<app.so>";
/** Its function id. */
export const OUTSIDE_KERNEL_ID = 0;

export interface FunctionTable {
  /** Function names; a function's id is its index. names[0] is OUTSIDE_KERNEL. */
  names: string[];
  /** The function id of the code at `pc`. */
  functionAt(pc: number): number;
  /** True if `pc` is a symbol's first address (a call lands there). */
  isEntry(pc: number): boolean;
  /** The address of the symbol called `symbol` in the map (its raw name), or undefined. */
  addressOf(symbol: string): number | undefined;
  /** The address of the function the profile calls `name`, or undefined. */
  addressOfFunction(name: string): number | undefined;
}

/** A map symbol's name as the profile shows it. */
export function displayName(symbol: string, exports: Map<string, string>): string {
  const fn = functionOf(symbol, exports);
  if (fn !== null) return fn;
  return symbol.startsWith("w2c_kernel_") ? demangle(symbol.slice("w2c_kernel_".length)) : symbol;
}

/** The functions of the kernel whose link map is `mapText` (`module`: its wasm, for exported names). */
export function kernelFunctions(mapText: string, module: WasmModuleInfo | null): FunctionTable {
  const code = readLinkMap(mapText).filter((output) => CODE_SECTIONS.includes(output.name));
  if (!code.some((output) => output.name === ".text")) throw new Error("the link map has no .text section");
  const inCode = (pc: number) => code.some((output) => pc >= output.address && pc < output.address + output.size);
  const exports = module === null ? new Map<string, string>() : exportedNames(module);
  const raw = new Map<string, number>();
  const names = [OUTSIDE_KERNEL];
  const ids = new Map<string, number>([[OUTSIDE_KERNEL, 0]]);
  const byAddress = new Map<number, number>();
  for (const symbol of readLinkMapSymbols(mapText)) {
    if (!CODE_SECTIONS.includes(symbol.section) || symbol.name.startsWith("$")) continue;
    raw.set(symbol.name, symbol.address);
    if (byAddress.has(symbol.address)) continue; // an alias: the first name given stands
    const name = displayName(symbol.name, exports);
    if (!ids.has(name)) {
      ids.set(name, names.length);
      names.push(name);
    }
    byAddress.set(symbol.address, ids.get(name)!);
  }
  const starts = [...byAddress.keys()].sort((a, b) => a - b);
  const startIds = starts.map((address) => byAddress.get(address)!);
  const cache = new Map<number, number>();
  const functionAt = (pc: number): number => {
    const known = cache.get(pc);
    if (known !== undefined) return known;
    let id = 0;
    if (inCode(pc) && pc >= starts[0]) {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (starts[middle] <= pc) low = middle;
        else high = middle - 1;
      }
      id = startIds[low];
    }
    cache.set(pc, id);
    return id;
  };
  return {
    names,
    functionAt,
    isEntry: (pc) => byAddress.has(pc),
    addressOf: (symbol) => raw.get(symbol),
    addressOfFunction: (name) => {
      const id = ids.get(name);
      return id === undefined ? undefined : starts.find((address) => byAddress.get(address) === id);
    },
  };
}
