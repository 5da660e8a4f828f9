// Guards `wisp bench profile`'s counting (scripts/bench/profile) on a
// made-up boot of 43 instructions: QEMU's log lines that take an
// instruction back (a block stopped before it ran, an I/O instruction
// rerun, a page fault) are not counted; the boot stub's three stamps,
// recorded together later, and the kernel's own stamps are matched to the
// counter reads they recorded; the stages and their self and inclusive
// counts come out exact, and agree with the guest's stamps; a stage that
// disagrees is reported; the callers of a function are its outermost
// activations' callers.

import { describe, expect, it } from "vitest";
import { kernelFunctions } from "../../scripts/bench/profile/functions";
import { counterReadsIn } from "../../scripts/bench/profile/counter-reads";
import { faultEntries } from "../../scripts/bench/profile/faults";
import { BootProfiler } from "../../scripts/bench/profile/profiler";
import { stageProfile, stampReads } from "../../scripts/bench/profile/stages";
import { callerRows, functionRows } from "../../scripts/bench/profile/report";
import { TraceReader } from "../../scripts/bench/profile/trace";
import type { BootChart } from "../../scripts/bench/bootchart";

const symbol = (address: number, name: string) => `${address.toString(16).padStart(16)} ${address.toString(16).padStart(16)}        0     1                 ${name}`;

const MAP = [
  "             VMA              LMA     Size Align Out     In      Symbol",
  "               0                0     1000     1 . = IMAGE_BASE",
  "            1000             1000     1000    16 .text",
  "            1000             1000      100     1         /b/obj/boot.S.o:(.text.boot)",
  symbol(0x1000, "pvh_start"),
  symbol(0x1100, "wisp_enter_kernel"),
  symbol(0x1200, "w2c_kernel_kernel0x2Finit0x2Fkmain"),
  symbol(0x1300, "w2c_kernel_kernel0x2Fbootchart0x2FrecordStamp"),
  symbol(0x1400, "w2c_arch_timestamp"),
  symbol(0x1500, "w2c_kernel_kernel0x2Fmm0x2Falloc"),
  symbol(0x1600, "wisp_app_started"),
  symbol(0x1700, "vectors"),
  "            2000             2000      100    16 .rodata",
  symbol(0x2000, "some_table"),
].join("\n");

const OBJDUMP = `
    1000:      \trdtsc
    1002:      \tmovl\t%eax, 0x10
    1004:      \trdtsc
    1400:      \trdtsc
    1402:      \tretq
`;

const APP = 0x900000;
const trace = (pc: number) => `Trace 0: 0x7f0000000000 [0000000000000000/${pc.toString(16).padStart(16, "0")}/0040c2b0/ff020201] `;

/** The made-up boot as QEMU logs it: program counters, and the lines that take one back. */
const LOG = [
  ...[0x1000, 0x1002, 0x1004].map(trace),
  "cpu_io_recompile: rewound execution of TB to 0000000000001004", // the rdtsc runs again
  ...[0x1004, 0x1006, 0x1100, 0x1102, 0x1400].map(trace),
  "Stopped execution of TB chain before 0x7f0000000000 [0000000000001400]", // not run then
  ...[0x1400, 0x1402, 0x1104, 0x1106, 0x1200].map(trace),
  ...[0x1300, 0x1302, 0x1202, 0x1300, 0x1302, 0x1204, 0x1300, 0x1302, 0x1206].map(trace), // the stub's 3 stamps recorded
  ...[0x1500, 0x1502, 0x17e0, 0x17e2, 0x1502, 0x1504, 0x1208].map(trace), // alloc; 0x1502 faults (vector 14), then runs
  ...[0x1400, 0x1402, 0x120a, 0x1300, 0x1302, 0x120c, 0x1210].map(trace), // stamp("memory")
  ...[APP, APP + 2, 0x1600, 0x1602, 0x1400, 0x1402, 0x1604, 0x1300, 0x1302, 0x1606, APP + 4, APP + 6].map(trace), // the app starts
];

const CHART: BootChart = {
  hz: 1_000_000_000, source: "pit",
  stages: [
    { name: "first-instruction", ticks: 0 }, { name: "paging-on", ticks: 2 }, { name: "runtime-ready", ticks: 6 },
    { name: "memory", ticks: 26 }, { name: "app-start", ticks: 37 },
  ],
};

function profile(callersOf: string | null) {
  const functions = kernelFunctions(MAP, null);
  const profiler = new BootProfiler({
    functions, entry: functions.addressOf("pvh_start")!, lastCall: functions.addressOf("wisp_app_started")!,
    recordStamp: functions.names.indexOf("kernel/bootchart/recordStamp"), counterReads: counterReadsIn(OBJDUMP),
    callersOf: callersOf === null ? -1 : functions.names.indexOf(callersOf),
  });
  const reader = new TraceReader((pc) => void profiler.step(pc), faultEntries("x86_64", functions));
  for (const line of LOG) reader.push(line);
  reader.flush();
  return { functions, raw: profiler.finish(), takenBack: reader.takenBack };
}

const byName = (rows: Array<{ name: string; self: number; inclusive: number }>) =>
  Object.fromEntries(rows.map((row) => [row.name, [row.self, row.inclusive]]));

describe("wisp bench profile: counting a boot", () => {
  it("names functions from the link map and finds the counter reads", () => {
    const functions = kernelFunctions(MAP, null);
    expect(functions.names).toEqual([
      "<app.so>", "pvh_start", "wisp_enter_kernel", "kernel/init/kmain", "kernel/bootchart/recordStamp",
      "w2c_arch_timestamp", "kernel/mm/alloc", "wisp_app_started", "vectors",
    ]);
    expect(functions.names[functions.functionAt(0x1302)]).toBe("kernel/bootchart/recordStamp");
    expect(functions.functionAt(APP)).toBe(0);
    expect(functions.functionAt(0x2000)).toBe(0);
    expect([...counterReadsIn(OBJDUMP)]).toEqual([0x1000, 0x1004, 0x1400]);
    expect(counterReadsIn("40111040:      \tmrs\tx19, CNTVCT_EL0\n401425a4:      \tmsr\tCNTV_CVAL_EL0, x1")).toEqual(new Set([0x40111040]));
  });

  it("counts what ran, leaving out what QEMU took back, and stops when wisp_app_started returns to the app", () => {
    const { raw, takenBack } = profile(null);
    expect(takenBack).toBe(3);
    expect(raw.instructions).toBe(43);
    expect(raw.reachedEnd).toBe(true);
    expect(raw.reads).toEqual([0, 2, 6, 26, 37]);
    expect(raw.stampEntries).toEqual([11, 14, 17, 29, 40]);
  });

  it("matches stamps to counter reads: a run of recordStamp calls takes the latest reads before it, in order", () => {
    expect(stampReads([0, 2, 6, 26, 37], [11, 14, 17, 29, 40])).toEqual([0, 1, 2, 3, 4]);
    expect(stampReads([0, 5, 7, 9], [8, 10])).toEqual([2, 3]);
    expect(() => stampReads([0, 5], [6, 7, 8])).toThrow(/only 2 counter read/);
  });

  it("splits at the stamps with exact self and inclusive counts, and checks them against the guest", () => {
    const { functions, raw } = profile(null);
    const staged = stageProfile(raw, CHART);
    expect(staged.mismatches).toEqual([]);
    expect(staged.tolerance).toBe(0);
    expect(staged.stages.map((stage) => [stage.name, stage.instructions, stage.guest])).toEqual([
      ["paging-on", 2, 2], ["runtime-ready", 4, 4], ["memory", 20, 20], ["app-start", 11, 11],
    ]);
    expect([staged.before.instructions, staged.total.instructions, staged.total.guest, staged.after.instructions]).toEqual([0, 37, 37, 6]);
    expect(byName(functionRows(staged.stages[2].counts, functions.names))).toEqual({
      "pvh_start": [0, 20], "wisp_enter_kernel": [2, 20], "kernel/init/kmain": [5, 16], "kernel/bootchart/recordStamp": [6, 6],
      "w2c_arch_timestamp": [2, 2], "kernel/mm/alloc": [3, 5], "vectors": [2, 2],
    });
    expect(byName(functionRows(staged.stages[3].counts, functions.names))).toEqual({
      "pvh_start": [0, 11], "wisp_enter_kernel": [0, 11], "kernel/init/kmain": [3, 11], "kernel/bootchart/recordStamp": [2, 2],
      "w2c_arch_timestamp": [2, 2], "<app.so>": [2, 4], "wisp_app_started": [2, 2],
    });
    expect(functionRows(staged.total.counts, functions.names)[0]).toEqual({ name: "pvh_start", self: 4, inclusive: 37 });
  });

  it("reports a stage the guest's stamps disagree with", () => {
    const { raw } = profile(null);
    const wrong = { ...CHART, stages: CHART.stages.map((stage) => (stage.name === "memory" ? { ...stage, ticks: 25 } : stage)) };
    expect(stageProfile(raw, wrong).mismatches).toEqual([
      "memory: 20 instructions in the trace, 19 by the guest's stamps",
      "app-start: 11 instructions in the trace, 12 by the guest's stamps",
    ]);
    expect(() => stageProfile(raw, { ...CHART, stages: CHART.stages.slice(1) })).toThrow(/4 stamps but the trace shows 5/);
  });

  it("puts a function's instructions down to its callers", () => {
    const { functions, raw } = profile("kernel/bootchart/recordStamp");
    expect(callerRows(stageProfile(raw, CHART).total.counts, functions.names)).toEqual([{ caller: "kernel/init/kmain", instructions: 8, calls: 4 }]);
  });
});
