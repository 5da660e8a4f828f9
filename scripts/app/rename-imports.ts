// Renames function imports in a wasm binary: the import section is written
// again with new field names, every other byte kept. build-app uses it to
// bind an import of one of WasmEdge's socket functions to the kernel's form
// its signature picks (validate.ts bindImports), before wasm2c names the
// C symbol after it.
//
// Import section (core spec 5.5.5): vec(module: name, field: name, kind: u8,
// descriptor). The bytes are read and written with split/bytes.ts.

import { ByteReader, ByteWriter, SplitFormatError } from "./split/bytes";

const IMPORT_SECTION = 2;

/** Steps over an import's descriptor of `kind`. */
function skipDescriptor(reader: ByteReader, kind: number): void {
  const limits = () => {
    const flags = reader.byte();
    reader.u32();
    if (flags & 1) reader.u32();
  };
  if (kind === 0) reader.u32(); // func: type index
  else if (kind === 1) {
    reader.byte(); // table: element type
    limits();
  } else if (kind === 2) limits(); // memory
  else if (kind === 3) reader.skip(2); // global: value type, mutability
  else if (kind === 4) {
    reader.byte(); // tag: attribute
    reader.u32();
  } else throw new SplitFormatError(`unknown import kind ${kind}`);
}

/** `bytes` with import number `index` (in import order) renamed to `renames.get(index)`. */
export function renameImports(bytes: Uint8Array, renames: Map<number, string>): Uint8Array {
  if (renames.size === 0) return bytes;
  const top = new ByteReader(bytes, 8);
  while (!top.done) {
    const sectionStart = top.offset;
    const id = top.byte();
    const end = top.u32() + top.offset;
    if (id !== IMPORT_SECTION) {
      top.offset = end;
      continue;
    }
    const reader = new ByteReader(bytes, top.offset, end);
    const content = new ByteWriter();
    const count = reader.u32();
    content.u32(count);
    for (let index = 0; index < count; index++) {
      content.name(reader.name());
      const field = reader.name();
      content.name(renames.get(index) ?? field);
      const descriptorStart = reader.offset;
      skipDescriptor(reader, reader.byte());
      content.bytes(reader.since(descriptorStart));
    }
    if (!reader.done) throw new SplitFormatError("the import section's size does not match its imports");
    const section = new ByteWriter().section(IMPORT_SECTION, content).view();
    const out = new Uint8Array(sectionStart + section.length + (bytes.length - end));
    out.set(bytes.subarray(0, sectionStart));
    out.set(section, sectionStart);
    out.set(bytes.subarray(end), sectionStart + section.length);
    return out;
  }
  throw new SplitFormatError("there is no import section to rename in");
}
