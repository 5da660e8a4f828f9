// Boot tier: ZFS pools made by zfs-fuse (the fixtures of test/fixtures/zfs)
// read by an app on Wisp through the ZFS module (fs/zfs), on both
// architectures. tree-crc walks the mounted dataset and prints every
// directory, file (size and CRC-32) and link target; the test builds the
// same listing from the fixtures' manifest (what zfs-fuse showed when the
// pools were made) and the files' bytes (read on the host and checked
// against the manifest's SHA-256 first), and compares the two byte for
// byte. Pools: no compression with fletcher4; gzip-9 with SHA-256; a
// child dataset with lzjb, zle and fletcher2; a two-way mirror. And the
// default kernel carries no ZFS code at all. A dataset serves as the root
// (root=zfs:POOL/DATASET, the module loaded from the initrd): the kernel's
// file-system self-test walks it and every file's size and CRC-32 match.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZfsModule, resolvePath } from "../../scripts/zfs/host";
import { manifest, removeUnpacked, unpackImages } from "../host/zfs/tree";
import { wisp } from "./wisp-cli";

const TIMEOUT = "300";
const ROOT = join(import.meta.dirname, "../..");
let treeCrc = "";

beforeAll(() => {
  const work = mkdtempSync(join(tmpdir(), "wisp-zfs-"));
  treeCrc = join(work, "tree-crc.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", join(ROOT, "modules/tree-crc/tree-crc.c"), "-o", treeCrc]);
});
afterAll(removeUnpacked);

/** What tree-crc prints for `dataset` of `pool` mounted at /data, from the manifest and the files' checked bytes. */
async function expectedListing(pool: string, dataset: string, images: string[]): Promise<string> {
  const module = await ZfsModule.open(images);
  try {
    const volume = module.mount(dataset);
    const lines: { path: string; line: string }[] = [];
    for (const entry of manifest[pool].datasets[dataset]) {
      const path = entry.path === "/" ? "/data" : `/data${entry.path}`;
      if (entry.type === "directory") lines.push({ path, line: `d ${path}` });
      else if (entry.type === "symlink") lines.push({ path, line: `l ${path} -> ${entry.target}` });
      else {
        const bytes = module.readFile(volume, resolvePath(module, volume, entry.path, false));
        expect(createHash("sha256").update(bytes).digest("hex"), entry.path).toBe(entry.sha256);
        lines.push({ path, line: `f ${path} ${bytes.length} ${crc32(bytes).toString(16).padStart(8, "0")}` });
      }
    }
    lines.sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
    return [...lines.map((entry) => entry.line), `entries ${lines.length}`, ""].join("\n");
  } finally {
    module.close();
  }
}

const CASES = [
  { pool: "plain", dataset: "plain", what: "no compression, fletcher4" },
  { pool: "gzip", dataset: "gzip", what: "gzip-9, SHA-256" },
  { pool: "lzjb", dataset: "lzjb/child", what: "a child dataset: zle, fletcher2" },
  { pool: "twin", dataset: "twin", what: "a two-way mirror" },
];

describe.each(["x86_64", "aarch64"])("ZFS pools read by an app (%s)", (arch) => {
  it.each(CASES)("$dataset ($what): every file, directory and link as zfs-fuse wrote them", async ({ pool, dataset }) => {
    const images = unpackImages(pool);
    const expected = await expectedListing(pool, dataset, images);
    const disks = images.flatMap((image) => ["--disk", `${image},ro`]);
    const result = wisp("run", "--arch", arch, "--timeout", TIMEOUT, "--cmdline", "meminfo", ...disks, treeCrc, "--mount", `zfs:${dataset}:/data`, "--", "/data");
    expect(result.stderr).not.toMatch(/panic|trap/);
    expect(result.stdout).toBe(expected);
    // meminfo's module line ends with the module's own report (fs_report), read out of its memory.
    const report = new RegExp(`^module zfs: memory \\d+ KiB, \\d+ calls, 1 mounts; cache limit \\d+ KiB per volume; ${pool}: cache \\d+ KiB, reads \\d+ \\(cache hits \\d+\\), device reads \\d+ \\(\\d+ bytes, 0 failed\\), checksum errors 0, unreadable blocks 0$`, "m");
    expect(result.stderr).toMatch(report);
    expect(result.status).toBe(0);
  });
});

/** selftest=fs's "fs-file PATH SIZE 0xCRC" lines for every file of `dataset`, from the manifest and the files' checked bytes. */
async function expectedFiles(pool: string, dataset: string, images: string[]): Promise<Map<string, string>> {
  const module = await ZfsModule.open(images);
  try {
    const volume = module.mount(dataset);
    const files = new Map<string, string>();
    for (const entry of manifest[pool].datasets[dataset]) {
      if (entry.type !== "file") continue;
      const bytes = module.readFile(volume, resolvePath(module, volume, entry.path, false));
      expect(createHash("sha256").update(bytes).digest("hex"), entry.path).toBe(entry.sha256);
      files.set(entry.path, `${bytes.length} 0x${crc32(bytes).toString(16).padStart(8, "0")}`);
    }
    return files;
  } finally {
    module.close();
  }
}

describe.each(["x86_64", "aarch64"])("the root on a ZFS pool (%s)", (arch) => {
  it("boots with root=zfs:POOL/DATASET, the module loaded from the initrd, and reads every file", async () => {
    const images = unpackImages("gzip");
    const expected = await expectedFiles("gzip", "gzip/child", images);
    const result = wisp("run", "--arch", arch, "--timeout", TIMEOUT, "--image", "zfs-root", "--disk", `${images[0]},ro`,
      "--cmdline", "quiet root=zfs:gzip/child selftest=fs");
    expect(result.stdout).toContain("fs: root is zfs gzip/child");
    const seen = new Map<string, string>();
    for (const line of result.stdout.split("\n")) {
      const match = /^fs-file (\S+) (\d+ 0x[0-9a-f]{8})$/.exec(line);
      if (match) seen.set(match[1], match[2]);
    }
    expect(seen).toEqual(expected);
    expect(result.stdout).toContain("selftest fs: 1 passed, 0 failed");
    expect(result.status).toBe(0);
  });
});

describe.each(["x86_64", "aarch64"])("a kernel without ZFS (%s)", (arch) => {
  it("the default kernel holds none of the ZFS module's code or names", () => {
    expect(wisp("build", "--arch", arch).status).toBe(0);
    const kernel = readFileSync(join(ROOT, "build", arch, "kernel.elf"));
    for (const name of ["uberblock", "zap", "lzjb", "fletcher", "zfs"]) expect(kernel.includes(Buffer.from(name)), name).toBe(false);
  });
});
