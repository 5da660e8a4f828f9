// The host-test harness: an AssemblyScript entry that exports thin wrappers
// over kernel modules, so Node tests can call them one at a time.
//
// Guards nothing by itself; it is the window the host tests look through at
// kernel/format.ts, kernel/cmdline.ts, kernel/options.ts, kernel/boot/*.ts,
// kernel/platform.ts, kernel/bootchart.ts and kernel/rt/arena.ts. It is
// compiled with the kernel's own options (test/host/compile.ts), so the code
// under test is the code that boots.
//
// Conventions: strings cross as AssemblyScript strings (the loader's
// __newString/__getString); numbers are written into byte buffers the test
// owns; a parse stores its result in a global that the accessor exports read.
// Nothing here allocates at start-up: the arena is set up by arenaInit first.

import { formatUnsigned, formatSigned, formatDecimal, ticksToNanoseconds, FORMAT_BUFFER_SIZE } from "../../kernel/format";
import { CommandLine, parseCommandLine, parseUnsigned } from "../../kernel/cmdline";
import { Options, readOptions, knownOptionsHelp } from "../../kernel/options";
import { BootInfo } from "../../kernel/boot/bootinfo";
import { parsePvh } from "../../kernel/boot/pvh";
import { parseFdt } from "../../kernel/boot/fdt";
import { heapLimit } from "../../kernel/platform";
import { elapsedTenthsOfMicros } from "../../kernel/bootchart";
import { arena } from "../../kernel/rt/arena";
import { heapInit } from "../../kernel/rt/index";
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

export function infoHeapLimit(imageEnd: u64): u64 {
  return heapLimit(info!, imageEnd);
}

// --- kernel/bootchart.ts ---

export function chartElapsedTenthsOfMicros(from: u64, to: u64, hz: u64): u64 {
  return elapsedTenthsOfMicros(from, to, hz);
}

// --- kernel/rt/arena.ts ---

export function arenaInit(from: usize, to: usize): void {
  arena.init(from, to);
}

/** The runtime's own set-up: the arena placed so that payloads are 16-byte aligned. */
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

export function arenaFailedRequest(): usize {
  return arena.failedRequest;
}

// --- kernel/panic.ts ---

/** The kernel's abort handler, as an assertion failure in kernel code would reach it. */
export function panicAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  abortHandler(message, fileName, line, column);
}
