// Guards arch/common/crc32c.c, the CRC-32C ROFS checks its images with,
// built natively for this machine: the instruction path (SSE4.2 crc32 here),
// the table path and the entry point the kernel calls agree with the crc-32
// package's CRC-32C (which writes the images) for the check string, empty
// input, every alignment 0-15 over lengths 0-40 and 4 KiB, a 1 MiB block, and
// a CRC continued from a seed.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import CRC32C from "crc-32/crc32c";
import { afterAll, describe, expect, it } from "vitest";
import { Random, suiteSeed } from "../random";

const ROOT = new URL("../../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "wisp-crc32c-"));
const driver = join(work, "crc32c");
execFileSync("clang", [
  "-O2", "-Wall", "-Werror", "-no-pie", `-I${join(ROOT, "test/host/native/stub")}`,
  join(ROOT, "test/host/native/crc32c-driver.c"), "-o", driver,
]);

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Case { align: number; bytes: Uint8Array; seed: number }

/** Runs the driver over the cases: [instruction, tables, kernel] per case. */
function run(cases: Case[]): number[][] {
  const input = Buffer.concat(cases.flatMap((c) => [Buffer.from(`${c.align} ${c.bytes.length} ${c.seed >>> 0}\n`), Buffer.from(c.bytes)]));
  const result = spawnSync(driver, [], { input, maxBuffer: 1 << 24 });
  expect(result.status).toBe(0);
  return result.stdout.toString().trim().split("\n").map((line) => line.split(" ").map((hex) => parseInt(hex, 16)));
}

describe("CRC-32C (arch/common/crc32c.c)", () => {
  it("agrees with the image writer's on every path, alignment and length", () => {
    const random = new Random(suiteSeed(), 32);
    const bytes = (n: number) => Uint8Array.from({ length: n }, () => random.int(0, 255));
    const cases: Case[] = [{ align: 0, bytes: new TextEncoder().encode("123456789"), seed: 0 }, { align: 3, bytes: new Uint8Array(0), seed: 0 }];
    for (let align = 0; align < 16; align++) {
      for (let length = 0; length <= 40; length++) cases.push({ align, bytes: bytes(length), seed: 0 });
      cases.push({ align, bytes: bytes(4096), seed: random.int(0, 0xffffffff) });
    }
    cases.push({ align: 0, bytes: bytes(1 << 20), seed: 0 });
    const results = run(cases);
    expect(results).toHaveLength(cases.length);
    expect(results[0][1]).toBe(0xe3069283); // the check value of "123456789"
    const hasInstruction = results[0][0] !== 0;
    for (const [i, c] of cases.entries()) {
      const expected = CRC32C.buf(c.bytes, c.seed | 0) >>> 0;
      const [instruction, tables, kernel] = results[i];
      expect(tables, `tables, case ${i}`).toBe(expected);
      expect(kernel, `entry, case ${i}`).toBe(expected);
      if (hasInstruction) expect(instruction, `instruction, case ${i}`).toBe(expected);
    }
  });
});
