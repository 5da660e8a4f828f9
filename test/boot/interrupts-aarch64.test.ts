// Boot tier: interrupts on aarch64 (QEMU virt, GICv2). Guards the in-kernel
// interrupt self-test (the GIC, the EL1 virtual timer, an SPI routed end to
// end, an interrupt without a handler, the PL031 wall clock) in every way the
// boot stub can be entered (EL1; EL2 with virtualization=on; EL3 with
// secure=on, where the stub hands the GIC to the non-secure kernel), the
// refusal of a GICv3 by name when interrupts are first needed, and a plain
// boot.
// The kernel is built by boot.test.ts's `wisp build` or on demand by `wisp run`.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "60";
/** Checks selftest=irq runs (kernel/selftest/irq-arm.ts): the same however the boot stub was entered. */
const IRQ_CHECKS = 29;
const run = (...args: string[]) => wisp("run", "--arch", "aarch64", "--accel", "tcg", "--timeout", TIMEOUT, ...args);

/** Runs the command `wisp run --print-command` prints, with `machine` in place of -M virt. */
function runOnMachine(machine: string, cmdline: string): { status: number; stdout: string } {
  const printed = run("--print-command", "--cmdline", cmdline);
  expect(printed.status).toBe(0);
  const command = printed.stdout.trim().split("\n").pop()!.replace(/-M virt\b/, `-M ${machine}`);
  const result = spawnSync("sh", ["-c", command], { encoding: "utf8", timeout: 120_000 });
  // Semihosting exits with 2 * status + 3.
  return { status: ((result.status ?? -1) - 3) / 2, stdout: result.stdout };
}

describe("aarch64 interrupts", () => {
  it("passes the in-kernel interrupt self-test", () => {
    const result = run("--cmdline", "quiet selftest=irq");
    expect(selfTestSummaries(result.stdout, "irq")).toEqual(selfTestPassed("irq", IRQ_CHECKS));
    expect(result.stdout).not.toContain("selftest check failed");
    expect(result.status).toBe(0);
  });

  it.each(["virt,virtualization=on", "virt,secure=on", "virt,secure=on,virtualization=on"])(
    "passes the interrupt self-test when entered as %s",
    (machine) => {
      const result = runOnMachine(machine, "quiet selftest=irq");
      expect(selfTestSummaries(result.stdout, "irq")).toEqual(selfTestPassed("irq", IRQ_CHECKS));
      expect(result.status).toBe(0);
    },
  );

  it("refuses a GICv3 by name", () => {
    const result = runOnMachine("virt,gic-version=3", "quiet selftest=irq");
    expect(result.stdout).toMatch(/^panic: interrupts: .*GICv3 \(arm,gic-v3\)/m);
    expect(result.status).toBe(70);
  });

  it("boots and exits 0", () => {
    const result = run("--cmdline", "");
    expect(result.stdout).toMatch(/^Wisp .* on aarch64: /m);
    expect(result.status).toBe(0);
  });
});
