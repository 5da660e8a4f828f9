// A generated WASI command with as much code as asked for, that prints a
// checksum of its work: what the split tests compile whole and split and
// compare with Node's output.
//
// Function i (of `functions`, type (i32) -> i32) mixes its argument with
// constants, loads and stores in the first 64 KiB of memory and a mutable
// global, and calls function i-1 directly (three in four) or one far below it
// (the rest), so calls cross every part boundary. _start calls each function
// through the table (call_indirect), folds the results, reads a data segment
// and prints "checksum <n> global <g>" with fd_write, then exits 0.
//
// Two ways to make the same program bigger, so that the boot tier can afford
// a module of tens of MB: `lebBytes` writes every index and constant as a
// LEB128 of that many bytes (padded with continuation bytes, still valid
// wasm), and `nops` starts every function with that many nops, which wasm2c
// translates to nothing. The splitter and wasm2c see every byte; clang sees
// only the real work. (What 30 MB of real code costs to compile is measured
// in docs/build-app.md, not run in CI.)

import { concatenate, name, section, uleb, vector } from "./wasm-bytes";

const I32 = 0x7f;
const [LOCAL_GET, LOCAL_SET, GLOBAL_GET, GLOBAL_SET, I32_CONST, I32_LOAD, I32_STORE, CALL, CALL_INDIRECT, END] =
  [0x20, 0x21, 0x23, 0x24, 0x41, 0x28, 0x36, 0x10, 0x11, 0x0b];
const [I32_ADD, I32_SUB, I32_MUL, I32_XOR, I32_AND, I32_ROTL, I32_LT_U, I32_REM_U, I32_DIV_U, I32_EQZ] =
  [0x6a, 0x6b, 0x6c, 0x73, 0x71, 0x77, 0x49, 0x70, 0x6e, 0x45];
const [LOOP, BR_IF, LOCAL_TEE, VOID, I32_STORE8, DROP, NOP] = [0x03, 0x0d, 0x22, 0x40, 0x3a, 0x1a, 0x01];

class Out {
  bytes: number[] = [];
  constructor(readonly lebBytes: number) {}
  /** An unsigned LEB128, padded to lebBytes. */
  u(value: number): this {
    for (let i = 0; ; i++) {
      const byte = value & 0x7f;
      value >>>= 7;
      const more = value !== 0 || i + 1 < this.lebBytes;
      this.bytes.push(more ? byte | 0x80 : byte);
      if (!more) return this;
    }
  }
  /** A signed LEB128, padded to lebBytes. */
  s(value: number): this {
    for (let i = 0; ; i++) {
      const byte = value & 0x7f;
      value >>= 7;
      const done = ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) && i + 1 >= this.lebBytes;
      this.bytes.push(done ? byte : byte | 0x80);
      if (done) return this;
    }
  }
  op(...codes: number[]): this {
    this.bytes.push(...codes);
    return this;
  }
}

/** One work function: `steps` rounds of arithmetic and memory, then its call. */
function body(index: number, shape: Shape, imports: number): number[] {
  const { steps, lebBytes, nops } = shape;
  const o = new Out(lebBytes);
  o.op(...vector([[2, I32]])); // locals 1, 2
  o.bytes.push(...new Array<number>(nops).fill(NOP));
  for (let step = 0; step < steps; step++) {
    const c = (index * 7919 + step * 104729) & 0xffff;
    o.op(LOCAL_GET).u(0).op(I32_CONST).s(c).op(I32_ADD, LOCAL_SET).u(1);
    // address = (local1 & 0xfffc) in the first 64 KiB
    o.op(LOCAL_GET).u(1).op(I32_CONST).s(0xfffc).op(I32_AND, I32_LOAD, 2).u(0).op(LOCAL_GET).u(0).op(I32_MUL, LOCAL_SET).u(2);
    o.op(LOCAL_GET).u(2).op(I32_CONST).s(c ^ 0x5a5a).op(I32_XOR, LOCAL_GET).u(1).op(I32_ROTL, LOCAL_SET).u(0);
    o.op(LOCAL_GET).u(1).op(I32_CONST).s(0xfffc).op(I32_AND, LOCAL_GET).u(0).op(I32_STORE, 2).u(0);
  }
  o.op(GLOBAL_GET).u(0).op(LOCAL_GET).u(0).op(I32_XOR, GLOBAL_SET).u(0);
  o.op(LOCAL_GET).u(0);
  if (index > 0) {
    const callee = index % 4 !== 0 ? index - 1 : (index * 7919) % index;
    o.op(LOCAL_GET).u(2).op(CALL).u(imports + callee).op(I32_ADD);
  }
  o.op(END);
  return [...uleb(o.bytes.length), ...o.bytes];
}

/** Where _start's text lives: above the 64 KiB the work functions write. */
const TEXT = 0x11000;

/** Prints "<label><local 0 in decimal>\n": the digits are written backwards from TEXT+300, where a newline is. */
function printNumber(o: Out, labelAt: number, labelLength: number): void {
  // local 2 = write position, local 0 = value
  o.op(I32_CONST).s(TEXT + 300).op(I32_CONST).s(10).op(I32_STORE8, 0).u(0);
  o.op(I32_CONST).s(TEXT + 300).op(LOCAL_SET).u(2);
  o.op(LOOP, VOID);
  o.op(LOCAL_GET).u(2).op(I32_CONST).s(1).op(I32_SUB, LOCAL_TEE).u(2);
  o.op(LOCAL_GET).u(0).op(I32_CONST).s(10).op(I32_REM_U, I32_CONST).s(48).op(I32_ADD, I32_STORE8, 0).u(0);
  o.op(LOCAL_GET).u(0).op(I32_CONST).s(10).op(I32_DIV_U, LOCAL_TEE).u(0).op(I32_EQZ, I32_EQZ, BR_IF).u(0);
  o.op(END);
  // iovecs at 400: label, digits, newline (at 300)
  o.op(I32_CONST).s(TEXT + 400).op(I32_CONST).s(labelAt).op(I32_STORE, 2).u(0);
  o.op(I32_CONST).s(TEXT + 404).op(I32_CONST).s(labelLength).op(I32_STORE, 2).u(0);
  o.op(I32_CONST).s(TEXT + 408).op(LOCAL_GET).u(2).op(I32_STORE, 2).u(0);
  o.op(I32_CONST).s(TEXT + 412).op(I32_CONST).s(TEXT + 301).op(LOCAL_GET).u(2).op(I32_SUB, I32_STORE, 2).u(0);
  o.op(I32_CONST).s(1).op(I32_CONST).s(TEXT + 400).op(I32_CONST).s(2).op(I32_CONST).s(TEXT + 420).op(CALL).u(0).op(DROP);
}

export interface Shape {
  /** Rounds of work per function (about 40 bytes each with lebBytes 1). */
  steps: number;
  lebBytes: number;
  nops: number;
}

/** A valid WASI command of `functions` work functions. */
export function bigModule(functions: number, shape: Partial<Shape> = {}): Uint8Array {
  const full: Shape = { steps: 8, lebBytes: 1, nops: 0, ...shape };
  const imports = 2; // fd_write, proc_exit
  const types = section(1, vector([
    [0x60, ...vector([[I32]]), ...vector([[I32]])], // 0: (i32) -> i32
    [0x60, ...vector([[I32], [I32], [I32], [I32]]), ...vector([[I32]])], // 1: fd_write
    [0x60, ...vector([[I32]]), ...vector([])], // 2: proc_exit
    [0x60, ...vector([]), ...vector([])], // 3: _start
  ]));
  const importSection = section(2, vector([
    [...name("wasi_snapshot_preview1"), ...name("fd_write"), 0x00, 1],
    [...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0x00, 2],
  ]));
  const functionSection = section(3, vector([...Array.from({ length: functions }, () => [0]), [3]]));
  const table = section(4, vector([[0x70, 0x00, ...uleb(functions)]]));
  const memory = section(5, vector([[0x00, 2]]));
  const global = section(6, vector([[I32, 0x01, I32_CONST, ...new Out(1).s(12345).bytes, END]]));
  const startIndex = imports + functions;
  const exports = section(7, vector([[...name("memory"), 0x02, 0], [...name("_start"), 0x00, ...uleb(startIndex)]]));
  const elem = section(9, vector([[0x00, I32_CONST, 0, END, ...vector(Array.from({ length: functions }, (_, i) => uleb(imports + i)))]]));
  const labels = "checksum global \n";
  const data = section(11, vector([
    [0x00, I32_CONST, ...new Out(1).s(TEXT + 500).bytes, END, ...name(labels)],
    [0x00, I32_CONST, ...new Out(1).s(1000).bytes, END, ...vector(Array.from({ length: 4096 }, (_, i) => [(i * 37) & 0xff]))],
  ]));

  // _start: locals 0 value, 1 i, 2 position, 3 sum
  const s = new Out(1);
  s.op(...vector([[4, I32]]));
  s.op(LOOP, VOID);
  s.op(LOCAL_GET).u(3).op(LOCAL_GET).u(1).op(LOCAL_GET).u(1).op(CALL_INDIRECT).u(0).u(0).op(I32_ADD, LOCAL_SET).u(3);
  s.op(LOCAL_GET).u(1).op(I32_CONST).s(1).op(I32_ADD, LOCAL_TEE).u(1).op(I32_CONST).s(functions).op(I32_LT_U, BR_IF).u(0);
  s.op(END);
  s.op(LOCAL_GET).u(3).op(LOCAL_SET).u(0);
  printNumber(s, TEXT + 500, 9);
  s.op(GLOBAL_GET).u(0).op(LOCAL_SET).u(0);
  printNumber(s, TEXT + 509, 7);
  s.op(I32_CONST).s(0).op(CALL).u(1).op(END);

  const bodies = Array.from({ length: functions }, (_, i) => body(i, full, imports));
  const codeSize = uleb(functions + 1).length + bodies.reduce((sum, b) => sum + b.length, 0) + uleb(s.bytes.length).length + s.bytes.length;
  const parts: number[][] = [
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], types, importSection, functionSection, table, memory, global, exports, elem,
    [10, ...uleb(codeSize), ...uleb(functions + 1)], ...bodies, uleb(s.bytes.length), s.bytes, data,
  ];
  return concatenate(parts);
}
