// Number formatting into caller-provided byte buffers: no allocation, so the
// panic path can use it. Each function writes ASCII at `out` and returns the
// number of bytes written. Buffers of FORMAT_BUFFER_SIZE bytes always suffice.

export const FORMAT_BUFFER_SIZE: i32 = 72;
const DIGITS = "0123456789abcdef";

/** Writes `value` in `base` (2..16), left-padded with zeros to at least `minDigits`. */
export function formatUnsigned(out: usize, value: u64, base: u32 = 10, minDigits: i32 = 1): i32 {
  if (base < 2 || base > 16) base = 10;
  if (minDigits > 64) minDigits = 64;
  // Produce digits backwards into the tail of the buffer, then move them down.
  const scratch = out + <usize>(FORMAT_BUFFER_SIZE - 1);
  let count = 0;
  let rest = value;
  do {
    const digit = <i32>(rest % <u64>base);
    store<u8>(scratch - <usize>count, <u8>DIGITS.charCodeAt(digit));
    rest /= <u64>base;
    count++;
  } while (rest != 0);
  while (count < minDigits) {
    store<u8>(scratch - <usize>count, 0x30);
    count++;
  }
  memory.copy(out, scratch - <usize>count + 1, <usize>count);
  return count;
}

export function formatSigned(out: usize, value: i64): i32 {
  if (value >= 0) return formatUnsigned(out, <u64>value);
  store<u8>(out, 0x2d); // '-'
  return 1 + formatUnsigned(out + 1, <u64>(-(value + 1)) + 1);
}

/** Writes `value / 10^decimals` with exactly `decimals` digits after the point. */
export function formatDecimal(out: usize, value: u64, decimals: i32): i32 {
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
