// Boot tier: ZFS pools survive being killed mid-write. An app
// (apps/crash-writer.c) changes a pool one durable step at a time (create,
// rename, remove, each followed by fsync, which writes the whole
// transaction group), printing "step N" after each; the test kills QEMU at
// a seeded moment while it runs. Afterwards:
//   - zdb (zfs-fuse's) finds the pool clean: every checksum right, no block
//     leaked or allocated twice;
//   - the pool holds exactly the state after some step M >= N, the last step
//     printed: every step whose fsync returned is there, and a transaction
//     group is all or nothing;
//   - the pool opens for writing again and takes more changes, zdb clean.
// And a file written without fsync is on disk 8 s later (the kernel syncs
// volumes every 5 s, fssync=), though the machine is then killed.
// WISP_ZFS_CRASH_KILLS sets how many kills (default 2, on x86_64 microvm;
// WISP_ZFS_CRASH_ARCH=aarch64 runs them there).

import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { wisp } from "./wisp-cli";
import { ZfsModule } from "../../scripts/zfs/host";
import { withZfsFuse, zfsFuseMissing } from "../../scripts/zfs/daemon";
import { zdbCheck } from "../../scripts/zfs/zdb";

const KILLS = Number(process.env.WISP_ZFS_CRASH_KILLS ?? 2);
const ARCH = process.env.WISP_ZFS_CRASH_ARCH ?? "x86_64";
const ROOT = new URL("../..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "wisp-zfs-crash-"));
const app = join(work, "crash-writer.wasm");

beforeAll(() => {
  execFileSync("clang", ["--target=wasm32-wasi", "-O2", "-Werror", join(import.meta.dirname, "apps", "crash-writer.c"), "-o", app]);
  // The first run builds the app for the architecture: do it once before anything is timed or killed.
  const image = freshPool("warm-up");
  const warm = wisp("run", "--arch", ARCH, "--accel", "tcg", "--timeout", "240", app, "--disk", image, "--mount", "zfs:tank:/data", "--", "/data", "3");
  expect(warm.stdout, warm.stderr).toBe("step 0\nstep 1\nstep 2\n");
}, 600_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

function freshPool(name: string): string {
  const folder = join(work, name);
  mkdirSync(folder, { recursive: true });
  const image = join(folder, "pool.img");
  const made = wisp("zfs", "create", image, "--size", "96M", "--pool", "tank");
  expect(made.status, made.stderr).toBe(0);
  return image;
}

/** What crash-writer.c leaves after `steps` steps: name → SHA-256 of the bytes. */
function model(steps: number): Map<string, string> {
  const files = new Map<string, string>([[".sync", digest(Buffer.alloc(0))]]);
  for (let i = 0; i < steps; i++) {
    if (i % 6 === 2) {
      files.set(`r-${i - 2}`, files.get(`f-${i - 2}`)!);
      files.delete(`f-${i - 2}`);
    } else if (i % 6 === 5) files.delete(`f-${i - 1}`);
    else {
      const length = (i * 7919) % 70001;
      const data = Buffer.alloc(length);
      for (let k = 0; k < length; k++) data[k] = (i * 31 + k * 3 + (k >> 9)) & 255;
      files.set(`f-${i}`, digest(data));
    }
  }
  return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

async function poolFiles(image: string): Promise<Map<string, string>> {
  const module = await ZfsModule.open([image]);
  try {
    const volume = module.mount("tank");
    const files = new Map<string, string>();
    for (const entry of module.list(volume, module.root(volume))) files.set(entry.name, digest(module.readFile(volume, entry.inode)));
    return new Map([...files.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
  } finally {
    module.close();
  }
}

async function zdbClean(image: string): Promise<void> {
  if (zfsFuseMissing() !== null) return;
  await withZfsFuse(() => {
    const verdict = zdbCheck(image, "tank");
    expect(verdict.clean, verdict.output).toBe(true);
  });
}

/** Runs the app on `image` and kills the whole run (wisp and QEMU) once it printed `killAt` (a line), plus `extraMs`; answers its output. */
function runAndKill(image: string, killAt: string, extraMs: number, appArgs: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["scripts/wisp.mjs", "run", "--arch", ARCH, "--accel", "tcg", "--timeout", "240", app,
      "--disk", image, "--mount", "zfs:tank:/data", "--", "/data", ...appArgs], { cwd: ROOT, detached: true });
    let stdout = "";
    let stderr = "";
    let killing = false;
    const kill = () => {
      if (killing) return;
      killing = true;
      setTimeout(() => process.kill(-child.pid!, "SIGKILL"), extraMs);
    };
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      if (stdout.includes(`${killAt}\n`)) kill();
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", () => (killing ? resolve(stdout) : reject(new Error(`the run ended before it was killed:\n${stdout}\n${stderr}`))));
  });
}

/** A small seeded generator, so that a failing kill can be run again. */
function seeded(seed: number): () => number {
  let x = seed * 2654435761 + 12345;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

describe(`ZFS synced by the clock on ${ARCH}`, () => {
  it("a file written without fsync is on disk after the 5 s periodic sync, though the machine is killed", async () => {
    const image = freshPool("idle");
    const output = await runAndKill(image, "written", 8000, ["idle"]);
    expect(output).toBe("written\n");
    const files = await poolFiles(image);
    expect(files.get("f-0")).toBe(digest(Buffer.from("idle\n")));
    await zdbClean(image);
  }, 300_000);
});

describe(`ZFS killed mid-write on ${ARCH}`, () => {
  for (let kill = 1; kill <= KILLS; kill++) {
    it(`kill ${kill}: the pool is clean and holds every step whose fsync returned`, async () => {
      const random = seeded(kill);
      const image = freshPool(`kill-${kill}`);
      const killAt = 3 + Math.floor(random() * 40);
      const output = await runAndKill(image, `step ${killAt}`, Math.floor(random() * 150));
      const printed = [...output.matchAll(/^step (\d+)$/gm)].map((match) => Number(match[1]));
      const last = printed.at(-1)!;
      expect(last).toBeGreaterThanOrEqual(killAt);
      await zdbClean(image);
      const found = await poolFiles(image);
      const matching: number[] = [];
      for (let steps = last + 1; steps <= last + 8; steps++) {
        if (JSON.stringify([...found]) === JSON.stringify([...model(steps)])) matching.push(steps);
      }
      expect(matching.length, `after "step ${last}" the pool holds no state from step ${last + 1} to ${last + 8}`).toBeGreaterThan(0);
      // It opens for writing again and takes more.
      const module = await ZfsModule.open([image], true);
      const volume = module.mount("tank", true);
      const file = module.create(volume, module.root(volume), "after-the-crash", 0o100644);
      module.write(volume, file, 0, Buffer.from("recovered\n"));
      module.unmount(volume);
      module.close();
      const after = await poolFiles(image);
      expect(after.get("after-the-crash")).toBe(digest(Buffer.from("recovered\n")));
      expect(after.size).toBe(found.size + 1);
      await zdbClean(image);
    }, 300_000);
  }
});
