// wisp bench <what>: dispatch to the benchmarks in scripts/bench/. The one
// list below also gives `wisp --help` its bench lines and the error for an
// unknown name, so a new benchmark is listed wherever it can be run.

import { benchBoot } from "../bench/boot";
import { benchMem } from "../bench/mem";
import { benchSched } from "../bench/sched";
import { benchStorage } from "../bench/storage";
import { benchApp } from "../bench/app";
import { benchNet } from "../bench/net";
import { benchSize } from "../bench/size";
import { benchPeers } from "../bench/peers";
import { benchProfile } from "../bench/profile";
import { benchNumbers } from "../bench/numbers";
import { UsageError } from "./errors";

export interface Benchmark {
  name: string;
  /** What `wisp --help` says it measures. */
  summary: string;
  run: (argv: string[]) => Promise<number>;
}

export const BENCHMARKS: readonly Benchmark[] = [
  { name: "boot", summary: "boot repeatedly and report boot phases and host wall time", run: benchBoot },
  { name: "mem", summary: "the smallest RAM that boots, and what the allocator costs", run: benchMem },
  { name: "sched", summary: "what context switches, threads and timers cost", run: benchSched },
  { name: "storage", summary: "what reading and writing files costs in the guest: ROFS with and without LZ4, RAMFS, 9p", run: benchStorage },
  { name: "app", summary: "what running an app costs: time to _start, image size, generated code speed", run: benchApp },
  { name: "size", summary: "what kernel.elf and an app.so are made of: sections, folders, files, functions, byte for byte", run: benchSize },
  { name: "profile", summary: "where the instructions from the first one to the app's _start go: per boot stage and per function, checked against the guest's stamps", run: benchProfile },
  { name: "net", summary: "what serving HTTP costs against the same server run natively: cold start, requests, bulk, instructions", run: benchNet },
  { name: "numbers", summary: "the README's Numbers section, measured: boot and app instruction counts per architecture, wall-time ratios, sizes, peers", run: benchNumbers },
  { name: "peers", summary: "Wisp beside the empty kernel, a Linux microVM and your own QEMU commands: wall time, image, smallest -m", run: benchPeers },
];

export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  const benchmark = BENCHMARKS.find(({ name }) => name === what);
  if (benchmark === undefined) {
    const names = BENCHMARKS.map(({ name }) => name).join(", ");
    throw new UsageError(`unknown benchmark '${what ?? ""}' (available: ${names})`);
  }
  return benchmark.run(rest);
}
