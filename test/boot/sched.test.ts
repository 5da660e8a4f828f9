// Boot tier: threads and the scheduler on every target, in both build
// profiles. Guards the in-kernel scheduler self-test (condition-variable
// ping-pong among 8 threads, sleep accuracy, idle time counted, preemption
// of a busy thread in the default profile and its absence in the
// cooperative one, priorities, mutexes, semaphores, timeouts, thread-local
// data, a 1100-timer storm with timers armed from interrupt context, stacks
// coming back), the stack guard page (a runaway recursion is reported as a
// stack overflow naming the thread), and `wisp bench sched --json`. Runs
// under -icount, where guest time is instruction count, so the timing
// checks are exact.

import { describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "120";
const targets = BOOT_TARGETS;
/**
 * Checks selftest=sched runs (kernel/selftest/sched.ts): the same number on
 * every machine and in both profiles (the cooperative profile checks the
 * opposite of the two preemption checks, that they do not happen).
 */
const SCHED_CHECKS = 39;

describe.each(targets)("$arch on $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT, ...args);

  it.each(["default", "cooperative"])("passes the scheduler self-test (%s profile)", (profile) => {
    const result = run("--profile", profile, "--icount", "--cmdline", "quiet selftest=sched");
    expect(selfTestSummaries(result.stdout, "sched")).toEqual(selfTestPassed("sched", SCHED_CHECKS));
    expect(result.stdout).toContain(`preemptive=${profile === "default" ? 1 : 0}`);
    expect(result.stdout).not.toContain("selftest check failed");
    expect(result.status).toBe(0);
  });

  it("reports a thread's stack overflow at its guard page, naming the thread", () => {
    const result = run("--cmdline", "quiet crash=stack-overflow");
    expect(result.stdout).toMatch(/^panic: CPU exception: /m);
    expect(result.stdout).toMatch(/^stack overflow: thread \d+ \(deep\) ran past the end of its stack into the guard page at 0x[0-9a-f]+$/m);
    expect(result.stdout).toMatch(/^in thread \d+ \(deep\)$/m);
    expect(result.status).toBe(70);
  });
});

describe("wisp bench sched", () => {
  it("reports every part in instructions and as a ratio to the loop without a switch", () => {
    const result = wisp("bench", "sched", "--json", "--arch", "x86_64", "--profile", "default", "--rounds", "100");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.benchmark).toBe("sched");
    const parts = report.results[0].parts as { name: string; instructionsPerOp: number; ratioToNoSwitchLoop: number }[];
    expect(parts.map((part) => part.name)).toEqual(["yield-alone", "switch", "create-join", "timer-arm-cancel", "timer-wakeup"]);
    for (const part of parts) expect(part.instructionsPerOp).toBeGreaterThan(0);
    expect(parts[0].ratioToNoSwitchLoop).toBe(1);
    // A switch does more than the loop that does not switch.
    expect(parts[1].instructionsPerOp).toBeGreaterThan(parts[0].instructionsPerOp);
  });

  it("refuses a bad round count", () => {
    const result = wisp("bench", "sched", "--rounds", "0");
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--rounds needs a whole number");
  });
});
