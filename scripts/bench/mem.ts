// wisp bench mem: how little memory Wisp needs, and what its allocator costs.
//
//   minimum      per architecture, the smallest -m with which the demo boot
//                (banner, power-off with status 0) still works, found by
//                bisection, and what the pages are used for at that size;
//   efficiency   bytes requested / bytes consumed per malloc size class
//                (8 B..8 KiB), on the kernel's allocator code loaded in Node;
//   native       malloc/free cost of the allocator's AOT output (wasm2c +
//                clang -O2, the kernel's code shape) beside glibc, one process;
//   guest        instructions per malloc/free pair in the kernel itself,
//                under QEMU's -icount (deterministic).

import { buildKernel, parseProfile } from "../build";
import { ARCHES, Arch, parseArch } from "../build/targets";
import { chooseAccel } from "../run/accel";
import { minimumMemoryKib } from "../run/image-extent";
import { defaultMachine } from "../run/qemu";
import { UsageError } from "../cli/errors";
import { benchOptions } from "./args";
import { findMinimumMemory } from "./min-memory";
import { measureEfficiency } from "./alloc/efficiency";
import { nativeBenchmark } from "./alloc/compile";
import { boot } from "../run";
import { qemuCommand } from "../run/qemu";
import { parseBootChart } from "./bootchart";
import { execFileSync } from "node:child_process";

const GUEST_PAIRS = 10_000;
const NATIVE_PAIRS = 2_000_000;

interface NativeResult {
  pattern: string;
  size: number;
  wispNsPerOp: number;
  glibcNsPerOp: number;
  ratio: number;
}

async function measureNative(): Promise<NativeResult[]> {
  const exe = await nativeBenchmark();
  const output = execFileSync(exe, [String(NATIVE_PAIRS)], { encoding: "utf8" });
  return output.trim().split("\n").map((line) => {
    const result = JSON.parse(line) as Omit<NativeResult, "ratio">;
    return { ...result, ratio: result.wispNsPerOp / result.glibcNsPerOp };
  });
}

/** Instructions per malloc/free pair in the guest, per size, under -icount. */
async function measureGuest(arch: Arch, kernel: string): Promise<{ size: number; instructionsPerPair: number }[]> {
  const command = qemuCommand({
    arch, kernel, memory: "64M", accel: "tcg", machine: defaultMachine(arch), icount: true,
    cmdline: `quiet bootchart malloc-bench=${GUEST_PAIRS}`,
  });
  const run = await boot(command, { timeout: 120, stream: false });
  const chart = parseBootChart(run.output);
  if (run.outcome.kind !== "status" || run.outcome.status !== 0 || !chart) {
    throw new Error(`the in-guest malloc benchmark failed on ${arch}:\n${run.output}${run.qemuErrors}`);
  }
  // Under -icount shift=0 the x86 TSC counts instructions; a counter with a stated frequency counts hz/1e9 per instruction.
  const perTick = chart.source === "arch" ? 1e9 / chart.hz : 1;
  return run.output.split("\n").filter((line) => line.startsWith("malloc-bench-raw ")).map((line) => {
    const fields = Object.fromEntries(line.split(" ").slice(1).map((field) => {
      const [key, value] = field.split("=");
      return [key, Number(value)];
    }));
    return { size: fields.size, instructionsPerPair: Math.round((fields.ticks * perTick) / fields.pairs) };
  });
}

const HELP = `usage: wisp bench mem [--json] [--arch A|all] [--step KIB]

  --json       print the results as JSON
  --arch A     x86_64, aarch64 or all (default all)
  --step KIB   bisection granularity in KiB (default 64)`;

export async function benchMem(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    json: { type: "boolean", default: false },
    arch: { type: "string", default: "all" },
    step: { type: "string", default: "64" },
  }, HELP);
  if (values === null) return 0;
  const step = Number(values.step);
  if (!Number.isInteger(step) || step < 4 || step % 4 !== 0) throw new UsageError(`--step needs a multiple of 4 KiB, not '${values.step}'`);
  const arches: Arch[] = values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const minimum = [];
  const guest = [];
  for (const arch of arches) {
    const kernel = (await buildKernel({ arch, profile: parseProfile("test"), log })).elf;
    const floor = minimumMemoryKib(kernel, arch, 0);
    const options = { arch, kernel, accel: chooseAccel("tcg", arch).accel, machine: defaultMachine(arch), cmdline: "" };
    const found = await findMinimumMemory(options, floor, 64 * 1024, step);
    minimum.push({ arch, machine: options.machine, minimumKib: found.kib, imageFloorKib: floor, pages: found.pages, probes: found.probes });
    guest.push({ arch, pairs: GUEST_PAIRS, sizes: await measureGuest(arch, kernel) });
  }
  const efficiency = await measureEfficiency();
  const native = await measureNative();
  if (values.json) {
    console.log(JSON.stringify({ benchmark: "mem", stepKib: step, minimum, efficiency, native, guest }, null, 2));
    return 0;
  }
  console.log("smallest RAM that boots the demo");
  for (const result of minimum) {
    console.log(`  ${result.arch} (${result.machine}): ${result.minimumKib} KiB (${(result.minimumKib / 1024).toFixed(2)} MiB); the image alone reaches ${result.imageFloorKib} KiB into RAM`);
    const described = Object.entries(result.pages).filter(([, count]) => count > 0);
    console.log(`    pages at that size: ${described.map(([name, count]) => `${name} ${count}`).join(", ")}`);
  }
  console.log("space efficiency per size class (requested / consumed): exact-size requests, and one byte above the previous class");
  const upTo4k = efficiency.filter((entry) => entry.classSize <= 4096);
  console.log(`  lowest up to 4 KiB: exact ${Math.min(...upTo4k.map((e) => e.exact)).toFixed(3)}, worst rounding above 64 B ${Math.min(...upTo4k.filter((e) => e.classSize > 64).map((e) => e.worst)).toFixed(3)}`);
  for (const entry of efficiency) console.log(`  ${String(entry.classSize).padStart(5)} B  exact ${entry.exact.toFixed(3)}  from ${String(entry.worstRequest).padStart(5)} B ${entry.worst.toFixed(3)}`);
  console.log("native malloc/free (ns per operation; ratio = wisp / glibc)");
  for (const entry of native) console.log(`  ${entry.pattern.padEnd(6)} ${String(entry.size || "mixed").padStart(6)}  wisp ${entry.wispNsPerOp.toFixed(1)}  glibc ${entry.glibcNsPerOp.toFixed(1)}  ratio ${entry.ratio.toFixed(2)}`);
  console.log(`in-guest instructions per malloc/free pair (-icount, ${GUEST_PAIRS} pairs)`);
  for (const entry of guest) console.log(`  ${entry.arch}: ${entry.sizes.map((s) => `${s.size} B ${s.instructionsPerPair}`).join(", ")}`);
  return 0;
}
