// What build-app says about an app.so: sizes, sections, relocations, time
// and memory. Stored as report.json beside the cached app.so and printed.

import { ElfInfo, countRelr } from "./elf-reader";
import type { CompileStats } from "./compile";

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
  /** Undefined symbols the kernel resolves (WASI imports and runtime functions). */
  imports: string[];
  parts: number;
  jobs: number;
  /** Whole build wall time, seconds (validation to link). */
  compileSeconds: number;
  stages: { wasm2c: number; clang: number; link: number };
  /** CPU seconds (user + system) of every tool process together. */
  cpuSeconds: number;
  /** Largest resident set of any single tool process, KiB. */
  peakKiB: number;
  /** Sum of the largest `jobs` clang peaks: what the parallel compile can hold at once, KiB. */
  concurrentPeakKiB: number;
  perPart: { file: string; seconds: number; peakKiB: number; cpuSeconds: number }[];
  /** The function with the largest native stack frame and its bytes (from .stack_sizes), null if none. */
  largestFrame: { name: string; bytes: number } | null;
}

export function makeReport(
  fields: { arch: string; hash: string; wasmBytes: number; soBytes: number; compileSeconds: number },
  elf: ElfInfo, so: Uint8Array, stats: CompileStats, largestFrame: AppReport["largestFrame"],
): AppReport {
  const section = (name: string) => elf.sections.find((s) => s.name === name);
  const sections = Object.fromEntries(REPORTED_SECTIONS.map((name) => [name, section(name)?.size ?? 0]));
  const entries = (name: string) => {
    const found = section(name);
    return found ? found.size / (found.entsize || 24) : 0;
  };
  const relr = section(".relr.dyn");
  return {
    ...fields,
    compileSeconds: round(fields.compileSeconds),
    sections,
    relocations: { relr: relr ? countRelr(so, relr) : 0, rela: entries(".rela.dyn"), plt: entries(".rela.plt") },
    imports: [...elf.undefinedSymbols].sort(),
    parts: stats.parts,
    jobs: stats.jobs,
    stages: { wasm2c: round(stats.wasm2cSeconds), clang: round(stats.clangSeconds), link: round(stats.linkSeconds) },
    cpuSeconds: round(stats.cpuSeconds),
    peakKiB: stats.peakKiB,
    concurrentPeakKiB: stats.concurrentPeakKiB,
    perPart: stats.perPart.map((part) => ({ ...part, seconds: round(part.seconds), cpuSeconds: round(part.cpuSeconds) })),
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
    `  imports    ${report.imports.length} (${report.imports.filter((name) => name.startsWith("w2c_wasi")).length} WASI)`,
    `  compile    ${report.compileSeconds.toFixed(2)} s (wasm2c ${report.stages.wasm2c.toFixed(2)} s, clang ${report.stages.clang.toFixed(2)} s, ` +
      `ld.lld ${report.stages.link.toFixed(2)} s), ${report.parts} part${report.parts === 1 ? "" : "s"}, ${report.jobs} job${report.jobs === 1 ? "" : "s"}`,
    `  cpu        ${report.cpuSeconds.toFixed(2)} s (user + system, all processes)`,
    `  frames     largest ${report.largestFrame ? `${size(report.largestFrame.bytes)} (${report.largestFrame.name})` : "none"}`,
    `  memory     peak ${size(report.peakKiB * 1024)} per process, ${size(report.concurrentPeakKiB * 1024)} for ${report.jobs} parallel compiles`,
  ];
  return lines.join("\n");
}
