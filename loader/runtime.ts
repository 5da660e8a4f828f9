// The kernel's side of the wasm2c runtime functions an app module imports.
//
// arch/common/app-runtime.c implements wasm_rt_allocate_memory, the table
// allocators and wasm_rt_trap for app modules as calls to these exports
// (kernel/init/exports.ts lists them). Memory and tables the app asks for are
// recorded here, so that everything goes back when the app ends, however
// it ends: a trap or proc_exit never reaches the module's own free calls.

import { malloc, free, memoryAvailable } from "../kernel/mm/index";
import { reserveAppMemory, growAppMemory, releaseAppMemory, WASM_PAGE_BYTES } from "./app-memory";
import { recordTrap, handleFault } from "./faults";
import { stamp } from "../kernel/bootchart";
import { appStartHook } from "./start-hook";

/** Tables the app allocated and has not freed (a short list: wasm2c makes one or two); made on first use. */
let allocations: usize[] | null = null;

function allocationList(): usize[] {
  if (allocations === null) allocations = new Array<usize>();
  return allocations!;
}

export function appMemoryReserve(initialPages: u64, maximumPages: u64, is64: u32, pageSize: u32): u64 {
  if (is64 != 0 || <u64>pageSize != WASM_PAGE_BYTES) return 0;
  return reserveAppMemory(initialPages, maximumPages);
}

export function appMemoryGrow(deltaPages: u64): i64 {
  return growAppMemory(deltaPages);
}

export function appMemoryRelease(): void {
  releaseAppMemory();
}

export function appAllocate(bytes: u64): u32 {
  if (bytes > 0x1000_0000 || !memoryAvailable(bytes)) return 0;
  const block = malloc(<usize>bytes);
  if (block == 0) return 0;
  memory.fill(block, 0, <usize>bytes);
  allocationList().push(block);
  return <u32>block;
}

export function appFree(block: u32): void {
  const list = allocationList();
  const index = list.indexOf(<usize>block);
  if (index < 0) return;
  list.splice(index, 1);
  free(<usize>block);
}

/** Frees whatever the app allocated and did not free. */
export function releaseAppAllocations(): void {
  const list = allocationList();
  while (list.length > 0) free(list.pop());
}

export function appTrap(kind: u32, at: u64): void {
  recordTrap(kind, at);
}

/** A CPU exception while the app runs: FAULT_NOT_THE_APPS, FAULT_ENDS_APP or FAULT_RESOLVED (loader/faults.ts). */
export function appFault(kind: u32, code: u64, ip: u64, address: u64): u32 {
  return handleFault(kind, code, ip, address);
}

/** The app's _start is about to run. */
export function appStarted(): void {
  stamp("app-start");
  appStartHook();
}
