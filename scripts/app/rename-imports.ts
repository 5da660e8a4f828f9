// Renames function imports in a wasm binary: the import section is written
// again with new field names, every other byte kept. build-app uses it to
// bind an import of one of WasmEdge's socket functions to the kernel's form
// its signature picks (validate.ts bindImports), before wasm2c names the
// C symbol after it.
//
// Import section (core spec 5.5.5): vec(module: name, field: name, kind: u8,
// descriptor), names as vec(byte) with u32 LEB128 lengths.

import { WasmFormatError } from "./wasm-module";

const IMPORT_SECTION = 2;

function readU32(bytes: Uint8Array, at: { offset: number }): number {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (at.offset >= bytes.length) throw new WasmFormatError("a LEB128 number runs past the end");
    const byte = bytes[at.offset++];
    value |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return value >>> 0;
    shift += 7;
    if (shift > 28) throw new WasmFormatError("a LEB128 number is too long");
  }
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Skips an import's descriptor of `kind`. */
function skipDescriptor(bytes: Uint8Array, at: { offset: number }, kind: number): void {
  const limits = () => {
    const flags = bytes[at.offset++];
    readU32(bytes, at);
    if (flags & 1) readU32(bytes, at);
  };
  if (kind === 0) readU32(bytes, at); // func: type index
  else if (kind === 1) {
    at.offset++; // table: element type
    limits();
  } else if (kind === 2) limits(); // memory
  else if (kind === 3) at.offset += 2; // global: value type, mutability
  else if (kind === 4) {
    at.offset++; // tag: attribute
    readU32(bytes, at);
  } else throw new WasmFormatError(`unknown import kind ${kind}`);
}

/** `bytes` with import number `index` (in import order) renamed to `renames.get(index)`. */
export function renameImports(bytes: Uint8Array, renames: Map<number, string>): Uint8Array {
  if (renames.size === 0) return bytes;
  const at = { offset: 8 };
  while (at.offset < bytes.length) {
    const sectionStart = at.offset;
    const id = bytes[at.offset++];
    const size = readU32(bytes, at);
    const contentStart = at.offset;
    const end = contentStart + size;
    if (id !== IMPORT_SECTION) {
      at.offset = end;
      continue;
    }
    const content: number[] = [];
    const count = readU32(bytes, at);
    content.push(...writeU32(count));
    const encoder = new TextEncoder();
    for (let index = 0; index < count; index++) {
      const moduleLength = readU32(bytes, at);
      const moduleEnd = at.offset + moduleLength;
      content.push(...writeU32(moduleLength), ...bytes.subarray(at.offset, moduleEnd));
      at.offset = moduleEnd;
      const fieldLength = readU32(bytes, at);
      const fieldEnd = at.offset + fieldLength;
      const renamed = renames.get(index);
      const field = renamed === undefined ? bytes.subarray(at.offset, fieldEnd) : encoder.encode(renamed);
      content.push(...writeU32(field.length), ...field);
      at.offset = fieldEnd;
      const descriptorStart = at.offset;
      const kind = bytes[at.offset++];
      skipDescriptor(bytes, at, kind);
      content.push(...bytes.subarray(descriptorStart, at.offset));
    }
    if (at.offset !== end) throw new WasmFormatError("the import section's size does not match its imports");
    const section = Uint8Array.from([IMPORT_SECTION, ...writeU32(content.length), ...content]);
    const out = new Uint8Array(sectionStart + section.length + (bytes.length - end));
    out.set(bytes.subarray(0, sectionStart));
    out.set(section, sectionStart);
    out.set(bytes.subarray(end), sectionStart + section.length);
    return out;
  }
  throw new WasmFormatError("there is no import section to rename in");
}
