// The profile as data (every function of every stage, for --json) and as
// text: per stage its instructions beside the guest's own count, then the
// functions with the most inclusive instructions, with their self counts.

import type { Counts } from "./profiler";
import type { Stage, StagedProfile } from "./stages";

export interface FunctionRow {
  name: string;
  /** Instructions executed in the function itself. */
  self: number;
  /** Instructions executed while it was on the (inferred) call stack: itself and what it called. */
  inclusive: number;
}

export interface StageReport {
  name: string;
  instructions: number;
  /** The guest's count for the same span (stamp difference, in instructions), or null. */
  guest: number | null;
  /** Every function that ran, most inclusive instructions first. */
  functions: FunctionRow[];
}

export interface CallerRow {
  /** The function below the outermost activation of the one asked about ("<none>" at the bottom of the stack). */
  caller: string;
  instructions: number;
  calls: number;
}

export function functionRows(counts: Counts, names: string[]): FunctionRow[] {
  const ids = new Set([...counts.self.keys(), ...counts.inclusive.keys()]);
  return [...ids].map((id) => ({ name: names[id], self: counts.self.get(id) ?? 0, inclusive: counts.inclusive.get(id) ?? 0 }))
    .sort((a, b) => b.inclusive - a.inclusive || b.self - a.self || a.name.localeCompare(b.name));
}

export function stageReport(stage: Stage, names: string[]): StageReport {
  return { name: stage.name, instructions: stage.instructions, guest: stage.guest, functions: functionRows(stage.counts, names) };
}

export function callerRows(counts: Counts, names: string[]): CallerRow[] {
  return [...counts.callers].map(([caller, row]) => ({ caller: caller < 0 ? "<none>" : names[caller], ...row }))
    .sort((a, b) => b.instructions - a.instructions || b.calls - a.calls);
}

const number = (n: number) => n.toLocaleString("en-US");

/**
 * Prints the `top` rows by inclusive or self count. By inclusive count, the
 * functions on the stack for the whole span (pvh_start, wisp_enter_kernel,
 * kmain, ...) come first as one line, outermost first (`firstSeen`).
 */
function printFunctions(rows: FunctionRow[], top: number, order: "inclusive" | "self", span: number, firstSeen: Map<string, number>): void {
  let sorted = order === "self" ? [...rows].sort((a, b) => b.self - a.self || b.inclusive - a.inclusive) : rows;
  if (order === "inclusive" && span > 0) {
    const throughout = rows.filter((row) => row.inclusive === span).sort((a, b) => (firstSeen.get(a.name) ?? 0) - (firstSeen.get(b.name) ?? 0));
    if (throughout.length > 1) {
      const chain = throughout.map((row) => (row.self > 0 ? `${row.name} (self ${number(row.self)})` : row.name)).join(" > ");
      console.log(`  on the stack throughout: ${chain}`);
      sorted = rows.filter((row) => row.inclusive !== span);
    }
  }
  console.log(`  ${"inclusive".padStart(10)} ${"self".padStart(10)}  function`);
  for (const row of sorted.slice(0, top)) console.log(`  ${number(row.inclusive).padStart(10)} ${number(row.self).padStart(10)}  ${row.name}`);
}

export interface TextReport {
  title: string;
  profile: StagedProfile;
  stages: StageReport[];
  total: StageReport;
  before: StageReport;
  after: StageReport;
  afterWhat: string;
  callers: { name: string; rows: CallerRow[] } | null;
  top: number;
  /** Per function name, the instruction it first ran at. */
  firstSeen: Map<string, number>;
}

export function printProfile(report: TextReport): void {
  const { profile, top } = report;
  console.log(report.title);
  const tolerance = profile.tolerance === 0 ? "exactly" : `to ${profile.tolerance} instructions, one counter tick`;
  if (profile.mismatches.length === 0) console.log(`check: every stage's count equals the guest's own stamps (${tolerance})`);
  else for (const mismatch of profile.mismatches) console.log(`CHECK FAILED: ${mismatch}`);
  if (report.before.instructions > 0) console.log(`not in the stages: ${number(report.before.instructions)} instructions before the first stamp`);
  console.log(`not in the stages: ${number(report.after.instructions)} instructions ${report.afterWhat}`);
  for (const stage of report.stages) {
    console.log(`\n${stage.name}: ${number(stage.instructions)} instructions (guest: ${stage.guest === null ? "-" : number(stage.guest)})`);
    printFunctions(stage.functions, top, "inclusive", stage.instructions, report.firstSeen);
  }
  console.log(`\nwhole boot, ${report.total.name}: ${number(report.total.instructions)} instructions (guest: ${number(report.total.guest ?? 0)}), by inclusive count`);
  printFunctions(report.total.functions, top, "inclusive", report.total.instructions, report.firstSeen);
  console.log(`\nwhole boot, by self count`);
  printFunctions(report.total.functions, top, "self", report.total.instructions, report.firstSeen);
  if (report.callers !== null) {
    console.log(`\ncallers of ${report.callers.name} (its inclusive instructions by the caller of its outermost call; calls to it under that caller)`);
    console.log(`  ${"instructions".padStart(12)} ${"calls".padStart(7)}  caller`);
    for (const row of report.callers.rows.slice(0, top)) console.log(`  ${number(row.instructions).padStart(12)} ${number(row.calls).padStart(7)}  ${row.caller}`);
  }
}
