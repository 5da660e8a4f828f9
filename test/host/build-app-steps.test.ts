// Guards build-app's step machinery (scripts/app/steps.ts, pool.ts,
// progress.ts, measured.ts): a failing tool becomes one line naming the
// stage and the part with the tool's own message below it; the task pool
// runs tasks added by running tasks, at most `limit` at once, and stops at the
// first failure; progress lines say steps, parts, elapsed and what is left.

import { describe, expect, it } from "vitest";
import { ToolRunError, runMeasured } from "../../scripts/app/measured";
import { TaskPool } from "../../scripts/app/pool";
import { progressLine } from "../../scripts/app/progress";
import { failure } from "../../scripts/app/steps";

describe("a failing step", () => {
  it("is one line naming the stage and the part, then the tool's message", async () => {
    const run = runMeasured("sh", ["-c", "echo 'RuntimeError: memory access out of bounds' >&2; exit 3"], "/");
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolRunError);
    expect(failure("wasm2c", "part app3 (4 of 8, 1200 functions)", error).message)
      .toBe("wasm2c failed on part app3 (4 of 8, 1200 functions): exit 3\nRuntimeError: memory access out of bounds");
  });

  it("keeps the tool's first 20 lines and counts the rest", () => {
    const stderr = Array.from({ length: 25 }, (_, i) => `line ${i + 1}`).join("\n");
    const message = failure("clang", "the glue", new ToolRunError("clang", "SIGKILL", stderr)).message;
    expect(message.split("\n")).toEqual(["clang failed on the glue: SIGKILL", ...stderr.split("\n").slice(0, 20), "(5 more lines)"]);
  });
});

describe("the task pool", () => {
  it("runs tasks that running tasks add, never more than the limit at once", async () => {
    const pool = new TaskPool(2);
    let running = 0;
    let most = 0;
    const done: string[] = [];
    const task = (name: string, then?: () => void) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      done.push(name);
      then?.();
    };
    pool.add(task("a", () => pool.add(task("a1"))));
    pool.add(task("b"));
    pool.add(task("c"));
    await pool.idle();
    expect(done.sort()).toEqual(["a", "a1", "b", "c"]);
    expect(most).toBe(2);
  });

  it("starts nothing after a failure and rejects with it", async () => {
    const pool = new TaskPool(1);
    const ran: string[] = [];
    pool.add(async () => {
      throw new Error("first");
    });
    pool.add(async () => {
      ran.push("second");
    });
    await expect(pool.idle()).rejects.toThrow("first");
    expect(ran).toEqual([]);
  });
});

describe("progress", () => {
  it("says steps, parts translated, elapsed and an estimate of what is left", () => {
    expect(progressLine({ stepsDone: 30, steps: 120, unitsDone: 3, units: 8, elapsedSeconds: 65 }))
      .toBe("30/120 steps, 3 of 8 parts translated, 1m05s elapsed, about 3m15s left");
    expect(progressLine({ stepsDone: 1, steps: 3, unitsDone: 1, units: 1, elapsedSeconds: 2 })).toBe("1/3 steps, 2s elapsed, about 4s left");
  });
});
