// wisp bench numbers: the README's "Numbers" section, measured. Runs the
// benchmarks it quotes as separate `wisp` processes (their JSON is the
// contract): bench boot --icount at 64M and 2G and bench app with and
// without --icount on each architecture, and bench peers --markdown; then
// prints the section (markdown.ts) or writes it into a file between its
// markers.

import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../../build/files";
import { benchOptions, wholeNumber } from "../args";
import { qemuVersion } from "../boot";
import { ArchNumbers, numbersSection, replaceSection } from "./markdown";

const HELP = `usage: wisp bench numbers [--runs N] [--arch A|all] [--write FILE]

  --runs N      boots per measurement (default 5)
  --arch A      x86_64, aarch64 or all (default all)
  --write FILE  replace the numbers section of FILE (the README) instead of printing it

Runs wisp bench boot --icount (--mem 64M and 2G), wisp bench app (--icount for
instructions, without it for wall time) per architecture and wisp bench peers
--markdown, and makes the README's "Numbers" section from their output.`;

/** Runs `wisp ARGS` and returns its standard output; a failure names the command and its error output. */
function wisp(args: string[]): string {
  const run = spawnSync(process.execPath, [join(ROOT, "scripts/wisp.mjs"), ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`wisp ${args.join(" ")} failed (status ${run.status ?? run.signal}):\n${run.stderr.trim().split("\n").slice(-20).join("\n")}`);
  process.stderr.write(`  done: wisp ${args.join(" ")}\n`);
  return run.stdout;
}

function json(args: string[]): any {
  return JSON.parse(wisp([...args, "--json"]));
}

function kernelReady(report: any): number {
  const stage = report.stages.find((s: { name: string }) => s.name === "kernel-ready");
  if (stage === undefined || report.unit !== "instructions") throw new Error(`wisp bench boot gave no kernel-ready count in instructions (unit ${report.unit})`);
  return stage.at.median;
}

function measureArch(arch: string, runs: number): ArchNumbers {
  const common = ["--arch", arch, "--runs", String(runs)];
  const boot = json(["bench", "boot", "--icount", ...common]);
  const boot2G = json(["bench", "boot", "--icount", "--mem", "2G", ...common]);
  const counted = json(["bench", "app", "--icount", "--no-compute", "--no-cpu-suite", "--no-large", ...common]);
  const timed = json(["bench", "app", "--no-compute", "--no-cpu-suite", "--no-large", ...common]);
  return {
    arch,
    kernelReady: kernelReady(boot),
    kernelReady2G: kernelReady(boot2G),
    toStart: counted.hello.toStart.median,
    wallRatio: timed.hello.hostWallMs.ratio,
    imageBytes: timed.hello.imageBytes.total,
    minimumKib: timed.hello.minimumMemoryKib.kib,
  };
}

export async function benchNumbers(argv: string[]): Promise<number> {
  const values = benchOptions(argv, { runs: { type: "string", default: "5" }, arch: { type: "string", default: "all" }, write: { type: "string" } }, HELP);
  if (values === null) return 0;
  const runs = wholeNumber(values.runs as string, "runs", 1, 100);
  const arches = values.arch === "all" ? ["x86_64", "aarch64"] : [values.arch as string];
  for (const arch of arches) if (arch !== "x86_64" && arch !== "aarch64") throw new Error(`--arch needs x86_64, aarch64 or all, not '${arch}'`);
  const qemu = /version (\S+)/.exec(qemuVersion("qemu-system-x86_64"))?.[1] ?? "of unknown version";
  const section = numbersSection({
    context: `${new Date().toISOString().slice(0, 10)} with QEMU ${qemu} under TCG on ${cpus().length} CPUs`,
    runs,
    arches: arches.map((arch) => measureArch(arch, runs)),
    peers: wisp(["bench", "peers", "--markdown", "--runs", String(runs)]),
  });
  if (values.write === undefined) {
    console.log(section);
    return 0;
  }
  const file = values.write as string;
  writeFileSync(file, replaceSection(readFileSync(file, "utf8"), section));
  console.error(`wisp bench numbers: wrote the numbers section of ${file}`);
  return 0;
}
