// The two servers the network benchmark compares: modules/http-static's C
// program as a Wisp app behind `wisp run --listen` (QEMU's user network),
// and the same source built natively with clang -O2, on the host's
// loopback.
//
// Both are started the same way and timed the same way: from the exec of
// the process (QEMU, or the native server) to the first complete 200 answer
// to GET /, with the client asking again every few milliseconds until one
// comes. Both stop on GET /__exit?status=0, which the server answers and
// then exits; the guest's kernel then prints its report (meminfo: the
// network counters and the CPU's busy and idle time).

import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { boot, type BootRun } from "../../run";
import { StreamDecoder } from "../../run/streams";
import { httpGet } from "./http-client";

/** A started server: where it listens and how long its first answer took. */
export interface RunningServer {
  port: number;
  /** From exec to the first complete 200 answer at the client, ms. */
  firstAnswerMs: number;
  /** Asks the server to exit and waits for it; what the guest kernel printed (empty for the native server). */
  stop(): Promise<string>;
}

/** How long a server may take to answer at all, ms. */
const START_BUDGET_MS = 120_000;
/** One attempt's patience while the server is not up yet, ms. */
const ATTEMPT_MS = 250;
/** Pause between attempts that failed at once, ms. */
const RETRY_MS = 2;

/** A TCP port of 127.0.0.1 nothing listens on now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Boots the guest server with `command` (its hostfwd on `port`). With
 * `readyLine`, the first request waits until the app has printed it on
 * stderr (so that no early attempt adds work to a run that counts
 * instructions).
 */
export async function startGuestServer(command: string[], port: number, readyLine?: string): Promise<RunningServer> {
  let kernel = "";
  let appErrors = "";
  const decoder = new StreamDecoder([
    (bytes) => void (kernel += Buffer.from(bytes).toString("latin1")),
    () => {},
    (bytes) => void (appErrors += Buffer.from(bytes).toString("utf8")),
  ]);
  const abort = new AbortController();
  const start = performance.now();
  let ended: BootRun | null = null;
  const running = boot(command, { timeout: 0, stream: false, abort: abort.signal, onOutput: (chunk) => decoder.push(chunk) })
    .then((run) => (ended = run));
  const describe = () => `${kernel}${appErrors}${ended?.qemuErrors ?? ""}`;
  try {
    if (readyLine !== undefined) {
      while (!appErrors.includes(readyLine) && ended === null && performance.now() - start < START_BUDGET_MS) await sleep(5);
    }
    const firstAnswerMs = await firstAnswer(port, start, () => ended !== null);
    return {
      port, firstAnswerMs,
      stop: async () => {
        await stopServer(port);
        const run = await Promise.race([running, sleep(60_000).then(() => null)]);
        if (run === null) throw new Error(`the guest server did not power off after /__exit:\n${describe()}`);
        if (decoder.exitStatus !== 0) throw new Error(`the guest server ended with ${JSON.stringify(run.outcome)}, app status ${decoder.exitStatus}:\n${describe()}`);
        return kernel;
      },
    };
  } catch (error) {
    abort.abort();
    await running;
    throw new Error(`${(error as Error).message}\n${describe()}`);
  }
}

/** Starts the native server binary on `port`, serving `root`. */
export async function startNativeServer(binary: string, port: number, root: string): Promise<RunningServer> {
  const start = performance.now();
  const child = spawn(binary, ["--port", String(port), "--root", root], { stdio: ["ignore", "ignore", "pipe"] });
  let errors = "";
  child.stderr.on("data", (chunk: Buffer) => (errors += chunk.toString("utf8")));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));
  try {
    const firstAnswerMs = await firstAnswer(port, start, () => gone);
    return {
      port, firstAnswerMs,
      stop: async () => {
        await stopServer(port);
        const code = await exited;
        if (code !== 0) throw new Error(`the native server exited with ${code}:\n${errors}`);
        return "";
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${errors}`);
  }
}

/** ms from `start` to the first 200 answer to GET / on `port`. */
async function firstAnswer(port: number, start: number, ended: () => boolean): Promise<number> {
  while (performance.now() - start < START_BUDGET_MS) {
    if (ended()) throw new Error("the server ended before it answered");
    try {
      const answer = await httpGet(port, "/", undefined, ATTEMPT_MS).response;
      if (answer.status === 200) return performance.now() - start;
    } catch {
      // not up yet
    }
    await sleep(RETRY_MS);
  }
  throw new Error(`no answer on 127.0.0.1:${port} within ${START_BUDGET_MS} ms`);
}

async function stopServer(port: number): Promise<void> {
  const bye = await httpGet(port, "/__exit?status=0").response;
  if (bye.status !== 200) throw new Error(`GET /__exit answered ${bye.status}`);
}
