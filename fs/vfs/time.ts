// File times: nanoseconds since the Unix epoch for stat, or 0 when unknown.
//
// The time layer is set up before the scheduler (kernel/main.ts), so a
// ready scheduler says the wall clock may be asked; before that (early
// boot, host tests) and on machines without a real-time clock, files get 0.

import { schedulerReady } from "../../kernel/sched/index";
import { wallClock } from "../../kernel/time/index";

export function fileTime(): i64 {
  if (!schedulerReady()) return 0;
  const now = wallClock();
  return now < 0 ? 0 : now;
}
