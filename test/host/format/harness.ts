// The host-test harness's part for kernel/format.ts: the number formatters
// write into a buffer the test owns and return the length; the test reads
// the ASCII back (test/host/format/client.ts).

import { formatUnsigned, formatSigned, formatDecimal, ticksToNanoseconds, FORMAT_BUFFER_SIZE } from "../../../kernel/format";

// --- kernel/format.ts ---

export function formatBufferSize(): i32 {
  return FORMAT_BUFFER_SIZE;
}

export function fmtUnsigned(out: usize, value: u64, base: u32, minDigits: i32): i32 {
  return formatUnsigned(out, value, base, minDigits);
}

export function fmtSigned(out: usize, value: i64): i32 {
  return formatSigned(out, value);
}

export function fmtDecimal(out: usize, value: u64, decimals: i32): i32 {
  return formatDecimal(out, value, decimals);
}

export function fmtTicksToNanoseconds(ticks: u64, hz: u64): u64 {
  return ticksToNanoseconds(ticks, hz);
}
