// Threads and the scheduler: the front door.
//
//   spawn(name, entry, argument)   a new thread, ready to run
//   exitThread(status)             ends the running thread
//   join(thread, deadline)         waits for it to exit, returns its status, frees it
//   detach(thread)                 it frees itself when it exits
//   yieldNow(), sleepFor(ns), sleepUntil(ns)
//   currentThread(), threadLocalKey(), getThreadLocal(), setThreadLocal()
//   blockOn(queue, deadline), wake(thread, result)   for kernel/sched/sync.ts
//   contextSwitches(), idleTicks()                   for reports and benchmarks
//
// Policy: strict priorities (0..31, higher first; kernel/sched/run-queue.ts),
// round robin within a priority. With preemption (the default profile,
// kernel/sched/config.ts) a thread that becomes ready with a higher priority
// than the running one runs at once, and threads of equal priority share
// the CPU in TIME_SLICE_NS slices; the slice timer is armed only while
// another thread of that priority waits, so a lone thread takes no timer
// interrupts. In the cooperative profile a thread runs until it blocks,
// yields or exits. When nothing is ready the idle thread halts the CPU until
// an interrupt (tickless: the only timer armed is the earliest deadline).
// The time it spends halted is counted (idleTicks): the CPU's busy time is
// elapsed time less that, which under -icount is instructions even when
// the guest waited for a device and QEMU warped its clock meanwhile.
//
// Scheduler state is changed with interrupts disabled (one CPU: that is the
// lock). switchContext runs with interrupts disabled; a thread resumes with
// whatever interrupt state it switched out with. A preempted thread switched
// out inside an interrupt handler (afterInterrupt), so its interrupted state
// is in its interrupt frame and comes back when it is resumed.

import { initContext, switchContext, setInterrupts, waitForInterrupt, timestamp } from "../../arch";
import { ticksToNanoseconds } from "../format";
import { panic } from "../panic";
import { EDEADLK, EINVAL, ETIMEDOUT } from "../errno";
import { Cpu } from "./cpu";
import { Thread, THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_EXITED, allocateStack, adoptBootStack, releaseThread } from "./thread";
import { WaitQueue } from "./wait-queue";
import { PRIORITY_IDLE, PRIORITY_DEFAULT, PRIORITY_MAX } from "./run-queue";
import { PREEMPTIVE, TIME_SLICE_NS, DEFAULT_STACK_BYTES, DEFAULT_GUARD_BYTES, THREAD_LOCAL_SLOTS } from "./config";
import { Timer } from "../time/timer-queue";
import { now, clockHz, startTimer, cancelTimer, pendingTimers } from "../time/index";
import { attachedSources, interruptsReady, useInterruptHooks } from "../irq/index";
import { FailureSlot, useFailureSlot } from "../failure";

export { Thread } from "./thread";
export { WaitQueue } from "./wait-queue";
export { PRIORITY_IDLE, PRIORITY_LOW, PRIORITY_DEFAULT, PRIORITY_HIGH, PRIORITY_MAX } from "./run-queue";

/** A deadline that never comes: wait without a timeout. */
export const FOREVER: u64 = 0xffff_ffff_ffff_ffff;
const IDLE_STACK_BYTES: u32 = 4096;

let cpu: Cpu = changetype<Cpu>(0);
let nextId: u32 = 1;
let localKeys: u32 = 0;

/** Makes the boot thread thread 1, "main"; nothing else is created until needed. */
/** Each thread keeps its own last failure (kernel/failure.ts). */
class ThreadFailureSlot extends FailureSlot {
  errno(): i32 {
    return cpu.current.failureErrno;
  }
  detail(): string {
    return cpu.current.failureDetail;
  }
  record(errno: i32, detail: string): void {
    cpu.current.failureErrno = errno;
    cpu.current.failureDetail = detail;
  }
}

export function initScheduler(): void {
  useInterruptHooks(beforeInterrupt, afterInterrupt);
  const main = new Thread();
  main.id = nextId++;
  main.name = "main";
  main.state = THREAD_RUNNING;
  adoptBootStack(main);
  cpu = new Cpu(main);
  useFailureSlot(new ThreadFailureSlot());
  cpu.sliceTimer.callback = onSliceEnd;
  cpu.sliceStart = timestamp();
  track(main);
}

export function schedulerReady(): bool {
  return changetype<usize>(cpu) != 0;
}

export function currentThread(): Thread {
  return cpu.current;
}

/** Thread-switch count since boot. */
export function contextSwitches(): u64 {
  return cpu.switches;
}

/**
 * Counter ticks (arch timestamp()) the CPU has spent halted with nothing to
 * run, since boot. A halt ends when the interrupt that wakes it is taken,
 * before its handler runs: the handler's work, and a switch it makes from
 * the idle thread, count as busy.
 */
export function idleTicks(): u64 {
  return schedulerReady() ? cpu.idleTicks : 0;
}

export function threadCount(): u32 {
  return cpu.threadCount;
}

/**
 * Creates a thread that runs entry(argument) and then exits with status 0.
 * It is ready at once; with preemption it runs at once if its priority is
 * higher than the caller's. Returns null when memory for its stack is short.
 */
export function spawn(
  name: string, entry: (argument: usize) => void, argument: usize = 0,
  priority: i32 = PRIORITY_DEFAULT, stackBytes: u32 = DEFAULT_STACK_BYTES, guardBytes: u32 = DEFAULT_GUARD_BYTES,
): Thread | null {
  if (priority <= PRIORITY_IDLE || priority > PRIORITY_MAX) panic("spawn: priority out of range");
  if (!ensureIdleThread()) return null;
  const thread = createThread(name, entry, argument, priority, stackBytes, guardBytes);
  if (thread === null) return null;
  const enabled = setInterrupts(0);
  makeReady(thread);
  setInterrupts(enabled);
  preemptionPoint();
  return thread;
}

/** Ends the running thread with `status` (>= 0). Never returns. */
export function exitThread(status: i32): void {
  if (status < 0) panic("exitThread: a negative status");
  setInterrupts(0);
  const thread = cpu.current;
  if (thread === cpu.idle) panic("the idle thread exited");
  thread.exitStatus = status;
  thread.state = THREAD_EXITED;
  while (!thread.joiners.empty) wake(thread.joiners.head!, 0);
  if (thread.detached) {
    untrack(thread);
    thread.waitNext = cpu.dead;
    cpu.dead = thread;
  }
  schedule();
  panic("an exited thread was resumed");
}

/**
 * Waits until `thread` exits (or `deadline`, in nanoseconds, passes), then
 * frees it and returns its exit status. Returns -EDEADLK for the caller
 * itself, -EINVAL for a detached thread or one another thread is joining,
 * -ETIMEDOUT at the deadline (the thread is left alone).
 */
export function join(thread: Thread, deadline: u64 = FOREVER): i32 {
  if (thread === cpu.current) return -EDEADLK;
  const enabled = setInterrupts(0);
  if (thread.detached || !thread.joiners.empty) {
    setInterrupts(enabled);
    return -EINVAL;
  }
  while (thread.state != THREAD_EXITED) {
    const result = blockOn(thread.joiners, deadline);
    if (result < 0) {
      setInterrupts(enabled);
      return result;
    }
  }
  const status = thread.exitStatus;
  untrack(thread);
  releaseThread(thread);
  setInterrupts(enabled);
  return status;
}

/** Lets `thread` free itself when it exits (now, if it has already). */
export function detach(thread: Thread): i32 {
  const enabled = setInterrupts(0);
  if (thread.detached || !thread.joiners.empty) {
    setInterrupts(enabled);
    return -EINVAL;
  }
  if (thread.state == THREAD_EXITED) {
    untrack(thread);
    releaseThread(thread);
  } else {
    thread.detached = true;
  }
  setInterrupts(enabled);
  return 0;
}

/** Gives the CPU to the next ready thread of the same or higher priority, if any. */
export function yieldNow(): void {
  const enabled = setInterrupts(0);
  schedule();
  setInterrupts(enabled);
}

/** Blocks the running thread until the monotonic clock reaches `deadline` (nanoseconds). */
export function sleepUntil(deadline: u64): void {
  const enabled = setInterrupts(0);
  ensureIdleThread();
  while (blockOn(null, deadline) != -ETIMEDOUT) {}
  setInterrupts(enabled);
}

export function sleepFor(nanoseconds: u64): void {
  sleepUntil(now() + nanoseconds);
}

/** A new thread-local slot, or -1 when all THREAD_LOCAL_SLOTS are taken. */
export function threadLocalKey(): i32 {
  if (localKeys >= THREAD_LOCAL_SLOTS) return -1;
  return <i32>(localKeys++);
}

export function getThreadLocal(key: i32): usize {
  return load<usize>(cpu.current.locals + (<usize>key << 3));
}

export function setThreadLocal(key: i32, value: usize): void {
  store<usize>(cpu.current.locals + (<usize>key << 3), value);
}

/** The thread whose stack guard holds `address`, or null: a fault there is a stack overflow. */
export function threadWithGuard(address: u64): Thread | null {
  if (!schedulerReady()) return null;
  let thread = cpu.threads;
  while (thread !== null) {
    const guard = <u64>thread.guard;
    if (guard != 0 && address >= guard && address < guard + <u64>thread.guardBytes) return thread;
    thread = thread.allNext;
  }
  return null;
}

// --- Blocking and waking (interrupts disabled) ---

/**
 * Blocks the running thread, on `queue` if not null, until wake() or the
 * deadline. Returns the wake result: 0, or -ETIMEDOUT from the deadline.
 * The caller has interrupts disabled and keeps them so.
 */
export function blockOn(queue: WaitQueue | null, deadline: u64): i32 {
  const thread = cpu.current;
  if (thread === cpu.idle) panic("the idle thread tried to block");
  if (!ensureIdleThread()) panic("out of memory for the idle thread");
  thread.state = THREAD_BLOCKED;
  thread.waitResult = 0;
  if (queue !== null) queue.append(thread);
  if (deadline != FOREVER) {
    thread.timer.callback = onWaitDeadline;
    thread.timer.owner = changetype<usize>(thread);
    startTimer(thread.timer, deadline);
  }
  schedule();
  return thread.waitResult;
}

/**
 * Makes a blocked thread ready with `result` as its wait's outcome; false if
 * it was not blocked. Safe from interrupt handlers. The caller has
 * interrupts disabled.
 */
export function wake(thread: Thread, result: i32): bool {
  if (thread.state != THREAD_BLOCKED) return false;
  if (thread.waitingOn !== null) thread.waitingOn!.remove(thread);
  if (thread.timer.pending) cancelTimer(thread.timer);
  thread.waitResult = result;
  makeReady(thread);
  return true;
}

/**
 * Switches to a thread that became ready and should run now, if the
 * profile allows it here. Called by primitives after they wake threads.
 */
export function preemptionPoint(): void {
  if (!cpu.needResched || cpu.interruptDepth != 0 || cpu.switchesHeld != 0) return;
  if (!PREEMPTIVE && cpu.current !== cpu.idle) return;
  const enabled = setInterrupts(0);
  preempt();
  setInterrupts(enabled);
}

/**
 * Holds off thread switches, not interrupts, until allowSwitches: no other
 * thread runs on this CPU in between, so a test and a store there are one
 * step for threads (a mutex's fast path), for less than turning interrupts
 * off and on. Sections nest; a thread must not block inside one.
 */
// @ts-ignore: decorator
@inline export function holdSwitches(): void {
  cpu.switchesHeld++;
}

/** Ends a holdSwitches section; a switch an interrupt asked for meanwhile happens now. */
// @ts-ignore: decorator
@inline export function allowSwitches(): void {
  cpu.switchesHeld--;
  if (cpu.needResched) preemptionPoint();
}

// --- Interrupt entry and exit (kernel/irq) ---

export function beforeInterrupt(): void {
  if (!schedulerReady()) return;
  if (cpu.halted) endHalt();
  cpu.interruptDepth++;
}

/** After a handler ran: switch threads if one that should run now became ready. */
export function afterInterrupt(): void {
  if (!schedulerReady()) return;
  cpu.interruptDepth--;
  if (cpu.interruptDepth != 0 || !cpu.needResched || cpu.switchesHeld != 0) return;
  if (!PREEMPTIVE && cpu.current !== cpu.idle) return;
  preempt();
}

/** A new thread's first kernel code (from the arch trampoline, interrupts disabled). */
export function startCurrentThread(): void {
  reapDeadThreads();
  const thread = cpu.current;
  setInterrupts(1);
  const entry = thread.entry;
  if (entry !== null) entry(thread.argument);
  exitThread(0);
}

// --- The scheduler proper (interrupts disabled) ---

function makeReady(thread: Thread): void {
  thread.state = THREAD_READY;
  cpu.queue.push(thread);
  const current = cpu.current;
  if (current === cpu.idle || thread.priority > current.priority) {
    cpu.needResched = true;
  } else if (PREEMPTIVE && thread.priority == current.priority && !cpu.sliceTimer.pending) {
    startTimer(cpu.sliceTimer, ticksToNanoseconds(cpu.sliceStart, clockHz()) + TIME_SLICE_NS);
  }
}

/** The running thread gives up the CPU; it is queued again only if it is still running. */
function schedule(): void {
  const previous = cpu.current;
  if (previous.state == THREAD_RUNNING && previous !== cpu.idle) {
    // A thread that yields goes behind its equals; nobody better waiting: keep running.
    const best = cpu.queue.highestPriority();
    if (best < previous.priority) return;
    previous.state = THREAD_READY;
    cpu.queue.push(previous);
  }
  switchTo(pickNext());
}

/** The running thread is displaced by one that became ready (or its slice ended). */
function preempt(): void {
  cpu.needResched = false;
  const previous = cpu.current;
  if (previous !== cpu.idle) {
    const best = cpu.queue.highestPriority();
    if (best < previous.priority || (best == previous.priority && !cpu.sliceExpired)) return;
    previous.state = THREAD_READY;
    if (cpu.sliceExpired) cpu.queue.push(previous);
    else cpu.queue.pushFront(previous);
  }
  switchTo(pickNext());
}

function pickNext(): Thread {
  const next = cpu.queue.pop();
  if (next !== null) return changetype<Thread>(next);
  return cpu.idle!;
}

function switchTo(next: Thread): void {
  const previous = cpu.current;
  cpu.needResched = false;
  cpu.sliceExpired = false;
  next.state = THREAD_RUNNING;
  if (next === previous) return;
  cpu.current = next;
  cpu.switches++;
  next.switches++;
  startSlice(next);
  switchContext(previous.context, next.context);
  // Running as `previous` again.
  reapDeadThreads();
}

/**
 * Starts `next`'s time slice. The slice timer is armed only while another
 * thread of the same or higher priority waits, and a pending one is left
 * alone: each switch just notes the time, and the timer, when it fires,
 * checks how long the running thread has really had (onSliceEnd). So
 * threads that switch often never reprogram the hardware timer.
 */
function startSlice(next: Thread): void {
  if (!PREEMPTIVE) return;
  cpu.sliceStart = timestamp();
  if (next !== cpu.idle && !cpu.sliceTimer.pending && cpu.queue.highestPriority() >= next.priority) {
    startTimer(cpu.sliceTimer, now() + TIME_SLICE_NS);
  }
}

function onSliceEnd(timer: Timer): void {
  const current = cpu.current;
  if (current === cpu.idle || cpu.queue.highestPriority() < current.priority) return;
  const sliceEnd = ticksToNanoseconds(cpu.sliceStart, clockHz()) + TIME_SLICE_NS;
  if (now() >= sliceEnd) {
    cpu.sliceExpired = true;
    cpu.needResched = true;
  } else {
    startTimer(cpu.sliceTimer, sliceEnd);
  }
}

function onWaitDeadline(timer: Timer): void {
  wake(changetype<Thread>(timer.owner), -ETIMEDOUT);
}

function reapDeadThreads(): void {
  while (cpu.dead !== null) {
    const thread = cpu.dead!;
    cpu.dead = thread.waitNext;
    releaseThread(thread);
  }
}

// --- Thread objects ---

function createThread(
  name: string, entry: (argument: usize) => void, argument: usize, priority: i32, stackBytes: u32, guardBytes: u32,
): Thread | null {
  const thread = new Thread();
  if (!allocateStack(thread, stackBytes, guardBytes)) {
    releaseThread(thread);
    return null;
  }
  thread.id = nextId++;
  thread.name = name;
  thread.entry = entry;
  thread.argument = argument;
  thread.priority = priority;
  initContext(thread.context, thread.stackTop);
  const enabled = setInterrupts(0);
  track(thread);
  setInterrupts(enabled);
  return thread;
}

/** The idle thread exists once a second thread does. */
function ensureIdleThread(): bool {
  if (cpu.idle !== null) return true;
  interruptsReady();                  // threads run with interrupts enabled
  const idle = createThread("idle", idleLoop, 0, PRIORITY_DEFAULT, IDLE_STACK_BYTES, DEFAULT_GUARD_BYTES);
  if (idle === null) return false;
  idle.priority = PRIORITY_IDLE;
  idle.state = THREAD_READY;
  cpu.idle = idle;
  return true;
}

/** Halts until an interrupt whenever nothing is ready; never returns. */
function idleLoop(argument: usize): void {
  while (true) {
    setInterrupts(0);
    if (cpu.queue.length > 0) {
      switchTo(pickNext());
    } else if (pendingTimers() == 0 && attachedSources() == 0) {
      panic("every thread is blocked and no timer or interrupt can wake one (deadlock)");
    } else {
      cpu.halted = true;
      cpu.haltedSince = timestamp();
      waitForInterrupt();
      if (cpu.halted) endHalt(); // woken with no interrupt taken (aarch64's wfi may wake for an event)
    }
  }
}

/**
 * The idle thread's halt is over: its ticks count as idle. Called at the
 * next interrupt's entry, since the handler may switch away from the idle
 * thread, which then returns from waitForInterrupt only much later.
 */
function endHalt(): void {
  cpu.idleTicks += timestamp() - cpu.haltedSince;
  cpu.halted = false;
}

function track(thread: Thread): void {
  thread.allNext = cpu.threads;
  thread.allPrev = null;
  if (cpu.threads !== null) cpu.threads!.allPrev = thread;
  cpu.threads = thread;
  cpu.threadCount++;
}

function untrack(thread: Thread): void {
  if (thread.allPrev !== null) thread.allPrev!.allNext = thread.allNext;
  else cpu.threads = thread.allNext;
  if (thread.allNext !== null) thread.allNext!.allPrev = thread.allPrev;
  thread.allNext = null;
  thread.allPrev = null;
  cpu.threadCount--;
}
