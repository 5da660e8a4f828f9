// wisp build: compile the kernel for one or both architectures.

import { parseArgs } from "node:util";
import { relative } from "node:path";
import { buildKernel } from "../build";
import { ROOT } from "../build/files";
import { ARCHES, Arch, parseArch } from "../build/targets";
import { UsageError } from "./errors";

const HELP = `usage: wisp build [--arch x86_64|aarch64|all] [--debug]

  --arch A   architecture to build (default: all)
  --debug    keep symbols and debug info; output in build/<arch>-debug/`;

export async function buildCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arches: Arch[] = !values.arch || values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  for (const arch of arches) {
    const result = await buildKernel({ arch, debug: values.debug });
    process.stderr.write(`built ${relative(ROOT, result.elf)}\n`);
  }
  return 0;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { arch: { type: "string" }, debug: { type: "boolean", default: false }, help: { type: "boolean" } },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}
