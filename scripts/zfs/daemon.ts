// Debian's zfs-fuse as a tool: its zpool, zfs and zdb need its daemon, which
// withZfsFuse starts (`zfs-fuse --no-daemon`), waits for, and stops by its
// pid afterwards, whatever happens. Pools on plain files work; it needs root
// and /dev/fuse (it mounts datasets through FUSE). One daemon runs at a
// time on a machine, so callers in other processes (test files running in
// parallel, a benchmark) take turns through a lock file. The daemon starts
// with no pools remembered: each caller imports what it uses.

import { execFileSync, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withFileLock } from "../build/lock";

const DAEMON = "/usr/sbin/zfs-fuse";
/** Where the daemon remembers imported pools: a pool a failed run left imported would come back, faulted, under its name. */
const POOL_CACHE = "/etc/zfs/zpool.cache";
const READY_TRIES = 50;

/** Why zfs-fuse cannot run here, or null when it can. */
export function zfsFuseMissing(): string | null {
  if (!existsSync(DAEMON)) return "zfs-fuse is not installed (npm run setup installs it)";
  if (!existsSync("/dev/fuse")) return "there is no /dev/fuse";
  if (process.getuid?.() !== 0) return "zfs-fuse needs root";
  return null;
}

/** Runs `work` with zfs-fuse's daemon up (waiting for any other user of it first); the daemon is stopped afterwards. */
export async function withZfsFuse<T>(work: () => Promise<T> | T): Promise<T> {
  const missing = zfsFuseMissing();
  if (missing !== null) throw new Error(missing);
  return withFileLock(join(tmpdir(), "wisp-zfs-fuse.lock"), () => runDaemon(work));
}

async function runDaemon<T>(work: () => Promise<T> | T): Promise<T> {
  rmSync(POOL_CACHE, { force: true }); // every user imports what it needs with -d
  const daemon = spawn(DAEMON, ["--no-daemon"], { stdio: "ignore" });
  const exited = new Promise((done) => daemon.once("exit", done));
  try {
    for (let tries = 0; ; tries++) {
      try {
        execFileSync("zpool", ["list"], { stdio: "ignore" });
        break;
      } catch {
        if (tries >= READY_TRIES) throw new Error("zfs-fuse's daemon did not answer within 5 s");
        await new Promise((done) => setTimeout(done, 100));
      }
    }
    return await work();
  } finally {
    daemon.kill("SIGTERM");
    await exited;
  }
}
