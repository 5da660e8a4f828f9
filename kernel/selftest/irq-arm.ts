// The aarch64 interrupt self-test (`selftest=irq`): the GIC, the generic
// timer, SPI routing and the wall clock, on the running machine.
//
// - controller: the device tree named a GICv2, the kernel set it up, and an
//   acknowledge with nothing pending returns SPURIOUS;
// - timer: one interrupt per arming, never before the deadline (the handler
//   stamps the counter), several in a row with the interrupted code's integer
//   and floating-point registers intact, a past deadline at once, disarming
//   silences;
// - routing: an SPI (the PL031's line, idle as its interrupt stays masked in
//   the RTC) made pending with GICD_ISPENDR reaches its attached handler once
//   and ends. This proves the path from the distributor on: group, priority,
//   target CPU0, enable, the CPU interface, the vector and its frame,
//   acknowledge and end of interrupt; not the device's own wire. Once
//   detached (masked), a pending SPI is not delivered;
// - unexpected: an unmasked SPI without a handler, made pending, is counted
//   by unexpectedInterrupts() and the kernel goes on;
// - wall clock: the PL031 reads a plausible date (2024 or later).
//
// Every wait is bounded by the counter: it spins with interrupts enabled
// until the condition holds or time is up, so a broken timer or route fails a
// check instead of hanging the machine.

import { bootInfo } from "../platform";
import { BootInfo, INTERRUPT_CONTROLLER_GIC_V2 } from "../boot/bootinfo";
import {
  SPURIOUS, interruptsReady, attachInterrupt, detachInterrupt, unexpectedInterrupts, interruptsOnLine,
} from "../irq/index";
import * as gic from "../irq/gic/index";
import { initGenericTimer, armGenericTimer, disarmGenericTimer, genericTimerHandler } from "../time/generic-timer";
import { readPl031Clock } from "../time/pl031";
import { unixSeconds } from "../time/civil";
import { counterFrequency, setInterrupts, timestamp } from "../../arch";
import { beginSelfTest, check, endSelfTest } from "./check";

/** QEMU virt's counter runs at 62.5 MHz; used if CNTFRQ_EL0 reads 0. */
const FALLBACK_HZ: u64 = 62_500_000;
const ROUNDS: i32 = 3;

let hz: u64 = FALLBACK_HZ;
let timerFired: u32 = 0;
let lastFiredAt: u64 = 0;
let spiCalls: u32 = 0;
let spiLine: u32 = 0;

function onTimer(line: u32): void {
  lastFiredAt = timestamp();
  timerFired++;
}

function ignoreTimer(line: u32): void {}

function onSpi(line: u32): void {
  spiLine = line;
  spiCalls++;
}

function ticks(microseconds: u64): u64 {
  return hz * microseconds / 1_000_000;
}

/** Spins with interrupts enabled for `microseconds`, or until `count()` changes from `from`. */
function waitForChange(count: () => u32, from: u32, microseconds: u64): void {
  const limit = timestamp() + ticks(microseconds);
  setInterrupts(1);
  while (count() == from && timestamp() < limit) {}
  setInterrupts(0);
}

function timerCount(): u32 {
  return timerFired;
}

function spiCount(): u32 {
  return spiCalls;
}

function unexpectedCount(): u32 {
  return unexpectedInterrupts();
}

function testController(info: BootInfo): void {
  check("the device tree names a GICv2", info.interruptControllerKind == INTERRUPT_CONTROLLER_GIC_V2);
  check("the GIC is up", interruptsReady() && gic.gicLines() >= 64);
  check("an acknowledge with nothing pending returns SPURIOUS", gic.acknowledge() == SPURIOUS);
}

function testTimer(): void {
  check("the generic timer attaches", initGenericTimer(onTimer) == 0);
  // Several in a row, each once and not early; the interrupted loop's registers survive.
  for (let round = 0; round < ROUNDS; round++) {
    const before = timerFired;
    const deadline = timestamp() + ticks(2000);
    armGenericTimer(deadline);
    const limit = timestamp() + ticks(1_000_000);
    let integer: u64 = 0;
    let real: f64 = 0;
    let spins: u64 = 0;
    setInterrupts(1);
    while (timerFired == before && timestamp() < limit) {
      spins++;
      integer += 3;
      real += 0.5;
    }
    setInterrupts(0);
    check("the timer fires when armed", timerFired == before + 1);
    check("the timer never fires before its deadline", lastFiredAt >= deadline);
    check("registers survive the interrupt", integer == spins * 3 && real == <f64>spins * 0.5);
    waitForChange(timerCount, timerFired, 3000);
    check("the timer fires once per arming", timerFired == before + 1);
  }
  // A deadline already past fires at once.
  let before = timerFired;
  armGenericTimer(timestamp() - ticks(1000));
  waitForChange(timerCount, before, 1000);
  check("a past deadline fires at once", timerFired == before + 1);
  before = timerFired;
  armGenericTimer(1);
  waitForChange(timerCount, before, 1000);
  check("the earliest deadline fires at once", timerFired == before + 1);
  // Disarming silences.
  before = timerFired;
  armGenericTimer(timestamp() + ticks(1000));
  disarmGenericTimer();
  waitForChange(timerCount, before, 3000);
  check("a disarmed timer stays quiet", timerFired == before);
}

function testRouting(info: BootInfo): void {
  const spi = info.rtcInterrupt != 0 ? info.rtcInterrupt : 34; // QEMU virt: the PL031 is SPI 2
  const line = attachInterrupt(spi, onSpi);
  check("an SPI attaches on its own line", line == <i32>spi);
  if (line < 0) return;
  const taken = interruptsOnLine(spi);
  gic.setPending(spi);
  check("GICD_ISPENDR makes the SPI pending", gic.isPending(spi));
  waitForChange(spiCount, 0, 100_000);
  check("a pending SPI reaches its handler", spiCalls == 1 && spiLine == spi);
  waitForChange(spiCount, 1, 1000);
  check("the SPI is taken once and ended", spiCalls == 1 && !gic.isPending(spi) && interruptsOnLine(spi) == taken + 1);
  detachInterrupt(spi);
  gic.setPending(spi);
  waitForChange(spiCount, 1, 1000);
  check("a masked SPI is not delivered", spiCalls == 1 && gic.isPending(spi));
  gic.clearPending(spi);
}

function testUnexpected(): void {
  const spi = gic.gicLines() - 1; // no device on QEMU virt's last SPI
  const before = unexpectedInterrupts();
  gic.unmask(spi);
  gic.setPending(spi);
  waitForChange(unexpectedCount, before, 100_000);
  gic.mask(spi);
  check("an interrupt without a handler is counted", unexpectedInterrupts() == before + 1);
  check("and ended", !gic.isPending(spi));
}

function testWallClock(info: BootInfo): void {
  const seconds = readPl031Clock(info);
  check("the device tree names a PL031", info.rtcBase != 0);
  check("the PL031 reads a date in 2024 or later", seconds >= unixSeconds(2024, 1, 1, 0, 0, 0));
  check("the PL031 reads a date before 2200", seconds < unixSeconds(2200, 1, 1, 0, 0, 0));
}

export function runArmInterruptSelfTest(): bool {
  const info = bootInfo();
  beginSelfTest();
  const frequency = counterFrequency();
  hz = frequency != 0 ? frequency : FALLBACK_HZ;
  const enabled = setInterrupts(0);
  testController(info);
  if (interruptsReady()) {
    const timerOwner = genericTimerHandler();
    testTimer();
    disarmGenericTimer();
    initGenericTimer(timerOwner !== null ? timerOwner! : ignoreTimer);
    testRouting(info);
    testUnexpected();
  }
  testWallClock(info);
  setInterrupts(enabled);
  return endSelfTest("irq");
}
