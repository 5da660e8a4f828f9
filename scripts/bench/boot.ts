// wisp bench boot: how long Wisp takes to boot, measured two ways in one run.
//
// In-guest: the kernel's boot stamps (counter readings from the first
// instruction), per stage, as median and p95 over the runs. With --icount,
// QEMU advances guest time by one nanosecond per instruction, so the stages
// become instruction counts (exact on x86_64, to 16 instructions on aarch64,
// whose counter ticks at 62.5 MHz) and every run gives the same numbers.
// Host wall time: spawn-to-exit of QEMU, reported as a ratio against an empty
// PVH (or aarch64) kernel that this command builds and boots interleaved with
// Wisp, so the machine's speed and load cancel out.

import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildKernel } from "../build";
import { ROOT } from "../build/files";
import { Arch, TARGETS, parseArch } from "../build/targets";
import { tool } from "../build/tools";
import { boot } from "../run";
import { chooseAccel } from "../run/accel";
import { defaultMachine, qemuCommand } from "../run/qemu";
import { UsageError } from "../cli/errors";
import { benchOptions } from "./args";
import { parseBootChart, ticksIn } from "./bootchart";
import { bootChartSvg } from "./bootchart-svg";
import { Summary, summarize } from "./stats";

const HELP = `usage: wisp bench boot [--runs N] [--json] [--icount] [--arch A] [--mem SIZE] [--svg FILE]

  --runs N     boots of each kernel (default 20)
  --json       print the results (and every raw sample) as JSON
  --icount     run QEMU with -icount shift=0,sleep=off: stages in instructions
  --arch A     x86_64 (default) or aarch64
  --mem SIZE   guest memory (default 64M)
  --svg FILE   also draw the median stages as a timeline (SVG), with the host
               wall times of Wisp and the empty kernel as reference bars`;

export async function buildEmptyKernel(arch: Arch): Promise<string> {
  const dir = join(ROOT, "build", "bench");
  mkdirSync(dir, { recursive: true });
  const object = join(dir, `empty-${arch}.o`);
  const elf = join(dir, `empty-${arch}.elf`);
  await tool("clang", [`--target=${TARGETS[arch].clangTarget}`, "-c", join(ROOT, `scripts/bench/empty/${arch}.S`), "-o", object]);
  await tool("ld.lld", ["-T", join(ROOT, `scripts/bench/empty/${arch}.ld`), "-nostdlib", "-static", "--build-id=none", "-o", elf, object]);
  return elf;
}

/** The first line of `program --version` (e.g. "QEMU emulator version 7.2.22 (...)"), or "unknown". */
export function qemuVersion(program: string): string {
  try {
    return execFileSync(program, ["--version"], { encoding: "utf8" }).split("\n")[0];
  } catch {
    return "unknown";
  }
}

export async function benchBoot(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    runs: { type: "string", default: "20" },
    json: { type: "boolean", default: false },
    icount: { type: "boolean", default: false },
    arch: { type: "string", default: "x86_64" },
    mem: { type: "string", default: "64M" },
    svg: { type: "string" },
  }, HELP);
  if (values === null) return 0;
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs needs a whole number of at least 1, not '${values.runs}'`);
  const arch = parseArch(values.arch);
  const machine = defaultMachine(arch);
  const accel = chooseAccel("tcg", arch).accel;
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const kernel = (await buildKernel({ arch, log })).elf;
  const empty = await buildEmptyKernel(arch);
  const common = { arch, memory: values.mem, accel, machine, icount: values.icount };
  const wispCommand = qemuCommand({ ...common, kernel, cmdline: "bootchart quiet" });
  const emptyCommand = qemuCommand({ ...common, kernel: empty, cmdline: "" });

  const wispWall: number[] = [];
  const emptyWall: number[] = [];
  const stageTicks = new Map<string, number[]>();
  let hz = 0;
  let source = "";
  const once = async (command: string[], what: string) => {
    const run = await boot(command, { timeout: 60, stream: false });
    if (run.outcome.kind !== "status" || run.outcome.status !== 0) {
      throw new Error(`${what} did not boot cleanly (${JSON.stringify(run.outcome)}):\n${run.output}${run.qemuErrors}`);
    }
    return run;
  };
  await once(wispCommand, "Wisp");
  await once(emptyCommand, "the empty kernel");
  for (let i = 0; i < runs; i++) {
    // Alternate the order so neither kernel always runs on a warmer machine.
    const pair = i % 2 ? [["empty", emptyCommand], ["wisp", wispCommand]] : [["wisp", wispCommand], ["empty", emptyCommand]];
    for (const [which, command] of pair as [string, string[]][]) {
      const run = await once(command, which === "wisp" ? "Wisp" : "the empty kernel");
      if (which === "empty") {
        emptyWall.push(run.wallMs);
        continue;
      }
      wispWall.push(run.wallMs);
      const chart = parseBootChart(run.output);
      if (!chart) throw new Error(`Wisp printed no boot chart:\n${run.output}`);
      hz = chart.hz;
      source = chart.source;
      for (const stage of chart.stages) stageTicks.set(stage.name, [...(stageTicks.get(stage.name) ?? []), stage.ticks]);
    }
  }

  const unit = values.icount ? "instructions" : "us";
  const toUnit = (ticks: number) => ticksIn(ticks, { hz, source }, values.icount as boolean);
  const names = [...stageTicks.keys()];
  const stages = names.map((name, index) => {
    const at = stageTicks.get(name)!.map(toUnit);
    const previous = index === 0 ? at.map(() => 0) : stageTicks.get(names[index - 1])!.map(toUnit);
    return { name, at: summarize(at), step: summarize(at.map((value, run) => value - previous[run])) };
  });
  const wisp = summarize(wispWall);
  const reference = summarize(emptyWall);
  const result = {
    benchmark: "boot",
    arch,
    machine,
    accel,
    icount: values.icount,
    memory: values.mem,
    runs,
    qemu: qemuVersion(wispCommand[0]),
    counter: { hz, source },
    unit,
    stages,
    hostWallMs: { wisp, empty: reference, ratio: wisp.median / reference.median },
    raw: { wispWallMs: wispWall, emptyWallMs: emptyWall, stageTicks: Object.fromEntries(stageTicks) },
  };
  if (values.svg !== undefined) {
    writeFileSync(values.svg as string, bootChartSvg({
      title: `Wisp boot, ${arch} ${machine}, ${values.mem}: median of ${runs} boots${values.icount ? " (-icount)" : ""}`,
      unit: values.icount ? "instructions" : "µs",
      stages: stages.map((stage) => ({ name: stage.name, at: stage.at.median })),
      references: { unit: "ms of host wall time, QEMU spawn to exit, median", bars: [{ label: "wisp", value: wisp.median }, { label: "empty kernel", value: reference.median }] },
    }));
    log(`boot chart drawn in ${values.svg}`);
  }
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  printReport(result.stages, unit, wisp, reference, runs);
  return 0;
}

function printReport(stages: { name: string; at: Summary; step: Summary }[], unit: string, wisp: Summary, empty: Summary, runs: number): void {
  const digits = unit === "us" ? 1 : 0;
  console.log(`in-guest stages over ${runs} boots (${unit} from the first instruction)`);
  console.log(`  ${"stage".padEnd(20)} ${"median".padStart(12)} ${"p95".padStart(12)} ${"step median".padStart(12)}`);
  for (const stage of stages) {
    console.log(`  ${stage.name.padEnd(20)} ${stage.at.median.toFixed(digits).padStart(12)} ${stage.at.p95.toFixed(digits).padStart(12)} ${stage.step.median.toFixed(digits).padStart(12)}`);
  }
  console.log("host wall time, QEMU spawn to exit (ms)");
  console.log(`  wisp   median ${wisp.median.toFixed(1)}  p95 ${wisp.p95.toFixed(1)}`);
  console.log(`  empty  median ${empty.median.toFixed(1)}  p95 ${empty.p95.toFixed(1)}`);
  console.log(`  ratio  ${(wisp.median / empty.median).toFixed(3)} (wisp / empty kernel, medians)`);
}
