// The WASI conformance programs (test/apps) against a second implementation,
// Node's WASI: guards the tests themselves, so that a failure on Wisp points
// at Wisp. Node's own known deviations are listed in test/apps/run-node.mjs,
// which also holds each program to its TAP plan (every check reported once).

import { expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const RUNNER = fileURLToPath(new URL("../../apps/run-node.mjs", import.meta.url));

it("every conformance check passes under Node's WASI, or is a known Node deviation", () => {
  const result = spawnSync(process.execPath, [RUNNER], { encoding: "utf8", timeout: 120_000 });
  expect(result.status, result.stdout + result.stderr).toBe(0);
  expect(result.stdout).toMatch(/^\d+ passed, 0 failed(, \d+ skipped)?$/m);
}, 150_000);
