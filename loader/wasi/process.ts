// proc_exit, proc_raise and sched_yield.
//
// proc_exit stores the app's exit code (exitStatus() in setup.ts reads it)
// and abandons the app call through arch.leaveApp(LEFT_BY_EXIT): runApp in the
// app runner (loader/run.ts) returns that reason. Signals do not exist here:
// proc_raise is NOSYS. sched_yield gives the CPU to another ready thread
// when the scheduler runs (the app thread is one kernel thread).

import { leaveApp } from "../../arch";
import { schedulerReady, yieldNow } from "../../kernel/sched/index";
import { ERRNO_SUCCESS, ERRNO_NOSYS } from "./errno";
import { LEFT_BY_EXIT } from "../faults";

let code: u32 = 0;
let exited = false;

export function procExit(status: u32): void {
  code = status;
  exited = true;
  leaveApp(LEFT_BY_EXIT);
}

export function procRaise(signal: u32): u32 {
  return ERRNO_NOSYS;
}

export function schedYield(): u32 {
  if (schedulerReady()) yieldNow();
  return ERRNO_SUCCESS;
}

/** proc_exit's code, or 0 if the app has not called it. */
export function exitCode(): u32 {
  return code;
}

/** Whether the app called proc_exit. */
export function hasExited(): bool {
  return exited;
}

export function resetExit(): void {
  code = 0;
  exited = false;
}
