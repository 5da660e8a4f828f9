// Running a user's command line for a timed boot: sh -c in a process group of
// its own, so that a timeout kills QEMU too and not only the shell.

import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

export interface ShellRun {
  /** The exit status, or null when the command was killed. */
  status: number | null;
  timedOut: boolean;
  output: string;
  errors: string;
  /** Host wall time from spawn to exit, in milliseconds. */
  wallMs: number;
}

export function runShell(command: string, timeoutS: number): Promise<ShellRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn("sh", ["-c", command], { stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    let errors = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => void (errors += chunk.toString("utf8")));
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // The group ended between the timer firing and the kill.
      }
    }, timeoutS * 1000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, timedOut, output, errors, wallMs: performance.now() - start });
    });
  });
}
