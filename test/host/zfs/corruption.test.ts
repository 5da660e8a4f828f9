// Single-byte damage to the fixture pools must never make fs/zfs trap,
// hang or answer wrong data: each damaged byte of the newest uberblock in
// one label, of a label's configuration, and of a sample of metadata blocks
// (seeded) gives the right tree (from another label or ditto copy, or the
// other side of a mirror) or a clean negative errno. The trials run in a
// child process (corruption-runner.ts) under a time limit.

import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const RUNNER = new URL("./corruption-runner.ts", import.meta.url).pathname;
const TIME_LIMIT_MS = 240_000;

interface Outcome {
  right: number;
  cleanError: number;
  detected: number;
  bad: string[];
}

function run(pool: string, dataset: string, seed: number, metadataTrials: number, uberblockBytes: number): Record<string, Outcome> {
  const child = spawnSync(process.execPath, ["--import", "tsx", RUNNER, pool, dataset, String(seed), String(metadataTrials), String(uberblockBytes)], {
    encoding: "utf8", timeout: TIME_LIMIT_MS, maxBuffer: 16 << 20,
  });
  if (child.error) throw child.error;
  expect(child.signal, `the runner was stopped (${child.signal}): a hang?`).toBe(null);
  expect(child.status, child.stderr).toBe(0);
  return JSON.parse(child.stdout);
}

describe("single-byte corruption", () => {
  const cases: [string, string, number, number, number][] = [
    ["lzjb", "lzjb/child", 1, 120, 1024],
    ["gzip", "gzip/child", 2, 80, 128],
    ["twin", "twin/child", 3, 80, 128],
    ["plain", "plain/child", 4, 80, 128],
  ];
  for (const [pool, dataset, seed, metadataTrials, uberblockBytes] of cases) {
    it(`never traps or lies reading ${dataset}`, { timeout: TIME_LIMIT_MS + 10_000 }, () => {
      const results = run(pool, dataset, seed, metadataTrials, uberblockBytes);
      for (const [kind, outcome] of Object.entries(results)) {
        expect(outcome.bad, kind).toEqual([]);
      }
      // One label's uberblock or configuration damaged: the other labels give the same pool.
      expect(results["uberblock, one label"].right).toBe(uberblockBytes);
      expect(results["label config"].right).toBe(64);
      // Metadata has two or three copies: damage to one is found by its checksum and read around.
      expect(results.metadata.right).toBe(metadataTrials);
      expect(results.metadata.detected).toBeGreaterThan(metadataTrials / 2);
    });
  }
});
