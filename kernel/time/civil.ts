// Calendar dates to Unix time, for reading real-time clocks.
//
// A proleptic Gregorian date becomes a count of days since 1970-01-01 by
// shifting the year to start in March (so the leap day falls at the end)
// and counting whole 400-year eras, each exactly 146097 days long.

/** Days from 1970-01-01 to year-month-day (month 1..12, day 1..31); negative before 1970. */
export function daysFromCivil(year: i32, month: u32, day: u32): i64 {
  const y = <i64>(month <= 2 ? year - 1 : year);
  const era = (y >= 0 ? y : y - 399) / 400;
  const yearOfEra = y - era * 400;                                  // 0..399
  const shiftedMonth = <i64>(month > 2 ? month - 3 : month + 9);     // March = 0
  const dayOfYear = (153 * shiftedMonth + 2) / 5 + <i64>day - 1;     // 0..365
  const dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** Seconds since the Unix epoch for a UTC date and time. */
export function unixSeconds(year: i32, month: u32, day: u32, hour: u32, minute: u32, second: u32): i64 {
  return daysFromCivil(year, month, day) * 86400 + <i64>hour * 3600 + <i64>minute * 60 + <i64>second;
}

/** A binary-coded decimal byte (0x59) as its value (59). */
export function fromBcd(value: u32): u32 {
  return (value >> 4) * 10 + (value & 0xf);
}
