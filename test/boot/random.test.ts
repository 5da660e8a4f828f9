// Boot tier: kernel randomness on every target (kernel/selftest/random.ts,
// `selftest=random`). Guards: a virtio-rng device is found and used (x86_64
// microvm over virtio-mmio, q35 over virtio-pci with MSI-X, aarch64 virt
// over virtio-mmio); without one, the CPU generator is used where the CPU
// has it (`-cpu max`: RDRAND, RNDR); with neither (the models wisp run
// asks TCG for, qemu64 with SSE4.2 and 1 GiB pages and cortex-a72, have none) getRandom says -ENOSYS and the kernel says so.
// A device that stops answering (QEMU's rate limit) fails at its deadline,
// once, and a legacy-only device is refused by name.
// The QEMU command is `wisp run --print-command`'s, with the device or CPU
// added here.

import { execFileSync, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "120";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/**
 * Checks selftest=random runs (drivers/virtio/rng-selftest.ts), by the sources
 * that answer: 2 per source (a virtio-rng device, the CPU's generator), then 1
 * for reading entropy and 8 for the generator built on it; with no source, 3
 * that everything says -ENOSYS. Every configuration here has one source that
 * answers, or none (a device that stops answering is not counted as one). The
 * same on every machine.
 */
const RANDOM_CHECKS = { oneSource: 11, none: 3 };

/** What a virtio-rng device takes on each machine: modern virtio-mmio (microvm without ACPI, virt) or virtio-pci; `options` for the device. */
function addRng(machine: string, command: string, options = "", objects = ""): string {
  if (machine === "q35") return `${command} ${objects} -device virtio-rng-pci,disable-legacy=on,disable-modern=off${options}`;
  const mmio = `-global virtio-mmio.force-legacy=false ${objects} -device virtio-rng-device${options}`;
  return `${command.replace("-M microvm ", "-M microvm,acpi=off ")} ${mmio}`;
}

/** The CPU model with a hardware generator (RDRAND on x86_64, RNDR on aarch64). */
function withGeneratorCpu(arch: string, command: string): string {
  return command.replace(/-cpu \S+/, "-cpu max");
}

describe.each(BOOT_TARGETS)("$arch on $machine", ({ arch, machine }) => {
  const boot = (edit: (command: string) => string, checks: number) => {
    const printed = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--cmdline", "quiet selftest=random", "--print-command");
    expect(printed.status).toBe(0);
    execFileSync("node", ["scripts/wisp.mjs", "build", "--arch", arch], { cwd: ROOT, stdio: "ignore" });
    const result = spawnSync("timeout", [TIMEOUT, "sh", "-c", edit(printed.stdout.trim())], { cwd: ROOT, encoding: "utf8" });
    expect(result.stdout).not.toContain("selftest check failed");
    expect(selfTestSummaries(result.stdout, "random")).toEqual(selfTestPassed("random", checks));
    // QEMU's exit code 3 is the kernel's status 0 (scripts/run/exit-status.ts).
    expect(result.status).toBe(3);
    return result.stdout;
  };

  it("reads a virtio-rng device and seeds the generator from it", () => {
    const output = boot((command) => addRng(machine, command), RANDOM_CHECKS.oneSource);
    const transport = machine === "q35" ? /^random-virtio virtio-pci [0-9a-f]{2}:[0-9a-f]{2}\.\d$/m : /^random-virtio virtio-mmio@0x[0-9a-f]+$/m;
    expect(output).toMatch(transport);
    expect(output).toMatch(/^random-source virtio-rng$/m);
    expect(output).toMatch(/^random-cost 16 bytes: generator \d+ ns, source \d+ ns; 1 seeds$/m);
    expect(output).not.toContain("random-virtio-error");
  });

  it("fails a device that stops answering at its deadline, once, and goes on with the CPU's generator", () => {
    // QEMU's rate limit: 16 bytes a minute, so the second request outlives the 10 s deadline.
    const started = Date.now();
    const output = boot((command) => addRng(machine, withGeneratorCpu(arch, command), ",rng=slow,max-bytes=16,period=60000",
      "-object rng-random,id=slow,filename=/dev/urandom"), RANDOM_CHECKS.oneSource);
    expect(output).toMatch(/^random-virtio-error -5 after 2 requests$/m);
    expect(output).toMatch(/^random-source hardware$/m);
    // One deadline, not one per request.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("uses the CPU's generator when there is no device", () => {
    const output = boot((command) => withGeneratorCpu(arch, command), RANDOM_CHECKS.oneSource);
    expect(output).toMatch(/^random-virtio none$/m);
    expect(output).toMatch(/^random-hardware yes$/m);
    expect(output).toMatch(/^random-source hardware$/m);
  });

  it("says -ENOSYS, clearly, with no device and a CPU without a generator", () => {
    const output = boot((command) => command, RANDOM_CHECKS.none);
    expect(output).toMatch(/^random-virtio none$/m);
    expect(output).toMatch(/^random-hardware no$/m);
    expect(output).toMatch(/^random-source none$/m);
    expect(output).toMatch(/^random-enosys$/m);
  });

  it("falls back to the CPU's generator past a legacy-only device, naming the device it refused", () => {
    const legacy = (command: string) => withGeneratorCpu(arch, machine === "q35"
      ? `${command} -device virtio-rng-pci,disable-modern=on`
      : `${command.replace("-M microvm ", "-M microvm,acpi=off ")} -device virtio-rng-device`);
    const output = boot(legacy, RANDOM_CHECKS.oneSource);
    expect(output).toMatch(/^random: virtio-(mmio@0x[0-9a-f]+|pci [0-9a-f:.]+): a legacy-only device/m);
    expect(output).toMatch(/^random-virtio none$/m);
    expect(output).toMatch(/^random-source hardware$/m);
  });
});
