// A synthetic WASI command of any size, for measuring build-app on big
// modules: `functions` functions of integer and memory work, most calling the
// one before it directly (chains of at most CHAIN), all in a function table
// that _start walks with call_indirect, summing the results into memory[0]
// before proc_exit(0). The table keeps every function alive and stops clang
// from inlining the whole program into _start (one giant function compiles
// far slower than the same code in pieces, and no real program looks so).
//
// Written straight as a binary (core spec 5): type, import, function, table,
// memory, export, elem and code sections.

import { concatenate, name, section, sleb, uleb, vector } from "../../../scripts/bench/app/wasm-bytes";

const CHAIN = 4;

const I32 = 0x7f;
const [LOCAL_GET, LOCAL_SET, I32_CONST, I32_LOAD, I32_STORE, CALL, END] = [0x20, 0x21, 0x41, 0x28, 0x36, 0x10, 0x0b];
const [I32_ADD, I32_MUL, I32_XOR, I32_ROTL, I32_LT_U] = [0x6a, 0x6c, 0x73, 0x77, 0x49];
const [LOOP, BR_IF, CALL_INDIRECT, LOCAL_TEE, VOID] = [0x03, 0x0d, 0x11, 0x22, 0x40];
const FUNCREF = 0x70;

/** One function body of about 30 bytes per step: (param i32) (result i32), three i32 locals. */
function body(index: number, steps: number, imports: number): number[] {
  const code: number[] = [...vector([[3, I32]])];
  for (let step = 0; step < steps; step++) {
    const c = (index * 7919 + step * 104729) & 0xffff;
    code.push(LOCAL_GET, 0, I32_CONST, ...sleb(c), I32_ADD, LOCAL_SET, 1);
    code.push(LOCAL_GET, 1, I32_LOAD, 2, ...uleb((c * 4) % 60000), LOCAL_GET, 0, I32_MUL, LOCAL_SET, 2);
    code.push(LOCAL_GET, 2, I32_CONST, ...sleb(c ^ 0x5a5a), I32_XOR, LOCAL_GET, 1, I32_ROTL, LOCAL_SET, 0);
  }
  code.push(LOCAL_GET, 0);
  if (index % CHAIN !== 0) code.push(LOCAL_GET, 2, CALL, ...uleb(imports + index - 1), I32_ADD);
  code.push(END);
  return [...uleb(code.length), ...code];
}

/** A valid WASI command with `functions` work functions of `steps` steps each (~30 bytes per step). */
export function largeModule(functions: number, steps = 16): Uint8Array {
  const imports = 1; // proc_exit
  const types = section(1, vector([
    [0x60, ...vector([[I32]]), ...vector([[I32]])], // type 0: (i32) -> i32
    [0x60, ...vector([[I32]]), ...vector([])], // type 1: (i32) -> ()
    [0x60, ...vector([]), ...vector([])], // type 2: () -> ()
  ]));
  const importSection = section(2, vector([[...name("wasi_snapshot_preview1"), ...name("proc_exit"), 0x00, 1]]));
  const functionSection = section(3, vector([...Array.from({ length: functions }, () => [0]), [2]]));
  const memory = section(5, vector([[0x00, 1]]));
  const exports = section(7, vector([[...name("memory"), 0x02, 0], [...name("_start"), 0x00, ...uleb(imports + functions)]]));

  const table = section(4, vector([[FUNCREF, 0x00, ...uleb(functions)]]));
  const elem = section(9, vector([[0x00, I32_CONST, 0, END, ...vector(Array.from({ length: functions }, (_, i) => uleb(imports + i)))]]));

  // _start: locals i (1), sum (2) after its one unused slot 0;
  // do { sum += table[i](i) } while (++i < functions); memory[0] = sum; proc_exit(0).
  const start: number[] = [...vector([[3, I32]]),
    LOOP, VOID,
    LOCAL_GET, 2, LOCAL_GET, 1, LOCAL_GET, 1, CALL_INDIRECT, 0, 0, I32_ADD, LOCAL_SET, 2,
    LOCAL_GET, 1, I32_CONST, 1, I32_ADD, LOCAL_TEE, 1, I32_CONST, ...sleb(functions), I32_LT_U, BR_IF, 0,
    END,
    I32_CONST, 0, LOCAL_GET, 2, I32_STORE, 2, 0, I32_CONST, 0, CALL, 0, END];

  const bodies = Array.from({ length: functions }, (_, i) => Uint8Array.from(body(i, steps, imports)));
  const codeSize = uleb(functions + 1).length + bodies.reduce((sum, b) => sum + b.length, 0) + uleb(start.length).length + start.length;
  const parts: ArrayLike<number>[] = [
    [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], types, importSection, functionSection, table, memory, exports, elem,
    [10, ...uleb(codeSize), ...uleb(functions + 1)], ...bodies, uleb(start.length), start,
  ];
  return concatenate(parts);
}
