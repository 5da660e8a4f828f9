// The host-test harness: an AssemblyScript entry that exports thin wrappers
// over kernel modules, so Node tests can call them one at a time.
//
// Guards nothing by itself; it is the window the host tests look through at
// kernel/format.ts, kernel/cmdline.ts, kernel/options.ts, kernel/boot/*.ts,
// kernel/platform.ts, kernel/bootchart.ts, kernel/rt/*.ts (the runtime and
// its boot arena), kernel/mm/*.ts (pages, size classes, slabs, malloc,
// initMemory, meminfo), kernel/console.ts, kernel/traps.ts, kernel/sched/run-queue.ts,
// kernel/time/timer-queue.ts and kernel/time/civil.ts. It is compiled
// with the kernel's own options (test/host/compile.ts), so the code under
// test is the code that boots.
//
// Conventions: strings cross as AssemblyScript strings (the loader's
// __newString/__getString); numbers are written into byte buffers the test
// owns; a parse stores its result in a global that the accessor exports read.
// Nothing here allocates at start-up: the arena is set up by arenaInit first.
// Exports that stand for a kernel call (pages*, mm*, classes, slab queries)
// allocate nothing themselves, so what the tests count is the kernel's doing.

import { formatUnsigned, formatSigned, formatDecimal, ticksToNanoseconds, FORMAT_BUFFER_SIZE } from "../../kernel/format";
import { CommandLine, parseCommandLine, parseUnsigned } from "../../kernel/cmdline";
import { readOptions, knownOptionsHelp, findOption, forgetOptions } from "../../kernel/options";
import { BootOptions } from "../../kernel/init/options";
import { forgetSelfTests } from "../../kernel/selftest/index";
import { forgetBenchmarks } from "../../kernel/bench";
import { forgetFileSystems } from "../../fs/vfs/filesystems";
import { registerTests } from "../../kernel/init/tests";
import { registerSelfTestsX86_64 } from "../../kernel/init/x86_64-parts";
import { declareRootOption } from "../../fs/root";
import { declareMmioDeviceOption } from "../../drivers/virtio/mmio-devices";
import { useSerialPort } from "../../kernel/console";
import { Ns16550Port } from "../../drivers/uart/ns16550";
import { BootInfo, CONSOLE_NS16550_PORT } from "../../kernel/boot/bootinfo";
import { parsePvh } from "../../kernel/boot/pvh";
import { parseFdt } from "../../kernel/boot/fdt";
import { heapLimit } from "../../kernel/platform";
import { elapsedTenthsOfMicros } from "../../kernel/bootchart";
import { arena } from "../../kernel/rt/arena";
import { heapInit, failedRequest } from "../../kernel/rt/index";
import { initMemory, memoryReady, malloc, free, usableSize } from "../../kernel/mm/index";
import { pages, PAGE_SHIFT, USE_FREE } from "../../kernel/mm/pages";
import { CLASS_COUNT, MAX_CLASS_SIZE, classOf, classSize } from "../../kernel/mm/classes";
import { pagesPerSlab, objectsPerSlab, slabsInClass, objectsInClass } from "../../kernel/mm/slab";
import { printMemoryInfo } from "../../kernel/mm/meminfo";
import { initConsole } from "../../kernel/console";
import { reportWasmTrap } from "../../kernel/traps/index";
import { WISP_VERSION } from "../../kernel/version";
// The kernel is built with --use abort=kernel/panic/abortHandler; the harness too.
import { abortHandler } from "../../kernel/panic";

// --- Layout ---

/** Where asc starts the heap: the end of static data, rounded up. */
export function heapBase(): usize {
  return __heap_base;
}

export function version(): string {
  return WISP_VERSION;
}

// --- kernel/format.ts ---

export function formatBufferSize(): i32 {
  return FORMAT_BUFFER_SIZE;
}

export function fmtUnsigned(out: usize, value: u64, base: u32, minDigits: i32): i32 {
  return formatUnsigned(out, value, base, minDigits);
}

export function fmtSigned(out: usize, value: i64): i32 {
  return formatSigned(out, value);
}

export function fmtDecimal(out: usize, value: u64, decimals: i32): i32 {
  return formatDecimal(out, value, decimals);
}

export function fmtTicksToNanoseconds(ticks: u64, hz: u64): u64 {
  return ticksToNanoseconds(ticks, hz);
}

// --- kernel/cmdline.ts ---

let line: CommandLine | null = null;

export function cmdlineParse(text: string): void {
  line = parseCommandLine(text);
}

export function cmdlineError(): string {
  return line!.error;
}

export function cmdlineKeyCount(): i32 {
  return line!.keys.length;
}

export function cmdlineKey(index: i32): string {
  return line!.keys[index];
}

export function cmdlineValue(index: i32): string {
  return line!.values[index];
}

export function cmdlineAppCount(): i32 {
  return line!.appArguments.length;
}

export function cmdlineApp(index: i32): string {
  return line!.appArguments[index];
}

export function cmdlineHas(key: string): bool {
  return line!.has(key);
}

export function cmdlineGet(key: string, fallback: string): string {
  return line!.get(key, fallback);
}

export function cmdlineParseUnsigned(text: string, max: i64): i64 {
  return parseUnsigned(text, max);
}

// --- kernel/options.ts ---

// The options an x86_64 kernel of the test profile declares (the harness is
// compiled with the test profile's constants, test/host/compile.ts), declared
// afresh for each read: the tests reset the arena they live in.
let options: BootOptions | null = null;
let optionsError_ = "";

function declareTestKernelOptions(): void {
  forgetOptions();
  forgetSelfTests();
  forgetBenchmarks();
  forgetFileSystems();
  options = new BootOptions();
  registerSelfTestsX86_64();
  registerTests();
  declareRootOption();
  declareMmioDeviceOption();
}

export function optionsRead(text: string): void {
  declareTestKernelOptions();
  optionsError_ = readOptions(parseCommandLine(text));
}

export function optionsError(): string {
  return optionsError_;
}

export function optionsBootchart(): bool {
  return options!.bootchart.given;
}

export function optionsMemmap(): bool {
  return options!.memmap.given;
}

export function optionsMeminfo(): bool {
  return options!.meminfo.given;
}

export function optionsMallocBenchPairs(): u32 {
  return findOption("malloc-bench")!.number;
}

export function optionsSchedBenchRounds(): u32 {
  return findOption("sched-bench")!.number;
}

export function optionsQuiet(): bool {
  return options!.quiet.given;
}

export function optionsPanicMessage(): string | null {
  return options!.panicMessage();
}

export function optionsExitStatus(): u32 {
  return options!.exit.number;
}

export function optionsHelp(): string {
  declareTestKernelOptions();
  return knownOptionsHelp();
}

// --- kernel/boot/pvh.ts, kernel/boot/fdt.ts, kernel/platform.ts ---

let info: BootInfo | null = null;

export function bootParsePvh(startInfo: usize): void {
  info = parsePvh(startInfo);
}

export function bootParseFdt(blob: usize): void {
  info = parseFdt(blob);
}

export function infoError(): string {
  return info!.error;
}

export function infoCommandLine(): string {
  return info!.commandLine;
}

export function infoMemoryCount(): i32 {
  return info!.memory.length;
}

export function infoMemoryBase(index: i32): u64 {
  return info!.memory[index].base;
}

export function infoMemorySize(index: i32): u64 {
  return info!.memory[index].size;
}

export function infoMemoryKind(index: i32): u32 {
  return info!.memory[index].kind;
}

export function infoConsoleKind(): u32 {
  return info!.consoleKind;
}

export function infoConsoleBase(): u64 {
  return info!.consoleBase;
}

export function infoInitrdBase(): u64 {
  return info!.initrdBase;
}

export function infoInitrdSize(): u64 {
  return info!.initrdSize;
}

export function infoUsableBytes(): u64 {
  return info!.usableBytes();
}

/** The device-tree devices an aarch64 boot looks for, as u64 in a buffer the test owns: kind, distributor, CPU interface, timer INTID, RTC base, RTC INTID. */
export function infoDevices(out: usize): void {
  store<u64>(out, <u64>info!.interruptControllerKind);
  store<u64>(out, info!.gicDistributorBase, 8);
  store<u64>(out, info!.gicCpuInterfaceBase, 16);
  store<u64>(out, <u64>info!.timerInterrupt, 24);
  store<u64>(out, info!.rtcBase, 32);
  store<u64>(out, <u64>info!.rtcInterrupt, 40);
}

export function infoHeapLimit(imageEnd: u64): u64 {
  return heapLimit(info!, imageEnd);
}

// --- kernel/bootchart.ts ---

export function chartElapsedTenthsOfMicros(from: u64, to: u64, hz: u64): u64 {
  return elapsedTenthsOfMicros(from, to, hz);
}

// --- kernel/rt/arena.ts, kernel/rt/index.ts ---

export function arenaInit(from: usize, to: usize): void {
  arena.init(from, to);
}

/** The runtime's own set-up of the boot arena (payloads 8-byte aligned). */
export function runtimeHeapInit(from: usize, to: usize): void {
  heapInit(from, to);
}

export function arenaTake(size: usize): usize {
  return arena.take(size);
}

export function arenaRelease(at: usize, size: usize): void {
  arena.release(at, size);
}

export function arenaExtend(more: usize): bool {
  return arena.extend(more);
}

export function arenaContains(address: usize): bool {
  return arena.contains(address);
}

export function arenaSetEnd(end: usize): void {
  arena.end = end;
}

export function arenaStart(): usize {
  return arena.start;
}

export function arenaTop(): usize {
  return arena.top;
}

export function arenaEnd(): usize {
  return arena.end;
}

export function arenaInUse(): usize {
  return arena.inUse;
}

export function arenaStranded(): usize {
  return arena.stranded;
}

export function arenaHighWater(): usize {
  return arena.highWater;
}

/** The size of the request that found memory exhausted (kernel/rt/index.ts), 0 if none did. */
export function runtimeFailedRequest(): usize {
  return failedRequest;
}

// --- AssemblyScript objects on the runtime (for leak tests) ---
// Each returns one object; free it as kernel code does, with heap.free on the
// object (rtFree), and for an array on its backing buffer too (rtFreeArray).

/** A fresh string of `length` "w"s: one block, even for lengths 0 and 1 (where repeat would return a static string). */
export function rtString(length: i32): string {
  const text = __new(<usize>length << 1, idof<string>());
  for (let i = 0; i < length; i++) store<u16>(text + (<usize>i << 1), 0x77);
  return changetype<string>(text);
}

/** a + b: a fresh string unless both are empty. */
export function rtConcat(a: string, b: string): string {
  return a.concat(b);
}

export function rtBuffer(bytes: i32): ArrayBuffer {
  return new ArrayBuffer(bytes);
}

export function rtArray(length: i32): Array<i32> {
  return new Array<i32>(length);
}

/** An array grown from empty by `count` pushes (every growth is a __renew). */
export function rtPushed(count: i32): Array<i32> {
  const array = new Array<i32>();
  for (let i = 0; i < count; i++) array.push(i);
  return array;
}

/** The payload of an array's backing buffer. */
export function rtArrayData(array: Array<i32>): usize {
  return array.dataStart;
}

export function rtArrayLength(array: Array<i32>): i32 {
  return array.length;
}

export function rtFree(object: usize): void {
  heap.free(object);
}

export function rtFreeArray(array: Array<i32>): void {
  heap.free(array.dataStart);
  heap.free(changetype<usize>(array));
}

// --- kernel/console.ts, kernel/traps.ts ---

/** Sends console output to the 16550 at COM1, as initConsole does after a PVH boot. */
export function consoleUseSerial(): void {
  useSerialPort(new Ns16550Port(), CONSOLE_NS16550_PORT);
  const serial = new BootInfo();
  serial.consoleKind = CONSOLE_NS16550_PORT;
  serial.consoleBase = 0x3f8;
  initConsole(serial);
}

/** The report the native runtime asks for after a wasm trap of `kind`. */
export function trapReport(kind: u32): void {
  reportWasmTrap(kind);
}

// --- kernel/mm/index.ts ---

/** initMemory over the boot info parsed last, with the kernel image ending at `imageEnd`. */
export function mmInit(imageEnd: usize): string {
  return initMemory(info!, imageEnd);
}

export function mmReady(): bool {
  return memoryReady();
}

export function mmMalloc(size: usize): usize {
  return malloc(size);
}

export function mmFree(address: usize): void {
  free(address);
}

export function mmUsableSize(address: usize): usize {
  return usableSize(address);
}

export function mmPrintInfo(): void {
  printMemoryInfo();
}

// --- kernel/mm/pages.ts ---

export function pagesMetadataBytes(frames: u32): usize {
  return pages.metadataBytes(frames);
}

export function pagesInit(low: usize, high: usize, metadata: usize): void {
  pages.init(low, high, metadata);
}

export function pagesSealHoles(): void {
  pages.sealHoles();
}

export function pagesMarkFree(from: usize, to: usize): void {
  pages.markFree(from, to);
}

export function pagesClaim(from: usize, to: usize, use: u32): void {
  pages.claim(from, to, use);
}

export function pagesAlloc(count: u32, use: u32): usize {
  return pages.alloc(count, use);
}

export function pagesAllocZeroed(count: u32, use: u32): usize {
  return pages.allocZeroed(count, use);
}

export function pagesFree(address: usize): void {
  pages.free(address);
}

export function pagesBase(): usize {
  return pages.base;
}

export function pagesFrames(): u32 {
  return pages.frames;
}

export function pagesCount(use: u32): u32 {
  return pages.count(use);
}

export function pagesFreeFrames(): u32 {
  return pages.freeFrames();
}

export function pagesUsedFrames(): u32 {
  return pages.usedFrames();
}

export function pagesUsable(): u32 {
  return pages.usable;
}

export function pagesHighWater(): u32 {
  return pages.highWater;
}

export function pagesUseOf(address: usize): u32 {
  return pages.useOf(address);
}

export function pagesRunLength(address: usize): u32 {
  return pages.runLength(address);
}

export function pagesIsHead(address: usize): bool {
  return pages.isHead(address);
}

export function pagesValueOf(address: usize): u32 {
  return pages.valueOf(address);
}

/**
 * Writes one byte per frame of the tables to `out`: useOf, plus 0x80 for the
 * head of an allocated run (isHead). The whole state the tests compare
 * against their model, in one call.
 */
export function pagesSnapshot(out: usize): void {
  for (let frame: u32 = 0; frame < pages.frames; frame++) {
    const address = pages.base + (<usize>frame << PAGE_SHIFT);
    store<u8>(out + <usize>frame, <u8>(pages.useOf(address) | (pages.isHead(address) ? 0x80 : 0)));
  }
}

/** The longest run of free frames in the tables (what the largest possible alloc could take). */
export function pagesLongestFreeRun(): u32 {
  let longest: u32 = 0;
  let run: u32 = 0;
  for (let frame: u32 = 0; frame < pages.frames; frame++) {
    if (pages.useOf(pages.base + (<usize>frame << PAGE_SHIFT)) == USE_FREE) {
      run++;
      if (run > longest) longest = run;
    } else {
      run = 0;
    }
  }
  return longest;
}

// --- kernel/mm/classes.ts, kernel/mm/slab.ts ---

export function classCount(): u32 {
  return CLASS_COUNT;
}

export function classMaxSize(): usize {
  return MAX_CLASS_SIZE;
}

export function classOfSize(size: usize): u32 {
  return classOf(size);
}

export function classSizeOf(index: u32): usize {
  return classSize(index);
}

export function slabPagesOf(index: u32): u32 {
  return pagesPerSlab(index);
}

export function slabCapacityOf(index: u32): u32 {
  return objectsPerSlab(index);
}

export function slabCountOf(index: u32): u32 {
  return slabsInClass(index);
}

export function slabObjectsOf(index: u32): u32 {
  return objectsInClass(index);
}

// --- kernel/panic.ts ---

/** The kernel's abort handler, as an assertion failure in kernel code would reach it. */
export function panicAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  abortHandler(message, fileName, line, column);
}

// --- kernel/sched/run-queue.ts, kernel/time/timer-queue.ts, kernel/time/civil.ts: imports ---

import { Runnable, RunQueue } from "../../kernel/sched/run-queue";
import { Timer, TimerQueue, before } from "../../kernel/time/timer-queue";
import { daysFromCivil, unixSeconds, fromBcd } from "../../kernel/time/civil";

// --- kernel/sched/run-queue.ts ---
// One queue and its items, by index: an item is a Runnable that knows its
// index, as a Thread knows itself. runQueueCreate allocates (once per test
// set-up); the other exports allocate nothing.

class IndexedRunnable extends Runnable {
  index: i32 = 0;
}

let runQueue: RunQueue | null = null;
let runnables: StaticArray<IndexedRunnable | null> | null = null;

function runnable(index: i32): IndexedRunnable {
  return runnables![index]!;
}

function indexOfRunnable(item: Runnable | null): i32 {
  return item === null ? -1 : changetype<IndexedRunnable>(item).index;
}

/** A fresh, empty queue and `count` items at PRIORITY_DEFAULT, not queued. */
export function runQueueCreate(count: i32): void {
  runQueue = new RunQueue();
  const items = new StaticArray<IndexedRunnable | null>(count);
  for (let i = 0; i < count; i++) {
    const item = new IndexedRunnable();
    item.index = i;
    items[i] = item;
  }
  runnables = items;
}

/** Sets an item's priority (only while it is not queued: the queue files it by priority). */
export function runnableSetPriority(index: i32, priority: i32): void {
  runnable(index).priority = priority;
}

export function runnableQueued(index: i32): bool {
  return runnable(index).queued;
}

export function runQueuePush(index: i32): void {
  runQueue!.push(runnable(index));
}

export function runQueuePushFront(index: i32): void {
  runQueue!.pushFront(runnable(index));
}

/** pop: the index of the item taken, or -1 when empty. */
export function runQueuePop(): i32 {
  return indexOfRunnable(runQueue!.pop());
}

export function runQueueRemove(index: i32): bool {
  return runQueue!.remove(runnable(index));
}

/** peek: the index of the item pop would take, or -1 when empty. */
export function runQueuePeek(): i32 {
  return indexOfRunnable(runQueue!.peek());
}

export function runQueueHighestPriority(): i32 {
  return runQueue!.highestPriority();
}

export function runQueueLength(): i32 {
  return runQueue!.length;
}

// --- kernel/time/timer-queue.ts ---
// One queue and its timers, by index: a timer's owner is its index.
// timerQueueCreate and timerQueueRenew allocate (once per test set-up); the
// other exports allocate nothing beyond what TimerQueue itself does.

let timerQueue: TimerQueue | null = null;
let timers: StaticArray<Timer | null> | null = null;

function timer(index: i32): Timer {
  return timers![index]!;
}

function indexOfTimer(item: Timer | null): i32 {
  return item === null ? -1 : <i32>item.owner;
}

/** A fresh, empty queue and `count` timers, none pending. */
export function timerQueueCreate(count: i32): void {
  timerQueue = new TimerQueue();
  const items = new StaticArray<Timer | null>(count);
  for (let i = 0; i < count; i++) {
    const item = new Timer();
    item.owner = <usize>i;
    items[i] = item;
  }
  timers = items;
}

/**
 * A fresh, empty queue over the same timers (for counting what one queue
 * allocates). The timers must not be pending in the old queue, which is
 * left allocated.
 */
export function timerQueueRenew(): void {
  timerQueue = new TimerQueue();
}

export function timerAdd(index: i32, deadline: u64): void {
  timerQueue!.add(timer(index), deadline);
}

export function timerCancel(index: i32): bool {
  return timerQueue!.cancel(timer(index));
}

/** earliest: the index of the first timer to expire, or -1 when none is pending. */
export function timerEarliest(): i32 {
  return indexOfTimer(timerQueue!.earliest());
}

/** popExpired: the index of the timer taken, or -1 if none has expired by `now`. */
export function timerPopExpired(now: u64): i32 {
  return indexOfTimer(timerQueue!.popExpired(now));
}

export function timerPending(index: i32): bool {
  return timer(index).pending;
}

export function timerDeadline(index: i32): u64 {
  return timer(index).deadline;
}

export function timerQueueLength(): i32 {
  return timerQueue!.length;
}

export function timeBefore(a: u64, b: u64): bool {
  return before(a, b);
}

// --- kernel/time/civil.ts ---

export function civilDaysFromCivil(year: i32, month: u32, day: u32): i64 {
  return daysFromCivil(year, month, day);
}

export function civilUnixSeconds(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32): i64 {
  return unixSeconds(year, month, day, hour, minute, second);
}

export function civilFromBcd(value: u32): u32 {
  return fromBcd(value);
}

// --- fs/rofs (the ROFS reader) ---
// One mounted image at a time, over a MemoryBlockDevice (in place) or over
// RofsTestDevice, which copies sectors like a disk (memoryAddress 0) and can
// fail a range of sectors with -EIO. Vnodes cross as indexes into
// rofsNodes; stat fields are written as 8 u64 slots (inode, type, mode,
// size, blocks, mtime ns, compressed, stored bytes). Strings that readdir
// and readlink make are left to the test's memory. Nothing is allocated
// before the first rofsMount.

import { mountRofs, RofsMount, RofsFileSystem, RofsVnode, lz4DecompressBlock, crc32 as rofsCrc } from "../../fs/rofs/index";
import { BlockDevice as RofsDeviceBase, MemoryBlockDevice as RofsMemoryDevice } from "../../drivers/block/device";
import { VnodeResult as RofsVnodeResult, DirEntry as RofsDirEntry, Stat as RofsStat, TextResult as RofsTextResult } from "../../fs/vfs/node";
import { EIO as ROFS_EIO, EINVAL as ROFS_EINVAL } from "../../kernel/errno";

class RofsTestDevice extends RofsDeviceBase {
  failFrom: u64 = 0;
  failTo: u64 = 0;
  reads: u32 = 0;

  constructor(public base: usize, size: u64) {
    super("rofs-test", 512, size / 512, true);
  }

  read(sector: u64, buffer: usize, count: u32): i32 {
    this.reads++;
    if (!this.holds(sector, count)) return -ROFS_EINVAL;
    if (sector < this.failTo && sector + <u64>count > this.failFrom) return -ROFS_EIO;
    memory.copy(buffer, this.base + <usize>(sector * 512), <usize>count * 512);
    return 0;
  }
}

let rofsMounted: RofsFileSystem | null = null;
let rofsDevice: RofsTestDevice | null = null;
let rofsNodes: Array<RofsVnode | null> | null = null;
let rofsEntry = changetype<RofsDirEntry>(0);
let rofsLink = changetype<RofsTextResult>(0);

function rofsNode(index: i32): RofsVnode {
  return rofsNodes![index]!;
}

function rofsHandle(node: RofsVnode): i32 {
  rofsNodes!.push(node);
  return rofsNodes!.length - 1;
}

/** Mounts `size` bytes at `base`: in place (inMemory) or through RofsTestDevice. "" or the reader's message. */
export function rofsMount(base: usize, size: u64, inMemory: bool): string {
  const out = new RofsMount();
  let device: RofsDeviceBase;
  if (inMemory) {
    device = new RofsMemoryDevice("rofs-memory", base, size);
    rofsDevice = null;
  } else {
    const testDevice = new RofsTestDevice(base, size);
    rofsDevice = testDevice;
    device = testDevice;
  }
  const error = mountRofs(device, out);
  rofsMounted = out.fs;
  const old = rofsNodes;
  if (old !== null) {
    heap.free(changetype<usize>(old.buffer));
    heap.free(changetype<usize>(old));
  }
  rofsNodes = new Array<RofsVnode | null>();
  if (changetype<usize>(rofsEntry) == 0) {
    rofsEntry = new RofsDirEntry();
    rofsLink = new RofsTextResult();
  }
  return error;
}

/** Makes RofsTestDevice fail reads touching sectors [from, to). */
export function rofsFailSectors(from: u64, to: u64): void {
  rofsDevice!.failFrom = from;
  rofsDevice!.failTo = to;
}

export function rofsDeviceReads(): u32 {
  return rofsDevice === null ? 0 : rofsDevice!.reads;
}

export function rofsRoot(): i32 {
  return rofsHandle(changetype<RofsVnode>(rofsMounted!.root()));
}

/** lookup: a vnode index, or -errno. */
export function rofsLookup(directory: i32, name: string): i32 {
  const out = new RofsVnodeResult();
  const result = rofsNode(directory).lookup(name, out);
  if (result < 0) return result;
  return rofsHandle(changetype<RofsVnode>(out.node));
}

export function rofsReaddir(directory: i32, cookie: u64): i32 {
  return rofsNode(directory).readdir(cookie, rofsEntry);
}
export function rofsEntryName(): string {
  return rofsEntry.name;
}
export function rofsEntryInode(): u64 {
  return rofsEntry.inode;
}
export function rofsEntryType(): u32 {
  return rofsEntry.type;
}
export function rofsEntryNext(): u64 {
  return rofsEntry.next;
}

export function rofsRead(node: i32, offset: u64, buffer: usize, length: usize): i64 {
  return rofsNode(node).read(offset, buffer, length);
}

export function rofsStat(node: i32, out: usize): i32 {
  const vnode = rofsNode(node);
  const stat = new RofsStat();
  const result = vnode.getattr(stat);
  if (result >= 0) {
    store<u64>(out, stat.inode);
    store<u64>(out, <u64>stat.type, 8);
    store<u64>(out, <u64>stat.mode, 16);
    store<u64>(out, stat.size, 24);
    store<u64>(out, stat.blocks, 32);
    store<i64>(out, stat.modified, 40);
    store<u64>(out, vnode.compressed ? 1 : 0, 48);
    store<u64>(out, vnode.storedBytes(), 56);
  }
  heap.free(changetype<usize>(stat));
  return result;
}

export function rofsReadlink(node: i32): i32 {
  return rofsNode(node).readlink(rofsLink);
}
export function rofsLinkTarget(): string {
  return rofsLink.text;
}

export function rofsDataAddress(node: i32): i64 {
  return rofsNode(node).dataAddress();
}

/** Lets go of a vnode as the VFS would: release(), then free it (never the root). */
export function rofsRelease(node: i32): void {
  const vnode = rofsNodes![node];
  if (vnode !== null) vnode.release(); // frees every vnode but the root
  rofsNodes![node] = null;
}

export function rofsUnmount(): void {
  const fs = rofsMounted;
  if (fs !== null) {
    fs.unmount();
    heap.free(changetype<usize>(fs));
  }
  rofsMounted = null;
}

export function rofsLz4Decompress(source: usize, sourceLength: usize, destination: usize, capacity: usize): isize {
  return lz4DecompressBlock(source, sourceLength, destination, capacity);
}

export function rofsCrc32(address: usize, length: usize): u32 {
  return rofsCrc(address, length);
}

// --- fs/vfs, fs/ramfs, fs/example: imports ---

import * as vfs from "../../fs/vfs/index";
import { Stat, DirEntry, TextResult, FileSystem } from "../../fs/vfs/node";
import { RamFileSystem, pagesTaken, slotsCopied, indexMoves } from "../../fs/ramfs/index";
import { HelloFileSystem } from "../../fs/example/hello";

// --- fs/vfs, fs/ramfs, fs/example ---
// Filesystems cross as handles (indexes into fileSystems). String arguments
// of the vfs* exports are consumed: the export frees them after the call, so
// the page counts the tests compare are the VFS's doing alone. Strings the
// exports hand out (vfsEntryName, vfsLinkText) are the test's to free
// (rtFree). Stat fields are written as ten u64 to a buffer the test owns:
// device, inode, type, mode, links, size, blocks, accessed, modified, changed.

let fileSystems: Array<FileSystem | null> | null = null;
let vfsStatBuffer: Stat | null = null;
let vfsEntry: DirEntry | null = null;
let vfsLink: TextResult | null = null;

function fileSystemHandle(fs: FileSystem): i32 {
  if (fileSystems === null) fileSystems = new Array<FileSystem | null>();
  fileSystems!.push(fs);
  return fileSystems!.length - 1;
}

function fileSystemOf(handle: i32): FileSystem {
  return fileSystems![handle]!;
}

function consumed(text: string): void {
  heap.free(changetype<usize>(text));
}

function statOut(): Stat {
  if (vfsStatBuffer === null) vfsStatBuffer = new Stat();
  return vfsStatBuffer!;
}

function writeStat(stat: Stat, out: usize): void {
  store<u64>(out, stat.device);
  store<u64>(out, stat.inode, 8);
  store<u64>(out, <u64>stat.type, 16);
  store<u64>(out, <u64>stat.mode, 24);
  store<u64>(out, <u64>stat.links, 32);
  store<u64>(out, stat.size, 40);
  store<u64>(out, stat.blocks, 48);
  store<i64>(out, stat.accessed, 56);
  store<i64>(out, stat.modified, 64);
  store<i64>(out, stat.changed, 72);
}

export function ramfsCreate(): i32 {
  return fileSystemHandle(new RamFileSystem());
}

export function exampleFsCreate(): i32 {
  return fileSystemHandle(new HelloFileSystem());
}

/** Frees an unmounted filesystem's object (its contents went at unmount). */
export function fsFree(handle: i32): void {
  heap.free(changetype<usize>(fileSystemOf(handle)));
  fileSystems![handle] = null;
}

export function ramfsNodeCount(handle: i32): u32 {
  return changetype<RamFileSystem>(fileSystemOf(handle)).nodeCount;
}

export function ramfsPagesTaken(): u64 {
  return pagesTaken;
}

export function ramfsSlotsCopied(): u64 {
  return slotsCopied;
}

export function ramfsIndexMoves(): u64 {
  return indexMoves;
}

export function vfsMountRoot(handle: i32): i32 {
  return vfs.mountRoot(fileSystemOf(handle));
}

export function vfsMount(dirFd: i32, path: string, handle: i32): i32 {
  const result = vfs.mount(dirFd, path, fileSystemOf(handle));
  consumed(path);
  return result;
}

export function vfsUnmount(dirFd: i32, path: string): i32 {
  const result = vfs.unmount(dirFd, path);
  consumed(path);
  return result;
}

export function vfsOpen(dirFd: i32, path: string, flags: u32, mode: u32, resolve: u32): i32 {
  const result = vfs.open(dirFd, path, flags, mode, resolve);
  consumed(path);
  return result;
}

export function vfsClose(fd: i32): i32 {
  return vfs.close(fd);
}

export function vfsDup(fd: i32): i32 {
  return vfs.dup(fd);
}

export function vfsDup2(fd: i32, to: i32): i32 {
  return vfs.dup2(fd, to);
}

export function vfsRead(fd: i32, buffer: usize, length: usize): i64 {
  return vfs.read(fd, buffer, length);
}

export function vfsWrite(fd: i32, buffer: usize, length: usize): i64 {
  return vfs.write(fd, buffer, length);
}

export function vfsPread(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  return vfs.pread(fd, buffer, length, offset);
}

export function vfsPwrite(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  return vfs.pwrite(fd, buffer, length, offset);
}

export function vfsSeek(fd: i32, offset: i64, whence: i32): i64 {
  return vfs.seek(fd, offset, whence);
}

export function vfsFstat(fd: i32, out: usize): i32 {
  const result = vfs.fstat(fd, statOut());
  writeStat(statOut(), out);
  return result;
}

export function vfsStat(dirFd: i32, path: string, follow: bool, out: usize, resolve: u32): i32 {
  const result = follow ? vfs.stat(dirFd, path, statOut(), resolve) : vfs.lstat(dirFd, path, statOut(), resolve);
  consumed(path);
  writeStat(statOut(), out);
  return result;
}

export function vfsFtruncate(fd: i32, size: i64): i32 {
  return vfs.ftruncate(fd, size);
}

export function vfsFsync(fd: i32): i32 {
  return vfs.fsync(fd);
}

/** readdir into the harness's entry: vfsEntryName (the test frees it), vfsEntryInode, vfsEntryType, vfsEntryNext. */
export function vfsReaddir(fd: i32, cookie: u64): i32 {
  if (vfsEntry === null) vfsEntry = new DirEntry();
  vfsEntry!.name = "";
  return vfs.readdir(fd, cookie, vfsEntry!);
}

export function vfsEntryName(): string {
  const name = vfsEntry!.name;
  vfsEntry!.name = "";
  return name;
}

export function vfsEntryInode(): u64 {
  return vfsEntry!.inode;
}

export function vfsEntryType(): u32 {
  return vfsEntry!.type;
}

export function vfsEntryNext(): u64 {
  return vfsEntry!.next;
}

export function vfsMkdir(dirFd: i32, path: string, mode: u32, resolve: u32): i32 {
  const result = vfs.mkdir(dirFd, path, mode, resolve);
  consumed(path);
  return result;
}

export function vfsRmdir(dirFd: i32, path: string, resolve: u32): i32 {
  const result = vfs.rmdir(dirFd, path, resolve);
  consumed(path);
  return result;
}

export function vfsUnlink(dirFd: i32, path: string, resolve: u32): i32 {
  const result = vfs.unlink(dirFd, path, resolve);
  consumed(path);
  return result;
}

export function vfsRename(fromFd: i32, fromPath: string, toFd: i32, toPath: string, resolve: u32): i32 {
  const result = vfs.rename(fromFd, fromPath, toFd, toPath, resolve);
  consumed(fromPath);
  consumed(toPath);
  return result;
}

export function vfsSymlink(target: string, dirFd: i32, path: string, resolve: u32): i32 {
  const result = vfs.symlink(target, dirFd, path, resolve);
  consumed(target);
  consumed(path);
  return result;
}

/** readlink into the harness: vfsLinkText (the test frees it). */
export function vfsReadlink(dirFd: i32, path: string, resolve: u32): i32 {
  if (vfsLink === null) vfsLink = new TextResult();
  vfsLink!.text = "";
  const result = vfs.readlink(dirFd, path, vfsLink!, resolve);
  consumed(path);
  return result;
}

export function vfsLinkText(): string {
  const text = vfsLink!.text;
  vfsLink!.text = "";
  return text;
}

export function vfsTruncate(dirFd: i32, path: string, size: i64, resolve: u32): i32 {
  const result = vfs.truncate(dirFd, path, size, resolve);
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
