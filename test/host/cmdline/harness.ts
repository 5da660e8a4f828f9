// The host-test harness's part for kernel/cmdline.ts and kernel/options.ts:
// a parse keeps its CommandLine (or its options) in a global that the
// accessor exports read one field at a time.

import { failureDetail } from "../../../kernel/failure";
import { CommandLine, parseCommandLine, parseUnsigned } from "../../../kernel/cmdline";
import { readOptions, knownOptionsHelp, findOption, forgetOptions } from "../../../kernel/options";
import { BootOptions } from "../../../kernel/init/options";
import { forgetSelfTests } from "../../../kernel/selftest/index";
import { forgetBenchmarks } from "../../../kernel/bench";
import { forgetFileSystems } from "../../../fs/vfs/filesystems";
import { registerTests } from "../../../kernel/init/tests";
import { registerSelfTestsX86_64 } from "../../../kernel/init/x86_64-parts";
import { declareRootOption } from "../../../fs/root";
import { useFileSystemModules } from "../../../loader/modules/index";
import { EM_X86_64 } from "../../../loader/elf/layout";
import { declareNetworkOptions } from "../../../kernel/net/index";
import { declareMmioDeviceOption } from "../../../drivers/virtio/mmio-devices";

// --- kernel/cmdline.ts ---

let line: CommandLine | null = null;
let lineParsed: i32 = 0;

export function cmdlineParse(text: string): void {
  line = new CommandLine();
  lineParsed = parseCommandLine(text, line!);
}

/** The parse's failure detail, or "" when the line is well-formed. */
export function cmdlineError(): string {
  return lineParsed < 0 ? failureDetail(lineParsed) : "";
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
  declareNetworkOptions();
  declareMmioDeviceOption();
  useFileSystemModules(EM_X86_64); // declares fsopt=, as kernel/init/wiring.ts does
}

export function optionsRead(text: string): void {
  declareTestKernelOptions();
  const result = readOptions(text);
  optionsError_ = result < 0 ? failureDetail(result) : "";
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
