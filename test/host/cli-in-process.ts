// The wisp CLI run in the test's own process, for host tests of scripts/cli:
// what it prints is captured, and the kernel build can be replaced by a
// stub that counts calls, so that a refusal is seen to come before any
// build. A test file installs the stub with
//
//   vi.mock("../../scripts/build", async (original) => (await import("./cli-in-process")).withoutBuilds(original));
//
// and imports main (scripts/cli/main.ts) after it, then takes
// `const wisp = inProcessWisp(main)`.

import { afterEach, beforeEach, vi } from "vitest";

export interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** Calls to the stubbed kernel build since the test reset it. */
export const builds = { count: 0 };

/** scripts/build with buildKernel replaced by a stub that counts the call and fails. */
export async function withoutBuilds<Module extends object>(original: () => Promise<Module>): Promise<Module> {
  return {
    ...(await original()),
    buildKernel: async () => {
      builds.count++;
      throw new Error("the test stub does not build");
    },
  };
}

/** `wisp(...ARGS)` through `main` in this process; each test starts with no build counted. */
export function inProcessWisp(main: (argv: string[]) => Promise<number>): (...args: string[]) => Promise<Outcome> {
  beforeEach(() => {
    builds.count = 0;
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return (...args) => runWisp(main, args);
}

/** Runs `wisp ARGS` through `main` in this process, capturing what it prints. */
async function runWisp(main: (argv: string[]) => Promise<number>, args: string[]): Promise<Outcome> {
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
