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
import { Options, readOptions, knownOptionsHelp } from "../../kernel/options";
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
import { reportWasmTrap } from "../../kernel/traps";
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

let options: Options | null = null;

export function optionsRead(text: string): void {
  options = readOptions(parseCommandLine(text));
}

export function optionsError(): string {
  return options!.error;
}

export function optionsBootchart(): bool {
  return options!.bootchart;
}

export function optionsMemmap(): bool {
  return options!.memmap;
}

export function optionsMeminfo(): bool {
  return options!.meminfo;
}

export function optionsMallocBenchPairs(): u32 {
  return options!.mallocBenchPairs;
}

export function optionsSchedBenchRounds(): u32 {
  return options!.schedBenchRounds;
}

export function optionsQuiet(): bool {
  return options!.quiet;
}

export function optionsPanicMessage(): string | null {
  return options!.panicMessage;
}

export function optionsExitStatus(): u32 {
  return options!.exitStatus;
}

export function optionsHelp(): string {
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
