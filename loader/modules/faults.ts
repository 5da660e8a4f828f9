// How a module call ends badly: a wasm trap raised by its code, or a CPU
// fault claimed as the module's because the instruction is in its code, the
// address in its memory's reservation (an out-of-bounds access) or in the
// calling thread's stack guard (the module's recursion ran out of stack).
// Recorded inside the trap or exception (numbers only); printed by the
// caller once the call has unwound (calls.ts).

import { print, printLine } from "../../kernel/console";
import { threadWithGuard, currentThread } from "../../kernel/sched/index";
import { inAppCode } from "../elf/index";
import { printTrapCause, printPlace } from "../faults";
import { FsModule } from "./module";

const TRAP_OUT_OF_BOUNDS: u32 = 1;
const TRAP_STACK_EXHAUSTED: u32 = 9;

let trapKind: u32 = 0;
let faultKind: u32 = 0;
let faultCode: u64 = 0;
let address: u64 = 0;
let instruction: u64 = 0;
let isFault = false;

/** A trap raised by the module's code; `at` is the return address into it. */
export function recordModuleTrap(kind: u32, at: u64): void {
  trapKind = kind;
  instruction = at;
  address = 0;
  isFault = false;
}

/** Whether a CPU exception during a call of `module` is the module's; if so it is recorded. */
export function claimModuleFault(module: FsModule, kind: u32, code: u64, ip: u64, faultAddress: u64): bool {
  const inMemory = module.memory.inReservation(faultAddress);
  const guardOwner = threadWithGuard(faultAddress);
  const inStackGuard = guardOwner !== null && guardOwner === currentThread();
  if (!inMemory && !inStackGuard && !inAppCode(module.code, ip)) return false;
  trapKind = inStackGuard ? TRAP_STACK_EXHAUSTED : inMemory ? TRAP_OUT_OF_BOUNDS : 0;
  faultKind = kind;
  faultCode = code;
  address = faultAddress;
  instruction = ip;
  isFault = true;
  return true;
}

/** Prints "module NAME: trap: <what> in <function> (at <address>) during operation N; the module is disabled". */
export function reportModuleTrap(module: FsModule, op: u32): void {
  print("module ");
  print(module.name);
  print(": ");
  printTrapCause(trapKind, isFault, faultKind, faultCode, address);
  printPlace(module.code, instruction);
  print(" during operation ");
  print(op.toString());
  printLine("; every later call to it fails with EIO");
}
