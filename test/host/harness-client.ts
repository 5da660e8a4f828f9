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

// --- fs/rofs (the ROFS reader) ---
// The harness's ROFS exports (merged into HarnessExports above) and
// RofsClient, which mounts an image placed in malloc'd memory and reads it
// back as plain objects. Vnodes are indexes; results < 0 are -errno.

export interface HarnessExports {
  rofsMount(base: number, size: bigint, inMemory: number): Ptr;
  rofsFailSectors(from: bigint, to: bigint): void;
  rofsDeviceReads(): number;
  rofsRoot(): number;
  rofsLookup(directory: number, name: Ptr): number;
  rofsReaddir(directory: number, cookie: bigint): number;
  rofsEntryName(): Ptr;
  rofsEntryInode(): bigint;
  rofsEntryType(): number;
  rofsEntryNext(): bigint;
  rofsRead(node: number, offset: bigint, buffer: number, length: number): bigint;
  rofsStat(node: number, out: number): number;
  rofsReadlink(node: number): number;
  rofsLinkTarget(): Ptr;
  rofsDataAddress(node: number): bigint;
  rofsRelease(node: number): void;
  rofsUnmount(): void;
  rofsLz4Decompress(source: number, sourceLength: number, destination: number, capacity: number): number;
  rofsCrc32(address: number, length: number): number;
}

export interface RofsStat {
  inode: number;
  type: number;
  mode: number;
  size: number;
  blocks: number;
  mtimeNanoseconds: bigint;
  compressed: boolean;
  storedBytes: number;
}

export class RofsClient {
  /** A malloc'd scratch buffer for reads and stat. */
  readonly buffer: number;
  image = 0;

  constructor(readonly harness: Harness, readonly bufferSize = 1 << 20) {
    this.buffer = harness.exports.mmMalloc(bufferSize) >>> 0;
    if (this.buffer === 0) throw new Error("RofsClient: no memory for the read buffer");
  }

  /** Copies `image` into malloc'd memory and mounts it; returns the reader's error ("" on success). */
  mount(image: Uint8Array, inMemory: boolean): string {
    const e = this.harness.exports;
    if (this.image !== 0) e.mmFree(this.image);
    this.image = e.mmMalloc(Math.max(image.length, 1)) >>> 0;
    if (this.image === 0) throw new Error(`RofsClient: no memory for an image of ${image.length} bytes`);
    this.harness.write(this.image, image);
    return this.harness.string(e.rofsMount(this.image, BigInt(image.length), inMemory ? 1 : 0));
  }

  unmount(): void {
    this.harness.exports.rofsUnmount();
    if (this.image !== 0) this.harness.exports.mmFree(this.image);
    this.image = 0;
  }

  root(): number {
    return this.harness.exports.rofsRoot();
  }

  lookup(directory: number, name: string): number {
    return this.harness.exports.rofsLookup(directory, this.harness.newString(name));
  }

  /** All entries, or -errno from the first readdir that failed. */
  readdir(directory: number): Array<{ name: string; inode: number; type: number }> | number {
    const e = this.harness.exports;
    const entries: Array<{ name: string; inode: number; type: number }> = [];
    let cookie = 0n;
    for (;;) {
      const result = e.rofsReaddir(directory, cookie);
      if (result < 0) return result;
      if (result === 0) return entries;
      entries.push({ name: this.harness.string(e.rofsEntryName()), inode: Number(e.rofsEntryInode()), type: e.rofsEntryType() });
      cookie = e.rofsEntryNext();
    }
  }

  stat(node: number): RofsStat | number {
    const result = this.harness.exports.rofsStat(node, this.buffer);
    if (result < 0) return result;
    const view = new DataView(this.harness.memory.buffer, this.buffer, 64);
    const field = (index: number) => view.getBigUint64(index * 8, true);
    return {
      inode: Number(field(0)), type: Number(field(1)), mode: Number(field(2)), size: Number(field(3)),
      blocks: Number(field(4)), mtimeNanoseconds: field(5), compressed: field(6) !== 0n, storedBytes: Number(field(7)),
    };
  }

  /** read(offset, length) once: the bytes, or -errno. */
  read(node: number, offset: number, length: number): Uint8Array | number {
    if (length > this.bufferSize) throw new Error("RofsClient.read: longer than the buffer");
    const got = Number(this.harness.exports.rofsRead(node, BigInt(offset), this.buffer, length));
    if (got < 0) return got;
    return this.harness.bytes().slice(this.buffer, this.buffer + got);
  }

  /** The whole file in reads of `chunk` bytes, or -errno from the first that failed. */
  readAll(node: number, size: number, chunk = this.bufferSize): Uint8Array | number {
    const data = new Uint8Array(size);
    let offset = 0;
    for (;;) {
      const part = this.read(node, offset, Math.min(chunk, this.bufferSize));
      if (typeof part === "number") return part;
      if (part.length === 0) {
        if (offset !== size) throw new Error(`RofsClient.readAll: the file ended at ${offset} of ${size} bytes`);
        return data;
      }
      if (offset + part.length > size) throw new Error(`RofsClient.readAll: more than ${size} bytes`);
      data.set(part, offset);
      offset += part.length;
    }
  }

  readlink(node: number): string | number {
    const result = this.harness.exports.rofsReadlink(node);
    if (result < 0) return result;
    return this.harness.string(this.harness.exports.rofsLinkTarget());
  }

  release(node: number): void {
    this.harness.exports.rofsRelease(node);
  }
}

// --- fs/vfs, fs/ramfs, fs/example ---
// The harness's VFS exports (merged into HarnessExports above) and VfsClient,
// which wraps them with JS strings and byte arrays. Filesystems cross as
// handles; results are 0 / counts / descriptors, or -errno.

export interface HarnessExports {
  ramfsCreate(): number;
  exampleFsCreate(): number;
  fsFree(handle: number): void;
  ramfsNodeCount(handle: number): number;
  ramfsPagesTaken(): bigint;
  ramfsSlotsCopied(): bigint;
  ramfsIndexMoves(): bigint;
  vfsMountRoot(handle: number): number;
  vfsMount(dirFd: number, path: Ptr, handle: number): number;
  vfsUnmount(dirFd: number, path: Ptr): number;
  vfsOpen(dirFd: number, path: Ptr, flags: number, mode: number, resolve: number): number;
  vfsClose(fd: number): number;
  vfsDup(fd: number): number;
  vfsDup2(fd: number, to: number): number;
  vfsRead(fd: number, buffer: number, length: number): bigint;
  vfsWrite(fd: number, buffer: number, length: number): bigint;
  vfsPread(fd: number, buffer: number, length: number, offset: bigint): bigint;
  vfsPwrite(fd: number, buffer: number, length: number, offset: bigint): bigint;
  vfsSeek(fd: number, offset: bigint, whence: number): bigint;
  vfsFstat(fd: number, out: number): number;
  vfsStat(dirFd: number, path: Ptr, follow: number, out: number, resolve: number): number;
  vfsFtruncate(fd: number, size: bigint): number;
  vfsFsync(fd: number): number;
  vfsReaddir(fd: number, cookie: bigint): number;
  vfsEntryName(): Ptr;
  vfsEntryInode(): bigint;
  vfsEntryType(): number;
  vfsEntryNext(): bigint;
  vfsMkdir(dirFd: number, path: Ptr, mode: number, resolve: number): number;
  vfsRmdir(dirFd: number, path: Ptr, resolve: number): number;
  vfsUnlink(dirFd: number, path: Ptr, resolve: number): number;
  vfsRename(fromFd: number, fromPath: Ptr, toFd: number, toPath: Ptr, resolve: number): number;
  vfsSymlink(target: Ptr, dirFd: number, path: Ptr, resolve: number): number;
  vfsReadlink(dirFd: number, path: Ptr, resolve: number): number;
  vfsLinkText(): Ptr;
  vfsTruncate(dirFd: number, path: Ptr, size: bigint, resolve: number): number;
  vfsOpenDescriptors(): number;
  vfsCachedVnodes(): number;
  vfsPathLookups(): bigint;
}

/** fs/vfs/descriptors.ts, file-operations.ts, start.ts and node.ts constants (Linux numbering). */
export const VFS = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_TRUNC: 0o1000, O_APPEND: 0o2000,
  O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000,
  SEEK_SET: 0, SEEK_CUR: 1, SEEK_END: 2,
  AT_FDCWD: -100, RESOLVE_BENEATH: 0x08,
  TYPE_FILE: 1, TYPE_DIRECTORY: 2, TYPE_SYMLINK: 3,
  NAME_MAX: 255, PATH_MAX: 4096, MAX_SYMLINKS: 40,
} as const;

/** kernel/errno.ts values the VFS returns (negated). */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, ENOMEM: 12, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENOTDIR: 20,
  EISDIR: 21, EINVAL: 22, EMFILE: 24, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, ENAMETOOLONG: 36,
  ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, ENOTCAPABLE: 1000,
} as const;

export interface VfsStat {
  device: bigint; inode: bigint; type: number; mode: number; links: number; size: number; blocks: number;
  accessed: bigint; modified: bigint; changed: bigint;
}

export interface VfsEntry {
  name: string; inode: bigint; type: number; next: bigint;
}

/**
 * The VFS through the harness, with JS values. Needs a harness whose kernel
 * memory is set up (Harness.withMemory); takes one malloc'd I/O buffer of
 * `bufferSize` bytes (and 80 bytes for stat) at creation.
 */
export class VfsClient {
  readonly buffer: number;
  private readonly statOut: number;

  constructor(readonly harness: Harness, readonly bufferSize = 64 * 1024) {
    this.buffer = harness.exports.mmMalloc(bufferSize) >>> 0;
    this.statOut = harness.exports.mmMalloc(80) >>> 0;
    if (this.buffer === 0 || this.statOut === 0) throw new Error("VfsClient: no memory for its buffers");
  }

  private get e() {
    return this.harness.exports;
  }

  private s(text: string): Ptr {
    return this.harness.newString(text);
  }

  /** A fresh string from the kernel that the test now owns: read, then freed. */
  private taken(ptr: Ptr): string {
    const text = this.harness.string(ptr);
    this.e.rtFree(ptr);
    return text;
  }

  ramfs(): number {
    return this.e.ramfsCreate();
  }

  exampleFs(): number {
    return this.e.exampleFsCreate();
  }

  mountRoot(handle: number): number {
    return this.e.vfsMountRoot(handle);
  }

  mount(path: string, handle: number, dirFd: number = VFS.AT_FDCWD): number {
    return this.e.vfsMount(dirFd, this.s(path), handle);
  }

  unmount(path: string, dirFd: number = VFS.AT_FDCWD): number {
    return this.e.vfsUnmount(dirFd, this.s(path));
  }

  open(path: string, flags: number = VFS.O_RDONLY, mode = 0o644, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsOpen(dirFd, this.s(path), flags, mode, resolve);
  }

  close(fd: number): number {
    return this.e.vfsClose(fd);
  }

  dup(fd: number): number {
    return this.e.vfsDup(fd);
  }

  dup2(fd: number, to: number): number {
    return this.e.vfsDup2(fd, to);
  }

  /** Writes `data` (in pieces of at most the buffer size) at the offset, or at `offset` with pwrite. Returns the total or -errno. */
  write(fd: number, data: Uint8Array | string, offset?: number): number {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let done = 0;
    do {
      const piece = bytes.subarray(done, done + this.bufferSize);
      this.harness.write(this.buffer, piece);
      const got = Number(offset === undefined
        ? this.e.vfsWrite(fd, this.buffer, piece.length)
        : this.e.vfsPwrite(fd, this.buffer, piece.length, BigInt(offset + done)));
      if (got < 0) return got;
      done += got;
      if (got < piece.length) break;
    } while (done < bytes.length);
    return done;
  }

  /** Reads up to `length` bytes (at `offset` with pread): the bytes, or -errno. */
  read(fd: number, length: number, offset?: number): Uint8Array | number {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const want = Math.min(length - done, this.bufferSize);
      const got = Number(offset === undefined
        ? this.e.vfsRead(fd, this.buffer, want)
        : this.e.vfsPread(fd, this.buffer, want, BigInt(offset + done)));
      if (got < 0) return got;
      out.set(this.harness.bytes().subarray(this.buffer, this.buffer + got), done);
      done += got;
      if (got < want) break;
    }
    return out.slice(0, done);
  }

  readText(fd: number, length = 1 << 20, offset?: number): string | number {
    const bytes = this.read(fd, length, offset);
    return typeof bytes === "number" ? bytes : new TextDecoder().decode(bytes);
  }

  seek(fd: number, offset: number | bigint, whence: number = VFS.SEEK_SET): number {
    return Number(this.e.vfsSeek(fd, BigInt(offset), whence));
  }

  private statFrom(result: number): VfsStat | number {
    if (result < 0) return result;
    const view = new DataView(this.harness.memory.buffer, this.statOut, 80);
    const field = (i: number) => view.getBigUint64(i * 8, true);
    return {
      device: field(0), inode: field(1), type: Number(field(2)), mode: Number(field(3)), links: Number(field(4)),
      size: Number(field(5)), blocks: Number(field(6)), accessed: view.getBigInt64(56, true),
      modified: view.getBigInt64(64, true), changed: view.getBigInt64(72, true),
    };
  }

  stat(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): VfsStat | number {
    return this.statFrom(this.e.vfsStat(dirFd, this.s(path), 1, this.statOut, resolve));
  }

  lstat(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): VfsStat | number {
    return this.statFrom(this.e.vfsStat(dirFd, this.s(path), 0, this.statOut, resolve));
  }

  fstat(fd: number): VfsStat | number {
    return this.statFrom(this.e.vfsFstat(fd, this.statOut));
  }

  ftruncate(fd: number, size: number | bigint): number {
    return this.e.vfsFtruncate(fd, BigInt(size));
  }

  truncate(path: string, size: number | bigint, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsTruncate(dirFd, this.s(path), BigInt(size), resolve);
  }

  fsync(fd: number): number {
    return this.e.vfsFsync(fd);
  }

  /** One readdir step: the entry, null at the end, or -errno. */
  readdirAt(fd: number, cookie: bigint): VfsEntry | null | number {
    const result = this.e.vfsReaddir(fd, cookie);
    if (result < 0) return result;
    if (result === 0) return null;
    return {
      name: this.taken(this.e.vfsEntryName()), inode: this.e.vfsEntryInode(),
      type: this.e.vfsEntryType(), next: this.e.vfsEntryNext(),
    };
  }

  /** Every entry of the directory `fd` names ("." and ".." included), or -errno. */
  readdirFd(fd: number): VfsEntry[] | number {
    const entries: VfsEntry[] = [];
    let cookie = 0n;
    for (;;) {
      const entry = this.readdirAt(fd, cookie);
      if (entry === null) return entries;
      if (typeof entry === "number") return entry;
      entries.push(entry);
      cookie = entry.next;
    }
  }

  /** The names in directory `path`, without "." and "..", sorted; or -errno. */
  list(path: string): string[] | number {
    const fd = this.open(path, VFS.O_RDONLY | VFS.O_DIRECTORY);
    if (fd < 0) return fd;
    const entries = this.readdirFd(fd);
    this.close(fd);
    if (typeof entries === "number") return entries;
    return entries.map((entry) => entry.name).filter((name) => name !== "." && name !== "..").sort();
  }

  mkdir(path: string, mode = 0o755, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsMkdir(dirFd, this.s(path), mode, resolve);
  }

  rmdir(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsRmdir(dirFd, this.s(path), resolve);
  }

  unlink(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsUnlink(dirFd, this.s(path), resolve);
  }

  rename(from: string, to: string, fromFd: number = VFS.AT_FDCWD, toFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsRename(fromFd, this.s(from), toFd, this.s(to), resolve);
  }

  symlink(target: string, path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsSymlink(this.s(target), dirFd, this.s(path), resolve);
  }

  readlink(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): string | number {
    const result = this.e.vfsReadlink(dirFd, this.s(path), resolve);
    return result < 0 ? result : this.taken(this.e.vfsLinkText());
  }

  /** Creates (or truncates) `path` holding `data`; 0 or -errno. */
  writeFile(path: string, data: Uint8Array | string): number {
    const fd = this.open(path, VFS.O_WRONLY | VFS.O_CREAT | VFS.O_TRUNC);
    if (fd < 0) return fd;
    const written = this.write(fd, data);
    this.close(fd);
    return written < 0 ? written : 0;
  }

  /** The whole of `path` as text, or -errno. */
  readFile(path: string): string | number {
    const fd = this.open(path);
    if (fd < 0) return fd;
    const text = this.readText(fd, 1 << 22);
    this.close(fd);
    return text;
  }

  openDescriptors(): number {
    return this.e.vfsOpenDescriptors();
  }

  cachedVnodes(): number {
    return this.e.vfsCachedVnodes() >>> 0;
  }

  /** Filesystem lookups path walks have made since the harness started. */
  pathLookups(): number {
    return Number(this.e.vfsPathLookups());
  }
}
