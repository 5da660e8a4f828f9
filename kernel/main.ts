// The Wisp kernel. The arch boot stub enters kmain with the boot handoff once
// paging is on; this file is the boot story, one step per line, and the
// kernel's export list (the only functions the native side may call).

import { Handoff, HANDOFF_STAMP_NAMES, ARCH_X86_64 } from "./boot/handoff";
import { arena } from "./rt/arena";
import { heapInit, heapSetEnd } from "./rt/index";
import { readFirmware, heapLimit } from "./platform";
import { initConsole, useFramedStreams, reportAppExitStatus, printLine } from "./console";
import { parseCommandLine } from "./cmdline";
import { readOptions } from "./options";
import { stamp, recordStamp, printBootChart } from "./bootchart";
import { counterHz, counterSourceName } from "./clock";
import { panic, shutdown } from "./panic";
import { reportCpuException, reportWasmTrap, setTrapArchitecture } from "./traps";
import { printBanner, printMemoryMap, refuseCommandLine } from "./reports";
import { crash } from "./crash";
import { initMemory } from "./mm/index";
import { initPaging } from "./mm/paging/index";
import { printMemoryInfo } from "./mm/meminfo";
import { runMallocBench } from "./mm/bench";
import { runSelfTest } from "./selftest/index";
import { runSchedulerBench } from "./sched/bench";
import { initInterrupts, handleInterrupt } from "./irq/index";
import { initScheduler, startCurrentThread } from "./sched/index";
import { initTime } from "./time/index";
import { initRandom } from "./random";
import { mountFileSystems } from "../fs/root";
import { runStorageBench } from "../fs/bench";
import { BOOT_ARENA_BYTES, PANIC_STATUS, MAX_EXIT_STATUS, APP_REFUSED_STATUS } from "./params";
import { findImageApp, runImageApp, printBootChartAtAppStart, APP_FAILED } from "../loader/index";
import { AppManifest } from "../loader/manifest";
import { timestamp } from "../arch";

export function kmain(handoffAddress: usize): void {
  const boot = Handoff.at(handoffAddress);
  if (!boot.isValid()) return shutdown(PANIC_STATUS);      // no console to complain on yet
  setTrapArchitecture(boot.arch);
  recordStubStamps(boot);                                  // first instruction, paging on, runtime ready
  heapInit(<usize>boot.imageEnd, <usize>boot.imageEnd + BOOT_ARENA_BYTES);

  const info = readFirmware(boot);                         // PVH start_info or device tree
  initConsole(info);                                       // serial: 16550 or PL011
  stamp("console");
  if (info.error.length) return panic("firmware handoff: " + info.error);
  const limit = heapLimit(info, boot.imageEnd);
  if (limit == 0) return panic("the kernel image does not sit in usable RAM");
  if (limit < <u64>arena.top) return panic("boot allocations ran past the end of usable RAM");
  heapSetEnd(<usize>limit);                                 // the boot arena may now use the rest of its RAM range
  const memoryError = initMemory(info, <usize>boot.imageEnd); // page allocator and slabs; the runtime moves to malloc
  if (memoryError.length) return panic("memory: " + memoryError);
  stamp("memory");
  const pagingError = initPaging(boot);                     // the kernel's own page tables: page 0 unmapped, image W^X
  if (pagingError.length) return panic("paging: " + pagingError);
  stamp("paging");
  initInterrupts(info, boot.arch);                          // the controller is set up when first needed
  initTime(info, boot.arch);                                // clocks and timers, measured when first needed
  initRandom(info, boot.arch);                              // randomness: sources probed on first use
  initScheduler();                                          // the boot thread becomes thread 1, "main"
  stamp("scheduler");

  const options = readOptions(parseCommandLine(info.commandLine));
  if (options.framedConsole) useFramedStreams();            // wisp run: app stdout/stderr apart from kernel messages
  stamp("options");
  if (options.error.length) return refuseCommandLine(options.error);
  const fsError = mountFileSystems(info, boot.arch, options.rootSource); // root (initrd, disk or RAMFS), then /etc/fstab
  if (fsError.length) return panic("filesystems: " + fsError);
  stamp("root");

  if (!options.quiet) printBanner(boot, info);
  if (options.memmap) printMemoryMap(info);
  stamp("kernel-ready");

  const app: AppManifest | null = options.skipApp ? null : findImageApp(); // the image's run manifest (/etc/app), if any
  if (options.bootchart && app !== null) printBootChartAtAppStart(boot.arch == ARCH_X86_64); // the chart then ends at _start
  else if (options.bootchart) printBootChart(counterHz(boot.arch == ARCH_X86_64), counterSourceName());
  if (options.selfTest !== null && !runSelfTest(options.selfTest!, boot, info)) return panic("selftest " + options.selfTest! + " failed");
  if (options.mallocBenchPairs != 0) runMallocBench(options.mallocBenchPairs);
  if (options.schedBenchRounds != 0) runSchedulerBench(options.schedBenchRounds);
  if (options.storageBenchMib != 0) runStorageBench(options.storageBenchMib);
  if (options.meminfo) printMemoryInfo();
  if (options.panicMessage !== null) return panic(options.panicMessage!);
  if (options.hang) idleForever();
  if (options.crashKind !== null) crash(options.crashKind!);
  if (app !== null) return runTheApp(app!, boot.arch);                  // the image's app, to its end: its status is the VM's
  shutdown(options.exitStatus);
}

/** Runs the image's app (loader/) and powers off with its exit status. */
function runTheApp(app: AppManifest, arch: u32): void {
  const error: string[] = [];
  const status = runImageApp(app, arch, error);
  if (status == APP_FAILED) {
    printLine("app: " + (error.length ? error[0] : "the app could not be started"));
    return shutdown(APP_REFUSED_STATUS);
  }
  reportAppExitStatus(<u32>status);
  shutdown(min<u32>(<u32>status, MAX_EXIT_STATUS));
}

/** Called by the arch stub for a CPU exception; see kernel/traps.ts. */
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

// Called by the native runtime while an app runs (arch/common/app-runtime.c), and the
// WASI preview 1 functions apps import (loader/wasi/exports.ts).
export {
  appMemoryReserve, appMemoryGrow, appMemoryRelease, appAllocate, appFree, appTrap, appFault, appStarted,
} from "../loader/index";
export * from "../loader/wasi/exports";

/** Called by the native runtime when kernel code traps; see kernel/traps.ts. */
export function wasmTrap(kind: u32): void {
  reportWasmTrap(kind);
}

/** Spins forever without enabling interrupts: the `hang` option, for testing host timeouts. */
function idleForever(): void {
  while (true) timestamp();
}

function recordStubStamps(boot: Handoff): void {
  const count = min<u32>(boot.stampCount, <u32>HANDOFF_STAMP_NAMES.length);
  for (let i: u32 = 0; i < count; i++) recordStamp(HANDOFF_STAMP_NAMES[i], boot.stamp(i));
}
