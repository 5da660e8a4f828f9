// wisp build: compile the kernel for one or both architectures.

import { parseArgs } from "node:util";
import { relative } from "node:path";
import { buildKernel, parseProfile, profileId, profileNames } from "../build";
import { profileDescription } from "../build/profiles";
import { statSync } from "node:fs";
import { writeModuleImage } from "../modules/write";
import { ROOT } from "../build/files";
import { ARCHES, Arch, parseArch } from "../build/targets";
import { UsageError } from "./errors";

const HELP = `usage: wisp build [--arch x86_64|aarch64|all] [--debug] [--profile P|all]
                  [--image MODULE,...] [-o IMAGE] [--compress auto|never|always]

  --arch A      architecture to build (default: all)
  --debug       keep symbols and debug info; output in build/<arch>-debug/
  --profile P   a build profile (kernel/init/profiles/P.json), or several
                joined with + (test+cooperative), or all of them one by one:
${profileNames().map((name) => `                  ${name.padEnd(12)}${profileDescription(name)}`).join("\n")}
                output in build/<arch>/ (default) or build/<arch>-<P>/
  --image M,... also build a ROFS image from modules M (and what they
                require; see wisp modules) into build/images/M+....rofs, or
                the file -o names; the modules' kernel options go beside it
                in the same name with .cmdline`;

export async function buildCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const arches: Arch[] = !values.arch || values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  const profiles = values.profile === "all" ? profileNames().map(parseProfile) : [parseProfile(values.profile ?? "default")];
  // Every argument is checked before anything is built.
  const names = values.image === undefined ? [] : values.image.split(",").map((name) => name.trim()).filter(Boolean);
  if (values.image !== undefined && names.length === 0) throw new UsageError(`--image needs a comma-separated list of modules\n\n${HELP}`);
  const compress = values.compress ?? "auto";
  if (compress !== "auto" && compress !== "never" && compress !== "always") throw new UsageError(`--compress needs auto, never or always, not '${compress}'`);
  for (const profile of profiles) {
    for (const arch of arches) {
      const result = await buildKernel({ arch, debug: values.debug, profile });
      const kib = (statSync(result.elf).size / 1024).toFixed(1);
      process.stderr.write(`built ${relative(ROOT, result.elf)}: ${kib} KiB (${profileId(profile)} profile${values.debug ? ", debug" : ""})\n`);
    }
  }
  if (values.image !== undefined) {
    for (const arch of arches) {
      const written = await writeModuleImage(names, arch, values.output, compress);
      process.stderr.write(`built ${relative(ROOT, written.path)} (${written.image.stats.bytes} bytes; modules ${written.image.modules.join(", ")})\n`);
      if (written.image.app === null) break; // without an app, one image serves both architectures
    }
  }
  return 0;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        arch: { type: "string" }, debug: { type: "boolean", default: false }, profile: { type: "string" }, help: { type: "boolean" },
        image: { type: "string" }, output: { type: "string", short: "o" }, compress: { type: "string" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}
