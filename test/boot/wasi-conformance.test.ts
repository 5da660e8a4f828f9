// Boot tier: the WASI preview 1 conformance programs (test/apps, written in C
// against wasi-libc and checked under Node's WASI by test/apps/run-node.mjs)
// run on Wisp, on both architectures.
//
// Each program gets an empty writable /sandbox and the fixtures tree at
// /fixtures, read-only (`--dir HOST:GUEST:ro`: shared over 9p read-only, which
// fds.c checks refuses every write with ROFS), its args and environment from
// programs.json. It passes when it exits with the expected status and its
// report (test/apps/tap.mjs) holds every check its plan (`1..N`) announces,
// each exactly once, and no `not ok`.

import { describe, expect, it, beforeAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { wisp } from "./wisp-cli";
import { readTap } from "../apps/tap.mjs";

const APPS = new URL("../apps/", import.meta.url).pathname;

interface Program {
  name: string;
  source: string;
  args: string[];
  env: Record<string, string>;
  exit: number;
}

const programs = (JSON.parse(readFileSync(join(APPS, "programs.json"), "utf8")) as { programs: Program[] }).programs;
const compiled = new Map<string, string>();
let work = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "wisp-wasi-"));
  for (const source of new Set(programs.map((program) => program.source))) {
    const output = join(work, source.replace(/\.c$/, ".wasm"));
    execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", join(APPS, source), "-o", output]);
    compiled.set(source, output);
  }
});

describe.each(["x86_64", "aarch64"])("WASI conformance on %s", (arch) => {
  it.each(programs.map((program) => [program.name, program] as const))("%s", (name, program) => {
    const sandbox = join(work, `sandbox-${arch}-${name}`);
    mkdirSync(sandbox);
    const env = Object.entries(program.env).flatMap(([key, value]) => ["--env", `${key}=${value}`]);
    const result = wisp(
      "run", "--arch", arch, "--timeout", "120", compiled.get(program.source)!,
      "--dir", `${sandbox}:/sandbox`, "--dir", `${join(APPS, "fixtures")}:/fixtures:ro`, ...env, "--", ...program.args,
    );
    const report = readTap(result.stdout);
    expect(report.failures, result.stdout + result.stderr).toEqual([]);
    expect(report.problems, result.stdout + result.stderr).toEqual([]);
    expect(result.status, result.stderr).toBe(program.exit);
  });
});
