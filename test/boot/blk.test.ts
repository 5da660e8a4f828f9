// Boot tier: virtio-blk on every target (x86_64 microvm over virtio-mmio,
// q35 over virtio-pci with MSI-X, aarch64 virt over virtio-mmio). Guards
// the in-kernel block self-test (`selftest=blk`, kernel/selftest/blk.ts):
// the guest's CRC-32 of a multi-megabyte random disk equals the host's,
// three threads reading the same region at once with many requests in
// flight agree, a scratch disk written with `blk-write` holds the pattern
// on the host afterwards, disks are named vda, vdb, ... in --disk order,
// an error-injecting disk (QEMU blkdebug) makes requests fail with -EIO
// while the kernel finishes normally, and a legacy-only device is refused
// with a message saying so. Images live in build/test-disks/.

import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { Random } from "../host/random";
import { BOOT_TARGETS, selfTestPassed, selfTestSummaries, wisp } from "./wisp-cli";

const TIMEOUT = "120";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const DISKS = `${ROOT}build/test-disks`;
const RANDOM_DISK = `${DISKS}/random.img`;
/** 6 MiB and 7 sectors: the last read of the checksum pass is a short one. */
const RANDOM_SECTORS = 6 * 2048 + 7;
const SCRATCH_SECTORS = 4096;
const SEED = 0xd15c;
/**
 * Checks selftest=blk runs (drivers/block/selftest.ts), by what the disks let
 * it check: a disk found (1); bad arguments on the first disk (3, and 1 more
 * when it is read-only); 3 reader threads start and finish (6); the readers
 * agree (1, only when no request failed); what blk-write wrote reads back (1
 * per writable disk, only when its requests succeeded). The same on every machine.
 */
const BLK_CHECKS = { readOnly: 12, readOnlyAndScratch: 13, faultyWritable: 10, throttledReadOnly: 11 };

/** What blk-write puts at byte `offset` of `sector` (kernel/selftest/blk.ts patternByte). */
function patternByte(sector: number, offset: number): number {
  return (sector * 7 + offset * 13 + 0x5a) & 0xff;
}

function makeRandomDisk(): Buffer {
  const random = new Random(SEED, 0);
  const words = new Uint32Array((RANDOM_SECTORS * 512) / 4);
  for (let i = 0; i < words.length; i++) words[i] = random.u32();
  const bytes = Buffer.from(words.buffer);
  writeFileSync(RANDOM_DISK, bytes);
  return bytes;
}

function hex8(value: number): string {
  return `0x${value.toString(16).padStart(8, "0")}`;
}

let randomCrc = 0;

beforeAll(() => {
  mkdirSync(DISKS, { recursive: true });
  randomCrc = crc32(makeRandomDisk()) >>> 0;
});

describe.each(BOOT_TARGETS)("$arch on $machine", ({ arch, machine }) => {
  const run = (...args: string[]) => wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", TIMEOUT, ...args);
  const scratch = `${DISKS}/scratch-${arch}-${machine}.img`;
  const faulty = `${DISKS}/faulty-${arch}-${machine}.img`;
  const rules = `${DISKS}/faulty-${arch}-${machine}.conf`;

  it("reads a random disk whose checksum matches the host's, from several threads at once", () => {
    const result = run("--disk", `${RANDOM_DISK},ro`, "--cmdline", "quiet selftest=blk");
    expect(result.stdout).toMatch(new RegExp(`^blk: vda ${RANDOM_SECTORS} sectors read-only$`, "m"));
    expect(result.stdout).toMatch(new RegExp(`^blk-checksum ${hex8(randomCrc)}$`, "m"));
    expect(result.stdout).toMatch(/^blk-concurrent 3 threads agree$/m);
    expect(result.stdout).toMatch(/^blk-errors 0$/m);
    expect(result.stdout).not.toContain("selftest check failed");
    expect(selfTestSummaries(result.stdout, "blk")).toEqual(selfTestPassed("blk", BLK_CHECKS.readOnly));
    expect(result.status).toBe(0);
  });

  it("writes a scratch disk, flushes, reads it back, and the host sees the pattern", () => {
    writeFileSync(scratch, Buffer.alloc(SCRATCH_SECTORS * 512));
    const result = run("--disk", `${RANDOM_DISK},ro`, "--disk", scratch, "--cmdline", "quiet selftest=blk blk-write");
    expect(result.stdout).toMatch(/^blk: vda \d+ sectors read-only$/m);
    expect(result.stdout).toMatch(new RegExp(`^blk: vdb ${SCRATCH_SECTORS} sectors read-write$`, "m"));
    expect(result.stdout).toMatch(new RegExp(`^blk-write vdb ${SCRATCH_SECTORS} sectors read back equal$`, "m"));
    expect(result.stdout).toMatch(/^blk-errors 0$/m);
    expect(selfTestSummaries(result.stdout, "blk")).toEqual(selfTestPassed("blk", BLK_CHECKS.readOnlyAndScratch));
    expect(result.status).toBe(0);
    const written = readFileSync(scratch);
    let mismatches = 0;
    for (let sector = 0; sector < SCRATCH_SECTORS; sector++) {
      for (let offset = 0; offset < 512; offset++) if (written[sector * 512 + offset] !== patternByte(sector, offset)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it("turns injected I/O errors into -EIO and still finishes", () => {
    copyFileSync(RANDOM_DISK, faulty);
    writeFileSync(rules, [
      "[inject-error]", 'event = "read_aio"', 'errno = "5"', 'sector = "3000"', "",
      "[inject-error]", 'event = "write_aio"', 'errno = "5"', 'sector = "100"', "",
    ].join("\n"));
    const result = run("--disk", `blkdebug:${rules}:${faulty}`, "--cmdline", "quiet selftest=blk blk-write");
    expect(result.stdout).toMatch(/^blk: vda error -5 at sector \d+$/m);
    expect(result.stdout).toMatch(/^blk-errors [1-9]\d*$/m);
    expect(result.stdout).toMatch(/^blk-concurrent 3 threads had errors$/m);
    expect(result.stdout).toMatch(/^blk-write vda \d+ sectors had errors$/m);
    expect(selfTestSummaries(result.stdout, "blk")).toEqual(selfTestPassed("blk", BLK_CHECKS.faultyWritable));
    expect(result.status).toBe(0);
  });

  /** Runs the QEMU command `wisp run --print-command` gives for `args`, changed by `edit`. */
  const runEdited = (edit: (command: string) => string, ...args: string[]) => {
    const printed = run(...args, "--print-command");
    expect(printed.status).toBe(0);
    execFileSync("node", ["scripts/wisp.mjs", "build", "--arch", arch], { cwd: ROOT, stdio: "ignore" });
    return spawnSync("timeout", [TIMEOUT, "sh", "-c", edit(printed.stdout.trim())], { cwd: ROOT, encoding: "utf8" });
  };

  it("fails requests the device never answers with -EIO at the deadline, then fails fast", () => {
    // A disk throttled to 2000 bytes/s takes minutes per 256 KiB request.
    const started = Date.now();
    const result = runEdited((command) => command.replace("readonly=on", "readonly=on,throttling.bps-total=2000"),
      "--disk", `${RANDOM_DISK},ro`, "--cmdline", "quiet selftest=blk");
    // The throttle may let a first burst through: some request, not necessarily the first, hits the deadline.
    expect(result.stdout).toMatch(/^blk: vda error -5 at sector \d+$/m);
    expect(result.stdout).toMatch(/^blk-errors [1-9]\d*$/m);
    expect(selfTestSummaries(result.stdout, "blk")).toEqual(selfTestPassed("blk", BLK_CHECKS.throttledReadOnly));
    // One 10 s deadline, not one per request.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("refuses a legacy-only device by name", () => {
    // QEMU's own defaults: legacy virtio-mmio, transitional virtio-pci with its modern interface off.
    const result = runEdited((command) => command
      .replace(" -global virtio-mmio.force-legacy=false", "")
      .replace(",disable-legacy=on,disable-modern=off", ",disable-modern=on"),
    "--disk", `${RANDOM_DISK},ro`, "--cmdline", "quiet selftest=blk");
    expect(result.stdout).toMatch(/^virtio: virtio-(mmio@0x[0-9a-f]+|pci [0-9a-f:.]+): a legacy-only device/m);
    expect(result.stdout).toMatch(/^selftest check failed: blk: a virtio disk was found$/m);
    expect(selfTestSummaries(result.stdout, "blk")).toEqual(["selftest blk: 0 passed, 1 failed"]);
  });
});
