// Boot tier (one traced boot of the hello app on x86_64): `wisp bench
// profile --json` counts every instruction from pvh_start to the app's
// _start; each stage's count equals the guest's own stamp difference
// exactly (-icount: the TSC counts instructions), as the tool's own check
// says; the stages add up to the app-start stamp; every stage's self
// counts add up to its instructions; and the kernel's functions are named
// by their AssemblyScript paths.

import { describe, expect, it } from "vitest";
import { wispAsync } from "./wisp-cli";

interface Stage {
  name: string;
  instructions: number;
  guest: number | null;
  functions: Array<{ name: string; self: number; inclusive: number }>;
}

describe("wisp bench profile", () => {
  it("accounts for the hello app's boot to _start, stage by stage as the guest's stamps say", async () => {
    const run = await wispAsync("bench", "profile", "--json", "--callers", "kernel/rt/index/__new");
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as {
      countedFrom: string;
      bootchart: { source: string; stamps: Array<{ name: string; ticks: number }> };
      check: { ok: boolean; tolerance: number; mismatches: string[] };
      total: Stage;
      stages: Stage[];
      before: Stage;
      callers: { rows: Array<{ caller: string; instructions: number; calls: number }> };
    };
    expect(report.countedFrom).toBe("pvh_start");
    expect(report.check).toMatchObject({ ok: true, tolerance: 0, mismatches: [] });
    const stamps = report.bootchart.stamps;
    expect(report.bootchart.source).not.toBe("arch"); // the TSC: one tick per instruction
    expect(report.stages.map((stage) => stage.name)).toEqual(stamps.slice(1).map((stamp) => stamp.name));
    report.stages.forEach((stage, i) => {
      expect(stage.instructions, stage.name).toBe(stamps[i + 1].ticks - stamps[i].ticks);
      expect(stage.guest, stage.name).toBe(stage.instructions);
      expect(stage.functions.reduce((sum, fn) => sum + fn.self, 0), stage.name).toBe(stage.instructions);
    });
    const appStart = stamps.find((stamp) => stamp.name === "app-start")!;
    expect(stamps.at(-1)).toBe(appStart);
    expect(report.total.instructions).toBe(appStart.ticks);
    expect(report.stages.reduce((sum, stage) => sum + stage.instructions, 0)).toBe(appStart.ticks);
    expect(report.before.instructions).toBe(0); // pvh_start's first instruction is the first stamp's rdtsc
    expect(report.total.functions[0]).toMatchObject({ name: "pvh_start", inclusive: appStart.ticks });
    const names = report.total.functions.map((fn) => fn.name);
    expect(names).toEqual(expect.arrayContaining(["kernel/init/x86_64/kmain", "kernel/bootchart/recordStamp", "<app.so>", "memcpy"]));
    const callers = report.callers.rows;
    expect(callers.length).toBeGreaterThan(1);
    const allocated = report.total.functions.find((fn) => fn.name === "kernel/rt/index/__new")!;
    expect(callers.reduce((sum, row) => sum + row.instructions, 0)).toBe(allocated.inclusive);
  }, 120_000);
});
