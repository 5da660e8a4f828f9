// wisp build-module: compile a filesystem module (AssemblyScript or wasm)
// into NAME.so, which images carry as /lib/modules/NAME.so (scripts/module/,
// docs/modules.md).

import { relative } from "node:path";
import { parseArgs } from "node:util";
import { buildModule } from "../module";
import { ROOT } from "../build/files";
import { ARCHES, parseArch, type Arch } from "../build/targets";
import { UsageError } from "./errors";

const HELP = `usage: wisp build-module PATH [--arch x86_64|aarch64|all] [--name NAME] [--force] [--json]

  PATH        a folder holding module.ts (AssemblyScript, e.g. fs/example),
              an AssemblyScript entry file, or a .wasm module
  --arch A    architecture to compile for (default: all)
  --name N    the filesystem type it serves (default: the folder's or the
              file's name); the kernel looks for /lib/modules/N.so
  --force     compile even when build/modules/ has the result cached
  --json      print what was built as JSON on stdout

checks the module against the module ABI (docs/modules.md) and prints
where NAME.so was written for each architecture.`;

export async function buildModuleCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`build-module needs exactly one PATH\n\n${HELP}`);
  const arches: readonly Arch[] = values.arch === undefined || values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  const results = [];
  for (const arch of arches) {
    const result = await buildModule(positionals[0], { arch, name: values.name, force: values.force });
    results.push({ arch, ...result });
    if (!values.json) {
      process.stderr.write(`built ${relative(ROOT, result.soPath)}${result.cached ? " (cached)" : ""}: ` +
        `filesystem type ${result.name}, ${(result.soBytes / 1024).toFixed(1)} KiB (wasm ${(result.wasmBytes / 1024).toFixed(1)} KiB)\n`);
    }
  }
  if (values.json) console.log(JSON.stringify(results, null, 2));
  return 0;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        arch: { type: "string" }, name: { type: "string" }, force: { type: "boolean", default: false },
        json: { type: "boolean", default: false }, help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}
