// A lock file so that processes building the same thing take turns.
//
// Guards the build directory against two builds at once (two test workers
// both running `wisp run`, a user's build beside a test run): without it, both
// write the same outputs and one can read the other's half-written file. The
// lock holds its owner's pid; a lock whose owner has died, or that is older
// than STALE_LOCK_MS, is taken over.

import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from "node:fs";

/** A lock older than this is taken over even if its owner seems alive. */
const STALE_LOCK_MS = 600_000;
const WAIT_STEP_MS = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

/** True if a lock's owner died (its pid is gone) or it is older than STALE_LOCK_MS. */
function lockIsStale(lock: string): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) return true;
    const owner = Number(readFileSync(lock, "utf8"));
    if (!Number.isInteger(owner) || owner <= 0) return false; // being written
    process.kill(owner, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Runs `work` holding the lock file `lock`, waiting for any other holder first. */
export async function withFileLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  let fd: number;
  for (;;) {
    try {
      fd = openSync(lock, "wx");
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (lockIsStale(lock)) rmSync(lock, { force: true });
      await sleep(WAIT_STEP_MS);
    }
  }
  try {
    writeSync(fd, String(process.pid));
    return await work();
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}
