// wisp bench storage: what reading and writing files costs inside the guest.
//
// A tree of real files (the project's own kernel/, fs/, drivers/, docs/ and
// AssemblyScript's standard library sources: text that compresses like real
// code) becomes two ROFS images, uncompressed and LZ4-compressed. Each
// architecture boots with storage-bench=MIB (fs/bench.ts):
//   - the uncompressed image as a virtio-blk disk under plain TCG: the tree
//     read through the VFS against the same bytes read straight from the
//     disk (a throughput ratio), 32 MiB written straight to a scratch disk
//     in 64 KiB requests and flushed (the raw write rate the ZFS write rows
//     are compared with), and RAMFS appends of 8, 32 and MIB MiB in 4 KiB
//     writes (MB/s per size: linear scaling keeps them level);
//   - the same image as the initrd under -icount: open+stat and each append
//     write in instructions (disk waits are not measured under -icount:
//     with sleep=off guest time jumps to the next deadline while idle);
//   - the compressed image the same way, for read speed with compression;
//   - both images' sizes;
//   - boot to root mounted (the boot chart's `root` stage): the initrd in
//     instructions, and initrd against disk in microseconds under TCG;
//   - the initrd again under -icount with a host directory shared as
//     `bench9p` and ninep-bench=ROUNDS (fs/9p/bench.ts): open+read+close of
//     a small file over 9p and in ROFS, in instructions counted from busy
//     ticks (the waits for the 9p server are idle time, left out). This run
//     has sleep=on: with sleep=off each halt jumps the guest's clock to its
//     next deadline, so its 1 s polls and 60 s request deadline pass in a
//     moment of host time: a slow reply failed the device (EIO) in four
//     aarch64 runs of five, and the polls added to the busy ticks.
// Then the 9p rows that run an app (storage/ninep.ts): a 64 MiB file
// through WASI over 9p against ROFS, and boot to _start with a 100 MiB
// directory mapped over 9p against :copy. Then the ZFS rows
// (storage/zfs.ts): a pool made by zfs-fuse read through the ZFS module
// against ROFS, module load and mount in instructions, sizes, smallest --mem;
// and the ZFS write rows (storage/zfs-write.ts): sequential writes, small
// files and fsync on a pool `wisp zfs create` made, against RAMFS.

import { readdirSync, statSync, readFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, truncateSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildKernel, parseProfile } from "../build";
import { ROOT } from "../build/files";
import { ARCHES, Arch, parseArch } from "../build/targets";
import { boot } from "../run";
import { defaultMachine, qemuCommand } from "../run/qemu";
import type { Share } from "../run/qemu";
import { UsageError } from "../cli/errors";
import { benchOptions, wholeNumber } from "./args";
import { parseBootChart } from "./bootchart";
import { benchNinePApp } from "./storage/ninep";
import type { NinePAppResult } from "./storage/ninep";
import { benchZfs, printZfs, DEFAULT_BIG_MIB } from "./storage/zfs";
import { benchZfsWrites, printZfsWrites } from "./storage/zfs-write";
import { BENCH_DIR } from "./storage/pattern";
import { directory, writeImage } from "../image";
import type { DirectoryNode, TreeNode } from "../image";

const DEFAULT_APPEND_MIB = 64;
const NINEP_ROUNDS = 1000;
const SOURCES = ["kernel", "fs", "drivers", "docs", "node_modules/assemblyscript/std/assembly"];

/** The benchmark tree: real source files, plus /tmp and an fstab that mounts RAMFS there. */
function realTree(): { root: DirectoryNode; files: number; bytes: number } {
  const root = directory();
  let files = 0;
  let bytes = 0;
  const add = (hostDir: string, into: DirectoryNode) => {
    for (const entry of readdirSync(hostDir, { withFileTypes: true })) {
      const path = join(hostDir, entry.name);
      if (entry.isDirectory()) {
        const child = directory();
        into.children.set(entry.name, child);
        add(path, child);
      } else if (entry.isFile()) {
        const data = new Uint8Array(readFileSync(path));
        into.children.set(entry.name, { type: "file", mode: 0o644, mtime: 0, data } as TreeNode);
        files++;
        bytes += data.length;
      }
    }
  };
  const src = directory();
  root.children.set("src", src);
  for (const source of SOURCES) {
    const node = directory();
    src.children.set(source.split("/").pop()!, node);
    add(join(ROOT, source), node);
  }
  const etc = directory();
  const fstab = new TextEncoder().encode("ramfs /tmp\n");
  etc.children.set("fstab", { type: "file", mode: 0o644, mtime: 0, data: fstab });
  files++;
  bytes += fstab.length;
  root.children.set("etc", etc);
  root.children.set("tmp", directory());
  return { root, files, bytes };
}

interface Part {
  name: string;
  ops: number;
  bytes: number;
  ticks: number;
  /** `ticks` less the CPU's idle time. */
  busy: number;
}

/** The raw-write part's scratch disk: what fs/bench.ts writes (RAW_WRITE_MIB). */
const SCRATCH_BYTES = 32 << 20;

interface MeasureOptions {
  disk?: string;
  /** A writable scratch disk for the guest's raw-write part. */
  scratch?: string;
  initrd?: string;
  icount: boolean;
  icountSleep?: boolean;
  cmdline: string;
  shares?: Share[];
}

async function measure(arch: Arch, kernel: string, options: MeasureOptions) {
  const command = qemuCommand({
    arch, kernel, memory: "256M", accel: "tcg", machine: defaultMachine(arch), icount: options.icount, icountSleep: options.icountSleep,
    cmdline: options.cmdline, initrd: options.initrd,
    disks: [...(options.disk ? [{ file: options.disk, readOnly: true }] : []), ...(options.scratch ? [{ file: options.scratch, readOnly: false }] : [])],
    shares: options.shares,
  });
  const run = await boot(command, { timeout: 600, stream: false });
  const chart = parseBootChart(run.output);
  if (run.outcome.kind !== "status" || run.outcome.status !== 0 || !chart) {
    throw new Error(`the in-guest storage benchmark failed on ${arch}:\n${run.output}${run.qemuErrors}`);
  }
  const parts: Part[] = run.output.split("\n").filter((line) => line.startsWith("storage-bench-raw ")).map((line) => {
    const fields = Object.fromEntries(line.trim().split(" ").slice(1).map((field) => field.split("=")));
    return { name: fields.name, ops: Number(fields.ops), bytes: Number(fields.bytes), ticks: Number(fields.ticks), busy: Number(fields.busy) };
  });
  // Under -icount shift=0 the x86 TSC counts instructions; a stated-frequency counter counts hz/1e9 per instruction.
  const instructionsPerTick = chart.source === "arch" ? 1e9 / chart.hz : 1;
  const rootStage = chart.stages.find((stage) => stage.name === "root");
  const options_ = chart.stages.find((stage) => stage.name === "options");
  return {
    parts,
    seconds: (ticks: number) => ticks / chart.hz,
    instructions: (ticks: number) => Math.round(ticks * instructionsPerTick),
    rootTicks: rootStage && options_ ? rootStage.ticks - options_.ticks : 0,
  };
}

const HELP = `usage: wisp bench storage [--json] [--arch A|all] [--append MIB] [--no-zfs]

  --json         print the results as JSON
  --arch A       x86_64, aarch64 or all (default all)
  --append MIB   the largest RAMFS append (default ${DEFAULT_APPEND_MIB}; 8 and 32 always run)
  --no-zfs       leave out the ZFS rows (they make a pool with zfs-fuse the
                 first time, as root, and read its big file through it)
  --zfs-mib MIB  the ZFS pool's big file (default ${DEFAULT_BIG_MIB})`;

export async function benchStorage(argv: string[]): Promise<number> {
  const values = benchOptions(argv, {
    json: { type: "boolean", default: false },
    arch: { type: "string", default: "all" },
    append: { type: "string", default: String(DEFAULT_APPEND_MIB) },
    "no-zfs": { type: "boolean", default: false },
    "zfs-mib": { type: "string", default: String(DEFAULT_BIG_MIB) },
  }, HELP);
  if (values === null) return 0;
  const append = wholeNumber(values.append as string, "append", 8, 128);
  const zfsMib = wholeNumber(values["zfs-mib"] as string, "zfs-mib", 1, 448); // the pool is 512 MiB
  const arches: Arch[] = values.arch === "all" ? ARCHES : [parseArch(values.arch)];
  const log = values.json ? () => {} : (line: string) => process.stderr.write(line + "\n");

  const tree = realTree();
  const dir = join(ROOT, "build", "bench-storage");
  mkdirSync(dir, { recursive: true });
  const images = { plain: join(dir, "tree.rofs"), lz4: join(dir, "tree-lz4.rofs") };
  // The raw-write part's disk: sparse, as big as the guest writes (fs/bench.ts RAW_WRITE_MIB).
  const scratch = join(dir, "scratch.img");
  writeFileSync(scratch, "");
  truncateSync(scratch, SCRATCH_BYTES);
  writeFileSync(images.plain, writeImage(tree.root, { compress: "never" }).image);
  writeFileSync(images.lz4, writeImage(tree.root, { compress: "always" }).image);
  const compression = {
    tree: { files: tree.files, bytes: tree.bytes, sources: SOURCES },
    uncompressedImageBytes: statSync(images.plain).size,
    compressedImageBytes: statSync(images.lz4).size,
  };

  const results = [];
  for (const arch of arches) {
    const built = await buildKernel({ arch, profile: parseProfile("test"), log });
    const kernel = built.elf;
    const cmdline = `quiet bootchart root=disk storage-bench=${append}`;
    const flat = built.flat ?? kernel; // aarch64 boots its arm64 Image form for an initrd (see wisp run --initrd)
    // Instructions under -icount come from the initrd: while the guest waits for a disk, -icount's
    // sleep=off warps guest time to the next deadline, so timings that include disk I/O are taken under TCG.
    const exact = await measure(arch, flat, { initrd: images.plain, icount: true, cmdline: `quiet bootchart root=initrd storage-bench=${append}` });
    const timed = await measure(arch, kernel, { disk: images.plain, scratch, icount: false, cmdline });
    const compressed = await measure(arch, kernel, { disk: images.lz4, icount: false, cmdline: `quiet bootchart root=disk storage-bench=8` });
    const part = (run: typeof timed, name: string) => run.parts.find((p) => p.name === name)!;
    const mbps = (run: typeof timed, name: string) => {
      const p = part(run, name);
      return Number((p.bytes / 1e6 / run.seconds(p.ticks)).toFixed(1));
    };
    const timedInitrd = await measure(arch, flat, { initrd: images.plain, icount: false, cmdline: "quiet bootchart root=initrd" });
    const microseconds = (run: typeof timed) => Math.round(run.seconds(run.rootTicks) * 1e6);
    const share = mkdtempSync(join(tmpdir(), "wisp-bench-9p-"));
    const ninepExact = await measure(arch, flat, {
      initrd: images.plain, icount: true, icountSleep: true, cmdline: `quiet bootchart root=initrd ninep-bench=${NINEP_ROUNDS}`,
      shares: [{ path: share, tag: "bench9p", readOnly: false }],
    }).finally(() => rmSync(share, { recursive: true, force: true }));
    const perRound = (name: string) => Math.round(ninepExact.instructions(part(ninepExact, name).busy) / part(ninepExact, name).ops);
    const ninepApp = await benchNinePApp(arch, log);
    const zfs = values["no-zfs"] ? { skipped: "--no-zfs" } : await benchZfs(arch, join(BENCH_DIR, "ninep-app.wasm"), zfsMib, log);
    const rawWriteMBps = mbps(timed, "raw-write");
    const zfsWrites = values["no-zfs"] ? { skipped: "--no-zfs" } : await benchZfsWrites(arch, join(BENCH_DIR, "ninep-app.wasm"), zfsMib, rawWriteMBps, log);
    results.push({
      arch,
      machine: defaultMachine(arch),
      rofsRead: {
        bytes: part(timed, "rofs-read").bytes,
        rofsMBps: mbps(timed, "rofs-read"),
        rawMBps: mbps(timed, "raw-read"),
        ratioToRaw: Number((mbps(timed, "rofs-read") / mbps(timed, "raw-read")).toFixed(2)),
        compressedRofsMBps: mbps(compressed, "rofs-read"),
      },
      rawWrite: { bytes: part(timed, "raw-write").bytes, MBps: rawWriteMBps },
      openStatInstructions: Math.round(exact.instructions(part(exact, "open-stat").ticks) / part(exact, "open-stat").ops),
      rootMounted: {
        initrdInstructions: exact.instructions(exact.rootTicks),
        initrdMicroseconds: microseconds(timedInitrd),
        diskMicroseconds: microseconds(timed),
      },
      ramfsAppend: timed.parts.filter((p) => p.name.startsWith("ramfs-append-")).map((p) => ({
        mib: p.bytes / (1 << 20), MBps: Number((p.bytes / 1e6 / timed.seconds(p.ticks)).toFixed(1)),
        instructionsPerWrite: Math.round(exact.instructions(part(exact, p.name).ticks) / p.ops),
      })),
      ninep: {
        ...ninepApp,
        openReadClose: {
          rounds: NINEP_ROUNDS, fileBytes: part(ninepExact, "ninep-open-read-close").bytes / NINEP_ROUNDS,
          ninepInstructions: perRound("ninep-open-read-close"), rofsInstructions: perRound("rofs-open-read-close"),
        },
      },
      zfs,
      zfsWrites,
    });
  }
  const report = { benchmark: "storage", compression, results };
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
    return 0;
  }
  console.log(`tree: ${tree.files} files, ${tree.bytes} bytes (${SOURCES.join(", ")}); image ${compression.uncompressedImageBytes} bytes, ${compression.compressedImageBytes} with LZ4`);
  for (const result of results) {
    console.log(`${result.arch} (${result.machine})`);
    console.log(`  ROFS read ${result.rofsRead.rofsMBps} MB/s, raw virtio-blk ${result.rofsRead.rawMBps} MB/s (ratio ${result.rofsRead.ratioToRaw}); with LZ4 ${result.rofsRead.compressedRofsMBps} MB/s`);
    console.log(`  raw virtio-blk write: ${result.rawWrite.bytes / (1 << 20)} MiB in 64 KiB requests + flush, ${result.rawWrite.MBps} MB/s`);
    console.log(`  open+fstat+close: ${result.openStatInstructions} instructions`);
    console.log(`  boot stage 'root' (options -> root mounted): initrd ${result.rootMounted.initrdInstructions} instructions; under TCG initrd ${result.rootMounted.initrdMicroseconds} us, disk ${result.rootMounted.diskMicroseconds} us`);
    for (const appendResult of result.ramfsAppend) console.log(`  RAMFS append ${appendResult.mib} MiB in 4 KiB writes: ${appendResult.MBps} MB/s, ${appendResult.instructionsPerWrite} instructions per write`);
    printNineP(result.ninep);
    printZfs(result.zfs);
    printZfsWrites(result.zfsWrites);
  }
  return 0;
}

interface NinePResult extends NinePAppResult {
  openReadClose: { rounds: number; fileBytes: number; ninepInstructions: number; rofsInstructions: number };
}

function printNineP(ninep: NinePResult): void {
  const mib = ninep.fileBytes / (1 << 20);
  console.log(`  9p, ${mib} MiB through WASI in 1 MiB calls: write+fsync ${ninep.writeMBps} MB/s, read ${ninep.readMBps} MB/s; ROFS (:image) read ${ninep.rofsReadMBps} MB/s; read/ROFS ${ninep.readToRofs}, write/ROFS ${ninep.writeToRofs}`);
  console.log(`  9p open+read+close of a ${ninep.openReadClose.fileBytes}-byte file: ${ninep.openReadClose.ninepInstructions} instructions (idle waits left out); ROFS ${ninep.openReadClose.rofsInstructions}`);
  console.log(`  an app's open+fstat+close of a ROFS file ${ninep.wasiOpenStat.names} names deep (path_open, fd_filestat_get, fd_close): ${ninep.wasiOpenStat.instructions} instructions`);
  const boot = ninep.bootToStart;
  const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
  console.log(`  boot to _start, --dir empty vs ${boot.directoryBytes / (1 << 20)} MiB (TCG, --mem ${boot.memory}, median of ${boot.runs}): 9p ${boot.ninep.emptyMicroseconds} us vs ${boot.ninep.fullMicroseconds} us; :copy ${boot.copy.emptyMicroseconds} us vs ${boot.copy.fullMicroseconds} us`);
  console.log(`  app image, --dir empty vs ${boot.directoryBytes / (1 << 20)} MiB: 9p ${kib(boot.ninep.emptyImageBytes)} vs ${kib(boot.ninep.fullImageBytes)}; :copy ${kib(boot.copy.emptyImageBytes)} vs ${kib(boot.copy.fullImageBytes)}`);
}
