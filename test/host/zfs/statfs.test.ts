// The ZFS module's statfs (fs_statfs, fs/zfs/space.ts) against zfs-fuse:
// for every dataset of a pool zfs-fuse made (children with a quota and a
// reservation among them), the record a read-only mount answers is the
// statvfs zfs-fuse's own mount answered for the same pool state, field for
// field. A pool the module writes answers as ZFS would: after a sync its
// figures are what a read-only mount of the result says, and data written
// but not yet synced is already taken off what is available.

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ZfsModule, Space } from "../../../scripts/zfs/host";
import { withZfsFuse, zfsFuseMissing } from "../../../scripts/zfs/daemon";

const work = mkdtempSync(join(tmpdir(), "zfs-statfs-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const S_IFREG = 0o100000;

/** statvfs as `stat -f` prints it for a mounted dataset, in the fs_statfs record's terms. */
function hostStatfs(path: string): Space {
  const [blockSize, blocks, free, available, files, filesFree] = execFileSync("stat", ["-f", "-c", "%S %b %f %a %c %d", path], { encoding: "utf8" })
    .trim().split(" ").map((field) => BigInt(field));
  return { blockSize: Number(blockSize), blocks, blocksFree: free, blocksAvailable: available, files, filesFree };
}

describe.skipIf(zfsFuseMissing() !== null)("statfs of a pool zfs-fuse made", () => {
  it("is, for every dataset, what zfs-fuse's own mount says", async () => {
    const image = join(work, "made.img");
    execFileSync("truncate", ["-s", "200M", image]);
    const datasets = ["sp", "sp/quota", "sp/quota/inner", "sp/reserved", "sp/plain"];
    const expected = new Map<string, Space>();
    await withZfsFuse(() => {
      const zfs = (...args: string[]) => execFileSync("zfs", args, { encoding: "utf8" });
      execFileSync("zpool", ["create", "-m", join(work, "mnt"), "sp", image]);
      zfs("create", "-o", "quota=40M", "sp/quota");
      zfs("create", "sp/quota/inner");
      zfs("create", "-o", "reservation=30M", "sp/reserved");
      zfs("create", "sp/plain");
      writeFileSync(join(work, "mnt", "root.bin"), Buffer.alloc(3 << 20, 1));
      writeFileSync(join(work, "mnt", "quota", "inner", "in.bin"), Buffer.alloc(5 << 20, 2));
      writeFileSync(join(work, "mnt", "reserved", "r.bin"), Buffer.alloc(1 << 20, 3));
      mkdirSync(join(work, "mnt", "plain", "d"));
      // Export and import again: every change is then in the pool, none in the intent log or a txg under way.
      execFileSync("zpool", ["export", "sp"]);
      execFileSync("zpool", ["import", "-d", work, "sp"]);
      for (const name of datasets) expected.set(name, hostStatfs(join(work, "mnt", name.slice(3))));
      execFileSync("zpool", ["export", "sp"]);
    });
    const module = await ZfsModule.open([image]);
    try {
      for (const name of datasets) expect(module.statfs(module.mount(name)), name).toEqual(expected.get(name));
    } finally {
      module.close();
    }
    // The quota and the reservation shaped the answers: a check that the test tests something.
    expect(expected.get("sp/quota/inner")!.blocksAvailable).toBeLessThan((35n << 20n) / 512n);
    expect(expected.get("sp/plain")!.blocksAvailable).toBeLessThan(expected.get("sp/reserved")!.blocksAvailable);
  }, 120_000);
});

describe("statfs of a pool the module writes", () => {
  it("counts unsynced data as taken, and after a sync says what a read-only mount of the pool says", async () => {
    const image = join(work, "written.img");
    execFileSync("truncate", ["-s", "100M", image]);
    const module = await ZfsModule.open([image], true);
    const volume = module.mkfs(0, "wt", "");
    const root = module.root(volume);
    const fresh = module.statfs(volume);
    expect(fresh.blockSize).toBe(512);
    expect(fresh.files - fresh.filesFree).toBe(3n); // the master node, the delete queue, the root directory
    const data = new Uint8Array(1 << 20).fill(9);
    for (let i = 0; i < 5; i++) module.write(volume, module.create(volume, root, `f${i}`, S_IFREG | 0o644), 0, data);
    const dirty = module.statfs(volume);
    expect(fresh.blocksAvailable - dirty.blocksAvailable).toBe((5n << 20n) / 512n);
    module.sync(volume);
    const synced = module.statfs(volume);
    expect(synced.files - synced.filesFree).toBe(8n);
    expect(synced.blocks - synced.blocksAvailable).toBeGreaterThanOrEqual((5n << 20n) / 512n); // referenced
    module.unmount(volume);
    module.close();
    const reader = await ZfsModule.open([image]);
    try {
      expect(reader.statfs(reader.mount("wt"))).toEqual(synced);
    } finally {
      reader.close();
    }
  }, 120_000);
});
