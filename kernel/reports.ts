// What the kernel prints about itself at boot: the banner, the memory map,
// and the refusal of a bad command line.

import { Handoff } from "./boot/handoff";
import { BootInfo, memoryKindName } from "./boot/bootinfo";
import { architectureName } from "./platform";
import { print, printLine, printHex, printUnsigned, printPadded } from "./console";
import { knownOptionsHelp } from "./options";
import { shutdown } from "./panic";
import { USAGE_STATUS } from "./params";
import { WISP_VERSION } from "./version";

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
