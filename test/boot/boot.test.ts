// Boot tier: the real kernel, built by `wisp build`, booted in QEMU (TCG) by
// `wisp run`, on every architecture and x86 machine type. Guards the banner,
// exit statuses, the panic path, wasm trap reports, command-line errors, the
// boot chart, and the host-side timeout for a guest that never powers off.

import { beforeAll, describe, expect, it } from "vitest";
import { wisp } from "./wisp-cli";

const TIMEOUT = "60";
const targets = [
  { arch: "x86_64", machine: "microvm" },
  { arch: "x86_64", machine: "q35" },
  { arch: "aarch64", machine: "virt" },
];

beforeAll(() => {
  const build = wisp("build");
  expect(build.stderr).toContain("built build/x86_64/kernel.elf");
  expect(build.stderr).toContain("built build/aarch64/kernel.elf");
  expect(build.status).toBe(0);
});

describe.each(targets)("$arch on $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT, ...args);

  it("prints the banner and powers off with status 0", () => {
    const result = run();
    expect(result.stdout).toMatch(new RegExp(`^Wisp \\d+\\.\\d+\\.\\d+ on ${arch}: \\d+ KiB usable RAM`, "m"));
    expect(result.stderr).toContain(`accelerator tcg`);
    expect(result.status).toBe(0);
  });

  it("passes exit=N through as the process status", () => {
    expect(run("--cmdline", "exit=42").status).toBe(42);
  });

  it("prints the reason of a panic requested on the command line and exits 70", () => {
    const result = run("--cmdline", 'panic="disk on fire"');
    expect(result.stdout).toContain("panic: disk on fire");
    expect(result.status).toBe(70);
  });

  it("refuses an unknown kernel option with a usage status", () => {
    const result = run("--cmdline", "no-such-option");
    expect(result.stdout).toContain("unknown kernel option 'no-such-option'");
    expect(result.status).toBe(64);
  });

  it("prints a boot chart whose stamps increase", () => {
    const result = run("--bootchart", "--cmdline", "quiet");
    expect(result.status).toBe(0);
    const raw = result.stdout.split("\n").find((line) => line.startsWith("bootchart-raw "));
    expect(raw).toBeDefined();
    const fields = raw!.split(" ").slice(1).map((field) => field.split("="));
    const hz = Number(fields.find(([key]) => key === "hz")![1]);
    expect(hz).toBeGreaterThan(1_000_000);
    const ticks = fields.filter(([key]) => key !== "hz" && key !== "source").map(([, value]) => Number(value));
    expect(ticks[0]).toBe(0);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]).toBeGreaterThanOrEqual(ticks[i - 1]);
    expect(fields.map(([key]) => key)).toContain("kernel-ready");
  });

  it.each([
    ["unreachable", "panic: kernel trap: unreachable executed"],
    ["divide-by-zero", "panic: kernel trap: integer divide by zero"],
    ["out-of-memory", "panic: kernel trap: out of memory (a request for"],
  ])("reports a kernel trap (crash=%s) by name and exits 70", (kind, report) => {
    const result = run("--cmdline", `quiet crash=${kind}`);
    expect(result.stdout).toContain(report);
    expect(result.status).toBe(70);
  });

  it("accounts for every usable page in the meminfo report", () => {
    const result = run("--cmdline", "quiet meminfo");
    expect(result.status).toBe(0);
    const raw = result.stdout.split("\n").find((line) => line.startsWith("meminfo-raw "));
    expect(raw).toBeDefined();
    const pages = Object.fromEntries(raw!.split(" ").slice(1).map((field) => field.split("=")).map(([key, value]) => [key, Number(value)]));
    const inUse = ["kernel-image", "boot-allocations", "page-tables", "slabs", "large-allocations", "initrd", "application"]
      .reduce((sum, key) => sum + pages[key], 0);
    expect(pages.free + inUse).toBe(pages.usable);
    expect(pages.usable + pages.reserved).toBe(pages.frames);
    expect(pages["kernel-image"]).toBeGreaterThan(0);
    expect(pages["high-water"]).toBeGreaterThanOrEqual(inUse);
  });

  it("boots in 2 MiB of RAM", () => {
    const result = run("--mem", "2M");
    expect(result.stdout).toContain(`on ${arch}`);
    expect(result.status).toBe(0);
  });
});

describe("host-side guards", () => {
  it("kills a guest that never powers off when the timeout expires", () => {
    const result = wisp("run", "--accel", "tcg", "--timeout", "3", "--cmdline", "hang");
    expect(result.stdout).toContain("Wisp");
    expect(result.stderr).toContain("did not power off within 3 s");
    expect(result.status).toBe(124);
  });

  it("prints the exact QEMU command without booting", () => {
    const result = wisp("run", "--print-command", "--accel", "tcg", "--mem", "32M", "--cmdline", "quiet exit=3");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^qemu-system-x86_64 -M microvm -bios \/usr\/share\/qemu\/qboot.rom /);
    expect(result.stdout).toContain("-m 32768K");
    expect(result.stdout).toContain("-append 'quiet exit=3'");
    expect(result.stdout).toContain("isa-debug-exit,iobase=0xf4,iosize=0x04");
  });

  it("refuses a memory size too small for the kernel image", () => {
    const result = wisp("run", "--mem", "1M");
    expect(result.stderr).toContain("is too small");
    expect(result.status).toBe(2);
  });

  it("runs the memory benchmark and reports every part as JSON", () => {
    const result = wisp("bench", "mem", "--json", "--arch", "x86_64", "--step", "256");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.minimum[0].arch).toBe("x86_64");
    expect(report.minimum[0].minimumKib).toBeGreaterThanOrEqual(report.minimum[0].imageFloorKib);
    expect(report.efficiency).toHaveLength(64);
    for (const entry of report.efficiency) expect(entry.exact).toBeGreaterThan(0);
    expect(report.native.map((entry: { pattern: string }) => entry.pattern)).toContain("churn");
    expect(report.guest[0].sizes[0].instructionsPerPair).toBeGreaterThan(0);
  });

  it("names a bad option and exits 2", () => {
    const result = wisp("run", "--no-such-flag");
    expect(result.stderr).toContain("no-such-flag");
    expect(result.status).toBe(2);
  });
});
