// Guards kernel/time/civil.ts, the calendar maths behind the real-time
// clocks: daysFromCivil must agree with JavaScript's Date.UTC (proleptic
// Gregorian, like the kernel) on every day from 1600 to 2400 and on random
// dates, count consecutive days one apart across month, leap-day and
// century boundaries (1700, 1800, 1900 and 2100 have no Feb 29; 1600, 2000
// and 2400 do); unixSeconds must give the well-known instants (the epoch,
// Y2K, the 32-bit rollovers) and agree with Date.UTC on random date-times;
// fromBcd must decode every BCD byte 0x00..0x99.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random, suiteSeed } from "../random";

const DAY_MS = 86_400_000;

const harness = await Harness.create();
const e = harness.exports;

function same(actual: unknown, expected: unknown, message: string): void {
  if (actual !== expected) expect(actual, message).toBe(expected);
}

const days = (year: number, month: number, day: number): number => Number(e.civilDaysFromCivil(year, month, day));
const seconds = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0): bigint =>
  e.civilUnixSeconds(year, month, day, hour, minute, second);

/** Days since 1970-01-01 by Date.UTC (whose years 0..99 mean 1900..1999, so none are used here). */
const utcDays = (year: number, month: number, day: number): number => Date.UTC(year, month - 1, day) / DAY_MS;

const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

describe("calendar maths (kernel/time/civil.ts)", () => {
  it("counts days from the epoch at well-known dates", () => {
    expect(days(1970, 1, 1)).toBe(0);
    expect(days(1970, 1, 2)).toBe(1);
    expect(days(1969, 12, 31)).toBe(-1);
    expect(days(2000, 1, 1)).toBe(10957);
    expect(days(2000, 3, 1)).toBe(11017);
    expect(days(1600, 1, 1)).toBe(-135140);
    expect(days(2400, 12, 31)).toBe(157419);
  });

  it("agrees with Date.UTC on every day from 1600 to 2400, one day apart", () => {
    let expected = days(1600, 1, 1);
    same(expected, utcDays(1600, 1, 1), "1600-01-01");
    let checked = 0;
    for (let year = 1600; year <= 2400; year++) {
      for (let month = 1; month <= 12; month++) {
        const last = daysInMonth(year, month);
        for (let day = 1; day <= last; day++) {
          same(days(year, month, day), expected, `${year}-${month}-${day}`);
          expected++;
          checked++;
        }
      }
    }
    same(expected - 1, utcDays(2400, 12, 31), "2400-12-31 by Date.UTC");
    expect(checked).toBe(utcDays(2401, 1, 1) - utcDays(1600, 1, 1));
  });

  it("has Feb 29 only in leap years: 1600, 2000, 2400 and every fourth year, not 1700, 1800, 1900, 2100", () => {
    for (const year of [1600, 1604, 1896, 1904, 1996, 2000, 2004, 2024, 2096, 2104, 2400]) {
      expect(days(year, 3, 1) - days(year, 2, 28), `${year}: Feb 28 to Mar 1`).toBe(2);
      expect(days(year, 2, 29), `${year}-02-29`).toBe(utcDays(year, 2, 29));
    }
    for (const year of [1700, 1800, 1900, 1999, 2001, 2023, 2100, 2200, 2300]) {
      expect(days(year, 3, 1) - days(year, 2, 28), `${year}: Feb 28 to Mar 1`).toBe(1);
    }
    for (const year of [1600, 1700, 1899, 1900, 1999, 2000, 2099, 2100, 2399, 2400]) {
      expect(days(year + 1, 1, 1) - days(year, 1, 1), `length of ${year}`).toBe(utcDays(year + 1, 1, 1) - utcDays(year, 1, 1));
    }
  });

  it("agrees with Date.UTC on random dates, including far outside 1600..2400", () => {
    const random = new Random(suiteSeed(), 800);
    for (let i = 0; i < 20_000; i++) {
      // Mostly 1600..2400; some up to 100,000 either side of year 0 (Date.UTC reaches ±275,000 years).
      const year = i % 4 === 0 ? random.int(-100_000, 100_000) : random.int(1600, 2400);
      if (year >= 0 && year <= 99) continue; // Date.UTC maps these to 1900..1999
      const month = random.int(1, 12);
      const day = random.int(1, daysInMonth(year, month));
      same(days(year, month, day), utcDays(year, month, day), `${random.label}: ${year}-${month}-${day}`);
    }
  });

  it("gives Unix seconds for well-known instants", () => {
    expect(seconds(1970, 1, 1)).toBe(0n);
    expect(seconds(1969, 12, 31, 23, 59, 59)).toBe(-1n);
    expect(seconds(2000, 1, 1)).toBe(946_684_800n);
    expect(seconds(2000, 2, 29, 12, 0, 0)).toBe(951_825_600n);
    expect(seconds(2001, 9, 9, 1, 46, 40)).toBe(1_000_000_000n);
    expect(seconds(2038, 1, 19, 3, 14, 7)).toBe(2_147_483_647n); // the last second of a signed 32-bit time_t
    expect(seconds(2038, 1, 19, 3, 14, 8)).toBe(2_147_483_648n);
    expect(seconds(2106, 2, 7, 6, 28, 15)).toBe(4_294_967_295n); // the last second of an unsigned 32-bit one
    expect(seconds(1900, 1, 1)).toBe(-2_208_988_800n);
    expect(seconds(1901, 12, 13, 20, 45, 52)).toBe(-2_147_483_648n);
  });

  it("agrees with Date.UTC on random date-times", () => {
    const random = new Random(suiteSeed(), 801);
    for (let i = 0; i < 10_000; i++) {
      const year = random.int(1600, 2400);
      const month = random.int(1, 12);
      const day = random.int(1, daysInMonth(year, month));
      const [hour, minute, second] = [random.int(0, 23), random.int(0, 59), random.int(0, 59)];
      const expected = BigInt(Date.UTC(year, month - 1, day, hour, minute, second) / 1000);
      same(seconds(year, month, day, hour, minute, second), expected, `${random.label}: ${year}-${month}-${day} ${hour}:${minute}:${second}`);
    }
  });

  it("decodes every BCD byte from 0x00 to 0x99", () => {
    for (let tens = 0; tens <= 9; tens++) {
      for (let ones = 0; ones <= 9; ones++) {
        const bcd = (tens << 4) | ones;
        same(e.civilFromBcd(bcd) >>> 0, tens * 10 + ones, `fromBcd(0x${bcd.toString(16)})`);
      }
    }
    expect(e.civilFromBcd(0x59)).toBe(59);
  });
});
