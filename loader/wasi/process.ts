// proc_exit, proc_raise and sched_yield.
//
// proc_exit stores the app's exit code (exitStatus() in setup.ts reads it)
// and abandons the app call through arch.leaveApp(APP_EXITED): runApp in the
// app runner (loader/run.ts) returns that reason. Signals do not exist here:
// proc_raise is NOSYS. sched_yield gives the CPU to another ready thread
// when the scheduler runs (the app thread is one kernel thread).

import { leaveApp } from "../../arch";
import { schedulerReady, yieldNow } from "../../kernel/sched/index";
import { ERRNO_SUCCESS, ERRNO_NOSYS } from "./errno";

/** The reason proc_exit gives leaveApp (traps and faults use others). */
export const APP_EXITED: u32 = 1;

let code: u32 = 0;
let exited = false;

export function procExit(status: u32): void {
  code = status;
  exited = true;
  leaveApp(APP_EXITED);
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
