// File times: nanoseconds since the Unix epoch for stat, or 0 when unknown.
//
// The time layer is set up before the scheduler (kernel/init/boot.ts), so a
// ready scheduler says the wall clock may be asked; before that (early
// boot, host tests) and on machines without a real-time clock, files get 0.

import { schedulerReady } from "../../kernel/sched/index";
import { wallClock, clockKnown } from "../../kernel/time/index";

/** A file time not taken yet: see fileTimeIfKnown. */
export const FILE_TIME_PENDING: i64 = -1;

export function fileTime(): i64 {
  if (!schedulerReady()) return 0;
  const now = wallClock();
  return now < 0 ? 0 : now;
}

/**
 * The file time if taking it costs nothing, else FILE_TIME_PENDING: the
 * clock's frequency may still be unmeasured at boot (0.5 ms under TCG), and
 * mounting a RAMFS at boot should not pay for it. A filesystem resolves a
 * pending time with fileTime() when it is first asked for.
 */
export function fileTimeIfKnown(): i64 {
  if (!schedulerReady()) return 0;
  return clockKnown() ? fileTime() : FILE_TIME_PENDING;
}
