// The splitter: cuts a wasm module whose code is too big for one wasm2c into
// part modules that together behave as the original (docs/build-app.md,
// "Big modules"). Each part holds a contiguous range of the function bodies;
// part 0 (the hub) also holds the memory, tables, globals and data segments
// (part.ts); each part puts its own functions in the tables (elements.ts). Instantiate the hub first, then the others (in any order), then
// call `start` if there is one: that is the original's instantiation, since
// segments are applied as the parts are instantiated and nothing else runs
// before the start function.
//
//   splitModule(bytes, { maxCodeBytes: 4 << 20, name: (p) => `app${p}` })

import { ByteReader } from "./bytes";
import { Piece, UnsplittableError, activePieces, checkPassiveSegment } from "./elements";
import { SplitModule, readSplitModule, walkElement, walkGlobal, KIND_FUNC } from "./module";
import { SplitLayout, internalName, ownerOf, writePart } from "./part";
import { PartUses, planParts, usesOf } from "./plan";

export { SplitFormatError } from "./bytes";
export { UnsplittableError } from "./elements";

export interface SplitOptions {
  /** Code bytes per part, at most (a single larger function gets its own part). */
  maxCodeBytes: number;
  /** The module name of part `p`: how the parts import from each other. */
  name: (part: number) => string;
}

export interface SplitPart {
  name: string;
  bytes: Uint8Array;
  functions: number;
  codeBytes: number;
}

export interface SplitResult {
  parts: SplitPart[];
  /** The original start function, exported by `part` as `name`: call it once every part is instantiated. */
  start: { part: number; name: string } | null;
  /** The part that exports each of the original's function exports, by export name. */
  functionExports: Map<string, number>;
}

export function splitModule(bytes: Uint8Array, options: SplitOptions): SplitResult {
  const m = readSplitModule(bytes);
  const ranges = planParts(m.bodies, options.maxCodeBytes);
  const owner = new Uint32Array(m.bodies.length);
  ranges.forEach((range, p) => owner.fill(p, range.first, range.end));
  const partOf = (f: number) => (f < m.importedFunctions ? 0 : owner[f - m.importedFunctions]);
  const pieces = activePieces(m, partOf);
  const uses = ranges.map((range) => usesOf(m, range));
  addHubUses(m, uses[0], pieces);
  uses.forEach((partUses, p) => addCopiedSegmentUses(m, partUses, p, partOf));
  checkPassiveSegments(uses);

  const layout: SplitLayout = {
    module: m, ranges, names: ranges.map((_, p) => options.name(p)), owner, uses, shared: ranges.map(() => new Set()), pieces,
  };
  uses.forEach((partUses, p) => {
    for (const f of partUses.functions) {
      if (f >= m.importedFunctions && ownerOf(layout, f) !== p) layout.shared[ownerOf(layout, f)].add(f);
    }
  });
  let start: SplitResult["start"] = null;
  if (m.start !== null) {
    const part = ownerOf(layout, m.start);
    layout.shared[part].add(m.start);
    start = { part, name: internalName.func(m.start) };
  }
  const functionExports = new Map<string, number>();
  for (const e of m.exports) {
    if (e.name.startsWith("~")) throw new UnsplittableError(`export '${e.name}' starts with '~', which the parts use between themselves`);
    if (e.kind === KIND_FUNC && e.index >= m.importedFunctions) functionExports.set(e.name, ownerOf(layout, e.index));
  }
  return {
    parts: ranges.map((range, p) => ({
      name: layout.names[p], bytes: writePart(layout, p), functions: range.end - range.first, codeBytes: range.codeBytes,
    })),
    start,
    functionExports,
  };
}

/** The hub also names the functions in global initializers, and the imports in its pieces of active segments. */
function addHubUses(m: SplitModule, hub: PartUses, pieces: Piece[]): void {
  const add = { func: (f: number) => hub.functions.add(f), data() {}, element() {} };
  for (const global of m.globals) walkGlobal(new ByteReader(m.bytes, global.start, global.end), add);
  for (const piece of pieces) for (const item of piece.items) if (piece.part === 0 && item.func !== null) hub.functions.add(item.func);
}

/** A part copies the passive element segments its code uses, and so names their functions (its own only). */
function addCopiedSegmentUses(m: SplitModule, part: PartUses, p: number, partOf: (f: number) => number): void {
  for (const i of part.elements) {
    const segment = m.elements[i];
    if (segment.mode !== "passive") continue;
    const funcs: number[] = [];
    walkElement(new ByteReader(m.bytes, segment.start, segment.end), { func: (f) => funcs.push(f), data() {}, element() {} });
    checkPassiveSegment(i, p, funcs.filter((f) => f >= m.importedFunctions), partOf);
    for (const f of funcs) part.functions.add(f);
  }
}

/**
 * Each part has its own copy of a passive segment it uses; a segment dropped
 * in one part would still be whole in another. So a segment used by two
 * parts cannot be split.
 */
function checkPassiveSegments(uses: PartUses[]): void {
  for (const kind of ["data", "elements"] as const) {
    const seen = new Map<number, number>();
    uses.forEach((partUses, p) => {
      for (const segment of partUses[kind]) {
        const other = seen.get(segment);
        if (other !== undefined) {
          throw new UnsplittableError(`${kind === "data" ? "data" : "element"} segment ${segment} is used by code in parts ${other} and ${p}, which would each have their own copy`);
        }
        seen.set(segment, p);
      }
    });
  }
}
