// What build-app says about an app.so: sizes, sections, relocations, time
// and memory. Stored as report.json beside the cached app.so and printed.

import { ElfInfo, countRelr } from "./elf-reader";
import type { Stage, Step } from "./steps";
import type { RewrittenFunction } from "./nesting";
import type { Units } from "./units";

export const REPORTED_SECTIONS = [
  ".text", ".rodata", ".data", ".bss", ".relr.dyn", ".rela.dyn", ".rela.plt", ".dynsym", ".symtab",
];

export interface AppReport {
  arch: string;
  /** Cache key: sha256 of everything the output depends on. */
  hash: string;
  wasmBytes: number;
  soBytes: number;
  /** Section name → bytes (0 when absent). */
  sections: Record<string, number>;
  relocations: {
    /** Addresses relocated through .relr.dyn (packed relative). */
    relr: number;
    /** Entries in .rela.dyn (relative ones lld could not pack, GLOB_DAT, absolute). */
    rela: number;
    /** Entries in .rela.plt (JUMP_SLOT). */
    plt: number;
  };
  /**
   * The linear memory the module declares, in 64 KiB pages: what the app holds
   * before it grows (initial) and at most (maximum, null when unbounded). The
   * guest needs the initial pages besides the kernel's own memory.
   */
  linearMemory: { initialPages: number; maximumPages: number | null };
  /** Undefined symbols the kernel resolves (WASI imports and runtime functions). */
  imports: string[];
  /** C files wasm2c wrote (each compiled by its own clang). */
  parts: number;
  /** Functions nesting too deep for wasm2c, rewritten before it (nesting/): index, depth before and after. */
  flattened: RewrittenFunction[];
  /** The splitter's part modules (one wasm2c each), or null when the module went to wasm2c whole. */
  split: { seconds: number; parts: { name: string; functions: number; codeBytes: number; outputs: number }[] } | null;
  jobs: number;
  /** Whole build wall time, seconds (validation to link). */
  compileSeconds: number;
  /** Wall time of each stage, first start to last end (stages overlap: clangs start as soon as their part's wasm2c ends). */
  stages: { split: number; wasm2c: number; clang: number; link: number };
  /** CPU seconds (user + system) of each stage's processes. */
  stageCpuSeconds: { wasm2c: number; clang: number; link: number };
  /** CPU seconds (user + system) of every tool process together. */
  cpuSeconds: number;
  /** Largest resident set of any single tool process, KiB, and which process it was. */
  peakKiB: number;
  peakProcess: { stage: string; file: string } | null;
  /** Sum of the largest `jobs` clang peaks: what the parallel compile can hold at once, KiB. */
  concurrentPeakKiB: number;
  /** Steps found done by an earlier, interrupted build and not run again. */
  resumedSteps: number;
  wasm2c: StepFigures[];
  perPart: StepFigures[];
  /** The function with the largest native stack frame and its bytes (from .stack_sizes), null if none. */
  largestFrame: { name: string; bytes: number } | null;
}

export interface StepFigures {
  file: string;
  seconds: number;
  peakKiB: number;
  cpuSeconds: number;
}

function figures(step: Step): StepFigures {
  return { file: step.file, seconds: round(step.seconds), peakKiB: step.peakKiB, cpuSeconds: round(step.cpuSeconds) };
}

/** Wall time of a stage: from its first step's start to its last one's end, over the steps that ran. */
function stageSeconds(steps: Step[], stage: Stage): number {
  const ran = steps.filter((step) => step.stage === stage && !step.resumed);
  if (ran.length === 0) return 0;
  return round((Math.max(...ran.map((step) => step.endedAt)) - Math.min(...ran.map((step) => step.startedAt))) / 1000);
}

function stageCpu(steps: Step[], stage: Stage): number {
  return round(steps.filter((step) => step.stage === stage).reduce((sum, step) => sum + step.cpuSeconds, 0));
}

export function makeReport(
  fields: { arch: string; hash: string; wasmBytes: number; soBytes: number; compileSeconds: number; linearMemory: AppReport["linearMemory"] },
  elf: ElfInfo, so: Uint8Array, plan: Units, steps: Step[], jobs: number, largestFrame: AppReport["largestFrame"], flattened: RewrittenFunction[],
): AppReport {
  const section = (name: string) => elf.sections.find((s) => s.name === name);
  const sections = Object.fromEntries(REPORTED_SECTIONS.map((name) => [name, section(name)?.size ?? 0]));
  const entries = (name: string) => {
    const found = section(name);
    return found ? found.size / (found.entsize || 24) : 0;
  };
  const relr = section(".relr.dyn");
  const peak = steps.reduce<Step | null>((best, step) => (best === null || step.peakKiB > best.peakKiB ? step : best), null);
  const clangPeaks = steps.filter((step) => step.stage === "clang").map((step) => step.peakKiB).sort((a, b) => b - a);
  return {
    ...fields,
    compileSeconds: round(fields.compileSeconds),
    sections,
    relocations: { relr: relr ? countRelr(so, relr) : 0, rela: entries(".rela.dyn"), plt: entries(".rela.plt") },
    imports: [...elf.undefinedSymbols].sort(),
    parts: steps.filter((step) => step.stage === "clang" && step.unit !== "glue").length,
    flattened,
    split: plan.units.length > 1 || plan.units[0].name !== "app"
      ? {
        seconds: round(plan.splitSeconds),
        parts: plan.units.map((unit) => ({ name: unit.name, functions: unit.functions ?? 0, codeBytes: unit.codeBytes, outputs: unit.outputs })),
      }
      : null,
    jobs,
    stages: { split: round(plan.splitSeconds), wasm2c: stageSeconds(steps, "wasm2c"), clang: stageSeconds(steps, "clang"), link: stageSeconds(steps, "link") },
    stageCpuSeconds: { wasm2c: stageCpu(steps, "wasm2c"), clang: stageCpu(steps, "clang"), link: stageCpu(steps, "link") },
    cpuSeconds: round(steps.reduce((sum, step) => sum + step.cpuSeconds, 0)),
    peakKiB: peak?.peakKiB ?? 0,
    peakProcess: peak ? { stage: peak.stage, file: peak.file } : null,
    concurrentPeakKiB: clangPeaks.slice(0, jobs).reduce((sum, kib) => sum + kib, 0),
    resumedSteps: steps.filter((step) => step.resumed).length,
    wasm2c: steps.filter((step) => step.stage === "wasm2c").map(figures),
    perPart: steps.filter((step) => step.stage === "clang").map(figures),
    largestFrame,
  };
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function size(bytes: number): string {
  if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(2)} MiB`;
  if (bytes >= 1 << 10) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** The report as lines for a terminal. */
export function formatReport(report: AppReport, cached: boolean): string {
  const lines = [
    `  arch       ${report.arch}${cached ? " (cached)" : ""}`,
    `  wasm       ${size(report.wasmBytes)}`,
    `  app.so     ${size(report.soBytes)}`,
    `  sections   ${REPORTED_SECTIONS.map((name) => `${name} ${size(report.sections[name])}`).join(", ")}`,
    `  relocs     relr ${report.relocations.relr}, rela ${report.relocations.rela}, plt ${report.relocations.plt}`,
    `  memory     ${report.linearMemory.initialPages} pages (${size(report.linearMemory.initialPages * 65536)}) at start, ` +
      `${report.linearMemory.maximumPages === null ? "no maximum" : `at most ${size(report.linearMemory.maximumPages * 65536)}`}`,
    `  imports    ${report.imports.length} (${report.imports.filter((name) => name.startsWith("w2c_wasi")).length} WASI)`,
    ...(report.flattened?.length ? [`  flattened  ${report.flattened.length} deeply nested function${report.flattened.length === 1 ? "" : "s"} (deepest ${Math.max(...report.flattened.map((f) => f.depthBefore))} → ${Math.max(...report.flattened.map((f) => f.depthAfter))} levels)`] : []),
    ...(report.split ? [`  split      ${report.split.parts.length} part modules of at most ${size(Math.max(...report.split.parts.map((part) => part.codeBytes)))} of code, ${report.split.seconds.toFixed(2)} s`] : []),
    `  compile    ${report.compileSeconds.toFixed(2)} s (wasm2c ${report.stages.wasm2c.toFixed(2)} s, clang ${report.stages.clang.toFixed(2)} s, ` +
      `ld.lld ${report.stages.link.toFixed(2)} s), ${report.parts} C file${report.parts === 1 ? "" : "s"}, ${report.jobs} job${report.jobs === 1 ? "" : "s"}` +
      (report.resumedSteps ? `, ${report.resumedSteps} steps resumed` : ""),
    `  cpu        ${report.cpuSeconds.toFixed(2)} s (user + system, all processes: wasm2c ${report.stageCpuSeconds.wasm2c.toFixed(2)} s, ` +
      `clang ${report.stageCpuSeconds.clang.toFixed(2)} s, ld.lld ${report.stageCpuSeconds.link.toFixed(2)} s)`,
    `  frames     largest ${report.largestFrame ? `${size(report.largestFrame.bytes)} (${report.largestFrame.name})` : "none"}`,
    `  compiler   peak ${size(report.peakKiB * 1024)} per process${report.peakProcess ? ` (${report.peakProcess.stage} ${report.peakProcess.file})` : ""}, ` +
      `${size(report.concurrentPeakKiB * 1024)} for ${report.jobs} parallel compiles`,
  ];
  return lines.join("\n");
}
