// In-kernel self-tests, run after boot with selftest=NAME: one front door
// that picks the test and says whether it passed.

import { Handoff, ARCH_X86_64 } from "../boot/handoff";
import { BootInfo } from "../boot/bootinfo";
import { runMemorySelfTest } from "./mm";
import { runX86InterruptSelfTest } from "./irq-x86";
import { runArmInterruptSelfTest } from "./irq-arm";
import { runSchedulerSelfTest } from "./sched";
import { runBlockSelfTest } from "./blk";
import { runFileSystemSelfTest } from "./fs";
import { runRandomSelfTest } from "./random";

/** Runs self-test `name` (one of options.SELF_TESTS); returns true if every check passed. */
export function runSelfTest(name: string, boot: Handoff, info: BootInfo): bool {
  if (name == "mm") return runMemorySelfTest(boot);
  if (name == "irq") return boot.arch == ARCH_X86_64 ? runX86InterruptSelfTest(info) : runArmInterruptSelfTest(info);
  if (name == "sched") return runSchedulerSelfTest();
  if (name == "blk") return runBlockSelfTest(info, boot.arch);
  if (name == "fs") return runFileSystemSelfTest();
  if (name == "random") return runRandomSelfTest(info, boot.arch);
  return false;
}
