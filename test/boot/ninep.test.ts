// Boot tier: live host directories over virtio-9p, on x86_64 microvm
// (virtio-mmio), q35 (modern virtio-pci) and aarch64 virt.
//
// - The driver and a 9P2000.L session with QEMU's own 9p server (`wisp run
//   --share HOST:TAG`), through selftest=9p's exact lines and count (6 checks
//   for one share, 5 more for each further one): the mount tag, the msize
//   agreed (512 KiB), the attach to a directory, the host filesystem's size,
//   4 threads x 50 requests in flight at once all answered, and no fid left
//   behind.
// - An app (test/boot/apps/share.c) given `--dir HOST:/out`: what it makes,
//   renames, links, truncates and deletes, a 64 MiB file and data past 4 GiB
//   are on the host afterwards, byte for byte; the file the host wrote
//   before boot is what it reads; leaving /out through "..", an absolute
//   symlink, a relative one climbing out, or a hard link is refused.
// - `:ro` refuses every change and leaves the host as it was; `:copy` lets
//   the app change its RAMFS copy and leaves the host as it was.
// - A full host filesystem (a 1 MiB tmpfs, where this machine lets the test
//   mount one) reaches the app as ENOSPC, and an unlink makes room again.

import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, closeSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";
import { expectedOutput } from "./apps/share-steps";

const DIR = join(import.meta.dirname, "../../build/test-shares");
const SHARE = join(DIR, "one");
const OTHER = join(DIR, "two");
mkdirSync(SHARE, { recursive: true });
mkdirSync(OTHER, { recursive: true });
writeFileSync(join(SHARE, "hello.txt"), "from the host\n");

const APP_SOURCE = join(import.meta.dirname, "apps/share.c");
let work = "";
let app = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "wisp-9p-"));
  app = join(work, "share.wasm");
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", APP_SOURCE, "-o", app]);
});


/** Whether this machine lets the test mount a small tmpfs (root, and mounts allowed). */
function canMountTmpfs(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), "wisp-tmpfs-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe]);
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** A fresh shared directory holding host.txt, below a parent the app must not reach. */
function freshShare(name: string, host: string): { parent: string; out: string } {
  const parent = join(work, name);
  const out = join(parent, "out");
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "host.txt"), host);
  return { parent, out };
}

/** The byte at `offset` of share.c's 64 MiB file. */
function pattern(offset: number): number {
  return (offset * 7 + Math.floor(offset / 2 ** 20) * 13) & 0xff;
}

function expectBigFile(path: string): void {
  expect(statSync(path).size).toBe(64 << 20);
  const expected = Buffer.alloc(1 << 20);
  const chunk = Buffer.alloc(1 << 20);
  const fd = openSync(path, "r");
  try {
    for (let c = 0; c < 64; c++) {
      for (let i = 0; i < expected.length; i++) expected[i] = pattern(c * (1 << 20) + i);
      expect(readSync(fd, chunk, 0, chunk.length, c * (1 << 20))).toBe(chunk.length);
      expect(chunk.equals(expected), `MiB ${c} of big.bin`).toBe(true);
    }
  } finally {
    closeSync(fd);
  }
}

/** What share.c's `names` steps leave on the host. */
function expectNamesOnHost(out: string, parent: string, host: string): void {
  expect(readdirSync(out).sort()).toEqual(["abs", "big.bin", "host.txt", "linked.txt", "rel", "sparse.bin", "sub", "t.txt"]);
  expect(readdirSync(join(out, "sub")).sort()).toEqual(["moved.txt", "up"]);
  expect(readFileSync(join(out, "host.txt"), "utf8")).toBe(host);
  expect(readFileSync(join(out, "sub/moved.txt"), "utf8")).toBe("bravo\n");
  expect(statSync(join(out, "linked.txt")).ino).toBe(statSync(join(out, "sub/moved.txt")).ino);
  expect(statSync(join(out, "linked.txt")).nlink).toBe(2);
  expect(readlinkSync(join(out, "rel"))).toBe("sub/moved.txt");
  expect(readlinkSync(join(out, "abs"))).toBe("/etc/passwd");
  expect(readlinkSync(join(out, "sub/up"))).toBe("../../outside");
  expect(readFileSync(join(out, "t.txt"), "utf8")).toBe("tru+more");
  expect(statSync(join(out, "t.txt"), { bigint: true }).mtimeNs).toBe(1234567890_123456789n);
  expect(readdirSync(parent)).toEqual(["out"]); // nothing escaped
}

describe.each(BOOT_TARGETS)("virtio-9p on $arch $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", "240", ...args);

  it("brings the device up by its tag, attaches, and answers requests from several threads at once", () => {
    const result = run("--share", `${SHARE}:hostshare`, "--cmdline", "quiet selftest=9p");
    expect(result.stdout).toContain("9p: hostshare msize 524288 root directory\n9p: hostshare 4 threads x 50 requests answered 200\n");
    expect(selfTestSummaries(result.stdout, "9p")).toEqual(selfTestPassed("9p", 6));
    expect(result.status).toBe(0);
  });

  it("leaves an app's files in the shared directory, byte for byte", () => {
    const host = `written on the host for ${arch} ${machine} before boot\n`;
    const { parent, out } = freshShare(`write-${arch}-${machine}`, host);
    const result = run(app, "--dir", `${out}:/out`, "--", "write");
    expect(result.stdout, result.stderr).toBe(expectedOutput("write", host));
    expect(result.status).toBe(0);
    expectNamesOnHost(out, parent, host);
    expect(statSync(join(out, "sparse.bin")).size).toBe(5 * 2 ** 30 + 4096);
    const tail = Buffer.alloc(4);
    const fd = openSync(join(out, "sparse.bin"), "r");
    readSync(fd, tail, 0, 4, 5 * 2 ** 30);
    closeSync(fd);
    expect(tail.toString()).toBe("tail");
    expectBigFile(join(out, "big.bin"));
    rmSync(parent, { recursive: true });
  }, 300_000); // the first run on an architecture also builds the app for it
});

describe("--dir modes", () => {
  it(":ro refuses every change and leaves the host as it was", () => {
    const { parent, out } = freshShare("read-only", "read-only\n");
    const result = wisp("run", "--timeout", "240", app, "--dir", `${out}:/out:ro`, "--", "ro");
    expect(result.stdout, result.stderr).toBe([
      "read host.txt: ok", "create is refused: ok", "writing host.txt is refused: ok", "unlink is refused: ok",
      "mkdir is refused: ok", "0 failed", "",
    ].join("\n"));
    expect(result.status).toBe(0);
    expect(readdirSync(out)).toEqual(["host.txt"]);
    expect(readFileSync(join(out, "host.txt"), "utf8")).toBe("read-only\n");
    rmSync(parent, { recursive: true });
  });

  it(":copy lets the app change its own copy and leaves the host as it was", () => {
    const { parent, out } = freshShare("copy", "copied\n");
    const before = lstatSync(join(out, "host.txt"), { bigint: true }).mtimeNs;
    const result = wisp("run", "--arch", "aarch64", "--timeout", "240", app, "--dir", `${out}:/out:copy`, "--", "names");
    expect(result.stdout, result.stderr).toBe(expectedOutput("names", "copied\n"));
    expect(result.status).toBe(0);
    expect(readdirSync(out)).toEqual(["host.txt"]);
    expect(lstatSync(join(out, "host.txt"), { bigint: true }).mtimeNs).toBe(before);
    expect(existsSync(join(parent, "outside"))).toBe(false);
    rmSync(parent, { recursive: true });
  });

  it.skipIf(!canMountTmpfs())("passes a full host filesystem on as ENOSPC, and the kernel goes on", () => {
    const tiny = join(work, "tiny");
    mkdirSync(tiny);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny]);
    try {
      const result = wisp("run", "--timeout", "240", app, "--dir", `${tiny}:/out`, "--", "full");
      expect(result.stdout, result.stderr).toBe(
        "writing fails with ENOSPC: ok\nunlink frees the space: ok\nwriting works again: ok\n0 failed\n");
      expect(result.status).toBe(0);
      expect(readdirSync(tiny)).toEqual(["after.txt"]);
    } finally {
      execFileSync("umount", [tiny]);
    }
  });

  it("refuses a host path that is missing or not a directory before starting QEMU (exit 2)", () => {
    const missing = wisp("run", app, "--dir", `${join(DIR, "missing")}:/out`);
    expect(missing.stderr).toBe(`wisp: --dir ${join(DIR, "missing")}:/out: ${join(DIR, "missing")} does not exist\n`);
    expect(missing.status).toBe(2);
    const file = join(SHARE, "hello.txt");
    const notDirectory = wisp("run", app, "--dir", `${file}:/out`);
    expect(notDirectory.stderr).toBe(`wisp: --dir ${file}:/out: ${file} is not a directory\n`);
    expect(notDirectory.status).toBe(2);
  });
});

describe("9p mounts named by an image's fstab", () => {
  it("mounts a share by its tag where a module's mount line says (modules/host-dir)", () => {
    const result = wisp("run", "--arch", "aarch64", "--timeout", "120", "--image", "host-dir", "--share", `${SHARE}:host`,
      "--cmdline", "quiet selftest=fs");
    expect(result.stdout).toContain("fs-dir /host\nfs-file /host/hello.txt 14 0x");
    expect(selfTestSummaries(result.stdout, "fs")).toEqual(selfTestPassed("fs", 5));
    expect(result.status).toBe(0);
  });

  it("stops the boot with the reason when no device has the tag", () => {
    const result = wisp("run", "--timeout", "120", "--image", "host-dir", "--cmdline", "quiet");
    expect(result.stdout).toContain(
      "panic: filesystems: /etc/fstab line 3: no virtio-9p device has mount tag 'host' (there is no virtio-9p device)\n");
    expect(result.status).toBe(70);
  });
});

describe("virtio-9p with two shares", () => {
  it("brings up each device, in -device order, read-only or not", () => {
    const result = wisp("run", "--arch", "aarch64", "--accel", "tcg", "--timeout", "120",
      "--share", `${SHARE}:first`, "--share", `${OTHER}:second:ro`, "--cmdline", "quiet selftest=9p");
    expect(result.stdout).toContain("9p: first msize 524288 root directory\n");
    expect(result.stdout).toContain("9p: second msize 524288 root directory\n");
    expect(selfTestSummaries(result.stdout, "9p")).toEqual(selfTestPassed("9p", 11));
    expect(result.status).toBe(0);
  });

  it("refuses a share that is not a directory before starting QEMU (exit 2)", () => {
    const result = wisp("run", "--share", `${join(SHARE, "hello.txt")}:tag`);
    expect(result.stderr).toContain(`wisp: --share ${join(SHARE, "hello.txt")}: not a directory\n`);
    expect(result.status).toBe(2);
  });
});
