// Runs the real `wisp` command as a user would, for the boot-tier tests.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

export function wisp(...args: string[]): CliResult {
  const result = spawnSync(process.execPath, ["scripts/wisp.mjs", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 300_000,
  });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** Every machine the boot tier runs on. */
export const BOOT_TARGETS = [
  { arch: "x86_64", machine: "microvm" },
  { arch: "x86_64", machine: "q35" },
  { arch: "aarch64", machine: "virt" },
];
