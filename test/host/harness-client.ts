// The Node side of test/host/harness.ts: one harness instance over a fresh
// memory (4 MiB unless asked for more) and fake machine, with typed exports
// and memory helpers.
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

import { wasmModule } from "./compile";
import { FakeArchConfig, instantiateOnFake, Loaded, PowerOff, WASM_PAGE } from "./fake-arch";
import { E820, MemoryMapEntry, writePvh } from "./firmware";

export const MEMORY_PAGES = 64;
export const MEMORY_END = MEMORY_PAGES * WASM_PAGE;
export const SCRATCH = 0x1000;
export const HEAP_END = 0x30_0000;
export const BLOB_REGION = 0x30_0000;
/** Where Harness.initMemory writes the PVH start_info it parses the memory map from. */
export const MEMORY_PVH_AT = 0x1_0000;
export const PAGE_SIZE = 0x1000;
/** The kernel's panic status (kernel/params.ts PANIC_STATUS). */
export const PANIC_STATUS = 70;

/** kernel/mm/pages.ts USE_*: what a page frame is used for. */
export const USE = {
  reserved: 0, free: 1, kernel: 2, boot: 3, pageTables: 4, slab: 5, large: 6, initrd: 7, app: 8, stack: 9,
} as const;
export const USE_COUNT = 10;
/** pagesSnapshot's flag for the first frame of an allocated run. */
export const SNAPSHOT_HEAD = 0x80;

type Ptr = number;

/**
 * A PC's memory map for a machine of `end` bytes: usable RAM below the EBDA
 * and from 1 MiB to `end`, the EBDA and BIOS areas reserved (the VGA hole
 * between them is in no entry).
 */
export function pcMemoryMap(end: number): MemoryMapEntry[] {
  return [
    { base: 0n, size: 0x9fc00n, type: E820.usable },
    { base: 0x9fc00n, size: 0x400n, type: E820.reserved },
    { base: 0xf0000n, size: 0x10000n, type: E820.reserved },
    { base: 0x10_0000n, size: BigInt(end - 0x10_0000), type: E820.usable },
  ];
}

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
  optionsMeminfo(): number;
  optionsMallocBenchPairs(): number;
  optionsSchedBenchRounds(): number;
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
  infoDevices(out: number): void;
  infoHeapLimit(imageEnd: bigint): bigint;
  chartElapsedTenthsOfMicros(from: bigint, to: bigint, hz: bigint): bigint;
  arenaInit(from: number, to: number): void;
  runtimeHeapInit(from: number, to: number): void;
  arenaTake(size: number): number;
  arenaRelease(at: number, size: number): void;
  arenaExtend(more: number): number;
  arenaContains(address: number): number;
  arenaSetEnd(end: number): void;
  arenaStart(): number;
  arenaTop(): number;
  arenaEnd(): number;
  arenaInUse(): number;
  arenaStranded(): number;
  arenaHighWater(): number;
  runtimeFailedRequest(): number;
  rtString(length: number): Ptr;
  rtConcat(a: Ptr, b: Ptr): Ptr;
  rtBuffer(bytes: number): Ptr;
  rtArray(length: number): Ptr;
  rtPushed(count: number): Ptr;
  rtArrayData(array: Ptr): number;
  rtArrayLength(array: Ptr): number;
  rtFree(object: Ptr): void;
  rtFreeArray(array: Ptr): void;
  consoleUseSerial(): void;
  trapReport(kind: number): void;
  mmInit(imageEnd: number): Ptr;
  mmReady(): number;
  mmMalloc(size: number): number;
  mmFree(address: number): void;
  mmUsableSize(address: number): number;
  mmPrintInfo(): void;
  pagesMetadataBytes(frames: number): number;
  pagesInit(low: number, high: number, metadata: number): void;
  pagesMarkFree(from: number, to: number): void;
  pagesSealHoles(): void;
  pagesClaim(from: number, to: number, use: number): void;
  pagesAlloc(count: number, use: number): number;
  pagesAllocZeroed(count: number, use: number): number;
  pagesFree(address: number): void;
  pagesBase(): number;
  pagesFrames(): number;
  pagesCount(use: number): number;
  pagesFreeFrames(): number;
  pagesUsedFrames(): number;
  pagesUsable(): number;
  pagesHighWater(): number;
  pagesUseOf(address: number): number;
  pagesRunLength(address: number): number;
  pagesIsHead(address: number): number;
  pagesValueOf(address: number): number;
  pagesSnapshot(out: number): void;
  pagesLongestFreeRun(): number;
  classCount(): number;
  classMaxSize(): number;
  classOfSize(size: number): number;
  classSizeOf(index: number): number;
  slabPagesOf(index: number): number;
  slabCapacityOf(index: number): number;
  slabCountOf(index: number): number;
  slabObjectsOf(index: number): number;
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

  /** A harness on a fresh fake machine with `memoryPages` 64 KiB pages of memory (at least 4 MiB). */
  static async create(config: FakeArchConfig = {}, memoryPages = MEMORY_PAGES): Promise<Harness> {
    if (memoryPages < MEMORY_PAGES) throw new Error(`the harness memory plan needs at least ${MEMORY_PAGES} pages`);
    const loaded = await instantiateOnFake<HarnessExports>(await wasmModule("harness"), config, memoryPages);
    const harness = new Harness(loaded);
    harness.resetArena();
    return harness;
  }

  /**
   * A harness of `memoryPages` whose memory initMemory has set up over
   * `memmap` (by default a PC map of the whole memory), with the console on
   * the fake 16550 so that panics can be read.
   */
  static async withMemory(memoryPages: number, memmap?: MemoryMapEntry[]): Promise<Harness> {
    const harness = await Harness.create({}, memoryPages);
    harness.useSerialConsole();
    const error = harness.initMemory(memmap ?? pcMemoryMap(harness.memoryEnd));
    if (error !== "") throw new Error(`initMemory failed: ${error}`);
    return harness;
  }

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

  /**
   * Starts the runtime's arena afresh over [heapStart, HEAP_END): everything
   * allocated so far is gone. Only before initMemory: afterwards the runtime
   * allocates with malloc for good.
   */
  resetArena(): void {
    if (this.exports.mmReady()) throw new Error("resetArena after initMemory: the runtime no longer uses the arena");
    this.exports.runtimeHeapInit(this.heapStart, HEAP_END);
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

  /**
   * Brings up kernel memory as kmain does: parses a PVH start_info carrying
   * `memmap` (and an initrd, if given), then runs initMemory with the kernel
   * image ending at heapStart. Returns initMemory's error ("" on success).
   */
  initMemory(memmap: MemoryMapEntry[], initrd?: { base: bigint; size: bigint }): string {
    const info = this.parsePvh(writePvh(this.memory, MEMORY_PVH_AT, { cmdline: null, memmap, modules: initrd ? [initrd] : [] }));
    if (info.error) throw new Error(`the PVH start_info for initMemory was refused: ${info.error}`);
    return this.initParsedMemory();
  }

  /** initMemory over the boot info parsed last (parsePvh or parseFdt), the kernel image ending at heapStart. */
  initParsedMemory(): string {
    return this.string(this.exports.mmInit(this.heapStart));
  }

  /** Frames per use (index USE.*), as the page allocator counts them. */
  pageCounts(): number[] {
    return Array.from({ length: USE_COUNT }, (_, use) => this.exports.pagesCount(use) >>> 0);
  }

  /** Writes pagesSnapshot to `at` and returns a copy: one byte per frame, use | SNAPSHOT_HEAD. */
  pageSnapshot(at: number): Uint8Array {
    this.exports.pagesSnapshot(at);
    return this.bytes().slice(at, at + (this.exports.pagesFrames() >>> 0));
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
      meminfo: e.optionsMeminfo() !== 0,
      mallocBenchPairs: e.optionsMallocBenchPairs() >>> 0,
      schedBenchRounds: e.optionsSchedBenchRounds() >>> 0,
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

  /** The interrupt controller, timer and RTC the device tree parsed last names. */
  bootDevices(): { controllerKind: number; distributor: bigint; cpuInterface: bigint; timerInterrupt: number; rtcBase: bigint; rtcInterrupt: number } {
    this.exports.infoDevices(SCRATCH);
    const view = new DataView(this.memory.buffer, SCRATCH, 48);
    const field = (index: number) => view.getBigUint64(index * 8, true);
    return {
      controllerKind: Number(field(0)), distributor: field(1), cpuInterface: field(2),
      timerInterrupt: Number(field(3)), rtcBase: field(4), rtcInterrupt: Number(field(5)),
    };
  }

  /** kernel/platform.ts heapLimit over the boot info parsed last. */
  heapLimit(imageEnd: bigint): bigint {
    return U64(this.exports.infoHeapLimit(imageEnd));
  }

  usableBytes(): bigint {
    return U64(this.exports.infoUsableBytes());
  }

  /** The runtime's record of the request that found memory exhausted (0 if none did). */
  failedRequest(): number {
    return this.exports.runtimeFailedRequest() >>> 0;
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
    };
  }
}

// --- kernel/sched/run-queue.ts, kernel/time/timer-queue.ts, kernel/time/civil.ts ---
// The harness's exports for these modules (merged into HarnessExports above).
// Items and timers cross as indexes; pop/peek/earliest/popExpired return -1
// for none; bool results are 0/1.

export interface HarnessExports {
  runQueueCreate(count: number): void;
  runnableSetPriority(index: number, priority: number): void;
  runnableQueued(index: number): number;
  runQueuePush(index: number): void;
  runQueuePushFront(index: number): void;
  runQueuePop(): number;
  runQueueRemove(index: number): number;
  runQueuePeek(): number;
  runQueueHighestPriority(): number;
  runQueueLength(): number;
  timerQueueCreate(count: number): void;
  timerQueueRenew(): void;
  timerAdd(index: number, deadline: bigint): void;
  timerCancel(index: number): number;
  timerEarliest(): number;
  timerPopExpired(now: bigint): number;
  timerPending(index: number): number;
  timerDeadline(index: number): bigint;
  timerQueueLength(): number;
  timeBefore(a: bigint, b: bigint): number;
  civilDaysFromCivil(year: number, month: number, day: number): bigint;
  civilUnixSeconds(year: number, month: number, day: number, hour: number, minute: number, second: number): bigint;
  civilFromBcd(value: number): number;
}
