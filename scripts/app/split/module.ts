// The splitter's view of a wasm module: each section's entries as ranges of
// the original bytes, so a part is written by copying them (renumbering
// function indices where they occur) instead of decoding and re-encoding
// whole instructions.
//
// Element segments (core spec 5.5.12) by their flags:
//   0 active, table 0, offset expr, vec(funcidx)   4 the same with vec(expr)
//   1 passive, elemkind, vec(funcidx)              5 passive, reftype, vec(expr)
//   2 active, tableidx, expr, elemkind, vec(funcidx) 6 the same with reftype, vec(expr)
//   3 declarative, elemkind, vec(funcidx)          7 declarative, reftype, vec(expr)
// Data segments (5.5.14): 0 active memory 0, offset expr, bytes; 1 passive,
// bytes; 2 active, memidx, expr, bytes.

import { ByteReader, SplitFormatError } from "./bytes";
import { Uses, walkExpression } from "./instructions";

export type SegmentMode = "active" | "passive" | "declarative";

/** A range [start, end) of the module's bytes. */
export interface Span {
  start: number;
  end: number;
}

export interface ImportEntry extends Span {
  module: string;
  name: string;
  kind: number;
}

export interface ExportEntry {
  name: string;
  kind: number;
  index: number;
}

export interface Segment extends Span {
  mode: SegmentMode;
  /** 0x70 funcref or 0x6f externref (element segments only). */
  refType: number;
}

export interface SplitModule {
  bytes: Uint8Array;
  types: Span | null;
  imports: ImportEntry[];
  /** Type index of each imported function, then of each defined one. */
  functionTypes: number[];
  importedFunctions: number;
  /** Each entry of the table, memory and global sections (a global: type and init expression). */
  tables: Span[];
  memories: Span[];
  globals: Span[];
  exports: ExportEntry[];
  start: number | null;
  elements: Segment[];
  dataCount: number | null;
  /** Each function body's contents (locals and code, without its size). */
  bodies: Span[];
  data: Segment[];
}

export const [KIND_FUNC, KIND_TABLE, KIND_MEMORY, KIND_GLOBAL] = [0, 1, 2, 3];
const FUNCREF = 0x70;

/** Steps over an element segment, reporting its function indices (in vectors and in ref.func expressions). */
export function walkElement(r: ByteReader, uses: Uses): SegmentMode {
  const flags = r.u32();
  if (flags > 7) throw new SplitFormatError(`element segment flags ${flags}`);
  const mode: SegmentMode = (flags & 1) === 0 ? "active" : (flags & 2) === 0 ? "passive" : "declarative";
  if (flags === 2 || flags === 6) r.u32(); // table index
  if (mode === "active") walkExpression(r, uses);
  if (flags !== 0 && flags !== 4) r.skip(1); // elemkind or reftype
  for (let n = r.u32(); n > 0; n--) {
    if (flags & 4) walkExpression(r, uses);
    else {
      const start = r.offset;
      uses.func(r.u32(), start);
    }
  }
  return mode;
}

/** Steps over a global: its type (value type, mutability) and init expression. */
export function walkGlobal(r: ByteReader, uses: Uses): void {
  r.skip(2);
  walkExpression(r, uses);
}

const NO_USES: Uses = { func() {}, data() {}, element() {} };

function elementRefType(bytes: Uint8Array, start: number): number {
  const r = new ByteReader(bytes, start);
  const flags = r.u32();
  if (flags === 0 || flags === 4) return FUNCREF;
  if (flags === 2 || flags === 6) {
    r.u32();
    walkExpression(r, NO_USES);
  }
  const kind = r.byte();
  return flags < 4 ? FUNCREF : kind; // elemkind 0x00 means funcref
}

/** Reads the sections the splitter needs; custom sections are left out of the parts. */
export function readSplitModule(bytes: Uint8Array): SplitModule {
  const m: SplitModule = {
    bytes, types: null, imports: [], functionTypes: [], importedFunctions: 0, tables: [], memories: [], globals: [],
    exports: [], start: null, elements: [], dataCount: null, bodies: [], data: [],
  };
  const top = new ByteReader(bytes, 8);
  while (!top.done) {
    const id = top.byte();
    const size = top.u32();
    const r = new ByteReader(bytes, top.offset, top.offset + size);
    top.skip(size);
    if (id === 0) continue;
    if (id === 1) {
      m.types = { start: r.offset, end: r.end };
      continue;
    }
    if (id === 8 || id === 12) {
      // start (a function index) and data count (a number): one value, not a vector
      if (id === 8) m.start = r.u32();
      else m.dataCount = r.u32();
      continue;
    }
    const count = r.u32();
    for (let i = 0; i < count; i++) readEntry(id, r, m);
    if (r.offset !== r.end) throw new SplitFormatError(`section ${id} has ${r.end - r.offset} bytes past its entries`);
  }
  return m;
}

function readEntry(id: number, r: ByteReader, m: SplitModule): void {
  const start = r.offset;
  const span = () => ({ start, end: r.offset });
  switch (id) {
    case 2: {
      const module = r.name();
      const name = r.name();
      const kind = r.byte();
      if (kind !== KIND_FUNC) throw new SplitFormatError(`import ${module}.${name} is not a function`);
      m.functionTypes.push(r.u32());
      m.importedFunctions++;
      m.imports.push({ module, name, kind, ...span() });
      return;
    }
    case 3: m.functionTypes.push(r.u32()); return;
    case 4: r.skip(1); limits(r); m.tables.push(span()); return;
    case 5: limits(r); m.memories.push(span()); return;
    case 6: walkGlobal(r, NO_USES); m.globals.push(span()); return;
    case 7: m.exports.push({ name: r.name(), kind: r.byte(), index: r.u32() }); return;
    case 9: {
      const mode = walkElement(r, NO_USES);
      m.elements.push({ mode, refType: elementRefType(r.bytes, start), ...span() });
      return;
    }
    case 10: {
      const size = r.u32();
      m.bodies.push({ start: r.offset, end: r.offset + size });
      r.skip(size);
      return;
    }
    case 11: {
      const flags = r.u32();
      if (flags === 2) r.u32();
      if (flags !== 1) walkExpression(r, NO_USES);
      r.skip(r.u32());
      m.data.push({ mode: flags === 1 ? "passive" : "active", refType: 0, ...span() });
      return;
    }
    default: throw new SplitFormatError(`section ${id} is not one build-app compiles`);
  }
}

function limits(r: ByteReader): void {
  const flags = r.byte();
  r.u32();
  if (flags & 1) r.u32();
}
