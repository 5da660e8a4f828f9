// Generated WASI commands whose one function nests blocks as a C switch
// compiles, but far deeper: `cases` blocks opened one inside the other with
// a br_table in the innermost, each case's code falling through into the
// next or branching further on (br, br_if, small br_tables, loops that
// leave early), some cases holding a switch of their own whose branches
// leave it for the outer one's cases. What the nesting rewrite
// (scripts/app/nesting/) must keep exactly.
//
// The module exports `dispatch(i32) -> i32` (the deep function) and a
// `_start` that folds dispatch(i) for i from -3 to cases+3 and prints the
// result as 8 hex digits and a newline, then exits 0.

import { concatenate, name, section, sleb, uleb, vector } from "../../../scripts/bench/app/wasm-bytes";
import { Random } from "../random";

const [BLOCK, LOOP, END, BR, BR_IF, BR_TABLE, LOCAL_GET, LOCAL_SET, I32_CONST] = [0x02, 0x03, 0x0b, 0x0c, 0x0d, 0x0e, 0x20, 0x21, 0x41];
const [I32_ADD, I32_SUB, I32_MUL, I32_AND, I32_XOR, I32_ROTL, I32_SHR_U, I32_EQZ, I32_LT_S, I32_GT_U] =
  [0x6a, 0x6b, 0x6c, 0x71, 0x73, 0x77, 0x76, 0x45, 0x48, 0x4b];
const [I32, VOID, CALL, DROP, I32_STORE, I32_STORE8] = [0x7f, 0x40, 0x10, 0x1a, 0x36, 0x3a];
const [ARG, ACC, COUNT] = [0, 1, 2];

/** Writes code with branches to labels by name, their depths worked out as written. */
class Code {
  bytes: number[] = [];
  private open: string[] = [];
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
  begin(op: number, label: string): this {
    this.open.push(label);
    return this.op(op, VOID);
  }
  end(): this {
    this.open.pop();
    return this.op(END);
  }
  depth(label: string): number {
    const at = this.open.lastIndexOf(label);
    if (at < 0) throw new Error(`label ${label} is not open`);
    return this.open.length - 1 - at;
  }
  br(op: number, label: string): this {
    return this.op(op, ...uleb(this.depth(label)));
  }
  table(labels: string[]): this {
    this.op(BR_TABLE, ...uleb(labels.length - 1));
    for (const label of labels) this.op(...uleb(this.depth(label)));
    return this;
  }
  get(local: number): this {
    return this.op(LOCAL_GET, local);
  }
  set(local: number): this {
    return this.op(LOCAL_SET, local);
  }
  i32(value: number): this {
    return this.op(I32_CONST, ...sleb(value | 0));
  }
  /** acc = acc * mul + add */
  mix(mul: number, add: number): this {
    return this.get(ACC).i32(mul).op(I32_MUL).i32(add).op(I32_ADD).set(ACC);
  }
}

export interface DeepSwitchShape {
  cases: number;
  seed: number;
  /** Cases of each inner switch (0: none). */
  innerCases: number;
}

/** The deep function's body: a switch of `cases` on its argument, inside `block $out`. */
function dispatchBody(shape: DeepSwitchShape): number[] {
  const random = new Random(shape.seed);
  const c = new Code();
  c.op(...vector([[2, I32]])); // acc, count
  c.get(ARG).set(ACC);
  c.begin(BLOCK, "out");
  chain(c, random, shape.cases, "s", ["out"], shape.innerCases);
  c.get(ACC).i32(0x5555).op(I32_XOR).set(ACC);
  c.end();
  c.get(ACC).op(END);
  return c.bytes;
}

/** A chain of `size` blocks named prefix+level (level 1 innermost); `outer` are labels beyond it that its code may leave to. */
function chain(c: Code, random: Random, size: number, prefix: string, outer: string[], innerCases: number): void {
  const level = (j: number) => `${prefix}${j}`;
  for (let j = size; j >= 1; j--) c.begin(BLOCK, level(j));
  const later = (k: number) => random.int(0, 3) === 0 && outer.length > 0 ? random.pick(outer) : level(k + 1 + random.int(0, size - k - 1));
  // Case 0: the br_table on the argument, entries mostly in order as a switch has them.
  const entries = Array.from({ length: size - 1 }, (_, i) => (random.int(0, 7) === 0 ? later(0) : level(i + 1)));
  c.get(ARG).table([...entries, later(0)]);
  for (let k = 1; k < size; k++) {
    c.end(); // B_k: case k starts
    segment(c, random, k, size, later, prefix, outer, innerCases);
  }
  c.end(); // B_size
}

function segment(
  c: Code, random: Random, k: number, size: number, later: (k: number) => string, prefix: string, outer: string[], innerCases: number,
): void {
  const roll = random.int(0, 99);
  c.mix(31, k);
  if (roll < 40) return; // falls through
  if (roll < 55) {
    c.get(ACC).i32(3).op(I32_AND, I32_EQZ).br(BR_IF, later(k));
  } else if (roll < 63) {
    c.br(BR, later(k)); // the rest of the case is never reached
    c.mix(7, 1);
  } else if (roll < 75) {
    c.get(ACC).i32(29).op(I32_SHR_U).table(Array.from({ length: 8 }, () => later(k)));
  } else if (roll < 88) {
    // count = 3; loop { acc = acc*5 + 1; if (acc > 0xF0000000) leave; --count; again while count }
    c.i32(3).set(COUNT).begin(LOOP, "again");
    c.mix(5, 1).get(ACC).i32(0xf0000000).op(I32_GT_U).br(BR_IF, later(k));
    c.get(COUNT).i32(1).op(I32_SUB).set(COUNT).get(COUNT).i32(0).op(I32_LT_S, I32_EQZ, I32_EQZ);
    c.op(I32_EQZ).br(BR_IF, "again").end();
  } else if (roll < 94 && innerCases > 0 && k + 1 < size) {
    const leaving = [...Array.from({ length: 4 }, () => later(k)), ...outer];
    c.get(ACC).get(ARG).op(I32_XOR).set(ARG); // the inner switch's argument
    chain(c, random, innerCases, `${prefix}${k}i`, leaving, 0);
  } else {
    c.get(ACC).i32(k).op(I32_ROTL).set(ACC);
  }
}

/** A WASI command around the deep function: prints the fold of dispatch(-3 … cases+3) in hex. */
export function deepSwitchModule(shape: DeepSwitchShape): Uint8Array {
  const types = section(1, vector([
    [0x60, ...vector([[I32]]), ...vector([[I32]])], // 0: dispatch
    [0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([[I32]])], // 1: fd_write
    [0x60, ...vector([[I32]]), ...vector([])], // 2: proc_exit
    [0x60, ...vector([]), ...vector([])], // 3: _start
  ]));
  const imports = section(2, vector([
    [...name("wasi_snapshot_preview1"), ...name("fd_write"), 0x00, 1],
    [...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0x00, 2],
  ]));
  const [DISPATCH, START] = [2, 3];
  const functions = section(3, vector([[0], [3]]));
  const memory = section(5, vector([[0x00, 1]]));
  const exports = section(7, vector([
    [...name("memory"), 0x02, 0], [...name("dispatch"), 0x00, DISPATCH], [...name("_start"), 0x00, START],
  ]));

  // _start: local 0 = i, local 1 = sum; text at 16 (8 digits, newline), iovec at 0, written count at 32.
  const s = new Code();
  s.op(...vector([[2, I32]]));
  s.i32(-3).set(0).begin(LOOP, "fold");
  s.get(1).i32(5).op(I32_ROTL).get(0).op(CALL, DISPATCH, I32_XOR).set(1);
  s.get(0).i32(1).op(I32_ADD).set(0).get(0).i32(shape.cases + 4).op(I32_LT_S).br(BR_IF, "fold").end();
  for (let digit = 0; digit < 8; digit++) {
    // nibble → '0' + nibble + 39 * (nibble > 9)
    s.i32(16 + digit).get(1).i32(28 - 4 * digit).op(I32_SHR_U).i32(15).op(I32_AND).set(0);
    s.get(0).i32(48).op(I32_ADD).get(0).i32(9).op(I32_GT_U).i32(39).op(I32_MUL, I32_ADD, I32_STORE8, 0, 0);
  }
  s.i32(24).i32(10).op(I32_STORE8, 0, 0);
  s.i32(0).i32(16).op(I32_STORE, 2, 0).i32(4).i32(9).op(I32_STORE, 2, 0);
  s.i32(1).i32(0).i32(1).i32(32).op(CALL, 0, DROP).i32(0).op(CALL, 1, END);

  const bodies = [dispatchBody(shape), s.bytes].map((body) => [...uleb(body.length), ...body]);
  const code = [10, ...uleb(uleb(2).length + bodies[0].length + bodies[1].length), ...uleb(2)];
  return concatenate([[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], types, imports, functions, memory, exports, code, ...bodies]);
}

/** A WASI command whose _start nests `depth` loops, each run once: nesting no chain rewrite can flatten. */
export function nestedLoopsModule(depth: number): Uint8Array {
  const c = new Code();
  c.op(...vector([]));
  for (let level = 0; level < depth; level++) c.begin(LOOP, `l${level}`);
  for (let level = 0; level < depth; level++) c.end();
  c.op(END);
  const body = [...uleb(c.bytes.length), ...c.bytes];
  return concatenate([
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    section(1, vector([[0x60, ...vector([]), ...vector([])]])),
    section(3, vector([[0]])),
    section(5, vector([[0x00, 1]])),
    section(7, vector([[...name("memory"), 0x02, 0], [...name("_start"), 0x00, 0]])),
    [10, ...uleb(uleb(1).length + body.length), ...uleb(1)], body,
  ]);
}
