// wisp bench storage's ZFS write rows (fs/zfs writing, docs/zfs.md): on a
// fresh pool made by `wisp zfs create` (no zfs-fuse needed), ninep-app
// through the module on the default kernel, against RAMFS (an empty
// --dir mapped as a copy) in the same run, under TCG:
//
//   sequential     MB/s writing a MIB MiB file in 1 MiB writes with fsync
//                  at the end (and reading it back), and the ratio to RAMFS
//   small files    creates per second of 1,000 files of 4 KiB (one fsync at
//                  the end), and the ratio to RAMFS
//   fsync          the mean latency of a 4 KiB append plus fsync (each one a
//                  transaction group), 100 rounds
//   instructions   per small-file create and write, under -icount (the
//                  guest's clock then counts instructions: 1 ns each)
//
// Raw virtio-blk writes are not measured yet (the raw row reads only).

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildKernel } from "../../build";
import type { Arch } from "../../build/targets";
import { createPoolImage } from "../../zfs/create";
import { MIB } from "./pattern";
import { mbps, runBenchApp } from "./ninep";

const POOL_BYTES = 1024 * MIB;
const SMALL_FILES = 1000;
const SMALL_KIB = 4;
const FSYNC_ROUNDS = 100;
const MEMORY = "1G";

export async function benchZfsWrites(arch: Arch, wasm: string, mib: number, rawWriteMBps: number, log: (line: string) => void) {
  const built = await buildKernel({ arch, log });
  const kernel = built.flat ?? built.elf;
  const work = mkdtempSync(join(tmpdir(), "wisp-bench-zfs-write-"));
  try {
    let pools = 0;
    const pool = async (name: string) => {
      const image = join(work, `${name}-${pools++}.img`);
      await createPoolImage(image, { size: POOL_BYTES, pool: "benchw" });
      return image;
    };
    const onPool = async (args: string[], icount = false) => runBenchApp(arch, kernel, wasm, {
      args, mounts: [{ type: "zfs", source: "benchw", guest: "/data" }], disks: [await pool(args[0])], writable: true, memory: MEMORY, icount,
    });
    // RAMFS: an empty host folder mapped as a copy (--dir HOST:/scratch:copy) is a writable RAMFS directory.
    const empty = join(work, "empty");
    mkdirSync(empty);
    const onRamfs = (args: string[]) => runBenchApp(arch, kernel, wasm, { args, memory: MEMORY, dirs: [{ host: empty, guest: "/scratch", mode: "copy" }] });
    log(`${arch}: ZFS writes against RAMFS`);
    const zfsBig = await onPool(["write-read", "/data/big.bin", String(mib)]);
    const ramfsBig = await onRamfs(["write-read", "/scratch/big.bin", String(mib)]);
    const smallArgs = (dir: string) => ["create-files", dir, String(SMALL_FILES), String(SMALL_KIB)];
    const zfsSmall = await onPool(smallArgs("/data"));
    const ramfsSmall = await onRamfs(smallArgs("/scratch"));
    const zfsFsync = await onPool(["fsync-rounds", "/data/log.bin", String(FSYNC_ROUNDS)]);
    log(`${arch}: ZFS small-file creates under -icount`);
    const exactSmall = await onPool(smallArgs("/data"), true);
    const perSecond = (part: { ns: number }) => Math.round(SMALL_FILES / (part.ns / 1e9));
    const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
    const [zfsWrite, ramfsWrite] = [mbps(zfsBig.parts.write), mbps(ramfsBig.parts.write)];
    const [zfsCreates, ramfsCreates] = [perSecond(zfsSmall.parts["create-files"]), perSecond(ramfsSmall.parts["create-files"])];
    return {
      pool: { bytes: POOL_BYTES, made: "wisp zfs create", properties: ["compression=off", "checksum=on (fletcher4)"] },
      sequential: {
        fileBytes: mib * MIB, writeMBps: zfsWrite, readMBps: mbps(zfsBig.parts.read),
        ramfsWriteMBps: ramfsWrite, writeToRamfs: ratio(zfsWrite, ramfsWrite),
        rawWriteMBps, writeToRaw: ratio(zfsWrite, rawWriteMBps),
      },
      smallFiles: { files: SMALL_FILES, fileBytes: SMALL_KIB << 10, createsPerSecond: zfsCreates, ramfsCreatesPerSecond: ramfsCreates, toRamfs: ratio(zfsCreates, ramfsCreates) },
      fsync: { rounds: FSYNC_ROUNDS, appendBytes: 4096, meanMicroseconds: Math.round(zfsFsync.parts["fsync-rounds"].ns / FSYNC_ROUNDS / 1000) },
      instructionsPerSmallFile: Math.round(exactSmall.parts["create-files"].ns / SMALL_FILES),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export type ZfsWriteRows = Awaited<ReturnType<typeof benchZfsWrites>> | { skipped: string };

export function printZfsWrites(rows: ZfsWriteRows): void {
  if ("skipped" in rows) {
    console.log(`  ZFS writes: skipped (${rows.skipped})`);
    return;
  }
  const mib = rows.sequential.fileBytes / MIB;
  console.log(`  ZFS write (TCG): ${mib} MiB in 1 MiB writes + fsync ${rows.sequential.writeMBps} MB/s (read back ${rows.sequential.readMBps}); RAMFS ${rows.sequential.ramfsWriteMBps} MB/s (ratio ${rows.sequential.writeToRamfs}); raw virtio-blk ${rows.sequential.rawWriteMBps} MB/s (ratio ${rows.sequential.writeToRaw})`);
  console.log(`  ZFS ${rows.smallFiles.files} files of ${rows.smallFiles.fileBytes / 1024} KiB: ${rows.smallFiles.createsPerSecond} creates/s, RAMFS ${rows.smallFiles.ramfsCreatesPerSecond} (ratio ${rows.smallFiles.toRamfs}); ${rows.instructionsPerSmallFile} instructions per file (-icount)`);
  console.log(`  ZFS 4 KiB append + fsync: ${rows.fsync.meanMicroseconds} us mean over ${rows.fsync.rounds} (one transaction group each)`);
}
