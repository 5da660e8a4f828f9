// wisp build: compile the kernel for one or both architectures.

import { parseArgs } from "node:util";
import { relative } from "node:path";
import { buildKernel, parseProfile } from "../build";
import { ROOT } from "../build/files";
import { ARCHES, Arch, parseArch } from "../build/targets";
import { UsageError } from "./errors";

const HELP = `usage: wisp build [--arch x86_64|aarch64|all] [--debug] [--profile default|cooperative]

  --arch A      architecture to build (default: all)
  --debug       keep symbols and debug info; output in build/<arch>-debug/
  --profile P   default (preemptive scheduler) or cooperative (threads run
                until they block or yield); output in build/<arch>-cooperative/`;

export async function buildCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arches: Arch[] = !values.arch || values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  const profile = parseProfile(values.profile ?? "default");
  for (const arch of arches) {
    const result = await buildKernel({ arch, debug: values.debug, profile });
    process.stderr.write(`built ${relative(ROOT, result.elf)}\n`);
  }
  return 0;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        arch: { type: "string" }, debug: { type: "boolean", default: false }, profile: { type: "string" }, help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}
