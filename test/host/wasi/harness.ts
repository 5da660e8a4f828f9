// The WASI host-test harness: an AssemblyScript entry that exports every
// WASI function (loader/wasi/exports.ts) and the few set-up calls the
// tests need around them: kernel memory (the same steps as
// test/host/harness.ts), a RAMFS root with a ROFS image mounted in it, app
// memory on the fake arch (adoptAppMemory), configureWasi/resetWasi, and
// the errno mapping. Compiled with the kernel's options
// (test/host/compile.ts), so the WASI code under test is the code that boots.
//
// Strings cross as AssemblyScript strings; string arguments are consumed
// (freed after the call) so the memory tests see the WASI layer's doing.

import { failureDetail } from "../../../kernel/failure";
import { BootInfo, CONSOLE_NS16550_PORT } from "../../../kernel/boot/bootinfo";
import { parsePvh } from "../../../kernel/boot/pvh";
import { heapInit } from "../../../kernel/rt/index";
import { initMemory, malloc, free } from "../../../kernel/mm/index";
import { pages, USE_FREE } from "../../../kernel/mm/pages";
import { initConsole, useSerialPort } from "../../../kernel/console";
import { Ns16550Port } from "../../../drivers/uart/ns16550";
import { wireX86_64 } from "../../../kernel/init/x86_64-parts";
import { registerEntropySource, HardwareEntropy } from "../../../kernel/entropy";
// The kernel is built with --use abort=kernel/panic/abortHandler; the harness too.
import { abortHandler } from "../../../kernel/panic";
import * as vfs from "../../../fs/vfs/index";
import { FileSystem } from "../../../fs/vfs/node";
import { RamFileSystem } from "../../../fs/ramfs/index";
import { mountRofs, RofsMount } from "../../../fs/rofs/index";
import { MemoryBlockDevice } from "../../../drivers/block/device";
import { adoptAppMemory } from "../../../loader/app-memory";
import { configureWasi, resetWasi, exitStatus, Preopen } from "../../../loader/wasi/setup";
import { openCount } from "../../../loader/wasi/fds";
import { errnoOf } from "../../../loader/wasi/errno";

export * from "../../../loader/wasi/exports";

// --- Kernel memory ---

export function heapBase(): usize {
  return __heap_base;
}

let wired = false;

/** Sets up the boot arena, then (once) the x86_64 machine's parts and the CPU's entropy source, as boot does. */
export function runtimeHeapInit(from: usize, to: usize): void {
  heapInit(from, to);
  if (wired) return;
  wired = true;
  wireX86_64();
  registerEntropySource(new HardwareEntropy());
}

export function consoleUseSerial(): void {
  const serial = new BootInfo();
  serial.consoleKind = CONSOLE_NS16550_PORT;
  serial.consoleBase = 0x3f8;
  useSerialPort(new Ns16550Port(), CONSOLE_NS16550_PORT);
  initConsole(serial);
}

let info: BootInfo | null = null;

export function bootParsePvh(startInfo: usize): string {
  info = new BootInfo();
  const result = parsePvh(startInfo, info!);
  return result < 0 ? failureDetail(result) : "";
}

export function mmInit(imageEnd: usize): string {
  const result = initMemory(info!, imageEnd);
  return result < 0 ? failureDetail(result) : "";
}

export function mmMalloc(size: usize): usize {
  return malloc(size);
}

export function mmFree(address: usize): void {
  free(address);
}

export function pagesFree(): u32 {
  return pages.count(USE_FREE);
}

// --- Filesystems ---

let root: FileSystem | null = null;
let rofs: FileSystem | null = null;

function consumed(text: string): void {
  heap.free(changetype<usize>(text));
}

/** Mounts a fresh RAMFS as the root. */
export function fsMountRamRoot(): i32 {
  const fs = new RamFileSystem();
  root = fs;
  return vfs.mountRoot(fs);
}

/** Mounts the ROFS image at [base, +size) (kernel memory) on the directory `path`: "" or why not. */
export function fsMountRofs(path: string, base: usize, size: u64): string {
  const out = new RofsMount();
  const mounted = mountRofs(new MemoryBlockDevice("wasi-test", base, size), out);
  const error = mounted < 0 ? failureDetail(mounted) : "";
  if (mounted == 0) {
    rofs = out.fs;
    const result = vfs.mount(vfs.AT_FDCWD, path, out.fs!);
    if (result < 0) return "mount failed: " + result.toString();
  }
  consumed(path);
  return error;
}

/** Unmounts the ROFS (if any) and the root, freeing both filesystems. */
export function fsUnmountAll(rofsPath: string): i32 {
  let result = 0;
  if (rofs !== null) {
    result = vfs.unmount(vfs.AT_FDCWD, rofsPath);
    if (result == 0) heap.free(changetype<usize>(rofs));
    rofs = null;
  }
  consumed(rofsPath);
  if (result == 0 && root !== null) {
    result = vfs.unmount(vfs.AT_FDCWD, "/");
    if (result == 0) heap.free(changetype<usize>(root));
    root = null;
  }
  return result;
}

export function fsMkdir(path: string): i32 {
  const result = vfs.mkdir(vfs.AT_FDCWD, path, 0o755);
  consumed(path);
  return result;
}

export function vfsOpenDescriptors(): i32 {
  return vfs.openDescriptors();
}

export function vfsCachedVnodes(): u32 {
  return vfs.cachedVnodes();
}

export function vfsPathLookups(): u64 {
  return vfs.pathLookups();
}

// --- App memory and WASI set-up ---

export function appAdopt(base: u64, bytes: u64): void {
  adoptAppMemory(base, bytes);
}

let args: string[] | null = null;
let env: string[] | null = null;
let preopens: Preopen[] | null = null;

function lists(): void {
  if (args === null) {
    args = new Array<string>();
    env = new Array<string>();
    preopens = new Array<Preopen>();
  }
}

export function wasiAddArg(text: string): void {
  lists();
  args!.push(text);
}

export function wasiAddEnv(text: string): void {
  lists();
  env!.push(text);
}

export function wasiAddPreopen(guestPath: string, kernelPath: string): void {
  lists();
  const preopen = new Preopen();
  preopen.guestPath = guestPath;
  preopen.kernelPath = kernelPath;
  preopens!.push(preopen);
}

/** configureWasi with what was added; the lists are freed afterwards. */
export function wasiConfigure(): string {
  lists();
  const configured = configureWasi(args!, env!, preopens!);
  const error = configured < 0 ? failureDetail(configured) : "";
  for (let i = 0; i < args!.length; i++) consumed(args![i]);
  for (let i = 0; i < env!.length; i++) consumed(env![i]);
  for (let i = 0; i < preopens!.length; i++) {
    const preopen = preopens![i];
    consumed(preopen.guestPath);
    consumed(preopen.kernelPath);
    heap.free(changetype<usize>(preopen));
  }
  heap.free(args!.dataStart);
  heap.free(changetype<usize>(args));
  heap.free(env!.dataStart);
  heap.free(changetype<usize>(env));
  heap.free(preopens!.dataStart);
  heap.free(changetype<usize>(preopens));
  args = null;
  env = null;
  preopens = null;
  return error;
}

export function wasiReset(): void {
  resetWasi();
}

export function wasiExitStatus(): u32 {
  return exitStatus();
}

export function wasiOpenCount(): i32 {
  return openCount();
}

/** The WASI errno for the kernel result -`linux`. */
export function wasiErrnoOf(linux: i32): u32 {
  return errnoOf(-<i64>linux);
}
