// The test profile's parts: self-tests and benchmarks, registered by name.
// Only kernels built with WISP_TESTS (the `test` profile and those that
// include it) compile this: wiring.ts calls registerTests under WITH_TESTS.
// The architecture's own self-tests (mm, irq) are registered by its entry
// point first, so `selftest=` lists mm, irq, sched, blk, fs, random, 9p, net, tcp, ipv6.

import { registerSelfTest, declareSelfTestOption, requestedSelfTest, runSelfTest } from "../selftest/index";
import { registerBenchmark, runRequestedBenchmarks } from "../bench";
import { panic } from "../panic";
import { runSchedulerSelfTest } from "../selftest/sched";
import { runMallocBench } from "../mm/bench";
import { runSchedulerBench } from "../sched/bench";
import { runBlockSelfTest, declareBlockSelfTestOptions } from "../../drivers/block/selftest";
import { runRandomSelfTest } from "../../drivers/virtio/rng-selftest";
import { runNetworkSelfTest } from "../net/selftest";
import { runIpv6SelfTest } from "../net/ipv6-selftest";
import { runNetSelfTest } from "../../drivers/virtio/net-selftest";
import { runFileSystemSelfTest } from "../../fs/selftest";
import { runNinePSelfTest } from "../../fs/9p/selftest";
import { runStorageBench } from "../../fs/bench";
import { runNinePBench } from "../../fs/9p/bench";
import { registerFileSystem, refusesSource, FileSystem } from "../../fs/vfs/index";
import { HelloFileSystem } from "../../fs/example/hello";
import { probeVirtio } from "../../drivers/virtio/index";
import { WITH_TESTS } from "./profile";
import { libcSelfTest } from "../selftest/libc";

export function registerTests(): void {
  registerSelfTest("sched", runSchedulerSelfTest);
  registerSelfTest("blk", blockSelfTest);
  registerSelfTest("fs", runFileSystemSelfTest);
  registerSelfTest("random", runRandomSelfTest);
  registerSelfTest("9p", ninePSelfTest);
  registerSelfTest("net", netSelfTest);
  registerSelfTest("tcp", runNetworkSelfTest);
  registerSelfTest("ipv6", ipv6SelfTest);
  registerSelfTest("libc", libcSelfTest);
  declareSelfTestOption();
  declareBlockSelfTestOptions();
  registerBenchmark("malloc-bench", "N", "pairs", 100_000_000, "malloc-bench=N: time N malloc/free pairs per size after boot (for wisp bench mem)", runMallocBench);
  registerBenchmark("storage-bench", "MIB", "MiB", 4096, "storage-bench=MIB: time reading the tree through the VFS and straight from the root's device, open+stat, and RAMFS appends of 8, 32 and MIB MiB (for wisp bench storage)", runStorageBench);
  registerBenchmark("ninep-bench", "ROUNDS", "rounds", 1_000_000, "ninep-bench=ROUNDS: time ROUNDS open+read+close of a small file on the 9p share tagged bench9p, mounted under /tmp, and of a small ROFS file (for wisp bench storage)", runNinePBench);
  registerBenchmark("sched-bench", "N", "rounds", 10_000_000, "sched-bench=N: time N context switches, thread create+join pairs and timer operations after boot (for wisp bench sched)", runSchedulerBench);
  registerFileSystem("hello", makeHello);
}

/** After boot: the self-test selftest=NAME asked for (a failure panics), then the benchmarks asked for. */
export function runSelfTestAndBenchmarks(): void {
  if (!WITH_TESTS) return;
  const name = requestedSelfTest();
  if (name !== null && !runSelfTest(name!)) return panic("selftest " + name! + " failed");
  runRequestedBenchmarks();
}

function blockSelfTest(): bool {
  return runBlockSelfTest(probeVerbosely);
}

function ninePSelfTest(): bool {
  return runNinePSelfTest(probeVerbosely);
}

function netSelfTest(): bool {
  return runNetSelfTest(probeVerbosely);
}

function ipv6SelfTest(): bool {
  return runIpv6SelfTest(probeVerbosely);
}

function probeVerbosely(): void {
  probeVirtio(true);
}

function makeHello(source: string, readOnly: bool): FileSystem | null {
  return refusesSource("hello", source, readOnly) ? null : new HelloFileSystem();
}
