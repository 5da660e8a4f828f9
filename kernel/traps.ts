// Reports for the two ways code can stop unexpectedly: a CPU exception
// (delivered by the arch stub) and a wasm trap (raised by the generated code).
// Both print what happened and where, then power off with PANIC_STATUS.

import { print, printLine, printHex, printUnsigned } from "./console";
import { shutdown } from "./panic";
import { PANIC_STATUS } from "./params";
import { ARCH_X86_64 } from "./boot/handoff";
import { outOfMemory, failedRequest } from "./rt/index";
import { threadWithGuard, schedulerReady, currentThread } from "./sched/index";

const X86_VECTOR_NAMES: StaticArray<string> = [
  "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
  "bound range exceeded", "invalid opcode", "device not available", "double fault",
  "coprocessor segment overrun", "invalid TSS", "segment not present", "stack fault",
  "general protection fault", "page fault", "reserved", "x87 floating-point error",
  "alignment check", "machine check", "SIMD floating-point error", "virtualization exception",
  "control protection exception",
];

/** aarch64 ESR_EL1 exception classes worth naming; others print as their number. */
function aarch64ClassName(ec: u32): string {
  if (ec == 0x00) return "unknown instruction";
  if (ec == 0x07) return "FP/SIMD access trapped";
  if (ec == 0x0e) return "illegal execution state";
  if (ec == 0x15) return "supervisor call";
  if (ec == 0x20 || ec == 0x21) return "instruction abort";
  if (ec == 0x22) return "misaligned program counter";
  if (ec == 0x24 || ec == 0x25) return "data abort";
  if (ec == 0x26) return "misaligned stack pointer";
  if (ec == 0x2f) return "SError";
  if (ec == 0x3c) return "breakpoint instruction";
  return "exception";
}

/**
 * For an aarch64 instruction or data abort: the access and the fault status
 * code (ISS bits 5:0) as words, e.g. " (write, permission fault, level 3)".
 * WnR (ISS bit 6) says write or read for a data abort; a cache maintenance
 * operation (CM, bit 8) reports as a write.
 */
function printAbortCause(ec: u32, iss: u32): void {
  const status = iss & 0x3f;
  const level = status & 3;
  if (ec <= 0x21) print(" (instruction fetch");
  else print(iss & (1 << 6) ? " (write" : " (read");
  const group = status >> 2;
  if (group == 0) print(", address size fault, level ");
  else if (group == 1) print(", translation fault, level ");
  else if (group == 2) print(", access flag fault, level ");
  else if (group == 3) print(", permission fault, level ");
  if (group <= 3) {
    printUnsigned(level);
  } else if (status == 0x10) {
    print(", synchronous external abort");
  } else if (status == 0x21) {
    print(", alignment fault");
  } else if (status == 0x30) {
    print(", TLB conflict abort");
  } else {
    print(", fault status ");
    printHex(status);
  }
  if (iss & (1 << 10)) print(", address not valid");
  print(")");
}

const WASM_TRAP_NAMES: StaticArray<string> = [
  "none", "out-of-bounds memory access", "integer overflow", "integer divide by zero",
  "invalid conversion to integer", "unreachable executed", "indirect call to a null or mistyped function",
  "uncaught exception", "unaligned atomic access", "call stack exhausted", "null reference",
];

let architecture: u32 = 0;

/** What a wasm trap kind (wasm2c's numbering) means, in words. */
export function wasmTrapName(kind: u32): string {
  return kind < <u32>WASM_TRAP_NAMES.length ? WASM_TRAP_NAMES[kind] : "unknown trap";
}

/** What a CPU exception is called on this architecture (x86 vector, or aarch64 exception class from the syndrome). */
export function cpuExceptionName(kind: u32, code: u64): string {
  if (architecture == ARCH_X86_64) return kind < <u32>X86_VECTOR_NAMES.length ? X86_VECTOR_NAMES[kind] : "reserved vector";
  return aarch64ClassName(<u32>(code >> 26) & 0x3f);
}

export function setTrapArchitecture(arch: u32): void {
  architecture = arch;
}

export function reportCpuException(kind: u32, code: u64, ip: u64, address: u64): void {
  print("\npanic: CPU exception: ");
  if (architecture == ARCH_X86_64) {
    print(kind < <u32>X86_VECTOR_NAMES.length ? X86_VECTOR_NAMES[kind] : "reserved vector");
    print(" (vector ");
    printUnsigned(kind);
    print(") at ip ");
    printHex(ip);
    print(", error code ");
    printHex(code);
    if (kind == 14) {
      print(", address ");
      printHex(address);
      // Error code: bit 0 present, 1 write, 3 reserved bit set, 4 instruction fetch.
      print(code & 16 ? " (instruction fetch" : code & 2 ? " (write" : " (read");
      print(code & 1 ? ", protection violation" : ", page not present");
      print(code & 8 ? ", reserved bit set)" : ")");
    }
  } else {
    const ec = <u32>(code >> 26) & 0x3f;
    print(aarch64ClassName(ec));
    print(" (class ");
    printHex(ec);
    print(", vector slot ");
    printUnsigned(kind);
    print(") at ip ");
    printHex(ip);
    print(", syndrome ");
    printHex(code);
    print(", address ");
    printHex(address);
    if (ec >= 0x20 && ec <= 0x25 && ec != 0x22 && ec != 0x23) printAbortCause(ec, <u32>code);
  }
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
