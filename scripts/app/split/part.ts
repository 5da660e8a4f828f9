// Writing one part module. Part 0, the hub, defines what the whole program
// shares: the memory, the tables, the globals and the data segments; it
// exports them under internal names and imports the functions its globals
// name. Each part writes its own functions into the tables (elements.ts).
// Every part defines a range of the functions and
// imports what its code names: WASI functions as the original did, the
// shared memory, tables and globals from the hub (all of them, in order, so
// their indices stay the same and instructions naming them are copied
// unchanged), and other parts' functions under internal names.
//
// A part's function index space: WASI imports it uses, then other parts'
// functions it uses (both in the original order), then its own. Type indices
// stay the original ones (every part carries the whole type section).

import { ByteReader, ByteWriter } from "./bytes";
import { Piece, writePiece } from "./elements";
import { copyRenumbered, walkBody, walkExpression } from "./instructions";
import { KIND_FUNC, KIND_GLOBAL, KIND_MEMORY, KIND_TABLE, SplitModule, walkElement, walkGlobal } from "./module";
import type { PartRange, PartUses } from "./plan";

/** Names parts use between themselves; "~" keeps them apart from a program's own export names. */
export const internalName = {
  func: (index: number) => `~f${index}`,
  memory: (index: number) => `~memory${index}`,
  table: (index: number) => `~table${index}`,
  global: (index: number) => `~global${index}`,
};

export interface SplitLayout {
  module: SplitModule;
  ranges: PartRange[];
  /** Each part's module name (the name its wasm2c output is given). */
  names: string[];
  /** Part of each defined function (index - importedFunctions). */
  owner: Uint32Array;
  uses: PartUses[];
  /** Functions each part exports for the others (original indices). */
  shared: Set<number>[];
  /** The active element segments, cut by the part owning each item. */
  pieces: Piece[];
}

const EMPTY_PASSIVE_DATA = new Uint8Array([0x01, 0x00]);
const DECLARATIVE_FUNCS = 3;
const FUNCREF = 0x70;

/** Writes part `p` of the layout as a wasm binary. */
export function writePart(layout: SplitLayout, p: number): Uint8Array {
  const { module: m, ranges, uses: allUses } = layout;
  const range = ranges[p];
  const uses = allUses[p];
  const hub = p === 0;
  const slice = (span: { start: number; end: number }) => m.bytes.subarray(span.start, span.end);

  // The function index space of this part.
  const local = new Int32Array(m.functionTypes.length).fill(-1);
  const used = [...uses.functions].filter((f) => f < m.importedFunctions || !owns(layout, p, f)).sort((a, b) => a - b);
  used.forEach((f, i) => (local[f] = i));
  for (let f = range.first; f < range.end; f++) local[m.importedFunctions + f] = used.length + f - range.first;
  const renumber = (f: number) => {
    if (local[f] < 0) throw new Error(`part ${p} names function ${f}, which it neither defines nor imports`);
    return local[f];
  };

  const out = new ByteWriter().bytes(m.bytes.subarray(0, 8));
  if (m.types) out.section(1, new ByteWriter().bytes(slice(m.types)));

  const imports: ByteWriter[] = [];
  for (const f of used) {
    if (f < m.importedFunctions) imports.push(new ByteWriter().bytes(slice(m.imports[f])));
    else imports.push(new ByteWriter().name(layout.names[ownerOf(layout, f)]).name(internalName.func(f)).byte(KIND_FUNC).u32(m.functionTypes[f]));
  }
  if (!hub) {
    const fromHub = (name: string, kind: number) => new ByteWriter().name(layout.names[0]).name(name).byte(kind);
    m.tables.forEach((table, i) => imports.push(fromHub(internalName.table(i), KIND_TABLE).bytes(slice(table))));
    m.memories.forEach((memory, i) => imports.push(fromHub(internalName.memory(i), KIND_MEMORY).bytes(slice(memory))));
    m.globals.forEach((global, i) => imports.push(fromHub(internalName.global(i), KIND_GLOBAL).bytes(m.bytes.subarray(global.start, global.start + 2))));
  }
  if (imports.length) out.section(2, vector(imports));
  out.section(3, vector(Array.from({ length: range.end - range.first }, (_, i) => new ByteWriter().u32(m.functionTypes[m.importedFunctions + range.first + i]))));

  if (hub) {
    if (m.tables.length) out.section(4, vector(m.tables.map((table) => new ByteWriter().bytes(slice(table)))));
    if (m.memories.length) out.section(5, vector(m.memories.map((memory) => new ByteWriter().bytes(slice(memory)))));
    if (m.globals.length) out.section(6, vector(m.globals.map((global) => renumbered(m.bytes, global, renumber, walkGlobal))));
  }

  const exports: ByteWriter[] = [];
  const exportOf = (name: string, kind: number, index: number) => exports.push(new ByteWriter().name(name).byte(kind).u32(index));
  for (const e of m.exports) {
    if (e.kind === KIND_FUNC ? owns(layout, p, e.index) : hub) exportOf(e.name, e.kind, e.kind === KIND_FUNC ? renumber(e.index) : e.index);
  }
  if (hub) {
    m.tables.forEach((_, i) => exportOf(internalName.table(i), KIND_TABLE, i));
    m.memories.forEach((_, i) => exportOf(internalName.memory(i), KIND_MEMORY, i));
    m.globals.forEach((_, i) => exportOf(internalName.global(i), KIND_GLOBAL, i));
  }
  for (const f of [...layout.shared[p]].sort((a, b) => a - b)) exportOf(internalName.func(f), KIND_FUNC, renumber(f));
  if (exports.length) out.section(7, vector(exports));

  // Original segment indices are kept where code names segments (table.init, elem.drop): the passive segments
  // this part uses, and empty passive ones in place of the others (an active or declarative segment is dropped
  // once instantiated, which an empty one is like). Then this part's pieces of the active segments.
  const elements: ByteWriter[] = [];
  if (uses.elements.size) {
    m.elements.forEach((segment, i) => {
      if (uses.elements.has(i) && segment.mode === "passive") elements.push(renumbered(m.bytes, segment, renumber, walkElement));
      else elements.push(new ByteWriter().bytes(segment.refType === FUNCREF ? new Uint8Array([0x01, 0x00, 0x00]) : new Uint8Array([0x05, segment.refType, 0x00])));
    });
  }
  const copyExpression = (span: { start: number; end: number }, into: ByteWriter) =>
    copyRenumbered(new ByteReader(m.bytes, span.start, span.end), into, renumber, walkExpression);
  for (const piece of layout.pieces) if (piece.part === p) elements.push(writePiece(m, piece, renumber, copyExpression));
  if (uses.references.size) {
    const declared = new ByteWriter().u32(DECLARATIVE_FUNCS).byte(0x00).u32(uses.references.size);
    for (const f of uses.references) declared.u32(renumber(f));
    elements.push(declared);
  }
  if (elements.length) out.section(9, vector(elements));

  const withData = hub ? m.data.length > 0 : uses.data.size > 0;
  if (withData && (m.dataCount !== null || !hub)) out.section(12, new ByteWriter().u32(m.data.length));

  const code = new ByteWriter().u32(range.end - range.first);
  const body = new ByteWriter();
  for (let f = range.first; f < range.end; f++) {
    body.length = 0;
    const span = m.bodies[f];
    copyRenumbered(new ByteReader(m.bytes, span.start, span.end), body, renumber, walkBody);
    code.u32(body.length).bytes(body.view());
  }
  out.section(10, code);

  if (withData) {
    out.section(11, vector(m.data.map((segment, i) =>
      new ByteWriter().bytes(hub || (uses.data.has(i) && segment.mode === "passive") ? slice(segment) : EMPTY_PASSIVE_DATA))));
  }
  return out.view().slice();
}

function renumbered(bytes: Uint8Array, span: { start: number; end: number }, renumber: (f: number) => number,
  walk: Parameters<typeof copyRenumbered>[3]): ByteWriter {
  const out = new ByteWriter();
  copyRenumbered(new ByteReader(bytes, span.start, span.end), out, renumber, walk);
  return out;
}

function vector(items: ByteWriter[]): ByteWriter {
  const out = new ByteWriter().u32(items.length);
  for (const item of items) out.bytes(item.view());
  return out;
}

export function ownerOf(layout: SplitLayout, f: number): number {
  return layout.owner[f - layout.module.importedFunctions];
}

function owns(layout: SplitLayout, p: number, f: number): boolean {
  return f >= layout.module.importedFunctions && ownerOf(layout, f) === p;
}
