// The kernel's export list, shared by both architectures' entry points (each
// adds kmain): the only functions the native side may call.

import { reportCpuException, reportWasmTrap } from "../traps/index";
import { handleInterrupt } from "../irq/index";
import { startCurrentThread } from "../sched/index";
import { panic } from "../panic";

/** Called by the arch stub for a CPU exception; see kernel/traps. */
export function cpuException(kind: u32, code: u64, ip: u64, address: u64): void {
  reportCpuException(kind, code, ip, address);
}

/** Called by the arch entry stub for an interrupt; see kernel/irq/index.ts. */
export function interrupt(vector: u32): void {
  handleInterrupt(vector);
}

/** Called by the arch context trampoline as a new thread's first code; see kernel/sched. */
export function threadStart(): void {
  startCurrentThread();
}

/** Called by the arch layer when the kernel uses an import its architecture lacks. */
export function unsupportedImport(): void {
  panic("the kernel called an arch import that this architecture does not have");
}

/** Called by the native runtime when kernel code traps; see kernel/traps. */
export function wasmTrap(kind: u32): void {
  reportWasmTrap(kind);
}

// Called by the native runtime while an app runs (arch/common/app-runtime.c), and the
// WASI preview 1 functions apps import (loader/wasi/exports.ts).
export {
  appMemoryReserve, appMemoryGrow, appMemoryRelease, appAllocate, appFree, appTrap, appFault, appStarted,
} from "../../loader/index";
export * from "../../loader/wasi/exports";
// Called by filesystem modules and their native runtime (arch/common/module-runtime.c, docs/modules.md).
export {
  module_device_count, module_device_size, module_device_read, module_device_write, module_device_flush, module_log, module_time_now,
  moduleMemoryReserve, moduleMemoryGrow, moduleAllocate, moduleTrap, moduleFault,
} from "../../loader/modules/index";
