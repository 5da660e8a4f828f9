// What the kernel prints about itself: the banner and the memory map at
// boot, the refusal of a bad command line, and the CPU time an app's run
// took (meminfo).

import { Handoff } from "./boot/handoff";
import { BootInfo, memoryKindName } from "./boot/bootinfo";
import { architectureName } from "./platform";
import { print, printLine, printHex, printUnsigned, printPadded } from "./console";
import { knownOptionsHelp } from "./options";
import { shutdown } from "./panic";
import { USAGE_STATUS } from "./params";
import { WISP_VERSION } from "./version";
import { clockHz } from "./time/index";
import { idleTicks } from "./sched/index";
import { timestamp } from "../arch";

/** `Wisp <version> on <arch>: <n> KiB usable RAM, kernel image <start>-<end>` */
export function printBanner(boot: Handoff, info: BootInfo): void {
  print("Wisp ");
  print(WISP_VERSION);
  print(" on ");
  print(architectureName());
  print(": ");
  printUnsigned(info.usableBytes() >> 10);
  print(" KiB usable RAM, kernel image ");
  printHex(boot.imageStart);
  print("-");
  printHex(boot.imageEnd);
  printLine();
}

export function printMemoryMap(info: BootInfo): void {
  printLine("memory map:");
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    print("  ");
    printHex(range.base, 12);
    print("-");
    printHex(range.end, 12);
    printPadded(memoryKindName(range.kind), 10);
    print("  ");
    printUnsigned(range.size >> 10);
    printLine(" KiB");
  }
}

/** Says what is wrong with the command line, lists the options, and powers off with USAGE_STATUS. */
export function refuseCommandLine(message: string): void {
  print("wisp: bad kernel command line: ");
  printLine(message);
  printLine("kernel options:");
  print(knownOptionsHelp());
  shutdown(USAGE_STATUS);
}

/**
 * `cpu-raw ticks=T idle=I hz=H`: the counter's ticks since it started, the
 * ticks the CPU spent halted, and the counter's rate. T - I is the CPU's
 * busy time; under QEMU's -icount shift=0 a nanosecond of it is one guest
 * instruction (wisp bench net subtracts two runs' figures).
 */
export function printCpuTime(): void {
  print("cpu-raw ticks=");
  printUnsigned(timestamp());
  print(" idle=");
  printUnsigned(idleTicks());
  print(" hz=");
  printUnsigned(clockHz());
  printLine();
}
