// Deliberate failures, for testing that every way kernel code can stop is
// reported: `crash=KIND` on the command line runs one of these after boot.
//
//   unreachable, divide-by-zero, out-of-memory  wasm traps
//   null-read    a load from address 0: a page fault (x86_64) or data abort
//                (aarch64) at address 0x0, page 0 being unmapped
//   write-text   a store to the kernel's first text byte: a protection fault,
//                text being read-only
//   stack-overflow  a thread recursing without end runs into its stack's
//                guard page: a page fault escalating to a double fault
//                (x86_64) or a data abort (aarch64), reported as an overflow
//
// Executing data cannot be provoked from wasm (it never jumps to an address).

import { parseUnsigned } from "./cmdline";
import { panic } from "./panic";
import { kernelTextStart } from "./mm/paging/index";
import { spawn, join } from "./sched/index";
import { timestamp } from "../arch";

export const CRASH_KINDS: StaticArray<string> = ["unreachable", "divide-by-zero", "out-of-memory", "null-read", "write-text", "stack-overflow"];

export function isCrashKind(kind: string): bool {
  return CRASH_KINDS.includes(kind);
}

/** Runs the crash named `kind` (one of CRASH_KINDS); returns only if `kind` is not one. */
export function crash(kind: string): void {
  // Values come from a parse so that the compiler cannot see them.
  const zero = <i32>parseUnsigned("0", 1);
  if (kind == "unreachable") unreachable();
  if (kind == "divide-by-zero") {
    if (1 / zero == 0) return;
  }
  if (kind == "out-of-memory") {
    while (true) new ArrayBuffer(1 << 20);
  }
  if (kind == "null-read") {
    const value = load<u8>(<usize>zero);
    panic("crash=null-read: reading address 0 did not fault (it holds " + value.toString() + ")");
  }
  if (kind == "write-text") {
    const text = kernelTextStart() + <usize>zero;
    store<u8>(text, load<u8>(text));
    panic("crash=write-text: writing the kernel's text did not fault");
  }
  if (kind == "stack-overflow") {
    const thread = spawn("deep", recurseForever);
    if (thread === null) panic("crash=stack-overflow: no memory for the thread");
    join(thread!);
    panic("crash=stack-overflow: the recursion ended without a fault");
  }
}

let recursionSink: u64 = 0;

/** Recurses until the stack runs out; the value kept across each call keeps every frame alive. */
function recurseForever(depth: usize): void {
  const kept = timestamp();
  if (depth < 0x7fff_ffff) recurseForever(depth + 1);
  recursionSink += kept;
}
