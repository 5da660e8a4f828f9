// wisp build-app: compile a WASI program (app.wasm) into app.so, the native
// module the kernel loads (scripts/app/, docs/build-app.md).

import { relative } from "node:path";
import { parseArgs } from "node:util";
import { buildApp, formatReport, progressPrinter } from "../app";
import { ROOT } from "../build/files";
import { parseArch } from "../build/targets";
import { UsageError } from "./errors";

const HELP = `usage: wisp build-app APP.wasm [--arch x86_64|aarch64] [--jobs N] [--force] [--json]

  --arch A    architecture to compile for (default: x86_64)
  --jobs N    processes at once (wasm2c and clang; default: the number of
              CPUs, fewer when free memory is short)
  --force     compile even when build/apps/ has the result cached
  --json      print the build report as JSON on stdout

prints where app.so was written (build/apps/<hash>/<arch>/app.so) and its
report: sizes, sections, relocations, compile time and peak memory. A long
compile shows its progress on stderr (in place on a terminal), except with
--json; an interrupted compile resumes where it stopped.`;

export async function buildAppCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv);
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`build-app needs exactly one .wasm file\n\n${HELP}`);
  const arch = parseArch(values.arch ?? "x86_64");
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs needs a positive integer, not '${values.jobs}'`);
  }
  const progress = values.json ? null : progressPrinter(process.stderr);
  let result;
  try {
    result = await buildApp(positionals[0], { arch, jobs, force: values.force, onProgress: progress?.update });
  } finally {
    progress?.end();
  }
  if (values.json) {
    console.log(JSON.stringify({ soPath: result.soPath, cached: result.cached, report: result.report }, null, 2));
  } else {
    process.stderr.write(`built ${relative(ROOT, result.soPath)}${result.cached ? " (cached)" : ""}\n`);
    process.stderr.write(formatReport(result.report, result.cached) + "\n");
  }
  return 0;
}

function parse(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        arch: { type: "string" }, jobs: { type: "string" }, force: { type: "boolean", default: false },
        json: { type: "boolean", default: false }, help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
}
