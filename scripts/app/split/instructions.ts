// Walking wasm instructions (core spec 5.4) to find what they name: the
// splitter needs every function index (call, ref.func) to renumber it, and
// every data and element segment index (memory.init, data.drop, table.init,
// elem.drop) to know which part uses which segment. Everything else is
// stepped over by its immediates and copied unchanged.
//
// Covered: the MVP, sign-extension, saturating float-to-int, bulk memory,
// reference types and multi-value block types: what build-app compiles.
// SIMD, atomics, tail calls and exceptions are refused before splitting
// (validate.ts); meeting one here is an error, never a silent copy.

import { ByteReader, ByteWriter, SplitFormatError } from "./bytes";

/** What an expression refers to, reported as it is walked. */
export interface Uses {
  /** A function index immediate, which ends at the reader's offset and started at `start`. */
  func(index: number, start: number): void;
  data(index: number): void;
  element(index: number): void;
}

const [BLOCK, LOOP, IF, END, BR, BR_IF, BR_TABLE, CALL, CALL_INDIRECT] = [0x02, 0x03, 0x04, 0x0b, 0x0c, 0x0d, 0x0e, 0x10, 0x11];
const [SELECT_TYPED, REF_NULL, REF_FUNC, PREFIX_FC] = [0x1c, 0xd0, 0xd2, 0xfc];
const BLOCK_EMPTY = 0x40;
/** Value types that stand for themselves as a block type: i32 i64 f32 f64 v128 funcref externref. */
const VALUE_TYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f]);

/** 0xFC sub-opcodes by their immediates: none, one index, two indices; memory.init and the rest by name. */
const [MEMORY_INIT, DATA_DROP, TABLE_INIT, ELEM_DROP] = [8, 9, 12, 13];
const FC_TWO_INDICES = new Set([10, 14]); // memory.copy, table.copy
const FC_ONE_INDEX = new Set([11, 15, 16, 17]); // memory.fill, table.grow, table.size, table.fill

function blockType(r: ByteReader): void {
  const first = r.bytes[r.offset];
  if (first === BLOCK_EMPTY || VALUE_TYPES.has(first)) r.skip(1);
  else r.skipLeb(); // a type index as a signed 33-bit LEB (multi-value)
}

function memarg(r: ByteReader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // a memory index (multi-memory)
  r.skipLeb();
}

/** Steps over one instruction whose opcode has been read; returns the change of block depth. */
export function stepInstruction(r: ByteReader, opcode: number, uses: Uses): number {
  if (opcode === BLOCK || opcode === LOOP || opcode === IF) {
    blockType(r);
    return 1;
  }
  if (opcode === END) return -1;
  if (opcode <= 0x01 || opcode === 0x05 || opcode === 0x0f || opcode === 0x1a || opcode === 0x1b) return 0;
  if (opcode === BR || opcode === BR_IF) r.u32();
  else if (opcode === BR_TABLE) for (let n = r.u32() + 1; n > 0; n--) r.u32();
  else if (opcode === CALL || opcode === REF_FUNC) {
    const start = r.offset;
    uses.func(r.u32(), start);
  } else if (opcode === CALL_INDIRECT) {
    r.u32();
    r.u32();
  } else if (opcode === SELECT_TYPED) r.skip(r.u32());
  else if (opcode >= 0x20 && opcode <= 0x26) r.u32(); // locals, globals, table.get/set
  else if (opcode >= 0x28 && opcode <= 0x3e) memarg(r);
  else if (opcode === 0x3f || opcode === 0x40) r.u32(); // memory.size/grow
  else if (opcode === 0x41 || opcode === 0x42) r.skipLeb();
  else if (opcode === 0x43) r.skip(4);
  else if (opcode === 0x44) r.skip(8);
  else if (opcode >= 0x45 && opcode <= 0xc4) return 0; // numeric, sign-extension
  else if (opcode === REF_NULL) r.skip(1);
  else if (opcode === 0xd1) return 0; // ref.is_null
  else if (opcode === PREFIX_FC) prefixed(r, uses);
  else throw new SplitFormatError(`opcode 0x${opcode.toString(16)} at byte ${r.offset - 1} is not one build-app compiles`);
  return 0;
}

function prefixed(r: ByteReader, uses: Uses): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating float-to-int
  if (sub === MEMORY_INIT) {
    uses.data(r.u32());
    r.u32();
  } else if (sub === DATA_DROP) uses.data(r.u32());
  else if (sub === TABLE_INIT) {
    uses.element(r.u32());
    r.u32();
  } else if (sub === ELEM_DROP) uses.element(r.u32());
  else if (FC_TWO_INDICES.has(sub)) {
    r.u32();
    r.u32();
  } else if (FC_ONE_INDEX.has(sub)) r.u32();
  else throw new SplitFormatError(`opcode 0xfc ${sub} at byte ${r.offset} is not one build-app compiles`);
}

/** Walks one expression (up to its closing `end`) from the reader's offset. */
export function walkExpression(r: ByteReader, uses: Uses): void {
  let depth = 0;
  while (depth >= 0) depth += stepInstruction(r, r.byte(), uses);
}

/** Steps over a function body's local declarations (groups of a count and a type); the number of locals they declare. */
export function skipLocals(r: ByteReader): number {
  let locals = 0;
  for (let groups = r.u32(); groups > 0; groups--) {
    locals += r.u32();
    r.skip(1);
  }
  return locals;
}

/** Walks a function body's contents (locals, then the expression) from the reader's offset to `end`. */
export function walkBody(r: ByteReader, uses: Uses): void {
  skipLocals(r);
  walkExpression(r, uses);
}

const IGNORE = () => {};

/**
 * Copies what `walk` steps over from `r` to `out`, with every function index
 * replaced by `renumber(index)`.
 */
export function copyRenumbered(r: ByteReader, out: ByteWriter, renumber: (index: number) => number, walk: (r: ByteReader, uses: Uses) => void): void {
  let copied = r.offset;
  walk(r, {
    func(index, start) {
      out.bytes(r.bytes.subarray(copied, start)).u32(renumber(index));
      copied = r.offset;
    },
    data: IGNORE,
    element: IGNORE,
  });
  out.bytes(r.bytes.subarray(copied, r.offset));
}
