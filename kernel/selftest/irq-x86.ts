// The x86_64 interrupt self-test (`selftest=irq`): the controllers, the
// local APIC timer, IOAPIC routing with a real device and the wall clock,
// on the running machine.
//
// - controller: the local APIC is on, every IOAPIC input starts masked, GSIs
//   map to vectors 0x30 + GSI, the spurious vector is recognised;
// - timer: one interrupt per arming, never before the deadline (the handler
//   stamps the TSC), several in a row, a past deadline at once, re-arming
//   replaces, disarming silences;
// - routing: the CMOS RTC's periodic interrupt (GSI 8, 1024 Hz) reaches an
//   attached handler through the IOAPIC, and after detaching it stays quiet
//   while the RTC keeps ticking;
// - unexpected: a self-IPI to a vector nobody handles is counted, and the
//   kernel goes on (a second one arrives too: the first was ended);
// - wall clock: the RTC reads a plausible date.
//
// Waits are bounded: the first timer check spins with interrupts enabled
// (it works even if the timer never fires); later waits sleep in
// waitForInterrupt, woken by the armed timer.

import { EINVAL } from "../errno";
import { print, printLine, printUnsigned } from "../console";
import {
  SPURIOUS, InterruptHandler, interruptsReady, attachInterrupt, detachInterrupt,
  unexpectedInterrupts, spuriousInterrupts, interruptsOnLine,
} from "../irq/index";
import * as x86 from "../irq/x86/index";
import {
  CMOS_RTC_GSI, readCmosClock, startCmosPeriodicInterrupt, stopCmosPeriodicInterrupt, acknowledgeCmosInterrupt,
} from "../time/rtc-cmos";
import { unixSeconds } from "../time/civil";
import { setInterrupts, timestamp, waitForInterrupt } from "../../arch";
import { beginSelfTest, check, endSelfTest } from "./check";

/** Timer distance for the timer checks, in TSC ticks (about 0.5 ms on a 2 GHz TSC). */
const DISTANCE: u64 = 1_000_000;
/** How late an interrupt due at once may come, in TSC ticks (about 10 ms: host scheduling under TCG). */
const PROMPT_LIMIT: u64 = 20 * DISTANCE;
/** How long any one wait may take, in TSC ticks (about a second). */
const WAIT_LIMIT: u64 = 2_000_000_000;
/** Wake-ups one wait may take before giving up. */
const MAX_WAKEUPS: i32 = 100_000;
/** Timer wake-ups (DISTANCE apart) a wait for a device may take: about 2 s. */
const MAX_DEVICE_WAKEUPS: i32 = 4000;
/** 32768 >> (6 - 1) = 1024 Hz. */
const RTC_RATE_1024_HZ: u32 = 6;
const RTC_TICKS_WANTED: u32 = 8;
const RTC_PERIODIC_FLAG: u32 = 1 << 6;

let timerFired: u32 = 0;
let lastFiredAt: u64 = 0;
let rtcTicks: u32 = 0;

function onTimer(line: u32): void {
  lastFiredAt = timestamp();
  timerFired++;
}

function onRtc(line: u32): void {
  acknowledgeCmosInterrupt();
  rtcTicks++;
}

/** Spins with interrupts enabled until the timer has fired `count` times or `ticks` pass. */
function spinForTimer(count: u32, ticks: u64): bool {
  const limit = timestamp() + ticks;
  setInterrupts(1);
  while (timerFired < count && timestamp() < limit) {}
  setInterrupts(0);
  return timerFired >= count;
}

/** Sleeps in waitForInterrupt until the timer has fired `count` times (the armed timer wakes us). */
function sleepForTimer(count: u32): bool {
  const limit = timestamp() + WAIT_LIMIT;
  for (let i = 0; i < MAX_WAKEUPS && timerFired < count && timestamp() < limit; i++) waitForInterrupt();
  return timerFired >= count;
}

/**
 * Sleeps in waitForInterrupt until `done()`, with the timer re-armed before
 * each sleep as a wake-up. Bounded by wake-ups, not by the TSC: under
 * -icount with sleep=off the TSC jumps ahead to each timer deadline while a
 * device on host time (the RTC) barely moves.
 */
function sleepUntil(done: () => bool): bool {
  for (let i = 0; i < MAX_DEVICE_WAKEUPS && !done(); i++) {
    x86.armLocalTimer(timestamp() + DISTANCE);
    waitForInterrupt();
  }
  x86.disarmLocalTimer();
  return done();
}

let watchedLine: u32 = 0;
let watchedSeen: u32 = 0;

function watchedLineMoved(): bool {
  return interruptsOnLine(watchedLine) > watchedSeen;
}

function rtcTickedEnough(): bool {
  return rtcTicks >= RTC_TICKS_WANTED;
}

/** Sleeps until `line` has seen more than `seen` interrupts. */
function sleepForLine(line: u32, seen: u32): bool {
  watchedLine = line;
  watchedSeen = seen;
  return sleepUntil(watchedLineMoved);
}

function testController(): void {
  check("controller: the interrupt front door is ready", interruptsReady());
  check("controller: the local APIC is software-enabled", x86.localApicEnabled());
  const inputs = x86.ioapicInputs();
  check("controller: the IOAPIC has at least 16 inputs", inputs >= 16);
  let allMasked = true;
  for (let gsi: u32 = 0; gsi < inputs; gsi++) {
    const entry = x86.ioapicEntry(gsi);
    if ((entry & x86.IOAPIC_ENTRY_MASKED) == 0 || (entry & 0xff) != x86.GSI_VECTOR_BASE + gsi) allMasked = false;
  }
  check("controller: every IOAPIC input starts masked, pointing at its vector", allMasked);
  check("controller: GSI n is line 0x30 + n", x86.lineOf(0) == 0x30 && x86.lineOf(CMOS_RTC_GSI) == 0x38);
  check("controller: a GSI past the IOAPIC's inputs has no line", x86.lineOf(inputs) == -1);
  check("controller: attaching a missing input is refused", attachInterrupt(inputs, onRtc) == -EINVAL);
  check("controller: vector 0xff is the spurious vector", x86.acknowledge(x86.SPURIOUS_VECTOR) == SPURIOUS && x86.acknowledge(0x38) == 0x38);
}

function testWallClock(): void {
  const now = readCmosClock();
  print("irq: CMOS clock reads ");
  printUnsigned(<u64>max<i64>(now, 0));
  printLine(" s since 1970");
  check("wall clock: the CMOS RTC reads a date in 2024 or later", now >= unixSeconds(2024, 1, 1, 0, 0, 0));
  check("wall clock: and before 2100", now < unixSeconds(2100, 1, 1, 0, 0, 0));
  check("wall clock: a second reading does not go back", readCmosClock() >= now);
}

/** Returns false if the timer never fired: later checks sleep on it and would wait for nothing. */
function testLocalTimer(): bool {
  check("timer: set up", x86.initLocalTimer(onTimer) == 0);
  print("irq: ");
  print(x86.describeController());
  if (x86.usesTscDeadline()) {
    printLine(", timer in TSC-deadline mode");
  } else {
    print(", timer one-shot at ");
    printUnsigned((x86.localTimerCountsPerTick() * 1000) >> 32);
    printLine(" counts per 1000 TSC ticks");
  }

  let deadline = timestamp() + DISTANCE;
  x86.armLocalTimer(deadline);
  const fired = spinForTimer(1, WAIT_LIMIT);
  check("timer: an armed deadline fires", fired);
  if (!fired) return false;
  check("timer: not before its deadline", lastFiredAt >= deadline);
  spinForTimer(2, 3 * DISTANCE);
  check("timer: once per arming", timerFired == 1);

  let inOrder = true;
  for (let i: u32 = 0; i < 5; i++) {
    deadline = timestamp() + DISTANCE * <u64>(i + 1);
    x86.armLocalTimer(deadline);
    if (!sleepForTimer(timerFired + 1) || lastFiredAt < deadline) inOrder = false;
  }
  check("timer: five armings in a row each fire once, none early", inOrder && timerFired == 6);

  // "At once" allows for the host: under TCG on a busy machine an interrupt
  // can come a few milliseconds late; a deadline misread as the far future
  // would not come within WAIT_LIMIT at all.
  const armedAt = timestamp();
  x86.armLocalTimer(armedAt - 1);
  check("timer: a past deadline fires at once", sleepForTimer(7) && lastFiredAt - armedAt < PROMPT_LIMIT);
  x86.armLocalTimer(0);
  check("timer: deadline 0 fires at once too", sleepForTimer(8));

  const first = timestamp() + DISTANCE;
  const second = first + 3 * DISTANCE;
  x86.armLocalTimer(first);
  x86.armLocalTimer(second);
  check("timer: re-arming replaces the deadline", sleepForTimer(9) && lastFiredAt >= second);
  spinForTimer(10, 2 * DISTANCE);
  check("timer: the replaced deadline never fires", timerFired == 9);

  x86.armLocalTimer(timestamp() + DISTANCE);
  x86.disarmLocalTimer();
  spinForTimer(10, 3 * DISTANCE);
  check("timer: a disarmed timer stays quiet", timerFired == 9);
  return true;
}

function testUnexpectedInterrupt(): void {
  const vector = x86.FIRST_UNROUTED_VECTOR;
  const unexpected0 = unexpectedInterrupts();
  const spurious0 = spuriousInterrupts();
  const seen0 = interruptsOnLine(vector);
  x86.sendSelfInterrupt(vector);
  check("unexpected: a self-IPI to an unhandled vector arrives", sleepForLine(vector, seen0));
  check("unexpected: it is counted as unexpected, not spurious",
    unexpectedInterrupts() == unexpected0 + 1 && spuriousInterrupts() == spurious0);
  x86.sendSelfInterrupt(vector);
  check("unexpected: the kernel goes on and a second one arrives (the first was ended)", sleepForLine(vector, seen0 + 1));
}

function testDeviceRouting(): void {
  const gsi = CMOS_RTC_GSI;
  const line = attachInterrupt(gsi, onRtc);
  check("routing: the RTC's GSI 8 attaches as line 0x38", line == 0x38);
  if (line < 0) return;
  const entry = x86.ioapicEntry(gsi);
  check("routing: its IOAPIC entry is unmasked, edge-triggered, active high, vector 0x38",
    (entry & (x86.IOAPIC_ENTRY_MASKED | (1 << 15) | (1 << 13))) == 0 && (entry & 0xff) == 0x38);
  check("routing: a second handler for the line is refused", attachInterrupt(gsi, onRtc) < 0);

  const unexpected0 = unexpectedInterrupts();
  const seen0 = interruptsOnLine(<u32>line);
  startCmosPeriodicInterrupt(RTC_RATE_1024_HZ);
  check("routing: the RTC's periodic interrupt reaches its handler through the IOAPIC", sleepUntil(rtcTickedEnough));
  check("routing: the dispatcher counted each on line 0x38", interruptsOnLine(<u32>line) - seen0 == rtcTicks);

  detachInterrupt(gsi);
  check("routing: detaching masks the input", (x86.ioapicEntry(gsi) & x86.IOAPIC_ENTRY_MASKED) != 0);
  // The RTC keeps ticking: acknowledge each period by polling so that every one is a new edge at the masked input.
  const ticks0 = rtcTicks;
  const quietSeen = interruptsOnLine(<u32>line);
  let periods: u32 = 0;
  const quietLimit = timestamp() + WAIT_LIMIT;
  setInterrupts(1);
  while (periods < RTC_TICKS_WANTED && timestamp() < quietLimit) {
    if (acknowledgeCmosInterrupt() & RTC_PERIODIC_FLAG) periods++;
  }
  setInterrupts(0);
  stopCmosPeriodicInterrupt();
  check("routing: the RTC kept ticking after the detach", periods == RTC_TICKS_WANTED);
  check("routing: and nothing reached the line or the handler",
    rtcTicks == ticks0 && interruptsOnLine(<u32>line) == quietSeen && unexpectedInterrupts() == unexpected0);
}

export function runX86InterruptSelfTest(): bool {
  beginSelfTest();
  const wasEnabled = setInterrupts(0);
  const previousHandler: InterruptHandler = x86.localTimerHandler();
  const previousDeadline = x86.localTimerDeadline();
  testController();
  testWallClock();
  if (testLocalTimer()) {
    testUnexpectedInterrupt();
    testDeviceRouting();
  }
  x86.disarmLocalTimer();
  x86.initLocalTimer(previousHandler);              // whoever had the timer before gets it back
  if (previousDeadline != 0) x86.armLocalTimer(previousDeadline);
  if (wasEnabled) setInterrupts(1);
  return endSelfTest("irq");
}
