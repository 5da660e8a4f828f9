// wisp bench <what>: dispatch to the benchmarks in scripts/bench/.

import { benchBoot } from "../bench/boot";
import { benchMem } from "../bench/mem";
import { benchSched } from "../bench/sched";
import { benchStorage } from "../bench/storage";
import { benchApp } from "../bench/app";
import { UsageError } from "./errors";

export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === "boot") return benchBoot(rest);
  if (what === "mem") return benchMem(rest);
  if (what === "sched") return benchSched(rest);
  if (what === "storage") return benchStorage(rest);
  if (what === "app") return benchApp(rest);
  throw new UsageError(`unknown benchmark '${what ?? ""}' (available: boot, mem, sched, storage, app)`);
}
