// From counted segments to boot stages, checked against the guest's stamps.
//
// A stamp is a counter reading the kernel keeps with a name; the chart's
// stage `paging` is everything from the reading before it to the reading
// named `paging`. Which counter reads were stamps: each stamp is recorded
// by a call to kernel/bootchart/recordStamp just after its read, except the
// boot stub's (first-instruction, paging-on, runtime-ready), which are read
// early and recorded together later. So a run of B recordStamp calls with
// no counter read between them records the B latest counter reads before
// the run, in order: B = 1 for a stamp the kernel takes, B = 3 for the
// stub's. The i-th recorded stamp is the i-th name of the guest's
// `bootchart-raw` line.
//
// The check: the instructions between two stamps' reads in the trace must
// equal the difference of the two stamps as the guest read them (under
// -icount shift=0 one instruction is one nanosecond of guest time: the x86
// TSC counts instructions exactly, aarch64's 62.5 MHz counter to 16). A
// mismatch means the trace, the symbols or the rule above are wrong.

import type { BootChart } from "../bootchart";
import { ticksIn } from "../bootchart";
import type { CallerCounts, Counts, RawProfile } from "./profiler";

export interface Stage {
  name: string;
  /** Instructions counted in the trace. */
  instructions: number;
  /** The same span as the guest's own stamps say, in instructions (null where there is no stamp). */
  guest: number | null;
  counts: Counts;
}

export interface StagedProfile {
  /** From the kernel's first instruction to the first stamp's read (0 when that read is the first instruction). */
  before: Stage;
  /** One per stamp after the first, named after the stamp that ends it. */
  stages: Stage[];
  /** From the first stamp to the last: the sum of the stages. */
  total: Stage;
  /** From the last stamp's read to where counting stopped. */
  after: Stage;
  /** Instructions one counter tick may hide: the tolerance of the check. */
  tolerance: number;
  /** Stages (and the total) whose counts disagree with the guest's stamps. */
  mismatches: string[];
}

/** For each recordStamp entry, which counter read (an index into `reads`) it recorded. */
export function stampReads(reads: number[], entries: number[]): number[] {
  const result: number[] = [];
  let claimed = -1;
  let k = 0;
  while (k < entries.length) {
    let run = 1;
    while (k + run < entries.length && !reads.some((read) => read > entries[k + run - 1] && read < entries[k + run])) run++;
    const before = reads.filter((read) => read < entries[k]).length;
    if (before - run <= claimed) {
      throw new Error(`recordStamp was called ${run} time(s) at instruction ${entries[k]}, but only ${before - claimed - 1} counter read(s) since the last stamp could be what it recorded`);
    }
    for (let j = 0; j < run; j++) result.push(before - run + j);
    claimed = before - 1;
    k += run;
  }
  return result;
}

/** The counts of segments `from` to `to` (inclusive) added up. */
export function mergeCounts(segments: Counts[], from: number, to: number): Counts {
  const merged: Counts = { instructions: 0, self: new Map(), inclusive: new Map(), callers: new Map() };
  for (let j = from; j <= to && j < segments.length; j++) {
    const segment = segments[j];
    merged.instructions += segment.instructions;
    for (const [fn, n] of segment.self) merged.self.set(fn, (merged.self.get(fn) ?? 0) + n);
    for (const [fn, n] of segment.inclusive) merged.inclusive.set(fn, (merged.inclusive.get(fn) ?? 0) + n);
    for (const [caller, counts] of segment.callers) {
      const into: CallerCounts = merged.callers.get(caller) ?? { instructions: 0, calls: 0 };
      into.instructions += counts.instructions;
      into.calls += counts.calls;
      merged.callers.set(caller, into);
    }
  }
  return merged;
}

/** Splits the profile at the guest's stamps and checks every stage against them. */
export function stageProfile(raw: RawProfile, chart: BootChart): StagedProfile {
  if (raw.stampEntries.length !== chart.stages.length) {
    throw new Error(`the guest printed ${chart.stages.length} stamps but the trace shows ${raw.stampEntries.length} calls to recordStamp`);
  }
  if (chart.stages.length === 0) throw new Error("the guest printed no stamps");
  // Segment j + 1 starts at read j; a stamp's stage ends with the segment before its read's.
  const firstSegment = stampReads(raw.reads, raw.stampEntries).map((read) => read + 1);
  const guestAt = chart.stages.map((stage) => ticksIn(stage.ticks, chart, true));
  const tolerance = chart.source === "arch" ? Math.ceil(1e9 / chart.hz) : 0;
  const mismatches: string[] = [];
  const stage = (name: string, from: number, to: number, guest: number | null): Stage => {
    const counts = mergeCounts(raw.segments, from, to);
    if (guest !== null && Math.abs(counts.instructions - guest) > tolerance) {
      mismatches.push(`${name}: ${counts.instructions} instructions in the trace, ${guest} by the guest's stamps`);
    }
    return { name, instructions: counts.instructions, guest, counts };
  };
  const last = firstSegment.length - 1;
  const stages = chart.stages.slice(1).map((stamp, i) =>
    stage(stamp.name, firstSegment[i], firstSegment[i + 1] - 1, guestAt[i + 1] - guestAt[i]));
  return {
    before: stage("before the first stamp", 0, firstSegment[0] - 1, null),
    stages,
    total: stage(`${chart.stages[0].name} to ${chart.stages[last].name}`, firstSegment[0], firstSegment[last] - 1, guestAt[last] - guestAt[0]),
    after: stage(`after ${chart.stages[last].name}`, firstSegment[last], raw.segments.length - 1, null),
    tolerance,
    mismatches,
  };
}
