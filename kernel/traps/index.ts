// Reports for the two ways code can stop unexpectedly: a CPU exception
// (delivered by the arch stub) and a wasm trap (raised by the generated code).
// Both print what happened and where, then power off with PANIC_STATUS.
// What a CPU exception means is the architecture's business: its entry point
// (kernel/init) hands its ExceptionDecoder (x86_64.ts, aarch64.ts) to
// useExceptionDecoder.

import { print, printLine, printHex, printUnsigned } from "../console";
import { shutdown } from "../panic";
import { PANIC_STATUS } from "../params";
import { outOfMemory, failedRequest } from "../rt/index";
import { threadWithGuard, schedulerReady, currentThread } from "../sched/index";

/** An architecture's reading of its CPU exceptions, as the arch stub reports them (kind, code, ip, address). */
export abstract class ExceptionDecoder {
  /** What the exception is called, in words. */
  abstract name(kind: u32, code: u64): string;
  /** Prints the report's body after "panic: CPU exception: " (the line's end is printed by the caller). */
  abstract describe(kind: u32, code: u64, ip: u64, address: u64): void;
  /**
   * Whether the exception is a data access (read or write, not an instruction
   * fetch) to an address no page maps: the one fault that mapping a page
   * there and running the instruction again can cure (app memory committed
   * on first touch, loader/app-memory.ts). False unless the architecture says.
   */
  missingPage(kind: u32, code: u64): bool {
    return false;
  }
}

let decoder: ExceptionDecoder = changetype<ExceptionDecoder>(0);

export function useExceptionDecoder(chosen: ExceptionDecoder): void {
  decoder = chosen;
}

const WASM_TRAP_NAMES: StaticArray<string> = [
  "none", "out-of-bounds memory access", "integer overflow", "integer divide by zero",
  "invalid conversion to integer", "unreachable executed", "indirect call to a null or mistyped function",
  "uncaught exception", "unaligned atomic access", "call stack exhausted", "null reference",
];

/** What a wasm trap kind (wasm2c's numbering) means, in words. */
export function wasmTrapName(kind: u32): string {
  return kind < <u32>WASM_TRAP_NAMES.length ? WASM_TRAP_NAMES[kind] : "unknown trap";
}

/** Whether a CPU exception is a data access to an unmapped page (ExceptionDecoder.missingPage). */
export function isMissingPage(kind: u32, code: u64): bool {
  return changetype<usize>(decoder) != 0 && decoder.missingPage(kind, code);
}

/** What a CPU exception is called on this architecture (x86 vector, or aarch64 exception class from the syndrome). */
export function cpuExceptionName(kind: u32, code: u64): string {
  return changetype<usize>(decoder) == 0 ? "CPU exception" : decoder.name(kind, code);
}

export function reportCpuException(kind: u32, code: u64, ip: u64, address: u64): void {
  print("\npanic: CPU exception: ");
  if (changetype<usize>(decoder) != 0) decoder.describe(kind, code, ip, address);
  printLine();
  reportThread(address);
  shutdown(PANIC_STATUS);
}

/** Names the running thread, and says so when the fault hit a thread's stack guard page. */
function reportThread(address: u64): void {
  if (!schedulerReady()) return;
  const overflowed = threadWithGuard(address);
  if (overflowed !== null) {
    print("stack overflow: thread ");
    printUnsigned(overflowed.id);
    print(" (");
    print(overflowed.name);
    print(") ran past the end of its stack into the guard page at ");
    printHex(<u64>overflowed.guard);
    printLine();
  }
  const thread = currentThread();
  print("in thread ");
  printUnsigned(thread.id);
  print(" (");
  print(thread.name);
  printLine(")");
}

export function reportWasmTrap(kind: u32): void {
  print("\npanic: kernel trap: ");
  if (outOfMemory) {
    print("out of memory (a request for ");
    printUnsigned(failedRequest);
    print(" bytes)");
  } else {
    print(kind < <u32>WASM_TRAP_NAMES.length ? WASM_TRAP_NAMES[kind] : "unknown trap");
  }
  printLine();
  shutdown(PANIC_STATUS);
}
