// The Node side of test/host/harness.ts, its front door: Harness, one harness
// instance over a fresh memory (4 MiB unless asked for more) and fake
// machine, and HarnessExports, the typings of every export.
//
// Each subsystem keeps its client next to its harness part and tests, in
// test/host/<subsystem>/client.ts: the typings of its exports, its constants,
// and the Harness methods it adds as a mixin over HarnessCore
// (core/client.ts, which also states the tests' memory plan). RofsClient and
// VfsClient are classes of their own over a Harness. This file puts the
// mixins together and creates instances.

import { wasmModule } from "./compile";
import { FakeArchConfig, instantiateOnFake } from "./fake-arch";
import { MemoryMapEntry } from "./firmware";
import { CoreExports, HarnessCore, MEMORY_PAGES } from "./core/client";
import { FormatExports, withFormat } from "./format/client";
import { CommandLineExports, withCommandLine } from "./cmdline/client";
import { BootExports, withBootInfo } from "./boot/client";
import { RuntimeExports, withRuntime } from "./rt/client";
import { MemoryExports, pcMemoryMap, withMemoryManagement } from "./mm/client";
import type { SchedTimeExports } from "./sched-time/client";
import type { RofsExports } from "./rofs/client";
import type { VfsExports } from "./vfs/client";
import type { NinePExports } from "./9p/client";
import type { NetExports } from "./net/client";
import type { DnsExports } from "./dns/client";
import type { ZfsWriteExports } from "./zfs/client";

/** The harness's exports, as the loader presents them (u64/i64 are bigint). */
export interface HarnessExports
  extends CoreExports, FormatExports, CommandLineExports, BootExports, RuntimeExports, MemoryExports,
    SchedTimeExports, RofsExports, VfsExports, NinePExports, NetExports, DnsExports, ZfsWriteExports {}

export class Harness extends withMemoryManagement(withRuntime(withBootInfo(withCommandLine(withFormat(HarnessCore))))) {
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
}
