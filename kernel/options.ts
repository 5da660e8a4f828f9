// The kernel's own command-line options: what each means, and the check that
// rejects anything else before boot goes on.

import { CommandLine, parseUnsigned } from "./cmdline";
import { MAX_EXIT_STATUS } from "./params";
import { CRASH_KINDS, isCrashKind } from "./crash";

/** Self-tests selftest=NAME can run (kernel/selftest). */
export const SELF_TESTS: StaticArray<string> = ["mm", "irq", "sched", "blk", "fs", "random"];
/** Where root=SOURCE takes the root filesystem from (fs/root.ts). */
export const ROOT_SOURCES: StaticArray<string> = ["auto", "initrd", "disk", "ramfs"];

/** Known options, with the help line printed when an unknown one is given. */
const KNOWN: StaticArray<string> = [
  "bootchart", "print the boot chart (counter stamps from the first instruction) before powering off",
  "memmap", "print the firmware memory map",
  "meminfo", "print where memory went (pages per use, slab classes, high-water mark) before powering off",
  "malloc-bench", "malloc-bench=N: time N malloc/free pairs per size after boot (for wisp bench mem)",
  "storage-bench", "storage-bench=MIB: time reading the tree through the VFS and straight from the root's device, open+stat, and RAMFS appends of 8, 32 and MIB MiB (for wisp bench storage)",
  "sched-bench", "sched-bench=N: time N context switches, thread create+join pairs and timer operations after boot (for wisp bench sched)",
  "selftest", "selftest=NAME: run an in-kernel self-test after boot: mm (memory), irq (interrupts and timers), sched (threads and the scheduler), blk (virtio disks), fs (the mounted tree), random (the randomness sources and generator)",
  "root", "root=SOURCE: the root filesystem: auto (default: the initrd if there is one, else RAMFS), initrd, disk (the first virtio-blk disk holding ROFS) or ramfs",
  "panic", "panic=MESSAGE: panic with MESSAGE once boot is done (tests the failure path)",
  "exit", "exit=N: power off with status N (0..126) instead of 0",
  "quiet", "print nothing but errors and requested reports",
  "console", "console=streams: frame the serial line so the host can tell the app's stdout and stderr from kernel messages (wisp run sets it for apps)",
  "app", "app=none: do not run the image's app (/etc/app) after boot",
  "hang", "never power off after boot (tests the host's timeout handling)",
  "blk-write", "with selftest=blk: also write a pattern over the start of every writable disk, flush and read it back (destroys data there)",
  "virtio_mmio.device", "virtio_mmio.device=SIZE@BASE:IRQ: a virtio-mmio device (QEMU microvm adds one per device; drivers/virtio reads them)",
  "crash", "crash=KIND: fail on purpose after boot: unreachable, divide-by-zero, out-of-memory, null-read, write-text or stack-overflow (tests failure reports)",
];

export class Options {
  bootchart: bool = false;
  memmap: bool = false;
  meminfo: bool = false;
  mallocBenchPairs: u32 = 0;
  schedBenchRounds: u32 = 0;
  storageBenchMib: u32 = 0;
  selfTest: string | null = null;
  quiet: bool = false;
  /** console=streams: the serial line carries framed streams (kernel/console.ts). */
  framedConsole: bool = false;
  /** app=none: boot without running the image's app. */
  skipApp: bool = false;
  hang: bool = false;
  crashKind: string | null = null;
  rootSource: string = "auto";
  panicMessage: string | null = null;
  exitStatus: u32 = 0;
  /** Why the command line was refused, or "" when it was accepted. */
  error: string = "";
}

function isKnown(key: string): bool {
  for (let i = 0; i < KNOWN.length; i += 2) if (KNOWN[i] == key) return true;
  return false;
}

export function knownOptionsHelp(): string {
  let help = "";
  for (let i = 0; i < KNOWN.length; i += 2) help += "  " + KNOWN[i] + ": " + KNOWN[i + 1] + "\n";
  return help;
}

/**
 * `key=N` as a count from 1 to `max`: 0 when the option is absent, -1 (with
 * options.error set, naming the option, its unit and range) when malformed.
 */
function readCount(line: CommandLine, options: Options, key: string, placeholder: string, unit: string, max: i64): i64 {
  if (!line.has(key)) return 0;
  const value = parseUnsigned(line.get(key), max);
  if (value <= 0) {
    options.error = key + "=" + placeholder + " needs a whole number of " + unit + " from 1 to " + max.toString();
    return -1;
  }
  return value;
}

export function readOptions(line: CommandLine): Options {
  const options = new Options();
  if (line.error.length) {
    options.error = line.error;
    return options;
  }
  for (let i = 0; i < line.keys.length; i++) {
    const key = line.keys[i];
    if (!isKnown(key)) {
      options.error = "unknown kernel option '" + key + "'";
      return options;
    }
  }
  options.bootchart = line.has("bootchart");
  options.memmap = line.has("memmap");
  options.meminfo = line.has("meminfo");
  options.quiet = line.has("quiet");
  if (line.has("console")) {
    if (line.get("console") != "streams") {
      options.error = "console=" + line.get("console") + ": the only console mode is 'streams'";
      return options;
    }
    options.framedConsole = true;
  }
  if (line.has("app")) {
    if (line.get("app") != "none") {
      options.error = "app=" + line.get("app") + ": only app=none is understood (the image's /etc/app names the app)";
      return options;
    }
    options.skipApp = true;
  }
  options.hang = line.has("hang");
  if (line.has("crash")) {
    const kind = line.get("crash");
    if (!isCrashKind(kind)) {
      options.error = "crash=KIND needs one of: " + CRASH_KINDS.join(", ");
      return options;
    }
    options.crashKind = kind;
  }
  if (line.has("root")) {
    const source = line.get("root");
    if (!ROOT_SOURCES.includes(source)) {
      options.error = "root=SOURCE needs one of: " + ROOT_SOURCES.join(", ");
      return options;
    }
    options.rootSource = source;
  }
  if (line.has("panic")) {
    const message = line.get("panic");
    options.panicMessage = message.length ? message : "requested on the command line";
  }
  if (line.has("selftest")) {
    const name = line.get("selftest");
    if (!SELF_TESTS.includes(name)) {
      options.error = "selftest=NAME needs one of: " + SELF_TESTS.join(", ");
      return options;
    }
    options.selfTest = name;
  }
  const pairs = readCount(line, options, "malloc-bench", "N", "pairs", 100_000_000);
  if (pairs < 0) return options;
  options.mallocBenchPairs = <u32>pairs;
  const mib = readCount(line, options, "storage-bench", "MIB", "MiB", 4096);
  if (mib < 0) return options;
  options.storageBenchMib = <u32>mib;
  const rounds = readCount(line, options, "sched-bench", "N", "rounds", 10_000_000);
  if (rounds < 0) return options;
  options.schedBenchRounds = <u32>rounds;
  if (line.has("exit")) {
    const status = parseUnsigned(line.get("exit"), <i64>MAX_EXIT_STATUS);
    if (status < 0) {
      options.error = "exit=N needs a whole number from 0 to " + MAX_EXIT_STATUS.toString();
      return options;
    }
    options.exitStatus = <u32>status;
  }
  return options;
}
