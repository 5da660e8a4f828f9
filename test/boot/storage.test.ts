// Boot tier: the filesystems on the real machines. Guards that a
// multi-megabyte ROFS tree is read through the VFS with every file's bytes
// matching the host's (CRC-32 per file), with the image as the root from
// the initrd (used in place) and from a virtio-blk disk (microvm's
// virtio-mmio, q35's virtio-pci, aarch64 virt's virtio-mmio); that the
// image's /etc/fstab mounts a RAMFS on /tmp that takes a 1 MiB write and
// reads it back; that `wisp run --image` boots a module image; and that
// `wisp bench storage` reports its rows, the raw write and 9p ones included.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { Random } from "../host/random";
import { directory, writeImage } from "../../scripts/image";
import type { DirectoryNode, TreeNode } from "../../scripts/image";
import { selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "120";
const DIR = join(import.meta.dirname, "../../build/test-disks");
const IMAGE = join(DIR, "tree.rofs");
const FILES = 48;
/**
 * Checks selftest=fs runs (fs/selftest.ts): the walk of the whole tree (1),
 * then a 1 MiB file created, written, read back and removed (4). Every image
 * here mounts a RAMFS on /tmp (this tree's fstab, the base module's), so the
 * write checks always run; a read-only root without /tmp would skip them.
 */
const FS_CHECKS = 5;

/** A tree of about 5 MiB: random and compressible files in nested directories, a symlink, /tmp and an fstab. */
function buildTree(): { root: DirectoryNode; expected: Map<string, string> } {
  const random = new Random(0x5707a6e, 0);
  const root = directory();
  const expected = new Map<string, string>();
  const add = (path: string, node: TreeNode) => {
    const parts = path.split("/").filter(Boolean);
    let parent = root;
    for (const part of parts.slice(0, -1)) {
      if (!parent.children.has(part)) parent.children.set(part, directory());
      parent = parent.children.get(part) as DirectoryNode;
    }
    parent.children.set(parts[parts.length - 1], node);
  };
  for (let i = 0; i < FILES; i++) {
    const size = i % 8 === 0 ? random.int(200_000, 400_000) : random.int(0, 70_000);
    const data = new Uint8Array(size);
    const compressible = i % 3 === 0;
    for (let b = 0; b < size; b++) data[b] = compressible ? 97 + ((b >> 4) % 7) : random.int(0, 255);
    const path = `/data/d${i % 5}/s${i % 3}/file-${i}.bin`;
    add(path, { type: "file", mode: 0o644, mtime: 0, data });
    expected.set(path, `${size} 0x${crc32(data).toString(16).padStart(8, "0")}`);
  }
  add("/data/latest", { type: "symlink", mode: 0o777, mtime: 0, target: "d0/s0/file-0.bin" });
  add("/etc/fstab", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode("ramfs /tmp\n") });
  expected.set("/etc/fstab", `11 0x${crc32(new TextEncoder().encode("ramfs /tmp\n")).toString(16).padStart(8, "0")}`);
  root.children.set("tmp", directory());
  return { root, expected };
}

let expected = new Map<string, string>();

beforeAll(() => {
  const tree = buildTree();
  expected = tree.expected;
  mkdirSync(DIR, { recursive: true });
  writeFileSync(IMAGE, writeImage(tree.root, { compress: "auto" }).image);
});

function checkTree(stdout: string, root: string): void {
  expect(stdout).toContain(`fs: root is ${root}`);
  const seen = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const match = /^fs-file (\S+) (\d+ 0x[0-9a-f]{8})$/.exec(line);
    if (match) seen.set(match[1], match[2]);
  }
  expect(seen).toEqual(expected);
  expect(stdout).toContain("fs-link /data/latest d0/s0/file-0.bin");
  expect(selfTestSummaries(stdout, "fs")).toEqual(selfTestPassed("fs", FS_CHECKS));
}

describe.each(["x86_64", "aarch64"])("the root from the initrd (%s)", (arch) => {
  it("reads every file of a multi-megabyte ROFS tree in place, and writes to /tmp", () => {
    const result = wisp("run", "--arch", arch, "--accel", "tcg", "--timeout", TIMEOUT, "--initrd", IMAGE, "--cmdline", "quiet selftest=fs");
    checkTree(result.stdout, "rofs on initrd");
    expect(result.status).toBe(0);
  });

  it("boots a module image with wisp run --image", () => {
    const result = wisp("run", "--arch", arch, "--accel", "tcg", "--timeout", TIMEOUT, "--image", "demo-files", "--cmdline", "quiet selftest=fs");
    expect(result.stdout).toContain("fs: root is rofs on initrd");
    expect(result.stdout).toMatch(/^fs-file \/etc\/motd 17 0x[0-9a-f]{8}$/m);
    expect(selfTestSummaries(result.stdout, "fs")).toEqual(selfTestPassed("fs", FS_CHECKS));
    expect(result.status).toBe(0);
  });

  it("mounts a filesystem registered by name from /etc/fstab (the example, test profile)", () => {
    const result = wisp("run", "--arch", arch, "--accel", "tcg", "--timeout", TIMEOUT, "--image", "hello-fs", "--cmdline", "quiet selftest=fs");
    const files: Record<string, string> = {
      "/hello/hello.txt": "Hello from Wisp!\n",
      "/hello/license.txt": "This text is served by fs/example.\n",
      "/hello/colors": "red\ngreen\nblue\n",
    };
    for (const [path, text] of Object.entries(files)) {
      const data = new TextEncoder().encode(text);
      expect(result.stdout).toContain(`fs-file ${path} ${data.length} 0x${crc32(data).toString(16).padStart(8, "0")}\n`);
    }
    expect(selfTestSummaries(result.stdout, "fs")).toEqual(selfTestPassed("fs", FS_CHECKS));
    expect(result.status).toBe(0);
  });

  it("names the registered filesystems when fstab asks for one the kernel lacks (default profile)", () => {
    const result = wisp("run", "--arch", arch, "--accel", "tcg", "--timeout", TIMEOUT, "--image", "hello-fs", "--cmdline", "quiet");
    expect(result.stdout).toContain("panic: filesystems: /etc/fstab line 3: unknown filesystem type 'hello' (known: ramfs, 9p, and modules in /lib/modules/)\n");
    expect(result.status).toBe(70);
  });

  it("refuses an initrd that is not a ROFS image, saying why", () => {
    const junk = join(DIR, "junk.img");
    writeFileSync(junk, new Uint8Array(8192).fill(0x5a));
    const result = wisp("run", "--arch", arch, "--accel", "tcg", "--timeout", TIMEOUT, "--initrd", junk, "--cmdline", "quiet");
    expect(result.stdout).toContain("panic: filesystems: root on initrd: rofs: bad magic");
    expect(result.status).toBe(70);
  });
});

describe.each([
  { arch: "x86_64", machine: "microvm" },
  { arch: "x86_64", machine: "q35" },
  { arch: "aarch64", machine: "virt" },
])("the root from a virtio-blk disk ($arch on $machine)", ({ arch, machine }) => {
  it("reads every file of a multi-megabyte ROFS tree, and writes to /tmp", () => {
    const result = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT,
      "--disk", `${IMAGE},ro`, "--cmdline", "quiet root=disk selftest=fs");
    checkTree(result.stdout, "rofs on ");
    expect(result.status).toBe(0);
  });
});

describe("wisp bench storage", () => {
  it("reports ROFS and raw read speed, open+stat cost, root mounting, RAMFS appends, the 9p rows and the ZFS read and write rows as JSON", () => {
    const result = wisp("bench", "storage", "--json", "--arch", "x86_64", "--append", "8", "--zfs-mib", "8");
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.benchmark).toBe("storage");
    expect(report.compression.compressedImageBytes).toBeLessThan(report.compression.uncompressedImageBytes);
    const [x86] = report.results;
    expect(x86.rofsRead.bytes).toBe(report.compression.tree.bytes);
    expect(x86.rofsRead.ratioToRaw).toBeGreaterThan(0);
    expect(x86.rawWrite.bytes).toBe(32 << 20);
    expect(x86.rawWrite.MBps).toBeGreaterThan(0);
    expect(x86.openStatInstructions).toBeGreaterThan(0);
    expect(x86.rootMounted.initrdInstructions).toBeGreaterThan(0);
    expect(x86.rootMounted.diskMicroseconds).toBeGreaterThan(0);
    expect(x86.ramfsAppend.map((entry: { mib: number }) => entry.mib)).toEqual([8, 32]);
    expect(x86.ninep.readMBps).toBeGreaterThan(0);
    expect(x86.ninep.writeToRofs).toBeGreaterThan(0);
    expect(x86.ninep.openReadClose.ninepInstructions).toBeGreaterThan(x86.ninep.openReadClose.rofsInstructions);
    expect(x86.ninep.wasiOpenStat).toMatchObject({ rounds: 1000, names: 6 });
    expect(x86.ninep.wasiOpenStat.instructions).toBeGreaterThan(0);
    expect(x86.ninep.bootToStart.copy.fullImageBytes).toBeGreaterThan(x86.ninep.bootToStart.directoryBytes);
    expect(x86.ninep.bootToStart.ninep.fullImageBytes).toBe(x86.ninep.bootToStart.ninep.emptyImageBytes);
    // The ZFS rows need a pool made by zfs-fuse (npm run setup installs it; it runs as root).
    if (x86.zfs.skipped === undefined) {
      expect(x86.zfs.pool.bigFileBytes).toBe(8 << 20);
      expect(x86.zfs.read.bigMBps).toBeGreaterThan(0);
      expect(x86.zfs.read.treeToRofs).toBeGreaterThan(0);
      expect(x86.zfs.instructions.moduleLoad).toBeGreaterThan(0);
      expect(x86.zfs.instructions.firstMount).toBeGreaterThan(0);
      expect(x86.zfs.sizes.appImageWithZfs - x86.zfs.sizes.appImageWithout).toBeGreaterThanOrEqual(x86.zfs.sizes.zfsSo);
      expect(x86.zfs.smallestMemoryKib).toBeGreaterThan(0);
    } else {
      expect(x86.zfs.skipped).toMatch(/zfs-fuse/);
    }
    // The ZFS write rows use a pool `wisp zfs create` makes: no zfs-fuse needed.
    expect(x86.zfsWrites.pool.made).toBe("wisp zfs create");
    expect(x86.zfsWrites.sequential.fileBytes).toBe(8 << 20);
    expect(x86.zfsWrites.sequential.writeMBps).toBeGreaterThan(0);
    expect(x86.zfsWrites.sequential.writeToRamfs).toBeGreaterThan(0);
    expect(x86.zfsWrites.sequential.writeToRaw).toBeGreaterThan(0);
    expect(x86.zfsWrites.smallFiles.files).toBe(1000);
    expect(x86.zfsWrites.smallFiles.toRamfs).toBeGreaterThan(0);
    expect(x86.zfsWrites.fsync.rounds).toBe(100);
    expect(x86.zfsWrites.fsync.meanMicroseconds).toBeGreaterThan(0);
    expect(x86.zfsWrites.instructionsPerSmallFile).toBeGreaterThan(0);
  }, 600_000);
});
