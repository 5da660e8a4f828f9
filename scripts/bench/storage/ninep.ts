// wisp bench storage's 9p rows that run an app (scripts/bench/storage.ts
// adds the in-guest ninep-bench): ninep-app.c in the image `wisp run`
// builds for it, on the default kernel under TCG. The image is the initrd
// on both architectures (aarch64 boots its arm64 Image form for that):
// `wisp run` links it into kernel.elf on aarch64 instead, and there the
// page allocator's tables for more than about 200 MiB of RAM find no room
// in the gap before it (scripts/run/linked-image.ts).
//
//   throughput     a 64 MiB file through WASI in 1 MiB calls: written over
//                  live 9p (--dir TMP:/share), fsynced, read back and
//                  checked; and the same bytes read from the image's ROFS
//                  copy (--dir DIR:/rofs:image), the baseline of the ratios
//   open+fstat+   open, fstat and close of a file six names deep in the
//   close (WASI)   image's ROFS copy (--dir DIR:/rofs:image), OPEN_STAT_ROUNDS
//                  times: what path_open, fd_filestat_get and fd_close cost
//                  an app, in instructions (-icount)
//   boot to start  microseconds from the first instruction to the app's
//                  _start (the boot chart's app-start) with a directory
//                  mapped live (9p) and copied (:copy), empty and 100 MiB:
//                  9p's cost must not grow with the directory, :copy's does.
//                  The median of BOOT_RUNS boots each, interleaved, all with
//                  BOOT_MEMORY (the 100 MiB copy needs it).
//
// The host files (the 64 MiB file, the 100 MiB directory of distinct 1 MiB
// files) are kept under build/bench-storage/ and rewritten only when their
// bytes differ.

import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildKernel } from "../../build";
import { ROOT } from "../../build/files";
import type { Arch } from "../../build/targets";
import { prepareAppImage } from "../../run/app";
import type { AppImage, MappedDirectory } from "../../run/app";
import type { AppMount } from "../../run/mounts";
import { defaultMachine, qemuCommand } from "../../run/qemu";
import { bootApp } from "../app-boot";
import { parseBootChart } from "../bootchart";
import { median } from "../stats";
import { BENCH_DIR as DIR, MIB, cachedDirectory } from "./pattern";
import { wasiClangEnv } from "../../build/tools";

const FILE_MIB = 64;
const DIRECTORY_FILES = 100;
const BOOT_RUNS = 5;
const BOOT_MEMORY = "1G";
const THROUGHPUT_MEMORY = "512M";
const OPEN_STAT_ROUNDS = 1000;
const OPEN_STAT_PATH = "a/b/c/d/e/file.txt";

export interface AppParts {
  [name: string]: { bytes: number; ns: number };
}

export interface BenchAppRun {
  args: string[];
  dirs?: MappedDirectory[];
  /** Filesystems served by modules (wisp run --mount) and the disks they read. */
  mounts?: AppMount[];
  disks?: string[];
  /** The disks are writable (default: read-only). */
  writable?: boolean;
  memory: string;
  bootchart?: boolean;
  /** -icount shift=0 (sleep=on): the boot chart counts instructions. */
  icount?: boolean;
}

/** Boots ninep-app as `run` says; its parts, its boot chart, microseconds to app-start (with `bootchart`) and its image. */
export async function runBenchApp(arch: Arch, kernel: string, wasm: string, run: BenchAppRun) {
  const image: AppImage = await prepareAppImage({ wasm, arch, args: run.args, env: [], dirs: run.dirs ?? [], mounts: run.mounts });
  const command = qemuCommand({
    arch, accel: "tcg", machine: defaultMachine(arch), memory: run.memory, rng: true, shares: image.shares,
    disks: (run.disks ?? []).map((file) => ({ file, readOnly: !run.writable })), icount: run.icount, icountSleep: run.icount,
    kernel, initrd: image.path, cmdline: `console=streams quiet${run.bootchart ? " bootchart" : ""}`,
  });
  const booted = await bootApp(command, 600);
  if (booted.run.outcome.kind !== "status" || booted.status !== 0) {
    throw new Error(`ninep-app ${run.args.join(" ")} failed on ${arch} (${JSON.stringify(booted.run.outcome)}, status ${booted.status}):\n${booted.kernel}${booted.stdout}${booted.stderr}${booted.run.qemuErrors}`);
  }
  const parts: AppParts = {};
  for (const line of booted.stdout.split("\n").filter((candidate) => candidate.startsWith("ninep-bench-raw "))) {
    const fields = Object.fromEntries(line.trim().split(" ").slice(1).map((field) => field.split("=")));
    parts[fields.name] = { bytes: Number(fields.bytes), ns: Number(fields.ns) };
  }
  const chart = parseBootChart(booted.kernel);
  const start = chart?.stages.find((stage) => stage.name === "app-start");
  return { parts, image, chart, microsecondsToStart: chart && start ? (start.ticks / chart.hz) * 1e6 : null };
}

async function runApp(arch: Arch, kernel: string, wasm: string, args: string[], dirs: MappedDirectory[], memory: string, bootchart: boolean) {
  return runBenchApp(arch, kernel, wasm, { args, dirs, memory, bootchart });
}

export const mbps = (part: { bytes: number; ns: number }) => Number((part.bytes / 1e6 / (part.ns / 1e9)).toFixed(1));

/** The 64 MiB file over 9p and from ROFS. */
async function throughput(arch: Arch, kernel: string, wasm: string) {
  const rofs = cachedDirectory("rofs-64m", new Map([["big.bin", { offset: 0, length: FILE_MIB * MIB }]]));
  const share = mkdtempSync(join(tmpdir(), "wisp-bench-9p-"));
  try {
    const live = await runApp(arch, kernel, wasm, ["write-read", "/share/big.bin", String(FILE_MIB)],
      [{ host: share, guest: "/share", mode: "live" }], THROUGHPUT_MEMORY, false);
    const image = await runApp(arch, kernel, wasm, ["read", "/rofs/big.bin", String(FILE_MIB)],
      [{ host: rofs, guest: "/rofs", mode: "image" }], THROUGHPUT_MEMORY, false);
    const [write, read, rofsRead] = [mbps(live.parts.write), mbps(live.parts.read), mbps(image.parts["rofs-read"])];
    return {
      fileBytes: FILE_MIB * MIB, callBytes: MIB,
      writeMBps: write, readMBps: read, rofsReadMBps: rofsRead,
      readToRofs: Number((read / rofsRead).toFixed(2)), writeToRofs: Number((write / rofsRead).toFixed(2)),
    };
  } finally {
    rmSync(share, { recursive: true, force: true });
  }
}

/** open+fstat+close through WASI of a ROFS file six names deep, in instructions per round. */
async function wasiOpenStat(arch: Arch, kernel: string, wasm: string) {
  const host = join(DIR, "open-stat");
  mkdirSync(join(host, OPEN_STAT_PATH, ".."), { recursive: true });
  writeFileSync(join(host, OPEN_STAT_PATH), "a small file\n");
  const booted = await runBenchApp(arch, kernel, wasm, {
    args: ["open-stat", `/rofs/${OPEN_STAT_PATH}`, String(OPEN_STAT_ROUNDS)],
    dirs: [{ host, guest: "/rofs", mode: "image" }], memory: "64M", bootchart: true, icount: true,
  });
  const part = booted.parts["open-stat"];
  if (!part || part.bytes !== OPEN_STAT_ROUNDS || !booted.chart) throw new Error(`ninep-app open-stat on ${arch} reported no open-stat part`);
  // Under -icount shift=0 a virtual nanosecond is an instruction; the x86 clock counts the TSC, which does too.
  const instructions = booted.chart.source === "arch" ? part.ns : (part.ns * booted.chart.hz) / 1e9;
  return { rounds: OPEN_STAT_ROUNDS, names: OPEN_STAT_PATH.split("/").length, instructions: Math.round(instructions / OPEN_STAT_ROUNDS) };
}

/** Boot to _start with an empty and a 100 MiB directory, mapped live and copied. */
async function bootToStart(arch: Arch, kernel: string, wasm: string) {
  const empty = cachedDirectory("dir-empty", new Map());
  const full = cachedDirectory("dir-100m", new Map(Array.from({ length: DIRECTORY_FILES }, (_, i) => [`file-${i}.bin`, { offset: i * MIB, length: MIB }])));
  const cases = [
    { mode: "live" as const, size: "empty", host: empty },
    { mode: "live" as const, size: "full", host: full },
    { mode: "copy" as const, size: "empty", host: empty },
    { mode: "copy" as const, size: "full", host: full },
  ].map((entry) => ({ ...entry, us: [] as number[], imageBytes: 0 }));
  for (let run = 0; run < BOOT_RUNS; run++) {
    for (const entry of cases) {
      const booted = await runApp(arch, kernel, wasm, ["exit"], [{ host: entry.host, guest: "/data", mode: entry.mode }], BOOT_MEMORY, true);
      if (booted.microsecondsToStart === null) throw new Error(`ninep-app's boot chart on ${arch} has no app-start stamp`);
      entry.us.push(booted.microsecondsToStart);
      entry.imageBytes = booted.image.bytes;
    }
  }
  const row = (mode: string) => {
    const emptyCase = cases.find((entry) => entry.mode === mode && entry.size === "empty")!;
    const fullCase = cases.find((entry) => entry.mode === mode && entry.size === "full")!;
    return {
      emptyMicroseconds: Math.round(median(emptyCase.us)), fullMicroseconds: Math.round(median(fullCase.us)),
      emptyImageBytes: emptyCase.imageBytes, fullImageBytes: fullCase.imageBytes,
    };
  };
  return { directoryBytes: DIRECTORY_FILES * MIB, memory: BOOT_MEMORY, runs: BOOT_RUNS, ninep: row("live"), copy: row("copy") };
}

export type NinePAppResult = Awaited<ReturnType<typeof benchNinePApp>>;

/** The app rows for one architecture. */
export async function benchNinePApp(arch: Arch, log: (line: string) => void) {
  const built = await buildKernel({ arch, log });
  const kernel = built.flat ?? built.elf;
  mkdirSync(DIR, { recursive: true });
  const wasm = join(DIR, "ninep-app.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", join(ROOT, "scripts/bench/storage/ninep-app.c"), "-o", wasm], { env: wasiClangEnv() });
  log(`${arch}: 9p and ROFS throughput`);
  const rates = await throughput(arch, kernel, wasm);
  log(`${arch}: open+fstat+close through WASI`);
  const openStat = await wasiOpenStat(arch, kernel, wasm);
  log(`${arch}: boot to _start with a mapped directory, ${BOOT_RUNS} boots each`);
  return { ...rates, wasiOpenStat: openStat, bootToStart: await bootToStart(arch, kernel, wasm) };
}
