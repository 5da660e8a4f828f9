// Boot tier: the virtio-9p driver and a 9P2000.L session with QEMU's own 9p
// server (`wisp run --share HOST:TAG`), on x86_64 microvm (virtio-mmio), q35
// (modern virtio-pci) and aarch64 virt. Guards the device's mount tag, the
// version handshake (the msize the driver offers, 64 KiB, agreed) and the
// attach to the shared directory's root, through selftest=9p's exact lines
// and count (3 checks for one share, 2 more for each further one).

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { wisp } from "./wisp-cli";

const DIR = join(import.meta.dirname, "../../build/test-shares");
const SHARE = join(DIR, "one");
const OTHER = join(DIR, "two");
mkdirSync(SHARE, { recursive: true });
mkdirSync(OTHER, { recursive: true });
writeFileSync(join(SHARE, "hello.txt"), "from the host\n");

describe.each([
  { arch: "x86_64", machine: "microvm" },
  { arch: "x86_64", machine: "q35" },
  { arch: "aarch64", machine: "virt" },
])("virtio-9p on $arch $machine", ({ arch, machine }) => {
  it("brings the device up by its mount tag and attaches to the shared directory", () => {
    const result = wisp("run", "--arch", arch, "--machine", machine, "--accel", "tcg", "--timeout", "120",
      "--share", `${SHARE}:hostshare`, "--cmdline", "quiet selftest=9p");
    expect(result.stdout).toContain("9p: hostshare msize 65536 root directory\n");
    expect(result.stdout.match(/^selftest 9p: .*$/gm)).toEqual(["selftest 9p: 3 passed, 0 failed"]);
    expect(result.status).toBe(0);
  });
});

describe("virtio-9p with two shares", () => {
  it("brings up each device, in -device order, read-only or not", () => {
    const result = wisp("run", "--arch", "aarch64", "--accel", "tcg", "--timeout", "120",
      "--share", `${SHARE}:first`, "--share", `${OTHER}:second:ro`, "--cmdline", "quiet selftest=9p");
    expect(result.stdout).toContain("9p: first msize 65536 root directory\n9p: second msize 65536 root directory\n");
    expect(result.stdout.match(/^selftest 9p: .*$/gm)).toEqual(["selftest 9p: 5 passed, 0 failed"]);
    expect(result.status).toBe(0);
  });

  it("refuses a share that is not a directory before starting QEMU (exit 2)", () => {
    const result = wisp("run", "--share", `${join(SHARE, "hello.txt")}:tag`);
    expect(result.stderr).toContain(`wisp: --share ${join(SHARE, "hello.txt")}: not a directory\n`);
    expect(result.status).toBe(2);
  });
});
