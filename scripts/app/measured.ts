// Running one toolchain process while measuring its wall time and peak
// memory.
//
// Peak memory is the process's VmHWM ("high water mark" of its resident set)
// read from /proc/<pid>/status while it runs, every POLL_MS: the value only
// grows, so the last reading before the exit is the peak up to then. A
// process that ends within one poll may go unmeasured (reported as 0); those
// are the small ones. clang runs its compiler in-process (no cc1 child), so
// the driver's pid is the one that uses the memory. Without /proc (not Linux)
// peaks are 0. This needs no extra package (GNU time would).
//
// CPU time (user + system, from /proc/<pid>/stat, same polling) is measured
// too: on a loaded machine wall time says more about the neighbours than
// about the compile.
//
// Every live child is remembered, so that an interrupted or failed build can
// stop them all (stopChildren) instead of leaving compilers running.

import { ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { ToolError } from "../build/tools";

const POLL_MS = 20;
/** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS_PER_SECOND = 100;
const STDERR_LIMIT = 64 << 10;

/** A tool that ran and failed: its name, how it ended and what it wrote on stderr. */
export class ToolRunError extends ToolError {
  constructor(readonly tool: string, readonly status: string, readonly stderr: string) {
    super(`${tool} failed (${status}):\n${stderr}`);
  }
}

const live = new Set<ChildProcess>();

/** Kills every tool process still running (on Ctrl-C, or when another one failed). */
export function stopChildren(): void {
  for (const child of live) child.kill("SIGKILL");
}

export interface Measured {
  seconds: number;
  /** Peak resident memory in KiB (0 when not measured). */
  peakKiB: number;
  /** User + system CPU seconds (up to the last poll; 0 when not measured). */
  cpuSeconds: number;
}

/** utime + stime of a live process, in seconds; 0 when it cannot be read. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function highWaterKiB(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Runs `command args` in `cwd`; throws ToolError with its stderr when it fails. */
export function runMeasured(command: string, args: string[], cwd: string): Promise<Measured> {
  const name = command.split("/").pop() ?? command;
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
    live.add(child);
    let stderr = "";
    let peakKiB = 0;
    let cpuSeconds = 0;
    child.stderr.on("data", (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString();
    });
    const poll = setInterval(() => {
      if (child.pid === undefined) return;
      peakKiB = Math.max(peakKiB, highWaterKiB(child.pid));
      cpuSeconds = Math.max(cpuSeconds, cpuSecondsOf(child.pid));
    }, POLL_MS);
    child.on("error", (error: NodeJS.ErrnoException) => {
      clearInterval(poll);
      live.delete(child);
      reject(error.code === "ENOENT"
        ? new ToolError(`${name} is not installed: run 'npm run setup' (Debian packages) and 'npm ci'`)
        : error);
    });
    child.on("close", (code, signal) => {
      clearInterval(poll);
      live.delete(child);
      const seconds = (performance.now() - start) / 1000;
      if (code === 0) resolve({ seconds, peakKiB, cpuSeconds });
      else reject(new ToolRunError(name, signal ?? `exit ${code}`, stderr.trim()));
    });
  });
}
