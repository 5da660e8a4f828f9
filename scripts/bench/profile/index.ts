// wisp bench profile: where a boot's instructions go, from the kernel's
// first instruction to the app's _start, per boot stage and per function,
// exactly and the same on every run.
//
// One boot under -icount shift=0 with QEMU logging every instruction it
// runs (boot-setup.ts, trace.ts); the program counters named by the link
// map of the kernel booted (functions.ts) and counted with an inferred
// call stack (profiler.ts); split at the guest's own boot stamps and
// checked against them (stages.ts). The log lives in a temporary
// directory, deleted at the end.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArch } from "../../build/targets";
import { readWasmModule } from "../../app/wasm-module";
import { UsageError } from "../../cli/errors";
import { benchArguments, wholeNumber } from "../args";
import { qemuVersion } from "../boot";
import { MEMORY, profiledBoot } from "./boot-setup";
import { counterReads } from "./counter-reads";
import { faultEntries } from "./faults";
import { kernelFunctions } from "./functions";
import { BootProfiler } from "./profiler";
import { callerRows, printProfile, stageReport } from "./report";
import { bootTraced, readTrace } from "./run-trace";
import { stageProfile } from "./stages";

const HELP = `usage: wisp bench profile [--json] [--arch A] [--mem SIZE] [--top N] [--image M,...] [--callers FUNC] [APP.wasm]

Boots once with QEMU logging every guest instruction (-icount shift=0,
-singlestep, -d exec,nochain) and counts them from the kernel's first
instruction (x86_64: pvh_start, aarch64: _start; firmware before it is not
counted) to the return from wisp_app_started (which takes the app-start
stamp) to the app, which then calls its _start. Without an app the count
runs to power-off.

The stages are the guest's boot stamps (its bootchart-raw line): a stage
named after a stamp runs from the previous stamp's counter read to its own.
Each stage's count is checked against the guest's stamp difference (exact
on x86_64, to 16 instructions on aarch64); a mismatch is printed as CHECK
FAILED and the exit status is 1. The boot chart printed after the last
stamp, and on aarch64 the instruction before the first stamp, are counted
apart from the stages.

Functions are named from the kernel's link map (AssemblyScript paths for
the kernel's wasm code, C and assembly names otherwise); <app.so> is all
code outside the kernel's .text. Self: instructions in the function;
inclusive: instructions while it is on the call stack, which is inferred
from the program counters (a jump to a function's first address is a call,
landing inside a function on the stack a return to it): tail calls count
as calls, inlined functions as part of their caller.

  --json         print everything as JSON: every function of every stage
                 (name, self, inclusive), the total, the stamps and the check
  --arch A       x86_64 (default) or aarch64
  --mem SIZE     guest RAM, as QEMU's -m takes it (default 64M): what the
                 stages that grow with RAM cost at 2G
  --top N        functions listed per stage (default 10)
  --image M,...  boot an image of these modules (default: hello-c)
  --callers FUNC also list which callers FUNC's inclusive instructions come
                 from (the caller of its outermost call), with call counts
  APP.wasm       profile this app instead of an image`;

/** The options and the app, or null after printing the help. */
function parseOptions(argv: string[]) {
  return benchArguments(argv, {
    json: { type: "boolean", default: false },
    arch: { type: "string", default: "x86_64" },
    mem: { type: "string", default: MEMORY },
    top: { type: "string", default: "10" },
    image: { type: "string" },
    callers: { type: "string" },
  }, HELP);
}

export async function benchProfile(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options === null) return 0;
  const { values, positionals: apps } = options;
  if (apps.length > 1) throw new UsageError(`give one APP.wasm, not ${apps.join(" ")}`);
  if (apps.length === 1 && values.image !== undefined) throw new UsageError("an app brings its own image: drop --image");
  const arch = parseArch(values.arch);
  if (!/^\d+[KMG]?$/i.test(values.mem)) throw new UsageError(`--mem takes a size such as 64M or 2G, not '${values.mem}'`);
  const top = wholeNumber(values.top, "top", 1, 100_000);
  const image = (values.image ?? "hello-c").split(",").map((name) => name.trim()).filter(Boolean);
  if (image.length === 0) throw new UsageError("--image needs a comma-separated list of modules");
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const work = mkdtempSync(join(tmpdir(), "wisp-profile-"));
  try {
    const setup = await profiledBoot(arch, image, apps[0], work, log, values.mem);
    const functions = kernelFunctions(readFileSync(setup.map, "utf8"), readWasmModule(readFileSync(setup.wasm)));
    const entrySymbol = arch === "x86_64" ? "pvh_start" : "_start";
    const entry = functions.addressOf(entrySymbol);
    const recordStamp = functions.names.indexOf("kernel/bootchart/recordStamp");
    if (entry === undefined || recordStamp < 0) throw new Error(`the link map has no ${entry === undefined ? entrySymbol : "kernel/bootchart/recordStamp"}`);
    const callersOf = values.callers === undefined ? -1 : functions.names.indexOf(values.callers);
    if (values.callers !== undefined && callersOf < 0) throw new UsageError(`--callers: the kernel has no function ${values.callers}`);
    const lastCall = setup.runsApp ? functions.addressOf("wisp_app_started") ?? null : null;
    if (setup.runsApp && lastCall === null) throw new Error("the link map has no wisp_app_started");

    log(`profile: booting ${setup.what} on ${arch} with every instruction logged`);
    const { chart } = await bootTraced(setup);
    const profiler = new BootProfiler({ functions, entry, lastCall, recordStamp, counterReads: counterReads(setup.elf), callersOf });
    const takenBack = await readTrace(setup.trace, profiler, faultEntries(arch, functions));
    const raw = profiler.finish();
    if (!raw.started) throw new Error(`the trace never reached ${entrySymbol}`);
    if (setup.runsApp && !raw.reachedEnd) throw new Error("the trace ended before the app's _start (wisp_app_started returning to the app)");
    const staged = stageProfile(raw, chart);

    const names = functions.names;
    const afterWhat = setup.runsApp
      ? `after ${chart.stages.at(-1)!.name}, until wisp_app_started returns to the app's _start: the boot chart printed`
      : `after ${chart.stages.at(-1)!.name}, to power-off`;
    const report = {
      benchmark: "profile",
      arch,
      machine: setup.machine,
      memory: values.mem,
      boot: setup.what,
      qemu: qemuVersion(setup.command[0]),
      countedFrom: entrySymbol,
      countedTo: setup.runsApp ? "the return from wisp_app_started to the app" : "power-off",
      instructions: raw.instructions,
      bootchart: { hz: chart.hz, source: chart.source, stamps: chart.stages },
      check: { ok: staged.mismatches.length === 0, tolerance: staged.tolerance, mismatches: staged.mismatches, logLinesTakenBack: takenBack },
      total: stageReport(staged.total, names),
      stages: staged.stages.map((stage) => stageReport(stage, names)),
      before: stageReport(staged.before, names),
      after: { ...stageReport(staged.after, names), name: afterWhat },
      callers: callersOf < 0 ? null : { name: values.callers!, rows: callerRows(staged.total.counts, names) },
    };
    if (values.json) console.log(JSON.stringify(report, null, 2));
    else {
      printProfile({
        title: `${arch} ${setup.machine}, ${values.mem}, ${setup.what}: ${report.total.instructions.toLocaleString("en-US")} instructions from ${chart.stages[0].name} (${entrySymbol}) to ${chart.stages.at(-1)!.name}, ${report.qemu.replace(/^QEMU emulator version (\S+).*/, "QEMU $1")}`,
        profile: staged, stages: report.stages, total: report.total, before: report.before, after: report.after, afterWhat, callers: report.callers, top,
        firstSeen: new Map(names.map((name, id) => [name, raw.firstSeen[id]])),
      });
    }
    if (staged.mismatches.length > 0) {
      process.stderr.write(`wisp bench profile: the trace disagrees with the guest's own stamps:\n${staged.mismatches.map((m) => `  ${m}\n`).join("")}`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
