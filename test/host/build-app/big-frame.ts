// A WASI command whose one recursive function needs a native frame far larger
// than a 4 KiB guard page, for the stack-clash test (issue 12). It prints
// "about to overflow" (fd_write), then recurses until the stack ends.
//
// $deep loads LIVE values from linear memory, calls itself, and only then
// sums them: every value is live across the call, and clang has nowhere to
// keep hundreds of them but spill slots in the native frame (LIVE x 8 bytes).
// The call is not a tail call and the recursion never ends, so the app runs
// down its native stack, one big frame at a time, until the stack ends.
// Loads cannot be repeated after the call (it may write memory), so clang
// cannot rematerialize them instead of spilling.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const WAT2WASM = fileURLToPath(new URL("../../../node_modules/.bin/wat2wasm", import.meta.url));

/** Values live across the recursive call: 1024 x 8 bytes, an 8 KiB frame. */
export const LIVE = 1024;

export const MESSAGE = "about to overflow\n";
const MESSAGE_AT = 16384;
const IOVEC_AT = MESSAGE_AT - 16;

/** The module as WebAssembly text; wat2wasm turns it into app.wasm. */
export function bigFrameWat(live = LIVE): string {
  const loads: string[] = [];
  const sums: string[] = [];
  for (let i = 0; i < live; i++) {
    loads.push(`    (local.set ${i + 1} (i64.mul (i64.load offset=${i * 8} (i32.const 0)) (local.get 0)))`);
    sums.push(`    (local.set 0 (i64.add (local.get 0) (local.get ${i + 1})))`);
  }
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const ${IOVEC_AT}) "\\${hex(MESSAGE_AT)}\\${hex(MESSAGE.length)}")
  (data (i32.const ${MESSAGE_AT}) "${MESSAGE.replace("\n", "\\0a")}")
  (func $deep (param i64) (result i64)
    (local ${"i64 ".repeat(live).trim()})
${loads.join("\n")}
    (local.set 0 (i64.add (local.get 0) (call $deep (i64.add (local.get 0) (i64.const 1)))))
${sums.join("\n")}
    (local.get 0))
  (func (export "_start")
    (drop (call $fd_write (i32.const 1) (i32.const ${IOVEC_AT}) (i32.const 1) (i32.const ${IOVEC_AT + 8})))
    (drop (call $deep (i64.const 1)))))
`;
}

/** Writes the module to `path` (a .wasm; the text goes beside it as .wat) and returns `path`. */
export function writeBigFrameWasm(path: string, live = LIVE): string {
  const wat = path.replace(/\.wasm$/, "") + ".wat";
  writeFileSync(wat, bigFrameWat(live));
  execFileSync(WAT2WASM, [wat, "-o", path]);
  return path;
}

/** A u32 as the four little-endian bytes of a WAT string, "\\xx\\xx\\xx\\xx". */
function hex(value: number): string {
  return [0, 8, 16, 24].map((shift) => ((value >>> shift) & 0xff).toString(16).padStart(2, "0")).join("\\");
}
