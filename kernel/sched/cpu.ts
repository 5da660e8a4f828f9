// Per-CPU scheduler state. One CPU runs today; everything a CPU owns is
// here (its current and idle threads, its run queue, its time-slice timer
// and its interrupt nesting), so SMP means one of these per CPU.

import { RunQueue } from "./run-queue";
import { Thread } from "./thread";
import { Timer } from "../time/timer-queue";

export class Cpu {
  current: Thread;
  idle: Thread | null = null;
  queue: RunQueue = new RunQueue();
  /** Set when a thread that should run now became ready; acted on at the next preemption point. */
  needResched: bool = false;
  /** The running thread used up its time slice (it goes to the back of its level). */
  sliceExpired: bool = false;
  sliceTimer: Timer = new Timer();
  /** When the running thread got the CPU (counter ticks). */
  sliceStart: u64 = 0;
  /** Interrupt handlers running (no switch happens until they are done). */
  interruptDepth: i32 = 0;
  /** holdSwitches() sections open: interrupts are taken, but no switch happens until they close. */
  switchesHeld: i32 = 0;
  /** Exited detached threads whose stacks are freed once another thread runs. */
  dead: Thread | null = null;
  /** Every thread that has not been released, for reports. */
  threads: Thread | null = null;
  threadCount: u32 = 0;
  switches: u64 = 0;
  /** Counter ticks the idle thread has spent halted, since boot (what the CPU did not run). */
  idleTicks: u64 = 0;
  /** When the idle thread halted (counter ticks), while it is halted: the stretch ends at the next interrupt. */
  haltedSince: u64 = 0;
  halted: bool = false;

  constructor(boot: Thread) {
    this.current = boot;
  }
}
