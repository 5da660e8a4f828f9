// Boot tier: apps writing ZFS pools (`wisp run --disk pool.img --mount
// zfs:tank:/data`), on every machine: the pool is made on the host by
// `wisp zfs create`, the kernel loads the ZFS module, mounts the pool for
// writing and, at power-off, the module exports it. Afterwards the host
// reads every byte back with the same module, and zdb (zfs-fuse's) finds
// the pool clean: every checksum right, no leaked or doubly allocated
// space.
//
// - share.c's `names` steps (create, rename over, mkdir/rmdir, links,
//   symlinks, unlink, truncate, append, times) print exactly their lines and
//   leave exactly their tree, on a pool of 4 KiB sectors.
// - tree-writer.c builds 1,000 files in 10 folders, renames a third,
//   removes a fifth, and writes a 256 MiB file with fsync: every file holds
//   exactly its bytes, and the statvfs it prints last (Wisp's
//   wisp_fd_statvfs) is what the pool says once the VM is off (give or take
//   the MOS of the txgs after it).
// - A disk whose flushes, or writes, all fail (QEMU blkdebug): the fsync
//   that needs them answers EIO, later changes too, reads go on, the kernel
//   finishes, and the pool is as it was before the boot.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BOOT_TARGETS, wisp } from "./wisp-cli";
import { expectedOutput } from "./apps/share-steps";
import { resolvePath, ZfsModule } from "../../scripts/zfs/host";
import { withZfsFuse, zfsFuseMissing } from "../../scripts/zfs/daemon";
import { zdbCheck } from "../../scripts/zfs/zdb";

const work = mkdtempSync(join(tmpdir(), "wisp-zfs-write-"));
const shareApp = join(work, "share.wasm");
const treeApp = join(work, "tree-writer.wasm");

beforeAll(() => {
  for (const [source, out] of [["share.c", shareApp], ["tree-writer.c", treeApp]]) {
    execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", "-I", join(import.meta.dirname, "..", "..", "loader", "wasi"), join(import.meta.dirname, "apps", source), "-o", out]);
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh pool `tank` of `size` in its own folder (zdb -e looks for the pool there), holding host.txt. */
function freshPool(name: string, size: string, host: string, ...options: string[]): string {
  const folder = join(work, name);
  mkdirSync(join(folder, "source"), { recursive: true });
  writeFileSync(join(folder, "source", "host.txt"), host);
  const image = join(folder, "pool.img");
  const made = wisp("zfs", "create", image, "--size", size, "--pool", "tank", "--from", join(folder, "source"), ...options);
  expect(made.status, made.stderr).toBe(0);
  return image;
}

/** The app's lines (standard output), once the kernel's console said the module exported the pool at power-off. */
function appLines(result: { stdout: string; stderr: string }): string {
  expect(result.stderr).toMatch(/^zfs: exported tank at txg \d+: \d+ KiB allocated$/m);
  return result.stdout;
}

async function zdbClean(image: string): Promise<void> {
  if (zfsFuseMissing() !== null) return;
  await withZfsFuse(() => {
    const verdict = zdbCheck(image, "tank");
    expect(verdict.clean, verdict.output).toBe(true);
  });
}

const text = (module: ZfsModule, volume: number, path: string) => new TextDecoder().decode(module.readFile(volume, resolvePath(module, volume, path, false)));

describe.each(BOOT_TARGETS)("ZFS written by an app on $arch $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", "240", ...args);

  it("takes share.c's changes and leaves exactly their tree", async () => {
    const host = `made on the host for ${arch} ${machine}\n`;
    const image = freshPool(`names-${arch}-${machine}`, "128M", host, "--ashift", "12"); // 4 KiB sectors, as zfs-fuse gives a 128M file
    const result = run(shareApp, "--disk", image, "--mount", "zfs:tank:/out", "--", "names");
    expect(appLines(result), result.stderr).toBe(expectedOutput("names", host));
    expect(result.status).toBe(0);
    const module = await ZfsModule.open([image]);
    try {
      const volume = module.mount("tank");
      const root = module.root(volume);
      expect(module.list(volume, root).map((entry) => entry.name).sort()).toEqual(["abs", "host.txt", "linked.txt", "rel", "sub", "t.txt"]);
      const sub = resolvePath(module, volume, "/sub", false);
      expect(module.list(volume, sub).map((entry) => entry.name).sort()).toEqual(["moved.txt", "up"]);
      expect(text(module, volume, "/host.txt")).toBe(host);
      expect(text(module, volume, "/sub/moved.txt")).toBe("bravo\n");
      expect(resolvePath(module, volume, "/linked.txt", false)).toBe(resolvePath(module, volume, "/sub/moved.txt", false));
      expect(module.getattr(volume, resolvePath(module, volume, "/linked.txt", false)).links).toBe(2);
      expect(module.readlink(volume, resolvePath(module, volume, "/rel", false))).toBe("sub/moved.txt");
      expect(module.readlink(volume, resolvePath(module, volume, "/abs", false))).toBe("/etc/passwd");
      expect(module.readlink(volume, resolvePath(module, volume, "/sub/up", false))).toBe("../../outside");
      expect(text(module, volume, "/t.txt")).toBe("tru+more");
      expect(module.getattr(volume, resolvePath(module, volume, "/t.txt", false)).modifiedNs).toBe(1234567890_123456789n);
    } finally {
      module.close();
    }
    await zdbClean(image);
  }, 300_000);
});

/** File i's bytes, as tree-writer.c makes them. */
function smallFile(i: number): Buffer {
  const length = (i * 7919) % 40001;
  const data = Buffer.alloc(length);
  for (let k = 0; k < length; k++) data[k] = (i * 131 + k * 7 + (k >> 10)) & 255;
  return data;
}

function bigFileDigest(mib: number): string {
  const hash = createHash("sha256");
  const chunk = Buffer.alloc(1 << 20);
  for (let m = 0; m < mib; m++) {
    for (let j = 0; j < chunk.length; j++) {
      const k = m * (1 << 20) + j;
      chunk[j] = (k * 13 + Math.floor(k / (1 << 20))) & 255;
    }
    hash.update(chunk);
  }
  return hash.digest("hex");
}

describe.each(BOOT_TARGETS.filter((target) => target.machine !== "q35"))("a tree built on ZFS on $arch $machine", ({ arch, machine }) => {
  it("1,000 files, renames, removals and a 256 MiB file: every byte as written, zdb clean", async () => {
    const image = freshPool(`tree-${arch}-${machine}`, "512M", "tree\n");
    const result = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", "280", "--mem", "256M",
      treeApp, "--disk", image, "--mount", "zfs:tank:/data", "--", "/data", "1000", "256");
    const lines = appLines(result).split("\n");
    const spaceLine = lines.splice(lines.findIndex((line) => line.startsWith("space: ")), 1)[0] ?? "";
    expect(lines.join("\n"), result.stderr).toBe(
      ["create files: ok", "rename every third: ok", "remove every fifth: ok", "write big.bin: ok", "read big.bin back: ok", "0 failed", ""].join("\n"));
    expect(result.status).toBe(0);
    const module = await ZfsModule.open([image]);
    try {
      const volume = module.mount("tank");
      // The app's statvfs of /data after its last fsync: what the dataset references and its objects are what
      // the pool says now; the txgs after it (the periodic sync's, the export's at power-off) rewrote the MOS
      // (space maps taking the frees deferred until then, condensed ones, the configuration), which moves what
      // is available by a little, either way.
      const space = module.statfs(volume);
      const [blockSize, blocks, free, available, objects, objectsFree, flags, nameMax] = spaceLine.split(" ").slice(1).map(BigInt);
      expect([blockSize, blocks - available, objects - objectsFree, flags, nameMax], spaceLine)
        .toEqual([512n, space.blocks - space.blocksAvailable, space.files - space.filesFree, 0n, 255n]);
      expect(free).toBe(available);
      const moved = available - space.blocksAvailable;
      expect(moved < 0n ? -moved : moved, spaceLine).toBeLessThan((1n << 20n) / 512n);
      let files = 0;
      for (let i = 0; i < 1000; i++) {
        const moved = i % 3 === 0;
        const path = moved ? `/d${(i + 1) % 10}/file-${String(i).padStart(5, "0")}.moved` : `/d${i % 10}/file-${String(i).padStart(5, "0")}`;
        if (i % 5 === 0) {
          expect(module.lookupRaw(volume, resolvePath(module, volume, path.slice(0, 3), false), path.slice(4))).toBe(-2n);
          continue;
        }
        expect(Buffer.from(module.readFile(volume, resolvePath(module, volume, path, false))).equals(smallFile(i)), path).toBe(true);
        files++;
      }
      expect(files).toBe(800);
      let entries = 0;
      for (let d = 0; d < 10; d++) entries += module.list(volume, resolvePath(module, volume, `/d${d}`, false)).length;
      expect(entries).toBe(800);
      const big = module.readFile(volume, resolvePath(module, volume, "/big.bin", false));
      expect(big.length).toBe(256 << 20);
      expect(createHash("sha256").update(big).digest("hex")).toBe(bigFileDigest(256));
    } finally {
      module.close();
    }
    await zdbClean(image);
  }, 420_000);
});

describe("a pool whose disk fails under it", () => {
  for (const [what, rule] of [["every flush", 'event = "flush_to_disk"\niotype = "flush"'], ["every write", 'event = "write_aio"\niotype = "write"']] as const) {
    it(`${what} failing: the change fails with EIO, the kernel goes on, the pool stays as it was`, async () => {
      const app = join(work, "io-errors.wasm");
      execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", join(import.meta.dirname, "apps", "io-errors.c"), "-o", app]);
      const image = freshPool(`errors-${what.replace(/ /g, "-")}`, "64M", "before the errors\n");
      const rules = join(image, "..", "rules.conf");
      // iotype keeps the rule to that kind of request (an event alone would fail every later request, reads too).
      writeFileSync(rules, `[inject-error]\n${rule}\nerrno = "5"\n`);
      const result = wisp("run", "--accel", "tcg", "--timeout", "240", app, "--disk", `blkdebug:${rules}:${image}`, "--mount", "zfs:tank:/data", "--", "/data");
      expect(result.stdout, result.stderr).toBe(["create new.txt: ok", "write new.txt: ok", "fsync fails with EIO: ok",
        "a later change fails with EIO: ok", "host.txt still reads: ok", "0 failed", ""].join("\n"));
      expect(result.status).toBe(0);
      expect(result.stderr).toMatch(/^zfs: unmount tank: left as of txg \d+ \(a sync failed\)$/m);
      const module = await ZfsModule.open([image]);
      try {
        const volume = module.mount("tank");
        expect(module.list(volume, module.root(volume)).map((entry) => entry.name)).toEqual(["host.txt"]);
        expect(text(module, volume, "/host.txt")).toBe("before the errors\n");
      } finally {
        module.close();
      }
      await zdbClean(image);
    }, 300_000);
  }
});
