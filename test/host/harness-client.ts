// The Node side of test/host/harness.ts: one harness instance over a fresh
// 4 MiB memory and fake machine, with typed exports and memory helpers.
//
// Guards the tests' memory plan, so a test cannot scribble over the code it
// tests:
//
//   0x000000 .. 0x0fffff  scratch for the tests (buffers, firmware structures)
//   0x100000 .. heapBase  the harness's static data (asc memoryBase)
//   heapBase .. 0x300000  the arena behind the kernel runtime (__new)
//   0x300000 .. 0x400000  a region for blobs placed against the end of memory

import { wasmModule } from "./compile";
import { FakeArchConfig, instantiateOnFake, Loaded, WASM_PAGE } from "./fake-arch";

export const MEMORY_PAGES = 64;
export const MEMORY_END = MEMORY_PAGES * WASM_PAGE;
export const SCRATCH = 0x1000;
export const HEAP_END = 0x30_0000;
export const BLOB_REGION = 0x30_0000;

type Ptr = number;

/** The harness's exports, as the loader presents them (u64/i64 are bigint). */
export interface HarnessExports extends Record<string, unknown> {
  heapBase(): number;
  version(): Ptr;
  formatBufferSize(): number;
  fmtUnsigned(out: number, value: bigint, base: number, minDigits: number): number;
  fmtSigned(out: number, value: bigint): number;
  fmtDecimal(out: number, value: bigint, decimals: number): number;
  fmtTicksToNanoseconds(ticks: bigint, hz: bigint): bigint;
  cmdlineParse(text: Ptr): void;
  cmdlineError(): Ptr;
  cmdlineKeyCount(): number;
  cmdlineKey(index: number): Ptr;
  cmdlineValue(index: number): Ptr;
  cmdlineAppCount(): number;
  cmdlineApp(index: number): Ptr;
  cmdlineHas(key: Ptr): number;
  cmdlineGet(key: Ptr, fallback: Ptr): Ptr;
  cmdlineParseUnsigned(text: Ptr, max: bigint): bigint;
  optionsRead(text: Ptr): void;
  optionsError(): Ptr;
  optionsBootchart(): number;
  optionsMemmap(): number;
  optionsQuiet(): number;
  optionsPanicMessage(): Ptr;
  optionsExitStatus(): number;
  optionsHelp(): Ptr;
  bootParsePvh(address: number): void;
  bootParseFdt(address: number): void;
  infoError(): Ptr;
  infoCommandLine(): Ptr;
  infoMemoryCount(): number;
  infoMemoryBase(index: number): bigint;
  infoMemorySize(index: number): bigint;
  infoMemoryKind(index: number): number;
  infoConsoleKind(): number;
  infoConsoleBase(): bigint;
  infoInitrdBase(): bigint;
  infoInitrdSize(): bigint;
  infoUsableBytes(): bigint;
  infoHeapLimit(imageEnd: bigint): bigint;
  chartElapsedTenthsOfMicros(from: bigint, to: bigint, hz: bigint): bigint;
  arenaInit(from: number, to: number): void;
  runtimeHeapInit(from: number, to: number): void;
  arenaTake(size: number): number;
  arenaRelease(at: number, size: number): void;
  arenaExtend(more: number): number;
  arenaSetEnd(end: number): void;
  arenaStart(): number;
  arenaTop(): number;
  arenaEnd(): number;
  arenaInUse(): number;
  arenaStranded(): number;
  arenaHighWater(): number;
  arenaFailedRequest(): number;
  panicAbort(message: Ptr, fileName: Ptr, line: number, column: number): void;
  __alloc(size: number): number;
  __realloc(ptr: number, size: number): number;
  __free(ptr: number): void;
  __new(size: number, id: number): number;
  __renew(ptr: number, size: number): number;
}

const U64 = (value: bigint): bigint => BigInt.asUintN(64, value);
const I64 = (value: bigint): bigint => BigInt.asIntN(64, value);

/** What a firmware parse (PVH or device tree) reported. */
export interface ParsedBootInfo {
  error: string;
  commandLine: string;
  memory: Array<{ base: bigint; size: bigint; kind: number }>;
  consoleKind: number;
  consoleBase: bigint;
  initrdBase: bigint;
  initrdSize: bigint;
}

export class Harness {
  private constructor(private readonly loaded: Loaded<HarnessExports>) {}

  static async create(config: FakeArchConfig = {}): Promise<Harness> {
    const loaded = await instantiateOnFake<HarnessExports>(await wasmModule("harness"), config, MEMORY_PAGES);
    const harness = new Harness(loaded);
    harness.resetArena();
    return harness;
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

  /** First byte of the arena: the harness's heap base, 16-aligned. */
  get heapStart(): number {
    return (this.exports.heapBase() + 15) & ~15;
  }

  /** Starts the runtime's arena afresh over [heapStart, HEAP_END): everything allocated so far is gone. */
  resetArena(): void {
    this.exports.runtimeHeapInit(this.heapStart, HEAP_END);
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

  /** Runs a formatter at `out` and returns its ASCII output. */
  formatted(out: number, write: (out: number) => number): string {
    const length = write(out);
    return new TextDecoder().decode(this.bytes().slice(out, out + length));
  }

  formatUnsigned(value: bigint, base = 10, minDigits = 1, out = SCRATCH): string {
    return this.formatted(out, (at) => this.exports.fmtUnsigned(at, value, base, minDigits));
  }

  formatSigned(value: bigint, out = SCRATCH): string {
    return this.formatted(out, (at) => this.exports.fmtSigned(at, I64(value)));
  }

  formatDecimal(value: bigint, decimals: number, out = SCRATCH): string {
    return this.formatted(out, (at) => this.exports.fmtDecimal(at, value, decimals));
  }

  ticksToNanoseconds(ticks: bigint, hz: bigint): bigint {
    return U64(this.exports.fmtTicksToNanoseconds(ticks, hz));
  }

  elapsedTenthsOfMicros(from: bigint, to: bigint, hz: bigint): bigint {
    return U64(this.exports.chartElapsedTenthsOfMicros(from, to, hz));
  }

  /** Parses a command line with kernel/cmdline.ts. */
  parseCommandLine(text: string): { error: string; keys: string[]; values: string[]; app: string[] } {
    const e = this.exports;
    e.cmdlineParse(this.newString(text));
    const keys: string[] = [];
    const values: string[] = [];
    const app: string[] = [];
    for (let i = 0; i < e.cmdlineKeyCount(); i++) {
      keys.push(this.string(e.cmdlineKey(i)));
      values.push(this.string(e.cmdlineValue(i)));
    }
    for (let i = 0; i < e.cmdlineAppCount(); i++) app.push(this.string(e.cmdlineApp(i)));
    return { error: this.string(e.cmdlineError()), keys, values, app };
  }

  /** CommandLine.has/get on the line parsed last. */
  lineHas(key: string): boolean {
    return this.exports.cmdlineHas(this.newString(key)) !== 0;
  }

  lineGet(key: string, fallback: string): string {
    return this.string(this.exports.cmdlineGet(this.newString(key), this.newString(fallback)));
  }

  parseUnsigned(text: string, max: bigint): bigint {
    return this.exports.cmdlineParseUnsigned(this.newString(text), max);
  }

  /** Reads kernel options from a command line with kernel/options.ts. */
  readOptions(text: string) {
    const e = this.exports;
    e.optionsRead(this.newString(text));
    return {
      error: this.string(e.optionsError()),
      bootchart: e.optionsBootchart() !== 0,
      memmap: e.optionsMemmap() !== 0,
      quiet: e.optionsQuiet() !== 0,
      panicMessage: this.nullableString(e.optionsPanicMessage()),
      exitStatus: e.optionsExitStatus() >>> 0,
    };
  }

  private bootInfo(): ParsedBootInfo {
    const e = this.exports;
    const memory: ParsedBootInfo["memory"] = [];
    for (let i = 0; i < e.infoMemoryCount(); i++) {
      memory.push({ base: U64(e.infoMemoryBase(i)), size: U64(e.infoMemorySize(i)), kind: e.infoMemoryKind(i) >>> 0 });
    }
    return {
      error: this.string(e.infoError()),
      commandLine: this.string(e.infoCommandLine()),
      memory,
      consoleKind: e.infoConsoleKind() >>> 0,
      consoleBase: U64(e.infoConsoleBase()),
      initrdBase: U64(e.infoInitrdBase()),
      initrdSize: U64(e.infoInitrdSize()),
    };
  }

  parsePvh(address: number): ParsedBootInfo {
    this.exports.bootParsePvh(address);
    return this.bootInfo();
  }

  parseFdt(address: number): ParsedBootInfo {
    this.exports.bootParseFdt(address);
    return this.bootInfo();
  }

  /** kernel/platform.ts heapLimit over the boot info parsed last. */
  heapLimit(imageEnd: bigint): bigint {
    return U64(this.exports.infoHeapLimit(imageEnd));
  }

  usableBytes(): bigint {
    return U64(this.exports.infoUsableBytes());
  }

  arena() {
    const e = this.exports;
    return {
      start: e.arenaStart() >>> 0,
      top: e.arenaTop() >>> 0,
      end: e.arenaEnd() >>> 0,
      inUse: e.arenaInUse() >>> 0,
      stranded: e.arenaStranded() >>> 0,
      highWater: e.arenaHighWater() >>> 0,
      failedRequest: e.arenaFailedRequest() >>> 0,
    };
  }
}
