// The scheduler benchmark (`sched-bench=N`), run in the guest after boot for
// `wisp bench sched`. Each part prints one machine-readable line:
//
//   sched-bench-raw name=NAME ops=N ticks=T
//
// in counter ticks; the host turns them into instructions (under -icount)
// or nanoseconds. The parts:
//   yield-alone       yieldNow with nothing else ready: the loop and the
//                     call without a switch, the baseline for `switch`
//   switch            two threads yielding to each other: one op per switch
//   create-join       spawn a thread that returns at once, and join it
//   timer-arm-cancel  startTimer then cancelTimer on a pending timer
//   timer-wakeup      sleep until a deadline that has passed: arm the
//                     hardware timer, halt, take the interrupt, expire the
//                     timer, wake the thread and switch back to it

import { timestamp } from "../../arch";
import { print, printUnsigned } from "../console";
import { panic } from "../panic";
import { spawn, join, yieldNow, sleepUntil, contextSwitches } from "./index";
import { Timer, now, startTimer, cancelTimer } from "../time/index";

let rounds: u32 = 0;

export function runSchedulerBench(count: u32): void {
  rounds = count;
  let start = timestamp();
  for (let i: u32 = 0; i < count; i++) yieldNow();
  report("yield-alone", count, timestamp() - start);

  const switchesBefore = contextSwitches();
  start = timestamp();
  const a = spawn("yield-a", yieldRounds);
  const b = spawn("yield-b", yieldRounds);
  if (a === null || b === null) panic("sched-bench: out of memory");
  join(a!);
  join(b!);
  report("switch", <u32>(contextSwitches() - switchesBefore), timestamp() - start);

  start = timestamp();
  for (let i: u32 = 0; i < count; i++) {
    const thread = spawn("empty", nothing);
    if (thread === null) panic("sched-bench: out of memory");
    join(thread!);
  }
  report("create-join", count, timestamp() - start);

  const timer = new Timer();
  const far = now() + 1_000_000_000;
  start = timestamp();
  for (let i: u32 = 0; i < count; i++) {
    startTimer(timer, far + <u64>i);
    cancelTimer(timer);
  }
  report("timer-arm-cancel", count, timestamp() - start);
  heap.free(changetype<usize>(timer));

  start = timestamp();
  for (let i: u32 = 0; i < count; i++) sleepUntil(now());
  report("timer-wakeup", count, timestamp() - start);
}

function yieldRounds(argument: usize): void {
  for (let i: u32 = 0; i < rounds; i++) yieldNow();
}

function nothing(argument: usize): void {}

function report(name: string, ops: u32, ticks: u64): void {
  print("sched-bench-raw name=");
  print(name);
  print(" ops=");
  printUnsigned(ops);
  print(" ticks=");
  printUnsigned(ticks);
  print("\n");
}
