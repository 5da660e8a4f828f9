// Element segments across parts. wasm2c 1.0.39 gets one thing wrong for an
// imported function in an element segment: the table entry's instance
// becomes the address of the importer's field that holds the exporter's
// instance pointer, not that pointer (funcref_table_init adds the field's
// offset to the instance), so the function then runs on a wrong instance.
// ref.func and global initializers read the field and are right, and so are
// a module's own functions in its segments. So no part puts another part's
// function in a table through a segment:
//
// - an active element segment is cut into pieces by the part owning each
//   item, and each part writes its own functions into the table when it is
//   instantiated (items naming WASI imports, or null, go to the hub);
// - a passive segment (table.init) goes to the part whose code uses it, and
//   must name only that part's functions (and imports).
//
// Pieces apply in part order, not the original segment order, so
// overlapping active segments (where the order decides an entry) are
// refused. Real programs have one active segment (LLVM's function table) and
// no passive ones.

import { ByteReader, ByteWriter } from "./bytes";
import { walkExpression } from "./instructions";
import type { SplitModule, Segment } from "./module";

export class UnsplittableError extends Error {}

const I32_CONST = 0x41;
const END = 0x0b;

/** One item of an active segment: a function index (vector form) or an expression's bytes (expression form). */
export interface Item {
  func: number | null;
  expr: { start: number; end: number } | null;
}

export interface Piece {
  part: number;
  table: number;
  offset: number;
  /** 0x70 funcref or 0x6f externref; `exprs` for the expression form. */
  refType: number;
  exprs: boolean;
  items: Item[];
}

interface ActiveSegment {
  table: number;
  offset: number;
  refType: number;
  exprs: boolean;
  items: Item[];
}

function readActive(m: SplitModule, segment: Segment): ActiveSegment {
  const r = new ByteReader(m.bytes, segment.start, segment.end);
  const flags = r.u32();
  const table = flags === 2 || flags === 6 ? r.u32() : 0;
  if (r.byte() !== I32_CONST) throw new UnsplittableError("an active element segment's offset is not a constant");
  const offset = r.s32() >>> 0;
  if (r.byte() !== END) throw new UnsplittableError("an active element segment's offset is not a constant");
  const refType = flags === 2 ? (r.byte(), 0x70) : flags === 6 ? r.byte() : 0x70;
  const exprs = (flags & 4) !== 0;
  const items: Item[] = [];
  for (let n = r.u32(); n > 0; n--) {
    if (!exprs) items.push({ func: r.u32(), expr: null });
    else {
      const start = r.offset;
      let func: number | null = null;
      walkExpression(r, { func: (index) => (func = index), data() {}, element() {} });
      items.push({ func, expr: { start, end: r.offset } });
    }
  }
  return { table, offset, refType, exprs, items };
}

/** The active segments cut into runs of items owned by one part (`partOf(f)`: 0 for imports). */
export function activePieces(m: SplitModule, partOf: (func: number) => number): Piece[] {
  const segments = m.elements.filter((segment) => segment.mode === "active").map((segment) => readActive(m, segment));
  const spans = segments.map((s) => ({ table: s.table, from: s.offset, to: s.offset + s.items.length })).sort((a, b) => a.table - b.table || a.from - b.from);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].table === spans[i - 1].table && spans[i].from < spans[i - 1].to) {
      throw new UnsplittableError(`active element segments overlap at table ${spans[i].table} entry ${spans[i].from}; split parts would apply them out of order`);
    }
  }
  const pieces: Piece[] = [];
  for (const segment of segments) {
    let piece: Piece | null = null;
    segment.items.forEach((item, i) => {
      const part = item.func === null ? 0 : partOf(item.func);
      if (piece === null || piece.part !== part) {
        piece = { part, table: segment.table, offset: segment.offset + i, refType: segment.refType, exprs: segment.exprs, items: [] };
        pieces.push(piece);
      }
      piece.items.push(item);
    });
  }
  return pieces;
}

/** A piece as an element segment of its part (flags 2 or 6: explicit table, constant offset). */
export function writePiece(m: SplitModule, piece: Piece, renumber: (func: number) => number, copyExpr: (span: { start: number; end: number }, out: ByteWriter) => void): ByteWriter {
  const out = new ByteWriter().u32(piece.exprs ? 6 : 2).u32(piece.table).byte(I32_CONST).s32(piece.offset | 0).byte(END);
  out.byte(piece.exprs ? piece.refType : 0x00).u32(piece.items.length);
  for (const item of piece.items) {
    if (item.expr) copyExpr(item.expr, out);
    else out.u32(renumber(item.func!));
  }
  return out;
}

/** Refuses a passive segment used by a part that does not own every function it names. */
export function checkPassiveSegment(index: number, part: number, funcs: number[], partOf: (func: number) => number): void {
  if (funcs.some((f) => partOf(f) !== part)) {
    throw new UnsplittableError(`passive element segment ${index} names functions outside the part that uses it (${part}), which wasm2c would put in the table with a wrong instance`);
  }
}
