// Boot tier: interrupts and timers on x86_64 (microvm and q35; aarch64 is in
// interrupts-aarch64.test.ts). Guards the in-kernel
// interrupt self-test (`selftest=irq`): the controllers come up with every
// source masked, the one-shot timer fires once per arming and never early, a
// device interrupt (the CMOS RTC's periodic interrupt) is routed end to end
// and goes quiet when detached, an interrupt nobody handles is counted and
// survived, and the wall clock reads a plausible date. The kernel is built by
// boot.test.ts's `wisp build` or on demand by `wisp run`.

import { describe, expect, it } from "vitest";
import { selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "60";
/** Checks selftest=irq runs (kernel/selftest/irq-x86.ts): the same on microvm and q35, in either timer mode. */
const IRQ_CHECKS = 32;

describe.each([{ machine: "microvm" }, { machine: "q35" }])("x86_64 on $machine", ({ machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", "x86_64", "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT, ...args);

  it("passes the in-kernel interrupt self-test, naming the controllers and the timer mode", () => {
    const result = run("--cmdline", "quiet selftest=irq");
    expect(result.stdout).not.toContain("selftest check failed");
    expect(result.stdout).toMatch(/^irq: (x2APIC|xAPIC), IOAPIC with \d+ inputs, timer (in TSC-deadline mode|one-shot at [1-9]\d* counts per 1000 TSC ticks)$/m);
    expect(selfTestSummaries(result.stdout, "irq")).toEqual(selfTestPassed("irq", IRQ_CHECKS));
    expect(result.status).toBe(0);
  });
});
