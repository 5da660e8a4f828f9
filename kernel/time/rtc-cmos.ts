// The CMOS real-time clock (MC146818 and its descendants) of PC-compatible
// machines: the wall clock at boot, and a periodic interrupt on GSI 8.
//
// Registers are reached through an index port (0x70) and a data port (0x71):
//
//   0x00 seconds  0x02 minutes  0x04 hours  0x07 day  0x08 month  0x09 year
//   0x0a A: bit 7 update in progress; bits 0-3 periodic rate (2..15:
//        32768 >> (rate - 1) Hz)
//   0x0b B: bit 6 periodic interrupt enable, bit 2 binary (else BCD),
//        bit 1 24-hour (else 12-hour, with bit 7 of the hour meaning PM)
//   0x0c C: interrupt flags; reading it acknowledges the interrupt
//
// The clock ticks once a second and its fields are not latched: a read may
// straddle an update. readCmosClock waits (boundedly) while register A says
// an update is in progress, then reads every field until two reads in a row
// agree. The year has two digits; the century is taken to be 20xx (the
// century register's location varies by machine). Without an RTC the ports
// read as all ones, and the reading is -1.

import { portIn8, portOut8 } from "../../arch";
import { fromBcd, unixSeconds } from "./civil";

const CMOS_INDEX: u32 = 0x70;
const CMOS_DATA: u32 = 0x71;
const REG_SECONDS: u32 = 0x00;
const REG_MINUTES: u32 = 0x02;
const REG_HOURS: u32 = 0x04;
const REG_DAY: u32 = 0x07;
const REG_MONTH: u32 = 0x08;
const REG_YEAR: u32 = 0x09;
const REG_A: u32 = 0x0a;
const REG_B: u32 = 0x0b;
const REG_C: u32 = 0x0c;
const A_UPDATE_IN_PROGRESS: u32 = 1 << 7;
const A_RATE_MASK: u32 = 0x0f;
const B_PERIODIC_INTERRUPT: u32 = 1 << 6;
const B_BINARY: u32 = 1 << 2;
const B_24_HOUR: u32 = 1 << 1;
const HOUR_PM: u32 = 1 << 7;
/** The update-in-progress flag lasts under 2 ms; this many reads is far more. */
const MAX_UPDATE_WAIT_READS: i32 = 100_000;
/** Reads of the whole clock before giving up on two that agree. */
const MAX_CLOCK_READS: i32 = 8;

/** The IOAPIC input (GSI) the RTC interrupts on. */
export const CMOS_RTC_GSI: u32 = 8;

function readRegister(index: u32): u32 {
  portOut8(CMOS_INDEX, index);
  return portIn8(CMOS_DATA);
}

function writeRegister(index: u32, value: u32): void {
  portOut8(CMOS_INDEX, index);
  portOut8(CMOS_DATA, value);
}

/** The time fields packed in one u64 (raw register values), so two reads compare with one test. */
function readFields(): u64 {
  for (let i = 0; i < MAX_UPDATE_WAIT_READS; i++) {
    if ((readRegister(REG_A) & A_UPDATE_IN_PROGRESS) == 0) break;
  }
  return <u64>readRegister(REG_SECONDS)
    | <u64>readRegister(REG_MINUTES) << 8
    | <u64>readRegister(REG_HOURS) << 16
    | <u64>readRegister(REG_DAY) << 24
    | <u64>readRegister(REG_MONTH) << 32
    | <u64>readRegister(REG_YEAR) << 40;
}

function field(fields: u64, index: u32): u32 {
  return <u32>(fields >> (index * 8)) & 0xff;
}

/** Seconds since the Unix epoch as the RTC reads now (UTC), or -1 if there is no RTC or it reads nonsense. */
export function readCmosClock(): i64 {
  const statusB = readRegister(REG_B);
  if (statusB == 0xff && readRegister(REG_A) == 0xff) return -1;   // nothing answers the ports
  let fields = readFields();
  let agreed = false;
  for (let i = 1; i < MAX_CLOCK_READS && !agreed; i++) {
    const again = readFields();
    agreed = again == fields;
    fields = again;
  }
  if (!agreed) return -1;
  const binary = (statusB & B_BINARY) != 0;
  const rawHour = field(fields, 2);
  let hour = binary ? rawHour & 0x7f : fromBcd(rawHour & 0x7f);
  if ((statusB & B_24_HOUR) == 0) {                 // 12-hour: 12 AM is 0, 12 PM is 12
    if (hour == 12) hour = 0;
    if (rawHour & HOUR_PM) hour += 12;
  }
  const second = binary ? field(fields, 0) : fromBcd(field(fields, 0));
  const minute = binary ? field(fields, 1) : fromBcd(field(fields, 1));
  const day = binary ? field(fields, 3) : fromBcd(field(fields, 3));
  const month = binary ? field(fields, 4) : fromBcd(field(fields, 4));
  const year = 2000 + <i32>(binary ? field(fields, 5) : fromBcd(field(fields, 5)));
  if (second > 59 || minute > 59 || hour > 23 || day < 1 || day > 31 || month < 1 || month > 12) return -1;
  return unixSeconds(year, month, day, hour, minute, second);
}

/** Starts the periodic interrupt at 32768 >> (rate - 1) Hz (rate 3..15; 6 is 1024 Hz). */
export function startCmosPeriodicInterrupt(rate: u32): void {
  writeRegister(REG_A, (readRegister(REG_A) & ~A_RATE_MASK & 0x7f) | (rate & A_RATE_MASK));
  writeRegister(REG_B, readRegister(REG_B) | B_PERIODIC_INTERRUPT);
  acknowledgeCmosInterrupt();
}

export function stopCmosPeriodicInterrupt(): void {
  writeRegister(REG_B, readRegister(REG_B) & ~B_PERIODIC_INTERRUPT);
  acknowledgeCmosInterrupt();
}

/** Reads register C, which clears the interrupt flags and lets the RTC raise the next interrupt. */
export function acknowledgeCmosInterrupt(): u32 {
  return readRegister(REG_C);
}
