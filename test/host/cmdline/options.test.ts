// Guards kernel/options.ts: which command-line options the kernel accepts,
// what each one sets, that anything else stops boot with a message that
// names the offending option, and that docs/kernel-options.md has a row for
// each option.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../compile";
import { Harness } from "../harness-client";

const harness = await Harness.create();
beforeEach(() => harness.resetArena());

const read = (line: string) => harness.readOptions(line);
const EXIT_ERROR = "exit=N needs a whole number from 0 to 126";
const MALLOC_BENCH_ERROR = "malloc-bench=N needs a whole number of pairs from 1 to 100000000";

describe("readOptions", () => {
  it("accepts an empty command line with every option off", () => {
    expect(read("")).toEqual({
      error: "", bootchart: false, memmap: false, meminfo: false, mallocBenchPairs: 0, schedBenchRounds: 0, quiet: false, panicMessage: null, exitStatus: 0,
    });
  });

  it("sets each flag only when it is given", () => {
    expect(read("bootchart")).toMatchObject({ error: "", bootchart: true, memmap: false, quiet: false });
    expect(read("memmap")).toMatchObject({ error: "", bootchart: false, memmap: true, quiet: false });
    expect(read("quiet")).toMatchObject({ error: "", bootchart: false, memmap: false, quiet: true });
    expect(read("meminfo")).toMatchObject({ error: "", bootchart: false, memmap: false, meminfo: true, quiet: false });
    expect(read("quiet memmap bootchart meminfo")).toMatchObject({ error: "", bootchart: true, memmap: true, meminfo: true, quiet: true });
  });

  it("takes malloc-bench=N pairs from 1 to 100000000, and refuses anything else", () => {
    expect(read("malloc-bench=1")).toMatchObject({ error: "", mallocBenchPairs: 1 });
    expect(read("malloc-bench=100000000")).toMatchObject({ error: "", mallocBenchPairs: 100_000_000 });
    for (const value of ["0", "100000001", "-5", "ten", ""]) {
      harness.resetArena();
      expect(read(`malloc-bench="${value}"`).error, `malloc-bench=${value}`).toBe(MALLOC_BENCH_ERROR);
    }
    expect(read("malloc-bench").error).toBe(MALLOC_BENCH_ERROR);
  });

  it("takes sched-bench=N rounds from 1 to 10000000, and refuses anything else", () => {
    expect(read("sched-bench=1")).toMatchObject({ error: "", schedBenchRounds: 1 });
    expect(read("sched-bench=10000000")).toMatchObject({ error: "", schedBenchRounds: 10_000_000 });
    for (const value of ["0", "10000001", "-5", "ten", ""]) {
      harness.resetArena();
      expect(read(`sched-bench="${value}"`).error, `sched-bench=${value}`).toBe("sched-bench=N needs a whole number of rounds from 1 to 10000000");
    }
  });

  it("refuses an unknown option and names it", () => {
    expect(read("frobnicate").error).toBe("unknown kernel option 'frobnicate'");
    expect(read("quiet verbose=1 other").error).toBe("unknown kernel option 'verbose'");
    expect(read("Quiet").error).toBe("unknown kernel option 'Quiet'");
  });

  it("does not treat application arguments as kernel options", () => {
    expect(read("quiet -- frobnicate exit=999")).toMatchObject({ error: "", quiet: true, exitStatus: 0 });
  });

  it("passes a command-line syntax error through", () => {
    expect(read('panic="unterminated').error).toBe("unterminated quote in the command line");
    expect(read("=1").error).toBe("option with an empty name: '=1'");
  });

  it("accepts exit=N for every N from 0 to 126", () => {
    for (let status = 0; status <= 126; status++) {
      harness.resetArena();
      expect(read(`exit=${status}`)).toMatchObject({ error: "", exitStatus: status });
    }
  });

  it("refuses exit values outside 0..126 or not a number", () => {
    for (const value of ["127", "255", "-1", "1e2", "0x10", "", "seven", " 7", "99999999999999999999"]) {
      harness.resetArena();
      expect(read(`exit="${value}"`).error, `exit=${value}`).toBe(EXIT_ERROR);
    }
    expect(read("exit").error).toBe(EXIT_ERROR);
  });

  it("takes the last exit= when it is repeated", () => {
    expect(read("exit=3 exit=9").exitStatus).toBe(9);
    expect(read("exit=3 exit=300").error).toBe(EXIT_ERROR);
  });

  it("gives panic a default message when none is given", () => {
    expect(read("panic").panicMessage).toBe("requested on the command line");
    expect(read("panic=").panicMessage).toBe("requested on the command line");
    expect(read('panic=""').panicMessage).toBe("requested on the command line");
  });

  it("keeps a panic message as written", () => {
    expect(read("panic=boom").panicMessage).toBe("boom");
    expect(read('panic="disk on fire"').panicMessage).toBe("disk on fire");
    expect(read("panic=a panic=b").panicMessage).toBe("b");
  });

  it("documents every option it accepts in the help text", () => {
    const help = harness.string(harness.exports.optionsHelp());
    const documented = help.split("\n").filter(Boolean).map((line) => /^ {2}([a-z0-9_.-]+): \S/.exec(line)?.[1]);
    expect(documented).not.toContain(undefined);
    for (const option of ["bootchart", "memmap", "meminfo", "malloc-bench", "panic", "exit", "quiet", "hang", "crash"]) expect(documented).toContain(option);
    const sample: Record<string, string> = { exit: "exit=0", crash: "crash=unreachable", "malloc-bench": "malloc-bench=10", "sched-bench": "sched-bench=10", "storage-bench": "storage-bench=8", "ninep-bench": "ninep-bench=10", "virtio_mmio.device": "virtio_mmio.device=512@0xfeb00e00:12", root: "root=ramfs", selftest: "selftest=mm", console: "console=streams", app: "app=none", listen: "listen=8080,80", ip: "ip=10.0.2.15/24,10.0.2.2", ip6: "ip6=off", fssync: "fssync=5" };
    for (const option of documented) {
      harness.resetArena();
      expect(read(sample[option!] ?? option!).error, option).toBe("");
    }
  });

  it("has a row for every option it accepts in docs/kernel-options.md", () => {
    const help = harness.string(harness.exports.optionsHelp());
    const accepted = help.split("\n").filter(Boolean).map((line) => /^ {2}([a-z0-9_.-]+): /.exec(line)![1]);
    const page = readFileSync(join(REPO_ROOT, "docs/kernel-options.md"), "utf8");
    const rows = page.split("\n").flatMap((line) => /^\| `([a-z0-9_.-]+)[=`]/.exec(line)?.[1] ?? []);
    expect([...rows].sort()).toEqual([...accepted].sort());
  });

  it("accepts only the self-tests it knows", () => {
    expect(read("selftest=mm").error).toBe("");
    expect(read("selftest=disk").error).toBe("selftest=NAME needs one of: mm, irq, sched, blk, fs, random, 9p, net, tcp, ipv6, libc");
  });

  it("accepts only the crash kinds it knows, and names them when refusing", () => {
    expect(read("crash=divide-by-zero").error).toBe("");
    const error = read("crash=meltdown").error;
    expect(error).toContain("unreachable, divide-by-zero, out-of-memory");
    expect(read("crash").error).not.toBe("");
  });
});
