// One error convention for the whole kernel (docs/errors.md).
//
// A function that can fail for an expected reason returns 0 (or a positive
// result) on success and a negated errno from kernel/errno.ts on failure;
// callers pass it on with `if (r < 0) return r;`. When a person will need
// more than the errno to act (a corrupt image and where, a refused module
// and why, a device that would not start), the code that knows records one
// line of detail as it fails:
//
//   return fail(EINVAL, "superblock checksum mismatch");      // returns -EINVAL
//
// A function that hands back an object returns null instead, having
// recorded the failure; its caller passes it on with `return lastFailure();`.
// Callers on the way up may put what they know in front of a detail:
//
//   return withContext("root on " + disk.name + ": ", result);
//
// and the edge that reports the failure (the boot story, the app loader, a
// host tool) reads it once: failureDetail(result). The detail belongs to the
// thread that failed (the scheduler gives each thread its own, before it
// runs there is one for boot), and it is only believed when its errno is the
// one being reported; otherwise the errno's name stands in for it. Nothing
// else carries errors: no error strings returned for success as "", no
// error fields on result objects, no lists of messages passed down, no
// sentinel values beside -1.

import { errnoName, EIO } from "./errno";

/** Where the current thread keeps its last failure (kernel/sched provides one per thread). */
export abstract class FailureSlot {
  abstract errno(): i32;
  abstract detail(): string;
  abstract record(errno: i32, detail: string): void;
}

let bootErrno: i32 = 0;
let bootDetail = "";
let slot: FailureSlot | null = null;

/** The scheduler hands over per-thread slots once threads exist. */
export function useFailureSlot(perThread: FailureSlot): void {
  slot = perThread;
}

function record(errno: i32, detail: string): void {
  const current = slot;
  if (current !== null) {
    current.record(errno, detail);
  } else {
    bootErrno = errno;
    bootDetail = detail;
  }
}

/** Records why the current operation failed; returns -errno (`errno` is positive, from errno.ts). */
export function fail(errno: i32, detail: string): i32 {
  record(errno, detail);
  return -errno;
}

/**
 * Puts `context` in front of the detail the failure `result` (a -errno)
 * recorded, or in front of the errno's name when it recorded none; returns
 * `result` unchanged. Does nothing for a success.
 */
export function withContext(context: string, result: i32): i32 {
  if (result >= 0) return result;
  record(-result, context + failureDetail(result));
  return result;
}

/** The -errno of this thread's last recorded failure (after a function that returns null on failure). */
export function lastFailure(): i32 {
  const current = slot;
  const errno = current !== null ? current.errno() : bootErrno;
  return errno > 0 ? -errno : -EIO;
}

/** What to tell a person about the failure `result` (a -errno): its detail, or the errno's name. */
export function failureDetail(result: i32): string {
  const current = slot;
  const errno = current !== null ? current.errno() : bootErrno;
  if (result < 0 && errno == -result) {
    const detail = current !== null ? current.detail() : bootDetail;
    if (detail.length) return detail;
  }
  return errnoName(-result);
}
