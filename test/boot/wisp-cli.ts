// Runs the real `wisp` command as a user would, for the boot-tier tests.

import { spawn, spawnSync } from "node:child_process";
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
/**
 * `wisp ...` without blocking this process: for tests whose own servers
 * (in this process) the guest talks to, which a blocking run would starve.
 */
export function wispAsync(...args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/wisp.mjs", ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status: status ?? -1, stdout, stderr });
    });
  });
}

export const BOOT_TARGETS = [
  { arch: "x86_64", machine: "microvm" },
  { arch: "x86_64", machine: "q35" },
  { arch: "aarch64", machine: "virt" },
];

/**
 * The summary lines the kernel self-test `name` printed (kernel/selftest/check.ts:
 * `selftest NAME: N passed, M failed`). Tests compare them with selfTestPassed,
 * so that a self-test that skips checks, runs some twice or prints no summary fails.
 */
export function selfTestSummaries(stdout: string, name: string): string[] {
  return stdout.split("\n").filter((line) => line.startsWith(`selftest ${name}: `));
}

/** What selfTestSummaries gives for a self-test that ran exactly `checks` checks and all passed. */
export function selfTestPassed(name: string, checks: number): string[] {
  return [`selftest ${name}: ${checks} passed, 0 failed`];
}
