// Guards the wisp CLI's front door (scripts/cli/main.ts, bench.ts, run.ts,
// build.ts): `wisp --help` lists every benchmark `wisp bench` runs; `wisp
// run` refuses an unknown --machine, --accel, --arch, --profile or an
// unreadable --mem, and `wisp build` a bad --compress or --profile, as a bad
// invocation (exit 2, one line) before it builds anything; run takes the
// machines it knows; help
// texts name only documentation that exists. The CLI runs in-process with
// the kernel build replaced by a stub that records any call.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { REPO_ROOT } from "./compile";
import { builds, inProcessWisp } from "./cli-in-process";

vi.mock("../../scripts/build", async (original) => (await import("./cli-in-process")).withoutBuilds(original));

const { main } = await import("../../scripts/cli/main");

const wisp = inProcessWisp(main);

describe("wisp --help", () => {
  it("lists every benchmark wisp bench runs, and nothing else under bench", async () => {
    const help = await wisp("--help");
    expect(help.status).toBe(0);
    const listed = help.stdout.split("\n").flatMap((line) => /^ {2}bench (\S+) {2,}\S/.exec(line)?.[1] ?? []);
    expect(listed).toEqual(["boot", "mem", "sched", "storage", "app", "size", "profile", "net", "numbers", "peers"]);
    const unknown = await wisp("bench", "nope");
    expect(unknown).toEqual({ status: 2, stdout: "", stderr: "wisp: unknown benchmark 'nope' (available: boot, mem, sched, storage, app, size, profile, net, numbers, peers)\n" });
  });

  it("names only documentation files that exist, in every command's help", async () => {
    const texts = [await wisp("--help")];
    for (const command of ["build", "run", "image", "build-app", "modules"]) texts.push(await wisp(command, "--help"));
    const named = texts.flatMap(({ stdout }) => stdout.match(/docs\/[\w.-]+\.md/g) ?? []);
    expect(named).toContain("docs/kernel-options.md");
    for (const path of named) expect(existsSync(join(REPO_ROOT, path)), path).toBe(true);
  });
});

describe("wisp build refuses a bad option before building", () => {
  it("--compress", async () => {
    const result = await wisp("build", "--arch", "x86_64", "--image", "demo-files", "--compress", "sometimes");
    expect(result).toEqual({ status: 2, stdout: "", stderr: "wisp: --compress needs auto, never or always, not 'sometimes'\n" });
    expect(builds.count).toBe(0);
  });

  it("--profile", async () => {
    const result = await wisp("build", "--profile", "test+fast");
    expect(result).toEqual({ status: 2, stdout: "", stderr: "wisp: unknown build profile 'fast' (expected default, cooperative, test, or several joined with +)\n" });
    expect(builds.count).toBe(0);
  });
});

describe("wisp run refuses a bad enumerated option before building", () => {
  const cases: Array<[string[], string]> = [
    [["--machine", "foo"], "machine 'foo' is not available on x86_64 (use microvm or q35)"],
    [["--arch", "aarch64", "--machine", "q35"], "machine 'q35' is not available on aarch64 (use virt)"],
    [["--arch", "x86_64", "--machine", "virt"], "machine 'virt' is not available on x86_64 (use microvm or q35)"],
    [["--accel", "foo"], "unknown accelerator 'foo' (expected auto, kvm or tcg)"],
    [["--accel", "KVM"], "unknown accelerator 'KVM' (expected auto, kvm or tcg)"],
    [["--arch", "foo"], "unknown architecture 'foo' (expected x86_64 or aarch64)"],
    [["--mem", "foo"], "cannot read memory size 'foo' (try 64M or 2MiB)"],
    [["--mem", "64X"], "unknown memory unit 'X' in '64X' (use K, M or G)"],
    [["--profile", "fast"], "unknown build profile 'fast' (expected default, cooperative, test, or several joined with +)"],
  ];
  for (const [args, message] of cases) {
    it(`wisp run ${args.join(" ")}: exit 2, one line, no build`, async () => {
      expect(await wisp("run", ...args)).toEqual({ status: 2, stdout: "", stderr: `wisp: ${message}\n` });
      expect(builds.count).toBe(0);
    });
  }

  it("takes every machine it knows (--print-command builds nothing)", async () => {
    const expected: Array<[string, string, RegExp]> = [
      ["x86_64", "microvm", /^qemu-system-x86_64 -M microvm -bios /],
      ["x86_64", "q35", /^qemu-system-x86_64 -M q35 -cpu qemu64,\+sse4\.2,\+pdpe1gb -m /],
      ["aarch64", "virt", /^qemu-system-aarch64 -M virt -cpu cortex-a72 /],
    ];
    for (const [arch, machine, command] of expected) {
      const printed = await wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--print-command");
      expect(printed.status, printed.stderr).toBe(0);
      expect(printed.stdout).toMatch(command);
    }
    expect(builds.count).toBe(0);
  });
});
