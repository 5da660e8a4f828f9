// Booting a kernel in QEMU and waiting for it: streams the serial console,
// enforces the timeout, and turns QEMU's exit code into the guest's status.

import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { decodeExitCode, GuestOutcome } from "./exit-status";

export interface BootRun {
  outcome: GuestOutcome | { kind: "timeout" };
  /** Everything the guest printed (when captured). */
  output: string;
  /** QEMU's own diagnostics. */
  qemuErrors: string;
  /** Host wall time from spawn to exit, in milliseconds. */
  wallMs: number;
}

export interface BootOptions {
  /** Seconds before the guest is killed; 0 waits forever. */
  timeout: number;
  /** Copy the guest's output to our stdout as it arrives. */
  stream: boolean;
  /** Also hand every chunk of the guest's output, as bytes, to this function. */
  onOutput?: (chunk: Uint8Array) => void;
  /** Kills the guest when aborted (a benchmark giving up on a server). */
  abort?: AbortSignal;
}

export function boot(argv: string[], options: BootOptions): Promise<BootRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let qemuErrors = "";
    let timedOut = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (options.stream) process.stdout.write(chunk);
      options.onOutput?.(chunk);
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      qemuErrors += chunk.toString("utf8");
    });
    const timer = options.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          child.kill("SIGKILL");
        }, options.timeout * 1000)
      : undefined;
    const kill = () => child.kill("SIGKILL");
    options.abort?.addEventListener("abort", kill, { once: true });
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === "ENOENT") reject(new Error(`${argv[0]} is not installed: run 'npm run setup'`));
      else reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      options.abort?.removeEventListener("abort", kill);
      const wallMs = performance.now() - start;
      const outcome = timedOut ? { kind: "timeout" as const } : decodeExitCode(code ?? 1);
      resolve({ outcome, output, qemuErrors, wallMs });
    });
  });
}
