// Number formatting into caller-provided byte buffers: no allocation, so the
// panic path can use it. Each function writes ASCII at `out` and returns the
// number of bytes written; nothing is written past that count. Buffers of
// FORMAT_BUFFER_SIZE bytes always suffice.

export const FORMAT_BUFFER_SIZE: i32 = 72;
/** The most digits after the point formatDecimal handles (10^19 is the largest power of ten in a u64). */
export const MAX_DECIMALS: i32 = 19;
const DIGITS = "0123456789abcdef";
/** Digits are produced backwards here, then copied out in order. */
const scratch = memory.data(FORMAT_BUFFER_SIZE);

/** Writes `value` in `base` (2..16), left-padded with zeros to at least `minDigits` (at most 64). */
export function formatUnsigned(out: usize, value: u64, base: u32 = 10, minDigits: i32 = 1): i32 {
  if (base < 2 || base > 16) base = 10;
  if (minDigits > 64) minDigits = 64;
  const last = scratch + <usize>(FORMAT_BUFFER_SIZE - 1);
  let count = 0;
  let rest = value;
  do {
    store<u8>(last - <usize>count, <u8>DIGITS.charCodeAt(<i32>(rest % <u64>base)));
    rest /= <u64>base;
    count++;
  } while (rest != 0);
  while (count < minDigits) {
    store<u8>(last - <usize>count, 0x30);
    count++;
  }
  memory.copy(out, last - <usize>count + 1, <usize>count);
  return count;
}

export function formatSigned(out: usize, value: i64): i32 {
  if (value >= 0) return formatUnsigned(out, <u64>value);
  store<u8>(out, 0x2d); // '-'
  return 1 + formatUnsigned(out + 1, <u64>(-(value + 1)) + 1);
}

/** Writes `value / 10^decimals` with exactly `decimals` (0..19) digits after the point. */
export function formatDecimal(out: usize, value: u64, decimals: i32): i32 {
  if (decimals < 0) decimals = 0;
  if (decimals > MAX_DECIMALS) decimals = MAX_DECIMALS;
  let scale: u64 = 1;
  for (let i = 0; i < decimals; i++) scale *= 10;
  let n = formatUnsigned(out, value / scale);
  if (decimals > 0) {
    store<u8>(out + <usize>n, 0x2e); // '.'
    n += 1 + formatUnsigned(out + <usize>n + 1, value % scale, 10, decimals);
  }
  return n;
}

/** ticks * 10^9 / hz without overflowing for any tick count below 2^64 / 10^9 * hz. */
export function ticksToNanoseconds(ticks: u64, hz: u64): u64 {
  if (hz == 0) return 0;
  return (ticks / hz) * 1_000_000_000 + ((ticks % hz) * 1_000_000_000) / hz;
}
