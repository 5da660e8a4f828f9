// The ELF loader's host-test harness: an AssemblyScript entry exporting
// loader/elf (loadAppModule, unloadAppModule, functionAt, inAppCode) and
// loader/app-memory (reserve, demand paging, grow) with the kernel pieces
// they stand on, so Node tests can load modules and page app memory in
// memory the page allocator and the page tables of kernel/mm really manage.
//
// Set-up, in order (test/host/elf/client.ts does it): runtimeHeapInit over
// the boot arena, bootParsePvh + mmInit (the page allocator over a PC memory
// map), pagingInit (an empty root table in the chosen entry format, not
// loaded: the fake machine does not walk tables, so no TLB is involved; the
// kernel's identity map is not built, as the loader maps only above 4 GiB).
//
// Strings cross as AssemblyScript strings; a non-empty one the loader
// returns is the caller's, and the test hands it back with freeString.

import { failureDetail } from "../../../kernel/failure";
import { BootInfo, CONSOLE_NS16550_PORT } from "../../../kernel/boot/bootinfo";
import { parsePvh } from "../../../kernel/boot/pvh";
import { heapInit } from "../../../kernel/rt/index";
import { initMemory, malloc, free } from "../../../kernel/mm/index";
import { pages } from "../../../kernel/mm/pages";
import { initConsole, useSerialPort } from "../../../kernel/console";
import { Ns16550Port } from "../../../drivers/uart/ns16550";
import { useEntryFormat } from "../../../kernel/mm/paging/entry";
import { X86EntryFormat } from "../../../kernel/mm/paging/x86_64";
import { ArmEntryFormat } from "../../../kernel/mm/paging/aarch64";
import { EM_X86_64, EM_AARCH64 } from "../../../loader/elf/layout";
import { createRoot } from "../../../kernel/mm/paging/table";
import { translate, mappingFlags } from "../../../kernel/mm/paging/index";
import { AppModule, loadAppModule, unloadAppModule, functionAt, inAppCode } from "../../../loader/elf/index";
import {
  ElfHeader, ProgramHeader, SectionHeader, DynamicEntry, ElfSymbol, Rela,
} from "../../../loader/elf/layout";
import {
  reserveAppMemory, demandPage, growAppMemory, releaseAppMemory, untouchedAppMemory, appMemorySize,
} from "../../../loader/app-memory";
import { X86ExceptionDecoder } from "../../../kernel/traps/x86_64";
import { ArmExceptionDecoder } from "../../../kernel/traps/aarch64";
// The kernel is built with --use abort=kernel/panic/abortHandler; the harness too.
import { abortHandler } from "../../../kernel/panic";

// --- Set-up ---

export function heapBase(): usize {
  return __heap_base;
}

export function runtimeHeapInit(from: usize, to: usize): void {
  heapInit(from, to);
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

export function consoleUseSerial(): void {
  const serial = new BootInfo();
  serial.consoleKind = CONSOLE_NS16550_PORT;
  serial.consoleBase = 0x3f8;
  useSerialPort(new Ns16550Port(), CONSOLE_NS16550_PORT);
  initConsole(serial);
}

/** Starts page tables in `arch`'s entry format (kernel/boot/handoff ARCH_*), NX enforced; false without memory. */
export function pagingInit(arch: u32): bool {
  if (arch == 1) {
    const format = new X86EntryFormat();
    format.setNoExecute(true);
    useEntryFormat(format);
  } else {
    useEntryFormat(new ArmEntryFormat());
  }
  return createRoot();
}

// --- kernel/mm ---

export function mmMalloc(size: usize): usize {
  return malloc(size);
}

export function mmFree(address: usize): void {
  free(address);
}

export function pagesAlloc(count: u32, use: u32): usize {
  return pages.alloc(count, use);
}

export function pagesFree(address: usize): void {
  pages.free(address);
}

export function pagesCount(use: u32): u32 {
  return pages.count(use);
}

export function pagesFreeFrames(): u32 {
  return pages.freeFrames();
}

export function pageTranslate(virtual: u64): u64 {
  return translate(virtual);
}

export function pageFlags(virtual: u64): u32 {
  return mappingFlags(virtual);
}

/**
 * Allocates and frees one block of every size up to `largest` bytes, so that
 * every slab class small blocks use keeps an empty slab: later allocations of
 * the loader's messages then take no page, and page counts compare exactly.
 */
export function warmAllocator(largest: usize): void {
  for (let size: usize = 1; size <= largest; size++) heap.free(heap.alloc(size));
}

// --- loader/elf ---

let module: AppModule | null = null;

/** Creates the one AppModule the exports below use. */
export function elfPrepare(): void {
  if (module === null) module = new AppModule();
}

/** Loads for `machine` (kernel/boot/handoff ARCH_*: 1 x86_64, 2 aarch64, anything else no machine at all). */
export function elfLoad(file: usize, length: usize, inPlace: bool, exports: usize, machine: u32): string {
  const elfMachine: u16 = machine == 1 ? EM_X86_64 : machine == 2 ? EM_AARCH64 : 0;
  const result = loadAppModule(file, length, inPlace, exports, elfMachine, module!);
  return result < 0 ? failureDetail(result) : "";
}

export function elfUnload(): void {
  if (module !== null) unloadAppModule(module!);
}

export function elfBase(): u64 {
  return module!.base;
}

export function elfRegion(): u64 {
  return module!.region;
}

export function elfSpan(): u64 {
  return module!.span;
}

export function elfEntry(): u64 {
  return module!.entry;
}

export function elfSymbolsInFile(): bool {
  return module!.symbolsInFile;
}

export function elfFunctionAt(address: u64): string {
  return functionAt(module!, address);
}

export function elfInAppCode(address: u64): bool {
  return inAppCode(module!, address);
}

// --- loader/app-memory ---

export function appMemoryReserve(initialPages: u64, maximumPages: u64): u64 {
  return reserveAppMemory(initialPages, maximumPages);
}

export function appMemoryDemand(address: u64): u32 {
  return demandPage(address);
}

export function appMemoryGrow(deltaPages: u64): i64 {
  return growAppMemory(deltaPages);
}

export function appMemoryUntouched(): u64 {
  return untouchedAppMemory();
}

export function appMemoryCurrentSize(): u64 {
  return appMemorySize();
}

export function appMemoryRelease(): void {
  releaseAppMemory();
}

/** The fault path's first question, as `arch` (ARCH_*) decodes its exceptions: is this a data access to an unmapped page? */
export function exceptionMissingPage(arch: u32, kind: u32, code: u64): bool {
  return arch == 1 ? new X86ExceptionDecoder().missingPage(kind, code) : new ArmExceptionDecoder().missingPage(kind, code);
}

/** Frees a string the loader returned: every non-empty one is fresh (the static "" is not). */
export function freeString(text: string): void {
  if (text.length != 0) heap.free(changetype<usize>(text));
}

/** The byte sizes of the ELF layouts, to check them against the specification. */
export function elfLayoutSizes(out: usize): void {
  store<u32>(out, <u32>offsetof<ElfHeader>());
  store<u32>(out, <u32>offsetof<ProgramHeader>(), 4);
  store<u32>(out, <u32>offsetof<SectionHeader>(), 8);
  store<u32>(out, <u32>offsetof<DynamicEntry>(), 12);
  store<u32>(out, <u32>offsetof<ElfSymbol>(), 16);
  store<u32>(out, <u32>offsetof<Rela>(), 20);
}

/** The kernel's abort handler, so that an assertion in kernel code reports as in the kernel. */
export function panicAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  abortHandler(message, fileName, line, column);
}
