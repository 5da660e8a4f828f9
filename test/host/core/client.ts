// The Node side of the harness's core part (core/harness.ts) and the base
// every harness client builds on: HarnessCore holds one harness instance over
// a fresh memory (4 MiB unless asked for more) and fake machine, with typed
// exports, memory and string helpers, and the ways to watch the kernel stop.
// Each subsystem's client adds its methods to it as a mixin; Harness
// (test/host/harness-client.ts) is HarnessCore with all of them.
//
// Guards the tests' memory plan, so a test cannot scribble over the code it
// tests:
//
//   0x000000 .. 0x0fffff  scratch for the tests (buffers, firmware structures)
//   0x100000 .. heapBase  the harness's static data (asc memoryBase)
//   heapBase .. 0x300000  the boot arena behind the kernel runtime (__new)
//   0x300000 .. 0x400000  a region for blobs placed against the end of memory
//   0x400000 .. end       more RAM, in harnesses created with more than 4 MiB
//
// Once initMemory has run (Harness.initMemory) the page allocator owns every
// page the memory map calls usable, scratch and blob region included, and
// the runtime allocates with malloc: a test then writes only to memory
// malloc gave it. The kernel image the page allocator is told about is the
// harness's static data, [1 MiB, heapStart); the boot arena follows it, as
// in the kernel.

import { Loaded, PowerOff, WASM_PAGE } from "../fake-arch";
import type { HarnessExports } from "../harness-client";

export const MEMORY_PAGES = 64;
export const MEMORY_END = MEMORY_PAGES * WASM_PAGE;
export const SCRATCH = 0x1000;
export const HEAP_END = 0x30_0000;
export const BLOB_REGION = 0x30_0000;
/** The kernel's panic status (kernel/params.ts PANIC_STATUS). */
export const PANIC_STATUS = 70;

/** An address in the harness's memory; for a string, what __newString gave or __getString reads. */
export type Ptr = number;

export const U64 = (value: bigint): bigint => BigInt.asUintN(64, value);
export const I64 = (value: bigint): bigint => BigInt.asIntN(64, value);

/** The core part's exports and the runtime's, as the loader presents them (u64/i64 are bigint). */
export interface CoreExports extends Record<string, unknown> {
  heapBase(): number;
  version(): Ptr;
  consoleUseSerial(): void;
  trapReport(kind: number): void;
  panicAbort(message: Ptr, fileName: Ptr, line: number, column: number): void;
  __alloc(size: number): number;
  __realloc(ptr: number, size: number): number;
  __free(ptr: number): void;
  __new(size: number, id: number): number;
  __renew(ptr: number, size: number): number;
}

/** What a subsystem's mixin extends: HarnessCore, or HarnessCore with other mixins applied (a mixin's base takes any arguments). */
export type HarnessClass<T extends HarnessCore = HarnessCore> = new (...args: any[]) => T;

export class HarnessCore {
  /** Use Harness.create, which instantiates the module on a fake machine and sets up the arena. */
  constructor(private readonly loaded: Loaded<HarnessExports>) {}

  /** One past the last byte of this harness's memory. */
  get memoryEnd(): number {
    return this.memory.buffer.byteLength;
  }

  get exports(): Loaded<HarnessExports>["exports"] {
    return this.loaded.exports;
  }

  get memory(): WebAssembly.Memory {
    return this.loaded.memory;
  }

  get fake() {
    return this.loaded.fake;
  }

  /** First byte of the arena: the harness's heap base, 8-aligned (the runtime's block alignment). */
  get heapStart(): number {
    return (this.exports.heapBase() + 7) & ~7;
  }

  /** Routes the kernel console to the fake 16550, so panics can be read from the serial output. */
  useSerialConsole(): void {
    this.exports.consoleUseSerial();
  }

  /**
   * Runs `call`, which must stop the machine: returns the power-off status and
   * what the kernel printed meanwhile (null status if it did not power off).
   */
  stopped(call: () => unknown): { status: number | null; output: string } {
    const before = this.fake.serialBytes.length;
    let status: number | null = null;
    try {
      call();
    } catch (error) {
      if (!(error instanceof PowerOff)) throw error;
      status = error.status;
    }
    const output = new TextDecoder().decode(Uint8Array.from(this.fake.serialBytes.slice(before)));
    return { status, output };
  }

  /**
   * The reason a kernel panic gives when `call` runs: the text of the
   * `panic: ...` line, or a description of how it stopped otherwise.
   */
  panicOf(call: () => unknown): string {
    const { status, output } = this.stopped(call);
    const reason = /^\npanic: (.*)\n$/.exec(output);
    if (status === PANIC_STATUS && reason) return reason[1];
    return `no panic (status ${status}, output ${JSON.stringify(output)})`;
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  view(): DataView {
    return new DataView(this.memory.buffer);
  }

  write(address: number, data: Uint8Array): void {
    this.bytes().set(data, address);
  }

  string(ptr: Ptr): string {
    return this.exports.__getString(ptr);
  }

  nullableString(ptr: Ptr): string | null {
    return ptr === 0 ? null : this.exports.__getString(ptr);
  }

  newString(text: string): Ptr {
    return this.exports.__newString(text);
  }
}
