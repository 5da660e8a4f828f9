// Guards arch/common/libc.c, the memcpy, memmove, memset and memcmp of the
// kernel and of every app (app.so imports them from the kernel), built
// natively for this machine: every source and destination alignment 0-15
// with every length 0-300, then lengths around the rep-string threshold, a
// page and 64 KiB, memmove overlapping both ways, memcmp's sign at a
// difference in the last byte and halfway down; on x86_64 with the word
// loops and again with rep movsb/stosb. Every check is counted against the
// total the driver makes.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = new URL("../../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "wisp-libc-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the kernel's memcpy, memmove, memset, memcmp (arch/common/libc.c)", () => {
  it("match byte-at-a-time references on every alignment and length", () => {
    const driver = join(work, "libc");
    execFileSync("clang", ["-O2", "-Wall", "-Werror", "-fno-builtin", join(ROOT, "test/host/native/libc-driver.c"), "-o", driver]);
    const run = spawnSync(driver, [], { encoding: "utf8", maxBuffer: 1 << 20 });
    const lines = run.stdout.trim().split("\n");
    const failures = lines.filter((line) => line.startsWith("FAIL"));
    expect(failures).toEqual([]);
    expect(run.status).toBe(0);
    // Per (alignment pair, length): 5 checks, plus 2 per memcmp difference position tried.
    const differences = (n: number) => {
      let count = 0;
      if (n > 0) for (let at = n - 1; ; at = Math.floor(at / 2)) {
        count++;
        if (at === 0) break;
      }
      return count;
    };
    let perPass = 0;
    for (let n = 0; n <= 300; n++) perPass += 256 * (4 + 1 + differences(n));
    for (const n of [511, 512, 513, 1000, 4095, 4096, 4097, 65539, 70000]) perPass += 4 * 6 * (4 + 1 + differences(n));
    const passes = process.arch === "x64" ? 2 : 1;
    expect(lines).toContain(`checks ${perPass * passes}`);
    expect(lines).toContain("failures 0");
  });
});
