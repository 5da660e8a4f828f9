// wisp bench sched: what threads and timers cost inside the guest.
//
// The kernel runs its scheduler benchmark (sched-bench=N, kernel/sched/
// bench.ts) and prints counter ticks per part. Two boots per architecture
// and profile:
//   icount  QEMU -icount shift=0,sleep=off: guest time is instruction count,
//           so each part is an exact, repeatable number of instructions;
//   wall    plain TCG: nanoseconds per operation, reported beside the same
//           loop without a switch (yield with nothing else ready) as a
//           ratio, because absolute guest speed under TCG measures QEMU.

import { buildKernel, parseProfile, withTests } from "../build";
import { ARCHES, Arch, parseArch } from "../build/targets";
import { boot } from "../run";
import { defaultMachine, qemuCommand } from "../run/qemu";
import { UsageError } from "../cli/errors";
import { benchOptions, wholeNumber } from "./args";
import { parseBootChart } from "./bootchart";

const DEFAULT_ROUNDS = 2000;
const BASELINE = "yield-alone";

interface Part {
  name: string;
  ops: number;
  /** Per operation: instructions (icount) or nanoseconds (wall). */
  perOp: number;
}

async function measure(arch: Arch, kernel: string, rounds: number, icount: boolean): Promise<Part[]> {
  const command = qemuCommand({
    arch, kernel, memory: "64M", accel: "tcg", machine: defaultMachine(arch), icount,
    cmdline: `quiet bootchart sched-bench=${rounds}`,
  });
  const run = await boot(command, { timeout: 300, stream: false });
  const chart = parseBootChart(run.output);
  if (run.outcome.kind !== "status" || run.outcome.status !== 0 || !chart) {
    throw new Error(`the in-guest scheduler benchmark failed on ${arch}:\n${run.output}${run.qemuErrors}`);
  }
  // Under -icount shift=0 the x86 TSC counts instructions; a counter with a
  // stated frequency (aarch64) counts hz/1e9 ticks per instruction.
  const unitPerTick = icount ? (chart.source === "arch" ? 1e9 / chart.hz : 1) : 1e9 / chart.hz;
  return run.output.split("\n").filter((line) => line.startsWith("sched-bench-raw ")).map((line) => {
    const fields = Object.fromEntries(line.trim().split(" ").slice(1).map((field) => field.split("=")));
    const ops = Number(fields.ops);
    return { name: fields.name, ops, perOp: (Number(fields.ticks) * unitPerTick) / ops };
  });
}

const HELP = `usage: wisp bench sched [--json] [--arch A|all] [--profile P|all] [--rounds N]

  --json        print the results as JSON
  --arch A      x86_64, aarch64 or all (default all)
  --profile P   default, cooperative or all (default all)
  --rounds N    operations per part (default ${DEFAULT_ROUNDS})`;

export async function benchSched(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    json: { type: "boolean", default: false },
    arch: { type: "string", default: "all" },
    profile: { type: "string", default: "all" },
    rounds: { type: "string", default: String(DEFAULT_ROUNDS) },
  }, HELP);
  if (values === null) return 0;
  const rounds = wholeNumber(values.rounds as string, "rounds", 1, 1_000_000);
  const arches: Arch[] = values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  // The scheduler's two builds; each kernel also carries the benchmark (the test profile).
  const profiles: string[] = values.profile === "all" ? ["default", "cooperative"] : [values.profile as string];
  for (const profile of profiles) parseProfile(profile);
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const results = [];
  for (const arch of arches) {
    for (const profile of profiles) {
      const kernel = (await buildKernel({ arch, profile: withTests(parseProfile(profile)), log })).elf;
      const instructions = await measure(arch, kernel, rounds, true);
      const wall = await measure(arch, kernel, rounds, false);
      const baseline = wall.find((part) => part.name === BASELINE)!.perOp;
      results.push({
        arch,
        machine: defaultMachine(arch),
        profile,
        rounds,
        parts: instructions.map((part) => {
          const timed = wall.find((other) => other.name === part.name)!;
          return {
            name: part.name,
            ops: part.ops,
            instructionsPerOp: Math.round(part.perOp),
            wallNsPerOp: Number(timed.perOp.toFixed(1)),
            ratioToNoSwitchLoop: Number((timed.perOp / baseline).toFixed(2)),
          };
        }),
      });
    }
  }
  if (values.json) {
    console.log(JSON.stringify({ benchmark: "sched", baseline: BASELINE, results }, null, 2));
    return 0;
  }
  for (const result of results) {
    console.log(`${result.arch} (${result.machine}), ${result.profile} profile, ${rounds} rounds`);
    console.log(`  ${"part".padEnd(18)} ${"instructions/op".padStart(16)} ${"TCG ns/op".padStart(10)} ${"ratio to no-switch loop".padStart(24)}`);
    for (const part of result.parts) {
      console.log(`  ${part.name.padEnd(18)} ${String(part.instructionsPerOp).padStart(16)} ${part.wallNsPerOp.toFixed(1).padStart(10)} ${part.ratioToNoSwitchLoop.toFixed(2).padStart(24)}`);
    }
  }
  return 0;
}
