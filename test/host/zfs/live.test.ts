// fs/zfs against the zfs-fuse installed now (not the committed fixtures):
// a pool made on the spot, with gzip and sha256, a mirror and a child
// dataset, must read back as written. Skipped when zfs-fuse is not installed
// or this is not root (the daemon mounts through FUSE).

import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolvePath, ZfsModule } from "../../../scripts/zfs/host";

const usable = existsSync("/usr/sbin/zfs-fuse") && existsSync("/dev/fuse") && process.getuid?.() === 0;

describe.skipIf(!usable)("a pool zfs-fuse makes now", () => {
  let daemon: ChildProcess;
  const work = mkdtempSync(join(tmpdir(), "zfs-live-"));
  const images = [join(work, "a.img"), join(work, "b.img")];
  const data = Buffer.alloc(300_000);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;

  beforeAll(async () => {
    daemon = spawn("/usr/sbin/zfs-fuse", ["--no-daemon"], { stdio: "ignore" });
    await new Promise((done) => setTimeout(done, 1500));
    for (const image of images) execFileSync("truncate", ["-s", "64M", image]);
    const zpool = (...args: string[]) => execFileSync("zpool", args, { encoding: "utf8" });
    zpool("create", "-O", "compression=gzip-3", "-O", "checksum=sha256", "-m", join(work, "mnt"), "livepool", "mirror", ...images);
    execFileSync("zfs", ["create", "-o", `mountpoint=${join(work, "mnt-child")}`, "livepool/child"]);
    writeFileSync(join(work, "mnt-child", "data.bin"), data);
    symlinkSync("data.bin", join(work, "mnt-child", "link"));
    zpool("export", "livepool");
  }, 60_000);

  afterAll(async () => {
    daemon.kill("SIGTERM");
    await new Promise((done) => daemon.once("exit", done));
    rmSync(work, { recursive: true, force: true });
  });

  it("reads back what was written", async () => {
    const module = await ZfsModule.open(images);
    const volume = module.mount("livepool/child");
    expect(module.list(volume, module.root(volume)).map((entry) => entry.name).sort()).toEqual(["data.bin", "link"]);
    expect(Buffer.from(module.readFile(volume, resolvePath(module, volume, "/link", true)))).toEqual(data);
    module.close();
  });
});
