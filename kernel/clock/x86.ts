// x86_64 TSC frequency: from CPUID when the CPU states it, else measured.
//
// CPUID 0x15: eax = denominator, ebx = numerator, ecx = crystal Hz
//   (TSC Hz = ecx * ebx / eax; ecx may be 0, then 0x16 is the fallback).
// CPUID 0x16: eax = base frequency in MHz.
// Measurement: PIT channel 0 counts down from 0xffff at 1.193182 MHz in mode
// 2; we read it with latch commands until CALIBRATION_PIT_TICKS have passed
// and compare against the TSC. Under -icount both run on virtual time, so the
// result is deterministic.

import { cpuid, portIn8, portOut8, timestamp } from "../../arch";
import { CALIBRATION_PIT_TICKS } from "../params";
import { noteFrequencySource, SOURCE_CPUID, SOURCE_CALIBRATED } from "./index";

const PIT_HZ: u64 = 1_193_182;
const PIT_CHANNEL0: u32 = 0x40;
const PIT_COMMAND: u32 = 0x43;
const PIT_CHANNEL0_MODE2_LOHI: u32 = 0x34;
const PIT_LATCH_CHANNEL0: u32 = 0x00;
/** Give up if the PIT does not move (absent): a bounded number of reads. */
const MAX_PIT_READS: i32 = 1_000_000;

const registers = memory.data(16);

function cpuidRegister(leaf: u32, index: i32): u32 {
  cpuid(leaf, 0, registers);
  return load<u32>(registers + (<usize>index << 2));
}

export function cpuidFrequency(): u64 {
  const maxLeaf = cpuidRegister(0, 0);
  if (maxLeaf >= 0x15) {
    cpuid(0x15, 0, registers);
    const denominator = load<u32>(registers);
    const numerator = load<u32>(registers, 4);
    const crystal = load<u32>(registers, 8);
    if (denominator != 0 && numerator != 0 && crystal != 0) {
      return <u64>crystal * <u64>numerator / <u64>denominator;
    }
  }
  if (maxLeaf >= 0x16) {
    const mhz = cpuidRegister(0x16, 0) & 0xffff;
    if (mhz != 0) return <u64>mhz * 1_000_000;
  }
  return 0;
}

function readPit(): u32 {
  portOut8(PIT_COMMAND, PIT_LATCH_CHANNEL0);
  const low = portIn8(PIT_CHANNEL0);
  const high = portIn8(PIT_CHANNEL0);
  return (high << 8) | low;
}

export function calibrateAgainstPit(): u64 {
  portOut8(PIT_COMMAND, PIT_CHANNEL0_MODE2_LOHI);
  portOut8(PIT_CHANNEL0, 0xff);
  portOut8(PIT_CHANNEL0, 0xff);
  const first = readPit();
  const startTicks = timestamp();
  let reads = 0;
  let elapsed: u32 = 0;
  while (elapsed < CALIBRATION_PIT_TICKS) {
    elapsed = (first - readPit()) & 0xffff;
    if (++reads > MAX_PIT_READS) return 0;
  }
  const counted = timestamp() - startTicks;
  return counted * PIT_HZ / <u64>elapsed;
}

/** The x86_64 frequency finder (kernel/clock useFrequencyFinder): CPUID, else a measurement against the PIT. */
export function findTscFrequency(): u64 {
  const stated = cpuidFrequency();
  noteFrequencySource(SOURCE_CPUID);
  if (stated != 0) return stated;
  noteFrequencySource(SOURCE_CALIBRATED);
  return calibrateAgainstPit();
}
