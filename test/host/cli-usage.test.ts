// Guards the wisp CLI's front door (scripts/cli/main.ts, bench.ts):
// `wisp --help` lists every benchmark `wisp bench` runs; help texts name
// only documentation that exists. The CLI runs in-process with the kernel
// build replaced by a stub that records any call.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { REPO_ROOT } from "./compile";

const builds = vi.hoisted(() => ({ count: 0 }));

vi.mock("../../scripts/build", async (importOriginal) => ({
  ...(await importOriginal<typeof import("../../scripts/build")>()),
  buildKernel: async () => {
    builds.count++;
    throw new Error("the test stub does not build");
  },
}));

const { main } = await import("../../scripts/cli/main");

interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `wisp ARGS` in this process, capturing what it prints. */
async function wisp(...args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const log = vi.spyOn(console, "log").mockImplementation((text: unknown) => void (stdout += `${String(text)}\n`));
  const write = vi.spyOn(process.stderr, "write").mockImplementation((text: string | Uint8Array) => {
    stderr += String(text);
    return true;
  });
  try {
    return { status: await main(args), stdout, stderr };
  } finally {
    log.mockRestore();
    write.mockRestore();
  }
}

beforeEach(() => {
  builds.count = 0;
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("wisp --help", () => {
  it("lists every benchmark wisp bench runs, and nothing else under bench", async () => {
    const help = await wisp("--help");
    expect(help.status).toBe(0);
    const listed = help.stdout.split("\n").flatMap((line) => /^ {2}bench (\S+) {2,}\S/.exec(line)?.[1] ?? []);
    expect(listed).toEqual(["boot", "mem", "sched", "storage", "app"]);
    const unknown = await wisp("bench", "nope");
    expect(unknown).toEqual({ status: 2, stdout: "", stderr: "wisp: unknown benchmark 'nope' (available: boot, mem, sched, storage, app)\n" });
  });

  it("names only documentation files that exist, in every command's help", async () => {
    const texts = [await wisp("--help")];
    for (const command of ["build", "run", "image", "build-app", "modules"]) texts.push(await wisp(command, "--help"));
    const named = texts.flatMap(({ stdout }) => stdout.match(/docs\/[\w.-]+\.md/g) ?? []);
    expect(named).toContain("docs/kernel-options.md");
    for (const path of named) expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
  });
});
