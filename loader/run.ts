// Running one application: load its module, give it a thread, wait, clean up.
//
//   loadModuleFile    the app.so bytes: used in place from the image when
//                     the filesystem has them in memory, else read into pages
//                     that then serve in place the same way (one copy)
//   loadAppModule     validate, map W^X, relocate, resolve imports (elf/)
//   configureWasi     args, environment, preopened directories (wasi/)
//   spawn "app"       a kernel thread that calls the module's wisp_app_main
//                     through arch.runApp, which returns when _start returns,
//                     or early with a reason: proc_exit, a trap, a fault
//   join, report      a trap is reported with the function it hit
//   free everything   app memory, tables, the module's mappings and pages
//
// The exit status is the app's: 0 when _start returns, proc_exit's code, or
// APP_TRAP_STATUS after a trap.

import { runApp, appExports, setInterrupts, syncInstructionCache } from "../arch";
import { pages } from "../kernel/mm/pages";
import { spawn, join, PRIORITY_DEFAULT } from "../kernel/sched/index";
import { APP_STACK_BYTES, APP_STACK_GUARD_BYTES, APP_TRAP_STATUS } from "../kernel/params";
import { AppModule, unloadAppModule, APP_ENTRY } from "./elf/index";
import { ModuleFileCopy, loadModuleFile } from "./module-file";
import { configureWasi, resetWasi, exitStatus } from "./wasi/setup";
import { LEFT_BY_EXIT, watchModule, reportAppTrap } from "./faults";
import { releaseAppMemory } from "./app-memory";
import { releaseAppAllocations } from "./runtime";
import { AppManifest } from "./manifest";
import { stamp } from "../kernel/bootchart";
import { fail, withContext } from "../kernel/failure";
import { ENOMEM } from "../kernel/errno";

/** The module the app thread enters; the thread entry reads it (no closures). */
let running: AppModule | null = null;
let leftBy: u32 = 0;

/**
 * Runs the app the manifest describes on `machine` (its ELF EM_* number);
 * returns its exit status (>= 0), or -errno with why it could not be
 * started (kernel/failure.ts).
 */
export function runApplication(manifest: AppManifest, machine: u16): i32 {
  const module = new AppModule();
  const copy = new ModuleFileCopy();
  const loaded = loadModuleFile(manifest.module, machine, appExports(), APP_ENTRY, module, copy);
  if (loaded < 0) {
    return withContext("app module " + manifest.module + ": ", loaded);
  }
  for (let i: u32 = 0; i < module.codeRangeCount; i++) {
    const range = module.codeRange(i);
    syncInstructionCache(range.start, range.end - range.start);
  }
  stamp("app-loaded");
  const configured = configureWasi(manifest.args, manifest.env, manifest.preopens, manifest.listens);
  if (configured < 0) {
    unloadAppModule(module);
    if (copy.pages != 0) pages.free(copy.pages);
    return configured;
  }
  running = module;
  watchModule(module);
  // Above the boot thread, which only waits for it: the app runs at once, and
  // with nothing of its priority ready no time slice is armed (so nothing
  // needs the clock calibrated before the app asks for time itself).
  const thread = spawn("app", appThread, 0, PRIORITY_DEFAULT + 1, APP_STACK_BYTES, APP_STACK_GUARD_BYTES);
  if (thread !== null) join(thread!);
  watchModule(null);
  running = null;
  let status: i32 = 0;
  if (leftBy == LEFT_BY_EXIT) status = <i32>exitStatus();
  else if (leftBy != 0) {
    reportAppTrap(module);
    status = <i32>APP_TRAP_STATUS;
  }
  resetWasi();
  releaseAppAllocations();
  releaseAppMemory();
  unloadAppModule(module);
  if (copy.pages != 0) pages.free(copy.pages);
  return thread === null ? fail(ENOMEM, "no memory for the app's thread") : status;
}

/** The app thread: enters the module; a trap or exit unwinds back here. */
function appThread(argument: usize): void {
  stamp("app-thread");
  leftBy = runApp(running!.entry);
  setInterrupts(1); // a fault unwinds from an exception, with interrupts still off
}
