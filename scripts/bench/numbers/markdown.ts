// The README's "Numbers" section, made from the benchmarks' JSON: a table
// of the boot path in instructions and of what an app costs, per
// architecture, each row naming the command that measured it, then the
// peers table as `wisp bench peers --markdown` prints it. Pure: numbers in,
// text out (index.ts runs the benchmarks).

/** What one architecture measured. */
export interface ArchNumbers {
  arch: string;
  /** wisp bench boot --icount: first instruction -> kernel-ready, at 64M and at 2G. */
  kernelReady: number;
  kernelReady2G: number;
  /** wisp bench app --icount: first instruction -> the hello app's _start. */
  toStart: number;
  /** wisp bench app (wall time): hello exec -> exit over the empty kernel's, medians. */
  wallRatio: number;
  /** kernel.elf plus the hello image, bytes. */
  imageBytes: number;
  /** The smallest --mem the hello app runs in, KiB. */
  minimumKib: number;
}

export interface Numbers {
  /** When and where: e.g. "2026-12-05, QEMU 7.2.22, TCG, 2 CPUs". */
  context: string;
  runs: number;
  arches: ArchNumbers[];
  /** `wisp bench peers --markdown`'s output, as printed. */
  peers: string;
}

export const SECTION_START = "<!-- numbers: made by `npx wisp bench numbers --write README.md`; do not edit by hand -->";
export const SECTION_END = "<!-- numbers: end -->";

const grouped = (value: number) => Math.round(value).toLocaleString("en-US");

interface Row {
  what: string;
  command: string;
  target: string;
  value: (numbers: ArchNumbers) => string;
}

const ROWS: Row[] = [
  { what: "first instruction → kernel-ready, instructions", command: "wisp bench boot --icount", target: "≤ 80,000", value: (n) => grouped(n.kernelReady) },
  { what: "the same with 2 GiB of RAM", command: "wisp bench boot --icount --mem 2G", target: "≤ 80,000", value: (n) => grouped(n.kernelReady2G) },
  { what: "first instruction → hello app's `_start`, instructions", command: "wisp bench app --icount", target: "≤ 150,000", value: (n) => grouped(n.toStart) },
  { what: "hello exec → exit over the empty kernel's (median wall time, TCG)", command: "wisp bench app", target: "≤ 1.15", value: (n) => n.wallRatio.toFixed(2) },
  { what: "kernel.elf + hello image, bytes", command: "wisp bench app", target: "≤ 524,288", value: (n) => grouped(n.imageBytes) },
  { what: "smallest `--mem` the hello app runs in", command: "wisp bench app", target: "≤ 2,048 KiB", value: (n) => `${grouped(n.minimumKib)} KiB` },
];

/** The section's text, markers included. */
export function numbersSection(numbers: Numbers): string {
  const header = `| | ${numbers.arches.map((n) => n.arch).join(" | ")} | target | measured by |`;
  const rule = `|---|${numbers.arches.map(() => "--:").join("|")}|--:|---|`;
  const rows = ROWS.map((row) => `| ${row.what} | ${numbers.arches.map(row.value).join(" | ")} | ${row.target} | \`${row.command} --runs ${numbers.runs}\` |`);
  return [
    SECTION_START,
    `Measured ${numbers.context} by \`npx wisp bench numbers --runs ${numbers.runs} --write README.md\`, which runs the commands named in each row (instruction counts are exact and repeat; wall times are medians of interleaved boots).`,
    "",
    header,
    rule,
    ...rows,
    "",
    numbers.peers.trim(),
    SECTION_END,
  ].join("\n");
}

/** `readme` with its numbers section replaced by `section` (or an error if the markers are missing). */
export function replaceSection(readme: string, section: string): string {
  const start = readme.indexOf(SECTION_START);
  const end = readme.indexOf(SECTION_END);
  if (start < 0 || end < start) throw new Error(`the README has no numbers section to replace (between '${SECTION_START}' and '${SECTION_END}')`);
  return readme.slice(0, start) + section + readme.slice(end + SECTION_END.length);
}
