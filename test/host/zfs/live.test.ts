// fs/zfs against the zfs-fuse installed now (not the committed fixtures):
// a pool made on the spot, with gzip and sha256, a mirror and a child
// dataset, must read back as written. Skipped when zfs-fuse is not installed
// or this is not root (the daemon mounts through FUSE).

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePath, ZfsModule } from "../../../scripts/zfs/host";
import { withZfsFuse, zfsFuseMissing } from "../../../scripts/zfs/daemon";

describe.skipIf(zfsFuseMissing() !== null)("a pool zfs-fuse makes now", () => {
  const work = mkdtempSync(join(tmpdir(), "zfs-live-"));
  const images = [join(work, "a.img"), join(work, "b.img")];
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;

  beforeAll(async () => {
    await withZfsFuse(() => makePool());
  }, 60_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function makePool(): void {
    for (const image of images) execFileSync("truncate", ["-s", "64M", image]);
    const zpool = (...args: string[]) => execFileSync("zpool", args, { encoding: "utf8" });
    zpool("create", "-O", "compression=gzip-3", "-O", "checksum=sha256", "-m", join(work, "mnt"), "livepool", "mirror", ...images);
    execFileSync("zfs", ["create", "-o", `mountpoint=${join(work, "mnt-child")}`, "livepool/child"]);
    writeFileSync(join(work, "mnt-child", "data.bin"), data);
    symlinkSync("data.bin", join(work, "mnt-child", "link"));
    zpool("export", "livepool");
  }

  it("reads back what was written", async () => {
    const module = await ZfsModule.open(images);
    const volume = module.mount("livepool/child");
    expect(module.list(volume, module.root(volume)).map((entry) => entry.name).sort()).toEqual(["data.bin", "link"]);
    expect(Buffer.from(module.readFile(volume, resolvePath(module, volume, "/link", true)))).toEqual(data);
    module.close();
  });
});
