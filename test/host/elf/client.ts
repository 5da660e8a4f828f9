// The Node side of test/host/elf/harness.ts: one loader harness over 16 MiB
// of memory on the fake machine, with the page allocator and page tables set
// up, and helpers to place a module file, build an export table, load, and
// read what the loader mapped.
//
// Memory plan:
//   0x000000 .. 0x0fffff  low memory (the PVH start_info while memory is set up)
//   0x100000 .. heapBase  the harness's static data
//   heapBase .. 0x300000  the boot arena
//   ...      .. 15 MiB    RAM the page allocator owns (page tables, module pages, malloc)
//   15 MiB   .. 16 MiB    outside the memory map, the test's own: the export table and its
//                         names at the start, module files placed against the very end of
//                         memory, so that a read past a file's last byte traps.

import { exportHashSlots } from "../../../scripts/build/app-exports";
import { wasmModule } from "../compile";
import { instantiateOnFake, Loaded, WASM_PAGE } from "../fake-arch";
import { writePvh, ARCH_X86_64, ARCH_AARCH64 } from "../firmware";
import { pcMemoryMap, USE } from "../mm/client";
import type { Machine } from "./elf-builder";

export const ELF_HARNESS = "test/host/elf/harness.ts";
const MEMORY_PAGES = 256;
const MEMORY_END = MEMORY_PAGES * WASM_PAGE;
const RAM_END = 15 * 0x10_0000;
const PVH_AT = 0x1_0000;
const ARENA_END = 0x30_0000;
const EXPORTS_AT = RAM_END;
const EXPORT_NAMES_AT = RAM_END + 0x1000;

type Ptr = number;

interface ElfHarnessExports extends Record<string, unknown> {
  heapBase(): number;
  runtimeHeapInit(from: number, to: number): void;
  bootParsePvh(address: number): Ptr;
  mmInit(imageEnd: number): Ptr;
  consoleUseSerial(): void;
  pagingInit(arch: number): number;
  mmMalloc(size: number): number;
  mmFree(address: number): void;
  pagesAlloc(count: number, use: number): number;
  pagesFree(address: number): void;
  pagesCount(use: number): number;
  pagesFreeFrames(): number;
  pageTranslate(virtual: bigint): bigint;
  pageFlags(virtual: bigint): number;
  warmAllocator(largest: number): void;
  elfPrepare(): void;
  elfLoad(file: number, length: number, inPlace: number, exports: number, machine: number): Ptr;
  elfUnload(): void;
  elfBase(): bigint;
  elfRegion(): bigint;
  elfSpan(): bigint;
  elfEntry(): bigint;
  elfSymbolsInFile(): number;
  elfFunctionAt(address: bigint): Ptr;
  elfInAppCode(address: bigint): number;
  freeString(text: Ptr): void;
  elfLayoutSizes(out: number): void;
  appMemoryReserve(initialPages: bigint, maximumPages: bigint): bigint;
  appMemoryDemand(address: bigint): number;
  appMemoryGrow(deltaPages: bigint): bigint;
  appMemoryUntouched(): bigint;
  appMemoryCurrentSize(): bigint;
  appMemoryRelease(): void;
  exceptionMissingPage(arch: number, kind: number, code: bigint): number;
  __getString(ptr: Ptr): string;
}

export const NOT_MAPPED = 0xffff_ffff_ffff_ffffn;
export const FLAGS = { read: 1, write: 2, execute: 4 } as const;
const U64 = (value: bigint) => BigInt.asUintN(64, value);

export class ElfHarness {
  private constructor(private readonly loaded: Loaded<ElfHarnessExports>, readonly machine: Machine) {}

  /** A harness whose page tables use `machine`'s entry format, memory and paging set up. */
  static async create(machine: Machine = "x86_64"): Promise<ElfHarness> {
    const loaded = await instantiateOnFake<ElfHarnessExports>(await wasmModule(ELF_HARNESS), {}, MEMORY_PAGES);
    const h = new ElfHarness(loaded, machine);
    const e = loaded.exports;
    const heapStart = (e.heapBase() + 7) & ~7;
    e.runtimeHeapInit(heapStart, ARENA_END);
    e.consoleUseSerial();
    const start = writePvh(loaded.memory, PVH_AT, { cmdline: null, memmap: pcMemoryMap(RAM_END), modules: [] });
    const parseError = e.__getString(e.bootParsePvh(start));
    if (parseError) throw new Error(`PVH start_info refused: ${parseError}`);
    const memoryError = e.__getString(e.mmInit(heapStart));
    if (memoryError) throw new Error(`initMemory failed: ${memoryError}`);
    if (!e.pagingInit(machine === "x86_64" ? ARCH_X86_64 : ARCH_AARCH64)) throw new Error("no memory for the root table");
    e.elfPrepare();
    e.warmAllocator(600);
    return h;
  }

  get exports() {
    return this.loaded.exports;
  }

  get fake() {
    return this.loaded.fake;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.loaded.memory.buffer);
  }

  /** The kernel/boot/handoff ARCH_* number of this harness's machine. */
  get arch(): number {
    return this.machine === "x86_64" ? ARCH_X86_64 : ARCH_AARCH64;
  }

  /**
   * Writes the export table {name, address} pairs (names as C strings) in
   * the test's own memory, sorted by name as the build sorts the kernel's,
   * with its terminator and hash slots (scripts/build/app-exports.ts);
   * returns its address.
   */
  writeExports(table: Record<string, bigint>): number {
    const view = new DataView(this.loaded.memory.buffer);
    let name = EXPORT_NAMES_AT;
    let entry = EXPORTS_AT;
    const sorted = Object.entries(table).sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    for (const [key, address] of sorted) {
      const encoded = new TextEncoder().encode(`${key}\0`);
      this.bytes().set(encoded, name);
      view.setBigUint64(entry, BigInt(name), true);
      view.setBigUint64(entry + 8, address, true);
      name += encoded.length;
      entry += 16;
    }
    const { bits, slots } = exportHashSlots(sorted.map(([key]) => key));
    view.setBigUint64(entry, 0n, true);
    view.setBigUint64(entry + 8, BigInt(bits), true);
    slots.forEach((slot, i) => view.setUint16(entry + 16 + 2 * i, slot, true));
    if (entry + 16 + 2 * slots.length > EXPORT_NAMES_AT) throw new Error("the export table overruns its names");
    return EXPORTS_AT;
  }

  /**
   * Places `file` in the test's memory: page-aligned (for in-place loads) at
   * the last pages of memory, or else ending exactly at the end of memory.
   */
  placeFile(file: Uint8Array, pageAligned: boolean): number {
    const at = pageAligned ? MEMORY_END - Math.ceil(file.length / 0x1000) * 0x1000 : MEMORY_END - file.length;
    if (at < EXPORT_NAMES_AT + 0x1000) throw new Error(`a ${file.length}-byte file does not fit the test's window`);
    this.bytes().set(file, at);
    return at;
  }

  /** loadAppModule on bytes already placed; returns its message ("" when loaded). */
  loadAt(file: number, length: number, inPlace: boolean, exports: number, arch = this.arch): string {
    return this.takeString(this.exports.elfLoad(file, length, inPlace ? 1 : 0, exports, arch));
  }

  /** Places `file` (page-aligned when inPlace) and loads it. */
  load(file: Uint8Array, inPlace: boolean, exports: number, arch = this.arch): { error: string; file: number } {
    const at = this.placeFile(file, inPlace);
    return { error: this.loadAt(at, file.length, inPlace, exports, arch), file: at };
  }

  unload(): void {
    this.exports.elfUnload();
  }

  /** The string at `ptr`, freed on the kernel side afterwards (it is the caller's, per the loader's contract). */
  takeString(ptr: Ptr): string {
    const text = this.exports.__getString(ptr);
    this.exports.freeString(ptr);
    return text;
  }

  get module() {
    const e = this.exports;
    return {
      base: U64(e.elfBase()), region: U64(e.elfRegion()), span: U64(e.elfSpan()), entry: U64(e.elfEntry()),
      symbolsInFile: e.elfSymbolsInFile() !== 0,
    };
  }

  functionAt(address: bigint): string {
    return this.takeString(this.exports.elfFunctionAt(address));
  }

  inAppCode(address: bigint): boolean {
    return this.exports.elfInAppCode(address) !== 0;
  }

  translate(virtual: bigint): bigint {
    return U64(this.exports.pageTranslate(virtual));
  }

  flags(virtual: bigint): number {
    return this.exports.pageFlags(virtual) >>> 0;
  }

  /** The u64 at module address `virtual`, read through its physical page. */
  readWord(virtual: bigint): bigint {
    const physical = this.translate(virtual);
    if (physical === NOT_MAPPED) throw new Error(`0x${virtual.toString(16)} is not mapped`);
    return new DataView(this.loaded.memory.buffer).getBigUint64(Number(physical), true);
  }

  /** Frames in use for applications and for page tables, and free frames. */
  pageCounts(): { app: number; tables: number; free: number } {
    const e = this.exports;
    return { app: e.pagesCount(USE.app) >>> 0, tables: e.pagesCount(USE.pageTables) >>> 0, free: e.pagesFreeFrames() >>> 0 };
  }

  output(): string {
    return this.fake.output();
  }
}
