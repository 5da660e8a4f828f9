// The VFS lock: one mutex around every VFS operation.
//
// Rule: each public function of fs/vfs/index.ts takes the lock on entry and
// gives it back before returning; everything below it (path resolution, the
// vnode cache, the mount and descriptor tables, and every call into a
// filesystem) runs with the lock held, so filesystems need no lock of their
// own. The lock is not recursive: code under it never calls back into
// fs/vfs/index.ts. One lock keeps the rules simple; a filesystem that waits
// for a device holds up the others meanwhile (a finer scheme can come when
// that matters).
//
// Before the scheduler exists (early boot, and the host tests, which run
// without it) there is one flow of control and nothing to exclude: the lock
// is skipped. The mutex is made on first use after that, with interrupts
// off so that two threads cannot both make it.

import { setInterrupts } from "../../arch";
import { schedulerReady, FOREVER } from "../../kernel/sched/index";
import { Mutex } from "../../kernel/sched/sync";

let mutex: Mutex | null = null;

/** Whether this call took the mutex (so the matching unlock gives it back). */
export function lockVfs(): bool {
  if (!schedulerReady()) return false;
  if (mutex === null) {
    const enabled = setInterrupts(0);
    if (mutex === null) mutex = new Mutex();
    setInterrupts(enabled);
  }
  mutex!.lock(FOREVER);
  return true;
}

export function unlockVfs(taken: bool): void {
  if (taken) mutex!.unlock();
}
