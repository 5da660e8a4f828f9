// Boot tier: kernel memory on every target. Guards the in-kernel memory
// self-test (page allocator, malloc and page tables on real frames, in 64 MiB
// and in 2 MiB), page 0 being unmapped (a null read faults and the report
// names address 0), the kernel text being read-only (a write faults at its
// first byte), the identity map staying small, the paging boot stage, and the
// refusal of an unknown crash kind. The kernels are built by boot.test.ts's `wisp build`
// or on demand by `wisp run`.

import { describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "60";
const targets = BOOT_TARGETS;
/**
 * Checks selftest=mm runs (kernel/selftest/mm.ts), by architecture: x86_64 adds
 * two for unmapping and remapping the device hole below 4 GiB. The same on
 * every machine and in 64 MiB and 2 MiB.
 */
const MM_CHECKS: Record<string, number> = { x86_64: 52, aarch64: 50 };

describe.each(targets)("$arch on $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT, ...args);
  const x86 = arch === "x86_64";

  it.each(["64M", "2M"])("passes the in-kernel memory self-test (%s)", (mem) => {
    const result = run("--mem", mem, "--cmdline", "quiet selftest=mm");
    expect(selfTestSummaries(result.stdout, "mm")).toEqual(selfTestPassed("mm", MM_CHECKS[arch]));
    expect(result.stdout).not.toContain("selftest check failed");
    expect(result.status).toBe(0);
  });

  it("faults on a null read, naming address 0 (page 0 is unmapped)", () => {
    const result = run("--cmdline", "quiet crash=null-read");
    expect(result.stdout).toMatch(x86
      ? /^panic: CPU exception: page fault \(vector 14\) at ip 0x[0-9a-f]+, error code 0x0, address 0x0 \(read, page not present\)$/m
      // aarch64: the whole first 2 MiB is unmapped, so the walk stops at level 2.
      : /^panic: CPU exception: data abort \(class 0x25, vector slot 0\) at ip 0x[0-9a-f]+, syndrome 0x[0-9a-f]+, address 0x0 \(read, translation fault, level 2\)$/m);
    expect(result.status).toBe(70);
  });

  it("faults on a write to the kernel's text, at its first byte (text is read-only)", () => {
    const result = run("--cmdline", "crash=write-text");
    const imageStart = result.stdout.match(/kernel image (0x[0-9a-f]+)-/)![1];
    expect(result.stdout).toMatch(x86
      ? new RegExp(`^panic: CPU exception: page fault \\(vector 14\\) at ip 0x[0-9a-f]+, error code 0x3, address ${imageStart} \\(write, protection violation\\)$`, "m")
      : new RegExp(`^panic: CPU exception: data abort \\(class 0x25, vector slot 0\\) at ip 0x[0-9a-f]+, syndrome 0x[0-9a-f]+, address ${imageStart} \\(write, permission fault, level 3\\)$`, "m"));
    expect(result.status).toBe(70);
  });

  it.each(["64M", "2M"])("builds the identity map in a handful of page-table pages (%s)", (mem) => {
    const result = run("--mem", mem, "--cmdline", "quiet meminfo");
    expect(result.status).toBe(0);
    const raw = result.stdout.split("\n").find((line) => line.startsWith("meminfo-raw "))!;
    const tables = Number(raw.match(/ page-tables=(\d+)/)![1]);
    expect(tables).toBeGreaterThan(0);
    expect(tables).toBeLessThanOrEqual(16);
  });

  it("stamps the paging stage between memory and options", () => {
    const result = run("--bootchart", "--cmdline", "quiet");
    const raw = result.stdout.split("\n").find((line) => line.startsWith("bootchart-raw "))!;
    const names = raw.split(" ").slice(1).map((field) => field.split("=")[0]);
    expect(names.indexOf("paging")).toBe(names.indexOf("memory") + 1);
    expect(names.indexOf("scheduler")).toBe(names.indexOf("paging") + 1);
    expect(names.indexOf("options")).toBe(names.indexOf("scheduler") + 1);
    expect(result.status).toBe(0);
  });
});

describe("crash kinds", () => {
  it("lists every crash kind when given an unknown one", () => {
    const result = wisp("run", "--accel", "tcg", "--timeout", TIMEOUT, "--cmdline", "crash=bogus");
    expect(result.stdout).toContain("crash=KIND needs one of: unreachable, divide-by-zero, out-of-memory, null-read, write-text, stack-overflow");
    expect(result.stdout).toContain("null-read, write-text or stack-overflow");
    expect(result.status).toBe(64);
  });
});
