// The three ways `wisp bench peers` prints its rows: an aligned text table
// (the default), a JSON document (--json, with every sample and probe) and a
// markdown table for the README (--markdown), headed by the command line
// that produced it.

import type { Summary } from "../stats";
import type { MemoryProbe } from "./memory";

export interface PeerRow {
  name: string;
  what: string;
  command: string;
  files: Array<{ path: string; bytes: number }>;
  /** The bytes of every file booted, or null when the files are not known. */
  imageBytes: number | null;
  wallMs: Summary;
  /** Median wall time over the empty kernel's. */
  ratio: number;
  memory: { kib: number; probes: MemoryProbe[] } | { skipped: string };
}

export interface PeersResult {
  benchmark: "peers";
  /** How it was run: `wisp bench peers ...`. */
  invocation: string;
  qemu: string;
  accel: string;
  runs: number;
  /** -m of the timed boots of the built-in rows. */
  memoryKib: number;
  rows: PeerRow[];
  raw: { wallMs: Record<string, number[]> };
}

const thousands = (value: number) => value.toLocaleString("en-US");

export function memoryText(memory: PeerRow["memory"]): string {
  if ("skipped" in memory) return "-";
  return memory.kib % 1024 === 0 ? `${memory.kib / 1024} MiB` : `${thousands(memory.kib)} KiB`;
}

function cells(row: PeerRow): string[] {
  return [
    row.name, row.wallMs.median.toFixed(1), row.wallMs.p95.toFixed(1), row.ratio.toFixed(2),
    row.imageBytes === null ? "-" : thousands(row.imageBytes), memoryText(row.memory),
  ];
}

const HEADINGS = ["peer", "median ms", "p95 ms", "x empty", "image bytes", "smallest -m"];

export function textReport(result: PeersResult): string {
  const table = [HEADINGS, ...result.rows.map(cells)];
  const widths = HEADINGS.map((_, column) => Math.max(...table.map((row) => row[column].length)));
  const line = (row: string[]) => "  " + row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join("  ");
  const skipped = new Map<string, string[]>();
  for (const row of result.rows) {
    if ("skipped" in row.memory) skipped.set(row.memory.skipped, [...(skipped.get(row.memory.skipped) ?? []), row.name]);
  }
  return [
    `host wall time, QEMU spawn to exit, over ${result.runs} interleaved rounds (${result.qemu}, ${result.accel})`,
    ...table.map(line),
    "rows",
    ...result.rows.map((row) => `  ${row.name.padEnd(widths[0])}  ${row.what}`),
    ...[...skipped].map(([why, names]) => `smallest -m not looked for (${why}): ${names.join(", ")}`),
  ].join("\n");
}

export function markdownReport(result: PeersResult): string {
  const escape = (cell: string) => cell.replace(/\|/g, "\\|");
  const headings = ["peer", "what", "wall median (ms)", "p95 (ms)", "× empty", "image (bytes)", "smallest `-m`"];
  const rows = result.rows.map((row) => {
    const [name, ...numbers] = cells(row);
    return `| ${escape(name)} | ${escape(row.what)} | ${numbers.join(" | ")} |`;
  });
  return [
    `\`${result.invocation}\` (${result.qemu}, ${result.accel}; host wall time from QEMU's spawn to its exit):`,
    "",
    `| ${headings.join(" | ")} |`,
    `|---|---|${"--:|".repeat(headings.length - 2)}`,
    ...rows,
  ].join("\n");
}
