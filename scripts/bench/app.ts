// wisp bench app: what running an app costs, in one run.
//
//   hello     modules/hello-c booted as `wisp run` boots an app: host wall
//             time from QEMU's spawn to its exit, as a ratio against the
//             empty kernel booted interleaved with it; in-guest time from the
//             first instruction to the app's _start (the app-start stamp:
//             instructions under --icount, else microseconds); the image's
//             size (kernel.elf + the app image); the smallest --mem that runs
//             it (bisection).
//   compute   test/apps/compute/compute.c natively, under Node's WASI, and as
//             Wisp's AOT output in a host process (scripts/bench/app/
//             compute.ts): the speed of the generated code itself. Its time in
//             a TCG guest is reported beside the empty kernel's boot ratio
//             only: under TCG a guest's speed measures QEMU.
//   cpu suite the CPU kernels of test/apps/cpu/ the same four ways, round-
//             robin (scripts/bench/app/cpu-suite.ts): per-kernel medians and
//             ratios, their geometric means, and the targets (geomean
//             wisp_aot/native <= 1.10, wisp_aot faster than node everywhere).
//   large     a generated module of --large-mib MiB of code: build-app's
//             wall and CPU time and peak memory, and its exec -> _start time
//             in the guest (scripts/bench/app/large.ts).

import { statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { buildKernel } from "../build";
import { ROOT } from "../build/files";
import { parseArch } from "../build/targets";
import { boot } from "../run";
import { chooseAccel } from "../run/accel";
import { defaultMachine, qemuCommand } from "../run/qemu";
import { prepareAppImage } from "../run/app";
import { writeModuleImage } from "../modules/write";
import { kernelWithRoot } from "../run/linked-image";
import { benchOptions, wholeNumber } from "./args";
import { bootApp } from "./app-boot";
import { parseBootChart } from "./bootchart";
import { buildEmptyKernel } from "./boot";
import { findMinimumMemory } from "./min-memory";
import { summarize } from "./stats";
import { runComputeBench } from "./app/compute";
import { cpuKernels, formatCpuSuite, runCpuSuite, unknownKernelsMessage, CpuSuiteResult } from "./app/cpu-suite";
import { UsageError } from "../cli/errors";
import { runLargeModuleBench, printLargeModuleRow, LargeModuleRow } from "./app/large";
import { wasiClangEnv } from "../build/tools";

const HELP = `usage: wisp bench app [--runs N] [--json] [--icount] [--arch A] [--compute-size N] [--no-compute]
                      [--no-cpu-suite] [--cpu-runs N] [--cpu-size N] [--cpu-kernels a,b,c]
                      [--large-mib N] [--no-large]

  --runs N            boots of the hello app and of the empty kernel (default 10)
  --json              print the results and raw samples as JSON
  --icount            -icount shift=0,sleep=off: in-guest times in instructions
  --arch A            x86_64 (default) or aarch64
  --compute-size N    size argument of the compute program (default 1, about 1 s natively)
  --compute-runs N    runs of each compute variant (default 3)
  --no-compute        skip the compute comparison
  --no-cpu-suite      skip the CPU suite (the kernels of test/apps/cpu/, each run
                      natively, under Node's WASI and as Wisp's AOT code, x86_64)
  --cpu-runs N        round-robin runs of the CPU suite (default 3)
  --cpu-size N        size argument of every CPU kernel (default 1, 0.2-0.4 s each
                      natively; fractions such as 0.05 for quick runs)
  --cpu-kernels a,b   only these CPU kernels (default: all; a kernel is a file of
                      test/apps/cpu/, named without .c)
  --large-mib N       MiB of code in the generated large module (default 30;
                      compiling 30 MiB takes about 1,000 CPU seconds, once:
                      the app.so is cached by content)
  --no-large          skip the large module`;

const TARGET_RATIO = 1.15;
const TARGET_IMAGE_BYTES = 512 * 1024;
const TARGET_MEMORY_KIB = 2048;

export async function benchApp(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    runs: { type: "string", default: "10" },
    json: { type: "boolean", default: false },
    icount: { type: "boolean", default: false },
    arch: { type: "string", default: "x86_64" },
    "compute-size": { type: "string", default: "1" },
    "compute-runs": { type: "string", default: "3" },
    "no-compute": { type: "boolean", default: false },
    "no-cpu-suite": { type: "boolean", default: false },
    "cpu-runs": { type: "string", default: "3" },
    "cpu-size": { type: "string", default: "1" },
    "cpu-kernels": { type: "string" },
    "large-mib": { type: "string", default: "30" },
    "no-large": { type: "boolean", default: false },
  }, HELP);
  if (values === null) return 0;
  const runs = wholeNumber(values.runs, "runs", 1, 1000);
  const cpuSuite = values["no-cpu-suite"] ? null : cpuSuiteOptions(values["cpu-runs"], values["cpu-size"], values["cpu-kernels"]);
  const arch = parseArch(values.arch);
  const machine = defaultMachine(arch);
  const accel = chooseAccel("tcg", arch).accel;
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const kernel = await buildKernel({ arch, log });
  const hello = await writeModuleImage(["hello-c"], arch);
  const helloBoot = kernelWithRoot(arch, kernel.elf, hello.path);
  const empty = await buildEmptyKernel(arch);
  const common = { arch, accel, machine, icount: values.icount, memory: "64M" };
  const helloOptions = { ...common, ...helloBoot, rng: true, cmdline: "console=streams quiet bootchart" };
  const helloCommand = qemuCommand(helloOptions);
  const emptyCommand = qemuCommand({ ...common, kernel: empty, cmdline: "" });

  const appRun = async () => {
    const { run, kernel: kernelText, stdout, status } = await bootApp(helloCommand, 60);
    if (run.outcome.kind !== "status" || status !== 0 || !stdout.includes("Hello from Wisp!")) {
      throw new Error(`the hello app did not run cleanly (${JSON.stringify(run.outcome)}):\n${kernelText}${stdout}${run.qemuErrors}`);
    }
    return { wallMs: run.wallMs, chart: parseBootChart(kernelText) };
  };
  const emptyRun = async () => {
    const run = await boot(emptyCommand, { timeout: 60, stream: false });
    if (run.outcome.kind !== "status" || run.outcome.status !== 0) throw new Error(`the empty kernel did not boot (${JSON.stringify(run.outcome)})`);
    return run.wallMs;
  };

  log(`hello app: ${runs} boots, interleaved with the empty kernel`);
  await appRun();
  await emptyRun();
  const helloWall: number[] = [];
  const emptyWall: number[] = [];
  const startTicks: number[] = [];
  let hz = 0;
  let source = "";
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? ["empty", "hello"] : ["hello", "empty"];
    for (const which of order) {
      if (which === "empty") {
        emptyWall.push(await emptyRun());
        continue;
      }
      const run = await appRun();
      helloWall.push(run.wallMs);
      const stage = run.chart?.stages.find((candidate) => candidate.name === "app-start");
      if (!run.chart || !stage) throw new Error("the hello app's boot chart has no app-start stamp");
      hz = run.chart.hz;
      source = run.chart.source;
      startTicks.push(stage.ticks);
    }
  }
  const instructionsPerTick = source === "arch" ? 1e9 / hz : 1;
  const toStart = startTicks.map((ticks) => (values.icount ? Math.round(ticks * instructionsPerTick) : (ticks / hz) * 1e6));

  log("hello app: smallest memory");
  const minimum = await findMinimumMemory(helloOptions, 1024, 8192, 64);
  const imageBytes = statSync(kernel.elf).size + hello.image.stats.bytes;

  const helloResult = {
    hostWallMs: { hello: summarize(helloWall), empty: summarize(emptyWall), ratio: summarize(helloWall).median / summarize(emptyWall).median, target: TARGET_RATIO },
    toStart: { unit: values.icount ? "instructions" : "us", ...summarize(toStart) },
    imageBytes: { kernelElf: statSync(kernel.elf).size, appImage: hello.image.stats.bytes, total: imageBytes, target: TARGET_IMAGE_BYTES },
    minimumMemoryKib: { kib: minimum.kib, target: TARGET_MEMORY_KIB, probes: minimum.probes },
  };

  let compute: unknown = null;
  if (!values["no-compute"] && arch === "x86_64") {
    const size = wholeNumber(values["compute-size"], "compute-size", 1, 100);
    log(`compute: native, Node's WASI and Wisp's AOT output (size ${size})`);
    const host = await runComputeBench({ size, runs: wholeNumber(values["compute-runs"], "compute-runs", 1, 50) });
    log("compute: in a TCG guest");
    const inGuest = await computeInGuest(arch, kernel.elf, size);
    compute = {
      ...host,
      targets: { wispAotVsNative: TARGET_RATIO, wispAotFasterThanNode: true },
      inTcgGuest: { elapsedMs: inGuest, note: "QEMU TCG speed, not Wisp's: compare only with the empty kernel's boot ratio above" },
    };
  }

  let cpu_suite: CpuSuiteResult | null = null;
  if (cpuSuite && arch === "x86_64") {
    log(`cpu suite: ${cpuSuite.kernels?.length ?? cpuKernels().length} kernels, ${cpuSuite.runs} runs each way (size ${cpuSuite.size})`);
    cpu_suite = await runCpuSuite({ ...cpuSuite, log });
  }

  let large: LargeModuleRow | null = null;
  if (!values["no-large"]) {
    const mib = wholeNumber(values["large-mib"], "large-mib", 1, 256);
    large = await runLargeModuleBench({ arch, mib, icount: values.icount, kernelElf: kernel.elf, log });
  }

  const result = {
    benchmark: "app", arch, machine, accel, icount: values.icount, runs,
    hello: helloResult,
    compute,
    cpu_suite,
    large,
    raw: { helloWallMs: helloWall, emptyWallMs: emptyWall, appStartTicks: startTicks, counter: { hz, source } },
  };
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else printReport(result);
  return 0;
}

/** The CPU suite's options, checked before anything is built. */
function cpuSuiteOptions(runsText: string, sizeText: string, kernelsText: string | undefined) {
  const runs = wholeNumber(runsText, "cpu-runs", 1, 50);
  const size = Number(sizeText);
  if (!Number.isFinite(size) || size <= 0 || size > 100) throw new UsageError(`--cpu-size needs a number above 0 and at most 100, not '${sizeText}'`);
  let kernels: string[] | undefined;
  if (kernelsText !== undefined) {
    kernels = kernelsText.split(",").map((name) => name.trim()).filter(Boolean);
    if (kernels.length === 0) throw new UsageError("--cpu-kernels needs at least one kernel name");
    const unknown = unknownKernelsMessage(kernels);
    if (unknown) throw new UsageError(`--cpu-kernels: ${unknown}`);
  }
  return { runs, size, kernels };
}

/** compute.c's own elapsed_ms when run as a Wisp app under TCG. */
async function computeInGuest(arch: "x86_64" | "aarch64", kernel: string, size: number): Promise<number> {
  const wasm = join(ROOT, "build", "bench", "app", "compute-guest.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", join(ROOT, "test/apps/compute/compute.c"), "-o", wasm], { env: wasiClangEnv() });
  const image = await prepareAppImage({ wasm, arch, args: [String(size)], env: [], dirs: [] });
  const command = qemuCommand({
    arch, accel: "tcg", machine: defaultMachine(arch), memory: "256M", rng: true, ...kernelWithRoot(arch, kernel, image.path),
    cmdline: "console=streams quiet",
  });
  const { stdout } = await bootApp(command, 600);
  const match = /elapsed_ms\D+([\d.]+)/.exec(stdout);
  if (!match) throw new Error(`compute printed no elapsed_ms in the guest:\n${stdout}`);
  return Number(match[1]);
}

function printReport(result: { hello: any; compute: any; cpu_suite: CpuSuiteResult | null; large: LargeModuleRow | null }): void {
  const hello = result.hello;
  console.log("hello app (modules/hello-c)");
  console.log(`  host wall, spawn to exit   median ${hello.hostWallMs.hello.median.toFixed(1)} ms, empty kernel ${hello.hostWallMs.empty.median.toFixed(1)} ms, ratio ${hello.hostWallMs.ratio.toFixed(3)} (target <= ${TARGET_RATIO})`);
  console.log(`  first instruction -> _start median ${hello.toStart.median.toFixed(hello.toStart.unit === "us" ? 1 : 0)} ${hello.toStart.unit}`);
  console.log(`  image                      ${hello.imageBytes.total} bytes (kernel.elf ${hello.imageBytes.kernelElf} + image ${hello.imageBytes.appImage}; target <= ${TARGET_IMAGE_BYTES})`);
  console.log(`  smallest --mem             ${hello.minimumMemoryKib.kib} KiB (target ${TARGET_MEMORY_KIB})`);
  if (result.compute) {
    const c = result.compute;
    console.log("compute (test/apps/compute/compute.c)");
    console.log(`  native ${c.native_ms} ms, node ${c.node_ms} ms, wisp AOT ${c.wisp_aot_ms} ms (host libc), ${c.wisp_aot_kernel_libc_ms} ms (the kernel's libc, as in the guest)`);
    console.log(`  wisp AOT / native ${c.ratios.wisp_aot_vs_native.toFixed(3)} (target <= ${TARGET_RATIO}), with the kernel's libc ${c.ratios.wisp_aot_kernel_libc_vs_native.toFixed(3)}, wisp AOT / node ${c.ratios.wisp_aot_vs_node.toFixed(3)} (target < 1)`);
    console.log(`  in a TCG guest ${c.inTcgGuest.elapsedMs} ms (QEMU's speed, not Wisp's)`);
  }
  if (result.cpu_suite) {
    console.log(`cpu suite (test/apps/cpu/, medians of ${result.cpu_suite.runs} runs, size ${result.cpu_suite.size})`);
    for (const line of formatCpuSuite(result.cpu_suite)) console.log(`  ${line}`);
  }
  if (result.large) printLargeModuleRow(result.large);
}
