// wisp bench <what>: dispatch to the benchmarks in scripts/bench/.

import { benchBoot } from "../bench/boot";
import { UsageError } from "./errors";

export async function benchCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what === "boot") return benchBoot(rest);
  throw new UsageError(`unknown benchmark '${what ?? ""}' (available: boot)`);
}
