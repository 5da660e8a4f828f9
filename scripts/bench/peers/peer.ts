// What every row of `wisp bench peers` is: something that boots in QEMU and
// can say whether the boot worked, so that a failed boot (often the fastest
// kind) is never timed as a good one.

import { statSync } from "node:fs";
import type { BootRun } from "../../run";
import type { MemorySearch } from "./memory";

export type PeerBoot = { ok: true; wallMs: number } | { ok: false; why: string };

export interface Peer {
  name: string;
  /** One line on what is booted. */
  what: string;
  /** The files QEMU loads (kernel, initrd or image), whose bytes are the image size; empty when unknown. */
  files: string[];
  /** The command line of a timed boot, as a shell takes it. */
  commandLine: string;
  /** Boots once with `kib` of RAM, or the benchmark's own size when undefined. */
  boot(kib?: number): Promise<PeerBoot>;
  /** Where its smallest RAM is looked for, or why it is not. */
  memory: MemorySearch | { skipped: string };
}

/** Seconds a single boot may take before it counts as hung. */
export const BOOT_TIMEOUT_S = 60;
const TAIL_LINES = 20;

/** The last lines of a guest's output, for an error message. */
export function outputTail(text: string): string {
  const lines = text.replace(/\r/g, "").trimEnd().split("\n");
  const tail = lines.slice(-TAIL_LINES).join("\n");
  return tail === "" ? "(no output)" : (lines.length > TAIL_LINES ? "...\n" : "") + tail;
}

/** How a boot ended, for an error message. */
export function howItEnded(run: BootRun): string {
  switch (run.outcome.kind) {
    case "timeout":
      return `was killed after ${BOOT_TIMEOUT_S} s`;
    case "status":
      return `powered off with status ${run.outcome.status}`;
    case "no-status":
      return "made QEMU exit with code 0 (a reset, or a stop without a status)";
    case "qemu-failed":
      return `made QEMU fail with exit code ${run.outcome.code}`;
  }
}

/** A failed boot: what was expected, how it ended instead, the tail of the guest's output and QEMU's errors. */
export function failure(expected: string, ended: string, output: string, qemuErrors: string): PeerBoot {
  const errors = qemuErrors.trim() ? `\nstderr:\n${outputTail(qemuErrors)}` : "";
  return { ok: false, why: `expected ${expected}, but it ${ended}; the guest's output ends:\n${outputTail(output)}${errors}` };
}

export function imageBytes(peer: Peer): number | null {
  if (peer.files.length === 0) return null;
  return peer.files.reduce((sum, file) => sum + statSync(file).size, 0);
}
