// A reader for the parts of a wasm binary that decide whether Wisp can run
// it: the imports, the exports, the memories and the code size. Function
// bodies are not decoded (wasm-validate checks those, see validate.ts).
//
// Binary layout (core spec 5.5): "\0asm", version 1 (u32 LE), then sections
// of (id: u8, size: u32 LEB128, contents). Ids read here:
//   1 type     vec(0x60, vec(param: valtype), vec(result: valtype))
//   2 import   vec(module: name, field: name, kind: u8, descriptor)
//   3 function vec(type index)
//   5 memory   vec(limits)
//   7 export   vec(name, kind: u8, index: u32)
//  10 code     (its size is what the compile costs)
//   0 custom   "name": subsection 1 (function names), vec(index: u32, name)

export const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];

export type ExternKind = "func" | "table" | "memory" | "global" | "tag";
const KINDS: ExternKind[] = ["func", "table", "memory", "global", "tag"];

export interface Limits {
  min: bigint;
  max: bigint | null;
  shared: boolean;
  is64: boolean;
}

export interface Import {
  module: string;
  name: string;
  kind: ExternKind;
  /** A function import's type index. */
  typeIndex?: number;
}

export interface Export {
  name: string;
  kind: ExternKind;
  index: number;
}

/** A function type: value type codes (0x7f i32, 0x7e i64, 0x7d f32, 0x7c f64, ...). */
export interface FuncType {
  params: number[];
  results: number[];
}

export interface WasmModuleInfo {
  types: FuncType[];
  /** The type index of every function, imported ones first (the function index space). */
  functionTypes: number[];
  imports: Import[];
  exports: Export[];
  /** Memories the module defines (not imported ones). */
  memories: Limits[];
  codeBytes: number;
  /** Function names from the "name" section, by function index (empty without one). */
  functionNames: Map<number, string>;
}

export class WasmFormatError extends Error {}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array, readonly end = bytes.length) {}

  byte(): number {
    if (this.offset >= this.end) throw new WasmFormatError("unexpected end of the module");
    return this.bytes[this.offset++];
  }

  /** An unsigned LEB128 of at most `bits` bits. */
  leb(bits = 32): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.byte();
      result |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) break;
      if (shift >= BigInt(bits + 7)) throw new WasmFormatError("malformed LEB128 number");
    }
    return result;
  }

  u32(): number {
    return Number(this.leb(32));
  }

  name(): string {
    const length = this.u32();
    if (this.offset + length > this.end) throw new WasmFormatError("name runs past its section");
    const text = new TextDecoder().decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }

  limits(): Limits {
    const flags = this.byte();
    const is64 = (flags & 0x04) !== 0;
    const min = this.leb(is64 ? 64 : 32);
    const max = flags & 0x01 ? this.leb(is64 ? 64 : 32) : null;
    if (flags & 0x08) this.u32(); // custom page size exponent
    return { min, max, shared: (flags & 0x02) !== 0, is64 };
  }
}

/** True when the bytes start like a wasm binary ("\0asm"). */
export function hasWasmMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && WASM_MAGIC.every((byte, i) => bytes[i] === byte);
}

export function readWasmModule(bytes: Uint8Array): WasmModuleInfo {
  const info: WasmModuleInfo = { types: [], functionTypes: [], imports: [], exports: [], memories: [], codeBytes: 0, functionNames: new Map() };
  const top = new Reader(bytes);
  top.offset = 8;
  while (top.offset < bytes.length) {
    const id = top.byte();
    const size = top.u32();
    const start = top.offset;
    if (start + size > bytes.length) throw new WasmFormatError(`section ${id} runs past the end of the file`);
    const section = new Reader(bytes, start + size);
    section.offset = start;
    if (id === 1) readTypes(section, info);
    else if (id === 2) readImports(section, info);
    else if (id === 3) for (let n = section.u32(); n > 0; n--) info.functionTypes.push(section.u32());
    else if (id === 5) for (let n = section.u32(); n > 0; n--) info.memories.push(section.limits());
    else if (id === 7) readExports(section, info);
    else if (id === 10) info.codeBytes = size;
    else if (id === 0 && section.name() === "name") readFunctionNames(section, info);
    top.offset = start + size;
  }
  return info;
}

function kind(code: number): ExternKind {
  const found = KINDS[code];
  if (found === undefined) throw new WasmFormatError(`unknown import/export kind ${code}`);
  return found;
}

/** Value types are single bytes here: typed references are refused before this reader runs. */
function readTypes(section: Reader, info: WasmModuleInfo): void {
  const valueTypes = () => Array.from({ length: section.u32() }, () => section.byte());
  for (let n = section.u32(); n > 0; n--) {
    const form = section.byte();
    if (form !== 0x60) throw new WasmFormatError(`type form 0x${form.toString(16)} is not a function type`);
    const params = valueTypes();
    info.types.push({ params, results: valueTypes() });
  }
}

function readImports(section: Reader, info: WasmModuleInfo): void {
  for (let n = section.u32(); n > 0; n--) {
    const module = section.name();
    const name = section.name();
    const what = kind(section.byte());
    let typeIndex: number | undefined;
    if (what === "func") info.functionTypes.push((typeIndex = section.u32()));
    else if (what === "table") {
      section.byte(); // element type
      section.limits();
    } else if (what === "memory") section.limits();
    else if (what === "global") {
      section.byte(); // value type
      section.byte(); // mutability
    } else {
      section.byte(); // tag attribute
      section.u32();
    }
    info.imports.push({ module, name, kind: what, typeIndex });
  }
}

/** The name section's function names (subsection 1); the other subsections are skipped. */
function readFunctionNames(section: Reader, info: WasmModuleInfo): void {
  while (section.offset < section.end) {
    const subsection = section.byte();
    const size = section.u32();
    const end = section.offset + size;
    if (subsection === 1) {
      for (let n = section.u32(); n > 0; n--) {
        const index = section.u32();
        info.functionNames.set(index, section.name());
      }
    }
    section.offset = end;
  }
}

function readExports(section: Reader, info: WasmModuleInfo): void {
  for (let n = section.u32(); n > 0; n--) {
    const name = section.name();
    const what = kind(section.byte());
    info.exports.push({ name, kind: what, index: section.u32() });
  }
}
