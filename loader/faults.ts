// How an application ends badly: wasm traps and CPU faults, recorded when
// they happen and reported once the app call has been unwound; and the one
// fault that does not end it, a first touch of its memory.
//
// A data access to an unmapped page inside the app memory's current size
// (the app's own, or the kernel's copy-in/copy-out for a WASI call) is
// cured: app-memory.ts maps a zeroed page and the instruction runs again.
// If no page is free it ends the app with an "out of memory" trap.
//
// Both arrive while the app's native code runs. A trap comes from the
// generated code itself (wasm_rt_trap: unreachable, integer divide by zero,
// a bad indirect call...). A CPU fault is claimed for the app when the
// faulting instruction is in the app's code, or the address lies in the
// app memory's reservation (an access past the committed memory: the
// wasm out-of-bounds trap, by guard pages) or in the guard page below the
// app thread's stack (its call stack ran out). Anything else is the
// kernel's own fault and stays fatal (kernel/traps).
//
// Recording happens inside the exception, so it only stores numbers; the
// report is printed by the app runner afterwards.

import { print, printLine, printHex } from "../kernel/console";
import { wasmTrapName, cpuExceptionName, isMissingPage } from "../kernel/traps/index";
import { threadWithGuard, currentThread } from "../kernel/sched/index";
import { inAppMemoryReservation, demandPage, DEMAND_MAPPED, DEMAND_NO_MEMORY } from "./app-memory";
import { AppModule, inAppCode, functionAt } from "./elf/index";

/** Reasons runApp returns (arch/common/app-runtime.c and app.S use the same numbers). */
export const LEFT_BY_EXIT: u32 = 1;
export const LEFT_BY_TRAP: u32 = 2;
export const LEFT_BY_FAULT: u32 = 3;

/** What the fault path does with a CPU exception (arch/common/app-runtime.c uses the same numbers). */
export const FAULT_NOT_THE_APPS: u32 = 0;
export const FAULT_ENDS_APP: u32 = 1;
export const FAULT_RESOLVED: u32 = 2;

/** wasm2c's trap numbers for the two traps a fault can stand for. */
const TRAP_OUT_OF_BOUNDS: u32 = 1;
const TRAP_STACK_EXHAUSTED: u32 = 9;
/** Wisp's own: a first touch of app memory found no free page (beyond wasm2c's numbers). */
const TRAP_OUT_OF_MEMORY: u32 = 0x100;

let trapKind: u32 = 0;
let faultKind: u32 = 0;
let faultCode: u64 = 0;
let address: u64 = 0;
let instruction: u64 = 0;
let isFault = false;
let watched: AppModule | null = null;

/** The module whose faults count as the app's, while it runs. */
export function watchModule(module: AppModule | null): void {
  watched = module;
}

/** A trap raised by the app's code; `at` is the return address into the app. */
export function recordTrap(kind: u32, at: u64): void {
  trapKind = kind;
  instruction = at;
  address = 0;
  isFault = false;
}

/**
 * A CPU exception while the app runs (in its code or in the kernel's code
 * acting for it): FAULT_RESOLVED when it was a first touch of app memory,
 * now mapped; FAULT_ENDS_APP when it is the app's and recorded as its trap;
 * FAULT_NOT_THE_APPS (the kernel's own, fatal) otherwise. Runs inside the
 * exception, interrupts off.
 */
export function handleFault(kind: u32, code: u64, ip: u64, faultAddress: u64): u32 {
  if (watched === null) return FAULT_NOT_THE_APPS;
  if (isMissingPage(kind, code)) {
    const demand = demandPage(faultAddress);
    if (demand == DEMAND_MAPPED) return FAULT_RESOLVED;
    if (demand == DEMAND_NO_MEMORY) {
      record(TRAP_OUT_OF_MEMORY, kind, code, ip, faultAddress);
      return FAULT_ENDS_APP;
    }
  }
  return claimFault(kind, code, ip, faultAddress) ? FAULT_ENDS_APP : FAULT_NOT_THE_APPS;
}

/** Whether a CPU exception belongs to the running app; if so it is recorded as its trap. */
function claimFault(kind: u32, code: u64, ip: u64, faultAddress: u64): bool {
  const module = watched!;
  const inMemory = inAppMemoryReservation(faultAddress);
  const guardOwner = threadWithGuard(faultAddress);
  const inStackGuard = guardOwner !== null && guardOwner === currentThread();
  if (!inMemory && !inStackGuard && !inAppCode(module, ip)) return false;
  record(inStackGuard ? TRAP_STACK_EXHAUSTED : inMemory ? TRAP_OUT_OF_BOUNDS : 0, kind, code, ip, faultAddress);
  return true;
}

function record(trap: u32, kind: u32, code: u64, ip: u64, faultAddress: u64): void {
  trapKind = trap;
  faultKind = kind;
  faultCode = code;
  address = faultAddress;
  instruction = ip;
  isFault = true;
}

/** Prints what ended the app: "app trap: <what> in <function> (at <address>)". */
export function reportAppTrap(module: AppModule): void {
  print("\napp trap: ");
  printTrapCause(trapKind, isFault, faultKind, faultCode, address);
  printPlace(module, instruction);
  printLine();
}

/** "<what>": the wasm trap, or the CPU exception and its address (shared with loader/modules). */
export function printTrapCause(trapKind: u32, isFault: bool, faultKind: u32, faultCode: u64, address: u64): void {
  if (isFault && trapKind == 0) {
    print(cpuExceptionName(faultKind, faultCode));
    print(" at address ");
    printHex(address);
  } else {
    print(trapKind == TRAP_OUT_OF_MEMORY ? "out of memory: no free page for app memory" : wasmTrapName(trapKind));
    if (isFault) {
      print(" (address ");
      printHex(address);
      print(")");
    }
  }
}

/**
 * " in <function> (at <address>)": the module's own symbols name the
 * function (.symtab when the module is mapped from its file, else .dynsym);
 * wasm2c names functions without a name section w2c_app_f<index>.
 */
export function printPlace(module: AppModule, instruction: u64): void {
  const name = functionAt(module, instruction);
  print(" in ");
  print(name.length ? name : "unknown function");
  print(" (at ");
  printHex(instruction);
  print(")");
}
