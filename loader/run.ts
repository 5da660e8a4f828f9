// Running one application: load its module, give it a thread, wait, clean up.
//
//   loadModule        the app.so bytes: used in place from the image when
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
import { AT_FDCWD, O_RDONLY, Stat, open, close, read, fstat, fileDataAddress } from "../fs/vfs/index";
import { pages, PAGE_SHIFT, USE_APP } from "../kernel/mm/pages";
import { spawn, join, PRIORITY_DEFAULT } from "../kernel/sched/index";
import { APP_STACK_BYTES, APP_STACK_GUARD_BYTES, APP_TRAP_STATUS } from "../kernel/params";
import { AppModule, loadAppModule, unloadAppModule } from "./elf/index";
import { configureWasi, resetWasi, exitStatus } from "./wasi/setup";
import { LEFT_BY_EXIT, watchModule, reportAppTrap } from "./faults";
import { releaseAppMemory } from "./app-memory";
import { releaseAppAllocations } from "./runtime";
import { AppManifest } from "./manifest";
import { stamp } from "../kernel/bootchart";
import { fail, withContext } from "../kernel/failure";
import { ENOMEM, ENOEXEC, EIO } from "../kernel/errno";

/** The module the app thread enters; the thread entry reads it (no closures). */
let running: AppModule | null = null;
let leftBy: u32 = 0;
/** Pages holding a module file read from a filesystem that could not lend it in place (its symbols stay readable). */
let fileCopy: usize = 0;

/**
 * Runs the app the manifest describes on `machine` (its ELF EM_* number);
 * returns its exit status (>= 0), or -errno with why it could not be
 * started (kernel/failure.ts).
 */
export function runApplication(manifest: AppManifest, machine: u16): i32 {
  const module = new AppModule();
  const loaded = loadModule(manifest.module, machine, module);
  if (loaded < 0) {
    if (fileCopy != 0) pages.free(fileCopy);
    fileCopy = 0;
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
  if (fileCopy != 0) pages.free(fileCopy);
  fileCopy = 0;
  return thread === null ? fail(ENOMEM, "no memory for the app's thread") : status;
}

/** The app thread: enters the module; a trap or exit unwinds back here. */
function appThread(argument: usize): void {
  stamp("app-thread");
  leftBy = runApp(running!.entry);
  setInterrupts(1); // a fault unwinds from an exception, with interrupts still off
}

/** Loads the module file at `path`: in place if its filesystem holds it in memory, else copied into pages; 0 or -errno. */
function loadModule(path: string, machine: u16, module: AppModule): i32 {
  const fd = open(AT_FDCWD, path, O_RDONLY, 0);
  if (fd < 0) return fail(-fd, "cannot open it (error " + (-fd).toString() + ")");
  const stat = new Stat();
  const statResult = fstat(fd, stat);
  if (statResult < 0) {
    close(fd);
    return fail(-statResult, "cannot stat it (error " + (-statResult).toString() + ")");
  }
  const length = stat.size;
  if (length == 0 || length > 0x4000_0000) {
    close(fd);
    return fail(ENOEXEC, length == 0 ? "the file is empty" : "the file is larger than 1 GiB");
  }
  const inPlace = fileDataAddress(fd);
  if (inPlace > 0 && (inPlace & ((1 << PAGE_SHIFT) - 1)) == 0) {
    close(fd);
    return loadAppModule(<usize>inPlace, <usize>length, true, appExports(), machine, module);
  }
  const frames = <u32>((length + (1 << PAGE_SHIFT) - 1) >> PAGE_SHIFT);
  const copy = pages.alloc(frames, USE_APP);
  if (copy == 0) {
    close(fd);
    return fail(ENOMEM, "no memory to read it into");
  }
  const got = read(fd, copy, <usize>length);
  close(fd);
  if (got != <i64>length) {
    pages.free(copy);
    return fail(got < 0 ? <i32>-got : EIO, got < 0 ? "cannot read it (error " + (-got).toString() + ")" : "short read");
  }
  fileCopy = copy;
  // The pages are page-aligned and outlive the module (freed after unloadAppModule): its read-only
  // segments (code, and the data segments wasm2c keeps in .rodata) are mapped from them, not copied again.
  return loadAppModule(copy, <usize>length, true, appExports(), machine, module);
}
