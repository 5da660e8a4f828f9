// Boot tier: a WASI program with 20 MB of code, which build-app splits
// before wasm2c, runs on both architectures with the output Node's WASI gives.
//
// The program is scripts/bench/app/big-module.ts: 2,000 functions of real work
// (direct calls across every part boundary, calls through the table, memory,
// a mutable global, data segments) padded with nops to 20 MB, so that the
// split path is taken at that size while clang, which never sees a nop,
// stays within the CI's time. The module is written to build/test/ and its
// app.so is cached by content (build/apps/), so every test file and run
// using it compiles it once.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../scripts/app";
import { ROOT } from "../../scripts/build/files";
import { SPLIT_CODE_BYTES } from "../../scripts/app/units";
import { bigModule } from "../../scripts/bench/app/big-module";
import { runWhole } from "../host/split/node-run";
import { wisp } from "./wisp-cli";

const ARCHES = ["x86_64", "aarch64"] as const;
const FUNCTIONS = 2000;
/** nops per function: 2,000 × 10,240 bytes = 20 MiB of code besides the work. */
const NOPS = 10 << 10;

const wasm = join(ROOT, "build", "test", "big-app.wasm");
const bytes = bigModule(FUNCTIONS, { steps: 8, nops: NOPS });

beforeAll(async () => {
  mkdirSync(join(ROOT, "build", "test"), { recursive: true });
  writeFileSync(wasm, bytes);
  // Both compiles before any boot: wisp run then finds them in the cache.
  for (const arch of ARCHES) await buildApp(wasm, { arch });
});

describe.each(ARCHES)("a 20 MB program on %s", (arch) => {
  // The first boot may build the kernel, on a loaded machine.
  it("is compiled in parts and prints what Node prints", { timeout: 600_000 }, async () => {
    const { report } = await buildApp(wasm, { arch });
    expect(report.split).not.toBeNull();
    expect(report.split!.parts.reduce((sum, part) => sum + part.codeBytes, 0)).toBeGreaterThanOrEqual(20 << 20);
    expect(report.split!.parts.length).toBeGreaterThanOrEqual(Math.ceil((20 << 20) / SPLIT_CODE_BYTES));
    const node = runWhole(bytes);
    expect(node.stdout).toMatch(/^checksum \d+\nglobal \d+\n$/);
    const result = wisp("run", "--arch", arch, "--timeout", "240", wasm);
    expect(result.stdout).toBe(node.stdout);
    expect(result.status).toBe(0);
  });
});
