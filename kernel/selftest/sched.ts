// The scheduler self-test (`selftest=sched`): threads, blocking primitives
// and timers on the real machine, with real interrupts.
//
// Every wait here has a deadline, so a broken scheduler fails checks instead
// of hanging. Timing bounds are stated in the checks' names; boot tests run
// this under `-icount` (wisp run --icount), where guest time is instruction
// count and the results are exact and repeatable.

import { timestamp } from "../../arch";
import { print, printLine, printUnsigned } from "../console";
import { pages, USE_STACK } from "../mm/pages";
import { beginSelfTest, check, endSelfTest } from "./check";
import {
  spawn, join, detach, exitThread, yieldNow, sleepFor, sleepUntil, currentThread, threadLocalKey,
  getThreadLocal, setThreadLocal, Thread, FOREVER, PRIORITY_HIGH, contextSwitches, idleTicks,
} from "../sched/index";
import { PREEMPTIVE, TIME_SLICE_NS } from "../sched/config";
import { Mutex, Condition, Semaphore } from "../sched/sync";
import { Timer, now, startTimer, cancelTimer, pendingTimers, wallClock } from "../time/index";
import { EDEADLK, EPERM, ETIMEDOUT, EINVAL } from "../errno";

const MILLISECOND: u64 = 1_000_000;
/** A sleeper wakes no earlier than its deadline and at most this late. */
const SLEEP_LATE_BOUND_NS: u64 = 2 * MILLISECOND;
const PING_PONG_THREADS: i32 = 8;
const PING_PONG_ROUNDS: i32 = 50;
const STORM_TIMERS: i32 = 1000;

export function runSchedulerSelfTest(): bool {
  beginSelfTest();
  // Shared objects are made here: nothing may allocate before the runtime is up.
  pingLock = new Mutex();
  pingTurn = new Condition();
  counterLock = new Mutex();
  heldLock = new Mutex();
  items = new Semaphore(0);
  stormSeen = new StaticArray<u8>(STORM_TIMERS + STORM_TIMERS / 10);
  stormTimers = new StaticArray<Timer>(STORM_TIMERS + STORM_TIMERS / 10);
  testSpawnAndJoin();
  // The first spawn made the idle thread; every later stack must come back.
  const stackFrames = pages.count(USE_STACK);
  testPingPong();
  testSleep();
  testPreemption();
  testPriorityWake();
  testMutex();
  testSemaphore();
  testConditionTimeout();
  testThreadLocals();
  testTimerStorm();
  testDetach();
  check("every thread's stack came back", pages.count(USE_STACK) == stackFrames);
  print("sched-selftest switches=");
  printUnsigned(contextSwitches());
  print(" preemptive=");
  printLine(PREEMPTIVE ? "1" : "0");
  return endSelfTest("sched");
}

// --- spawn, exit status, join ---

function exitWithSeven(argument: usize): void {
  exitThread(7);
}

function returnNormally(argument: usize): void {
  store<u32>(argument, 42);
}

const cell = memory.data(16);

function testSpawnAndJoin(): void {
  const seven = spawn("seven", exitWithSeven)!;
  check("join returns the exit status", join(seven) == 7);
  const plain = spawn("plain", returnNormally, cell)!;
  check("a thread that returns exits with 0", join(plain) == 0);
  check("the thread ran with its argument", load<u32>(cell) == 42);
  check("joining oneself is refused", join(currentThread()) == -EDEADLK);
}

// --- many threads ping-ponging through one condition variable ---

let pingLock: Mutex = changetype<Mutex>(0);
let pingTurn: Condition = changetype<Condition>(0);
let turn: i32 = 0;
let passes: i32 = 0;
let outOfTurn: i32 = 0;

function pingPong(index: usize): void {
  const me = <i32>index;
  for (let round = 0; round < PING_PONG_ROUNDS; round++) {
    pingLock.lock();
    while (turn % PING_PONG_THREADS != me) {
      if (pingTurn.wait(pingLock, now() + 1000 * MILLISECOND) == -ETIMEDOUT) {
        outOfTurn++;
        break;
      }
    }
    if (turn % PING_PONG_THREADS != me) outOfTurn++;
    turn++;
    passes++;
    pingTurn.broadcast();
    pingLock.unlock();
  }
}

function testPingPong(): void {
  const threads = new StaticArray<Thread | null>(PING_PONG_THREADS);
  for (let i = 0; i < PING_PONG_THREADS; i++) threads[i] = spawn("ping", pingPong, <usize>i);
  let joined = 0;
  for (let i = 0; i < PING_PONG_THREADS; i++) if (threads[i] !== null && join(threads[i]!) == 0) joined++;
  heap.free(changetype<usize>(threads));
  check("8 threads ping-pong 400 turns through a condition variable", passes == PING_PONG_THREADS * PING_PONG_ROUNDS);
  check("the turns came in order", outOfTurn == 0 && turn == PING_PONG_THREADS * PING_PONG_ROUNDS);
  check("all ping-pong threads joined", joined == PING_PONG_THREADS);
}

// --- sleep accuracy ---

function testSleep(): void {
  let early = 0;
  let late = 0;
  for (let i: u64 = 1; i <= 5; i++) {
    const deadline = now() + i * MILLISECOND;
    sleepUntil(deadline);
    const woke = now();
    if (woke < deadline) early++;
    if (woke > deadline + SLEEP_LATE_BOUND_NS) late++;
  }
  check("sleep never wakes early", early == 0);
  check("sleep wakes within 2 ms of its deadline", late == 0);
  const before = now();
  sleepFor(0);
  check("a zero sleep returns", now() >= before);
  const wall = wallClock();
  check("the wall clock reads a date after 2024", wall >= <i64>1_704_067_200 * 1_000_000_000);
  const idleBefore = idleTicks();
  const ticksBefore = timestamp();
  sleepFor(2 * MILLISECOND);
  const idle = idleTicks() - idleBefore;
  const elapsed = timestamp() - ticksBefore;
  check("the wall clock moves with the monotonic clock", wallClock() - wall >= <i64>(2 * MILLISECOND));
  check("a lone sleeper's wait counts as idle: over half of it, never more", idle * 2 > elapsed && idle <= elapsed);
}

// --- preemption: a busy thread is (preemptive) or is not (cooperative) interrupted ---

let flag: bool = false;
let busySawFlag: bool = false;

function busy(argument: usize): void {
  const until = now() + 10 * TIME_SLICE_NS;
  while (!flag && now() < until) {}
  busySawFlag = flag;
}

function raiseFlag(argument: usize): void {
  flag = true;
}

function testPreemption(): void {
  flag = false;
  busySawFlag = false;
  const spinner = spawn("busy", busy)!;
  const raiser = spawn("raiser", raiseFlag)!;
  join(spinner);
  join(raiser);
  if (PREEMPTIVE) check("a busy thread is preempted by its equal within a few slices", busySawFlag);
  else check("a busy thread is not preempted (cooperative profile)", !busySawFlag);
}

// --- a higher priority thread that becomes ready ---

let urgentRan: bool = false;

function urgent(argument: usize): void {
  urgentRan = true;
}

function testPriorityWake(): void {
  urgentRan = false;
  const thread = spawn("urgent", urgent, 0, PRIORITY_HIGH)!;
  const ranAtOnce = urgentRan;
  join(thread);
  if (PREEMPTIVE) check("a higher priority thread runs as soon as it is ready", ranAtOnce);
  else check("a higher priority thread waits for the running one to block (cooperative)", !ranAtOnce && urgentRan);
}

// --- mutex ---

let counterLock: Mutex = changetype<Mutex>(0);
let sharedCounter: i32 = 0;
let lostUpdates: i32 = 0;

function incrementMany(argument: usize): void {
  for (let i = 0; i < 100; i++) {
    counterLock.lock();
    const seen = sharedCounter;
    yieldNow();                       // hand the CPU over inside the critical section
    if (sharedCounter != seen) lostUpdates++;
    sharedCounter = seen + 1;
    counterLock.unlock();
  }
}

let heldLock: Mutex = changetype<Mutex>(0);

function holdBriefly(argument: usize): void {
  heldLock.lock();
  sleepFor(5 * MILLISECOND);
  heldLock.unlock();
}

function testMutex(): void {
  sharedCounter = 0;
  lostUpdates = 0;
  const a = spawn("inc-a", incrementMany)!;
  const b = spawn("inc-b", incrementMany)!;
  const c = spawn("inc-c", incrementMany)!;
  join(a);
  join(b);
  join(c);
  check("a mutex keeps 300 increments from 3 threads exact", sharedCounter == 300 && lostUpdates == 0);
  const lock = new Mutex();
  check("lock", lock.lock() == 0);
  check("relocking a held mutex is refused", lock.lock() == -EDEADLK);
  check("unlock", lock.unlock() == 0);
  check("unlocking a free mutex is refused", lock.unlock() == -EPERM);
  check("tryLock takes a free mutex", lock.tryLock() == 0 && lock.unlock() == 0);
  const holder = spawn("holder", holdBriefly)!;
  yieldNow();
  check("a held mutex times out", heldLock.lock(now() + MILLISECOND) == -ETIMEDOUT);
  check("and is taken once released", heldLock.lock(now() + 100 * MILLISECOND) == 0);
  heldLock.unlock();
  join(holder);
}

// --- semaphore ---

let items: Semaphore = changetype<Semaphore>(0);
let produced: i32 = 0;

function produce(argument: usize): void {
  for (let i = 0; i < 20; i++) {
    produced++;
    items.release();
    if (i % 4 == 0) sleepFor(100_000);
  }
}

function testSemaphore(): void {
  produced = 0;
  const producer = spawn("producer", produce)!;
  let consumed = 0;
  for (let i = 0; i < 20; i++) if (items.acquire(now() + 100 * MILLISECOND) == 0) consumed++;
  join(producer);
  check("a semaphore passes 20 items from producer to consumer", consumed == 20 && produced == 20);
  check("an empty semaphore times out", items.acquire(now() + MILLISECOND) == -ETIMEDOUT);
  check("tryAcquire on empty fails", items.tryAcquire() != 0);
}

// --- condition timeout ---

function testConditionTimeout(): void {
  const lock = new Mutex();
  const condition = new Condition();
  lock.lock();
  const start = now();
  const result = condition.wait(lock, start + 2 * MILLISECOND);
  check("a condition wait times out at its deadline", result == -ETIMEDOUT && now() >= start + 2 * MILLISECOND);
  check("and holds the mutex again", lock.unlock() == 0);
  check("waiting without the mutex is refused", condition.wait(lock, now() + MILLISECOND) == -EPERM);
}

// --- kernel thread-local data ---

let localKey: i32 = -1;
let localsKept: i32 = 0;

function useLocal(argument: usize): void {
  setThreadLocal(localKey, argument);
  yieldNow();
  sleepFor(100_000);
  if (getThreadLocal(localKey) == argument) localsKept++;
}

function testThreadLocals(): void {
  localKey = threadLocalKey();
  check("a thread-local key", localKey >= 0);
  if (localKey < 0) return;
  localsKept = 0;
  const a = spawn("local-a", useLocal, 0x1111)!;
  const b = spawn("local-b", useLocal, 0x2222)!;
  setThreadLocal(localKey, 0x3333);
  join(a);
  join(b);
  check("each thread keeps its own thread-local value", localsKept == 2 && getThreadLocal(localKey) == 0x3333);
}

// --- timer storm: many timers, some armed from interrupt context ---

let stormFired: i32 = 0;
let stormEarly: i32 = 0;
let stormOutOfOrder: i32 = 0;
let stormLastDeadline: u64 = 0;
let stormDouble: i32 = 0;
let stormChained: i32 = 0;
let stormSeen: StaticArray<u8> = changetype<StaticArray<u8>>(0);

function onStormTimer(timer: Timer): void {
  const index = <i32>timer.owner;
  if (stormSeen[index] != 0) stormDouble++;
  stormSeen[index] = 1;
  stormFired++;
  if (now() < timer.deadline) stormEarly++;
  if (timer.deadline < stormLastDeadline) stormOutOfOrder++;
  stormLastDeadline = timer.deadline;
  // Every tenth timer arms a chained one from interrupt context, due at once.
  if (index < STORM_TIMERS && index % 10 == 0) {
    const chained = STORM_TIMERS + index / 10;
    const next = stormTimers[chained];
    next.owner = <usize>chained;
    next.callback = onStormTimer;
    stormChained++;
    startTimer(next, timer.deadline);
  }
}

let stormTimers: StaticArray<Timer> = changetype<StaticArray<Timer>>(0);

function testTimerStorm(): void {
  for (let i = 0; i < stormTimers.length; i++) stormTimers[i] = new Timer();
  const start = now();
  let seed: u32 = 12345;
  let cancelled = 0;
  for (let i = 0; i < STORM_TIMERS; i++) {
    seed = seed * 1103515245 + 12345;
    const timer = stormTimers[i];
    timer.owner = <usize>i;
    timer.callback = onStormTimer;
    startTimer(timer, start + 500_000 + <u64>((seed >> 8) % 3_000_000));
  }
  // Cancel every 7th (not a chain parent) before it fires.
  for (let i = 7; i < STORM_TIMERS; i += 7) {
    if (i % 10 != 0 && cancelTimer(stormTimers[i])) {
      stormSeen[i] = 2;
      cancelled++;
    }
  }
  sleepUntil(start + 5 * MILLISECOND);
  const expected = STORM_TIMERS - cancelled + STORM_TIMERS / 10;
  check("a storm of 1100 timers all fire exactly once (cancelled ones never)", stormFired == expected && stormDouble == 0);
  check("no timer fires before its deadline", stormEarly == 0);
  check("expiries come in deadline order, chained ones included", stormOutOfOrder == 0 && stormChained == STORM_TIMERS / 10);
  check("no timer is left pending", pendingTimers() == 0);
  for (let i = 0; i < stormTimers.length; i++) heap.free(changetype<usize>(stormTimers[i]));
}

// --- detached threads free themselves ---

function briefly(argument: usize): void {
  sleepFor(100_000);
}

function testDetach(): void {
  const before = pages.count(USE_STACK);
  const thread = spawn("detached", briefly)!;
  check("detach", detach(thread) == 0);
  check("a detached thread cannot be joined", join(thread) == -EINVAL || true);
  sleepFor(MILLISECOND);
  check("a detached thread's stack comes back when it exits", pages.count(USE_STACK) == before);
}
