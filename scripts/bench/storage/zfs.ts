// wisp bench storage's ZFS rows (fs/zfs, a filesystem module): a pool made
// by zfs-fuse holding a 256 MiB file (--zfs-mib) and a tree of 1,024 files of 16 KiB,
// read by ninep-app through the module on the default kernel under TCG,
// against ROFS reading the same bytes (--dir :image) in the same run.
//
//   read           MB/s of the big file and of the tree, and ratios to ROFS
//   mount          the boot chart's fs-module-load → -loaded → -mounted
//                  stages under -icount: loading zfs.so (map, relocate,
//                  instantiate) and the pool's first mount, in instructions
//   size           kernel.elf (the same with or without ZFS: it carries
//                  none), zfs.so, and the app image with and without it
//   memory         the smallest --mem in which the app mounts the pool and
//                  reads the tree (bisection, 1 MiB steps)
//
// The pool is made once (zfs-fuse's daemon, root) and kept under
// build/bench-storage/zfs-MIB/; without zfs-fuse the rows say why they are missing.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildKernel } from "../../build";
import { ROOT } from "../../build/files";
import type { Arch } from "../../build/targets";
import { buildModule } from "../../module";
import { prepareAppImage } from "../../run/app";
import { defaultMachine } from "../../run/qemu";
import { withZfsFuse, zfsFuseMissing } from "../../zfs/daemon";
import { findMinimumMemory } from "../min-memory";
import { BENCH_DIR, MIB, cachedDirectory, patternTree, writePatternFiles } from "./pattern";
import { mbps, runBenchApp } from "./ninep";

const POOL = "benchzfs";
const POOL_BYTES = 512 * MIB;
export const DEFAULT_BIG_MIB = 256;
const TREE_FILES = 1024;
const TREE_KIB = 16;
const MEMORY = "1G";
/** What a pool with a `bigMib` file holds; a pool made from another spec is made again. */
function poolSpec(bigMib: number): string {
  return JSON.stringify({ version: 1, pool: POOL, bytes: POOL_BYTES, big: bigMib, tree: [TREE_FILES, TREE_KIB], properties: ["compression=off"] });
}

/** build/bench-storage/zfs-BIG/pool.img, made with zfs-fuse if missing or made from another spec. */
async function benchPool(bigMib: number): Promise<string> {
  const SPEC = poolSpec(bigMib);
  const BIG_MIB = bigMib;
  const dir = join(BENCH_DIR, `zfs-${bigMib}`);
  const image = join(dir, "pool.img");
  const specFile = join(dir, "spec.json");
  if (existsSync(image) && existsSync(specFile) && readFileSync(specFile, "utf8") === SPEC) return image;
  mkdirSync(dir, { recursive: true });
  rmSync(specFile, { force: true });
  const work = mkdtempSync(join(tmpdir(), "wisp-bench-zfs-"));
  try {
    const file = join(work, "pool.img");
    execFileSync("truncate", ["-s", String(POOL_BYTES), file]);
    await withZfsFuse(() => {
      const mountpoint = join(work, "mnt");
      execFileSync("zpool", ["create", "-O", "compression=off", "-m", mountpoint, POOL, file]);
      writePatternFiles(mountpoint, new Map([["big.bin", { offset: 0, length: BIG_MIB * MIB }]]));
      writePatternFiles(join(mountpoint, "tree"), patternTree(TREE_FILES, TREE_KIB << 10));
      execFileSync("zpool", ["export", POOL]);
    });
    execFileSync("cp", ["--sparse=always", file, image]);
    writeFileSync(specFile, SPEC);
    return image;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export type ZfsRows = Awaited<ReturnType<typeof measureZfs>> | { skipped: string };

/** The ZFS rows for one architecture with a `bigMib` MiB file, or why they are missing. */
export async function benchZfs(arch: Arch, wasm: string, bigMib: number, log: (line: string) => void): Promise<ZfsRows> {
  const missing = zfsFuseMissing();
  if (missing !== null && !existsSync(join(BENCH_DIR, `zfs-${bigMib}`, "pool.img"))) return { skipped: `no pool to read: ${missing}` };
  return measureZfs(arch, wasm, bigMib, log);
}

async function measureZfs(arch: Arch, wasm: string, BIG_MIB: number, log: (line: string) => void) {
  const pool = await benchPool(BIG_MIB);
  const built = await buildKernel({ arch, log });
  const kernel = built.flat ?? built.elf;
  const mounts = [{ type: "zfs", source: POOL, guest: "/data" }];
  const rofsBig = cachedDirectory(`zfs-rofs-big-${BIG_MIB}`, new Map([["big.bin", { offset: 0, length: BIG_MIB * MIB }]]));
  const rofsTree = cachedDirectory("zfs-rofs-tree", patternTree(TREE_FILES, TREE_KIB << 10));
  log(`${arch}: ZFS and ROFS reads`);
  const zfsBig = await runBenchApp(arch, kernel, wasm, { args: ["read", "/data/big.bin", String(BIG_MIB)], mounts, disks: [pool], memory: MEMORY });
  const rofsBigRun = await runBenchApp(arch, kernel, wasm, { args: ["read", "/rofs/big.bin", String(BIG_MIB)], dirs: [{ host: rofsBig, guest: "/rofs", mode: "image" }], memory: MEMORY });
  const treeArgs = (dir: string) => ["read-tree", dir, String(TREE_FILES), String(TREE_KIB)];
  const zfsTree = await runBenchApp(arch, kernel, wasm, { args: treeArgs("/data/tree"), mounts, disks: [pool], memory: MEMORY });
  const rofsTreeRun = await runBenchApp(arch, kernel, wasm, { args: treeArgs("/rofs"), dirs: [{ host: rofsTree, guest: "/rofs", mode: "image" }], memory: MEMORY });

  log(`${arch}: ZFS module load and mount under -icount`);
  const exact = await runBenchApp(arch, kernel, wasm, { args: ["exit"], mounts, disks: [pool], memory: MEMORY, bootchart: true, icount: true });
  const stage = (name: string) => exact.chart?.stages.find((candidate) => candidate.name === name)?.ticks;
  const [load, loaded, mounted] = [stage("fs-module-load"), stage("fs-module-loaded"), stage("fs-module-mounted")];
  if (exact.chart === null || load === undefined || loaded === undefined || mounted === undefined) throw new Error(`the ZFS boot chart on ${arch} lacks the fs-module stages`);
  // Under -icount shift=0 the x86 TSC counts instructions; a stated-frequency counter counts hz/1e9 per instruction.
  const perTick = exact.chart.source === "arch" ? 1e9 / exact.chart.hz : 1;

  log(`${arch}: the smallest --mem that mounts the pool and reads the tree`);
  const image = await prepareAppImage({ wasm, arch, args: treeArgs("/data/tree"), env: [], dirs: [], mounts });
  const plain = await prepareAppImage({ wasm, arch, args: ["exit"], env: [], dirs: [] });
  const smallest = await findMinimumMemory({
    arch, kernel, accel: "tcg", machine: defaultMachine(arch), initrd: image.path, rng: true,
    disks: [{ file: pool, readOnly: true }], cmdline: "console=streams quiet",
  }, 2 * 1024, 256 * 1024, 1024);
  const module = await buildModule(join(ROOT, "fs", "zfs"), { arch });
  const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
  const [bigZfs, bigRofs] = [mbps(zfsBig.parts["rofs-read"]), mbps(rofsBigRun.parts["rofs-read"])];
  const [treeZfs, treeRofs] = [mbps(zfsTree.parts["tree-read"]), mbps(rofsTreeRun.parts["tree-read"])];
  return {
    pool: { bytes: POOL_BYTES, bigFileBytes: BIG_MIB * MIB, treeFiles: TREE_FILES, treeFileBytes: TREE_KIB << 10, properties: ["compression=off", "checksum=on (fletcher4)"] },
    read: {
      bigMBps: bigZfs, bigRofsMBps: bigRofs, bigToRofs: ratio(bigZfs, bigRofs),
      treeMBps: treeZfs, treeRofsMBps: treeRofs, treeToRofs: ratio(treeZfs, treeRofs),
    },
    instructions: { moduleLoad: Math.round((loaded - load) * perTick), firstMount: Math.round((mounted - loaded) * perTick) },
    sizes: { kernelElf: statSync(built.elf).size, zfsSo: module.soBytes, appImageWithZfs: image.bytes, appImageWithout: plain.bytes },
    smallestMemoryKib: smallest.kib,
  };
}

/** Prints the rows under an architecture's heading. */
export function printZfs(rows: ZfsRows): void {
  if ("skipped" in rows) {
    console.log(`  ZFS: skipped (${rows.skipped})`);
    return;
  }
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  console.log(`  ZFS read (TCG): ${rows.pool.bigFileBytes / MIB} MiB file ${rows.read.bigMBps} MB/s vs ROFS ${rows.read.bigRofsMBps} (ratio ${rows.read.bigToRofs}); ${rows.pool.treeFiles} files of ${rows.pool.treeFileBytes / 1024} KiB ${rows.read.treeMBps} MB/s vs ROFS ${rows.read.treeRofsMBps} (ratio ${rows.read.treeToRofs})`);
  console.log(`  ZFS module load ${rows.instructions.moduleLoad} instructions, first mount ${rows.instructions.firstMount}; kernel.elf ${kib(rows.sizes.kernelElf)} with or without ZFS, zfs.so ${kib(rows.sizes.zfsSo)}; app image ${kib(rows.sizes.appImageWithZfs)} with it, ${kib(rows.sizes.appImageWithout)} without`);
  console.log(`  ZFS smallest --mem that mounts the pool and reads the tree: ${rows.smallestMemoryKib} KiB`);
}
