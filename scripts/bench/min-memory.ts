// The smallest guest RAM in which a kernel still boots and powers off with
// status 0, found by bisection over QEMU's -m (in KiB steps of `step`), and
// what the pages are used for at that size (the kernel's meminfo report).

import { boot } from "../run";
import { QemuOptions, qemuCommand } from "../run/qemu";

export interface MemoryProbe {
  kib: number;
  ok: boolean;
}

export interface MinimumMemory {
  kib: number;
  probes: MemoryProbe[];
  /** The kernel's meminfo-raw counts (pages) at the minimum. */
  pages: Record<string, number>;
}

export function parseMeminfo(output: string): Record<string, number> {
  const line = output.split("\n").find((candidate) => candidate.startsWith("meminfo-raw "));
  if (!line) return {};
  return Object.fromEntries(line.trim().split(/\s+/).slice(1).map((field) => {
    const [key, value] = field.split("=");
    return [key, Number(value)];
  }));
}

async function bootsIn(options: Omit<QemuOptions, "memory">, kib: number): Promise<{ ok: boolean; output: string }> {
  const run = await boot(qemuCommand({ ...options, memory: `${kib}K` }), { timeout: 60, stream: false });
  return { ok: run.outcome.kind === "status" && run.outcome.status === 0, output: run.output };
}

/** Bisects between `lowKib` (known or assumed too small) and `highKib` (must boot). */
export async function findMinimumMemory(options: Omit<QemuOptions, "memory">, lowKib: number, highKib: number, step: number): Promise<MinimumMemory> {
  const probes: MemoryProbe[] = [];
  const probe = async (kib: number) => {
    const result = await bootsIn(options, kib);
    probes.push({ kib, ok: result.ok });
    return result;
  };
  const top = await probe(highKib);
  if (!top.ok) throw new Error(`the kernel does not boot even with ${highKib} KiB:\n${top.output}`);
  let low = Math.floor(lowKib / step);
  let high = Math.ceil(highKib / step);
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if ((await probe(middle * step)).ok) high = middle;
    else low = middle;
  }
  const minimum = high * step;
  const report = await bootsIn({ ...options, cmdline: `${options.cmdline} meminfo`.trim() }, minimum);
  return { kib: minimum, probes, pages: parseMeminfo(report.output) };
}
