// Boot tier: `wisp bench peers --runs 1 --no-memory --json` builds the Linux
// microVM from Debian packages and boots every row once, each boot checked
// by its own output (the empty kernel's and Wisp's status, the hello app's
// greeting, the Linux /init's line); one more row, the empty kernel again as
// a user's --peer shell command (which turns its status 0, QEMU's exit code
// 3, into the shell's 0), is timed too. The Linux packages come from the
// Debian mirrors: without build/peers/ from an earlier run and without
// apt-get or a mirror in reach, the file is skipped and says why.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { wispAsync } from "./wisp-cli";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PEERS = join(ROOT, "build", "peers");

/** Why the Linux peer cannot be built here, or null when it can. */
async function whyNoDebianPackages(): Promise<string | null> {
  if (["vmlinux", "initramfs.cpio", "linux.json"].every((file) => existsSync(join(PEERS, file)))) return null;
  let uris: string;
  try {
    uris = execFileSync("apt-get", ["download", "--print-uris", "linux-image-cloud-amd64"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    return `apt-get download is not available (${(failure.stderr || failure.message).trim().split("\n").pop()})`;
  }
  const uri = /'(https?:\/\/[^']+)'/.exec(uris)?.[1];
  if (uri === undefined) return "apt-get download names no mirror for linux-image-cloud-amd64";
  try {
    const response = await fetch(uri, { method: "HEAD", signal: AbortSignal.timeout(10_000) });
    return response.ok ? null : `the Debian mirror answers ${response.status} for ${uri}`;
  } catch (error) {
    return `the Debian mirror is out of reach (${(error as Error).message})`;
  }
}

const skipReason = await whyNoDebianPackages();
if (skipReason !== null) console.log(`bench-peers: skipped; ${skipReason}`);

interface Row {
  name: string;
  files: Array<{ path: string; bytes: number }>;
  imageBytes: number | null;
  wallMs: { median: number };
  ratio: number;
  memory: { skipped?: string };
}

describe.skipIf(skipReason !== null)("wisp bench peers", () => {
  it("boots every row once, each checked, with the Linux microVM built from Debian packages", async () => {
    const empty = join(ROOT, "build", "bench", "empty-x86_64.elf");
    const command = `qemu-system-x86_64 -M microvm -bios /usr/share/qemu/qboot.rom -m 16M -accel tcg -nodefaults -no-user-config -display none -serial stdio -no-reboot -kernel ${empty} -device isa-debug-exit,iobase=0xf4,iosize=0x04; test $? -eq 3`;
    const run = await wispAsync("bench", "peers", "--runs", "1", "--no-memory", "--json", "--peer", `empty-again=${command}`);
    expect(run.status, run.stderr).toBe(0);
    const { rows } = JSON.parse(run.stdout) as { rows: Row[] };
    expect(rows.map((row) => row.name)).toEqual(["empty", "wisp", "wisp-hello", "linux", "empty-again"]);
    for (const row of rows) {
      expect(row.wallMs.median, row.name).toBeGreaterThan(0);
      expect(row.memory).toEqual({ skipped: "--no-memory" });
    }
    expect(rows[0].ratio).toBe(1);
    const linux = rows.find((row) => row.name === "linux")!;
    expect(linux.files.map((file) => file.path)).toEqual([join(PEERS, "vmlinux"), join(PEERS, "initramfs.cpio")]);
    expect(linux.imageBytes).toBe(linux.files[0].bytes + linux.files[1].bytes);
    expect(rows[4].files.map((file) => file.path)).toEqual([empty]);
  });
});
