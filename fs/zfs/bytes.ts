// Bounds-checked little- and big-endian loads from byte arrays. Every read
// of on-disk data goes through these: a field past the end of its block
// reads as 0 instead of trapping, and the structure checks that use the
// value then refuse it.

@inline
function fits(data: Uint8Array, at: i32, size: i32): bool {
  return at >= 0 && at <= data.length - size;
}

@inline
export function u8At(data: Uint8Array, at: i32): u32 {
  return fits(data, at, 1) ? <u32>load<u8>(data.dataStart + <usize>at) : 0;
}

@inline
export function le16(data: Uint8Array, at: i32): u32 {
  return fits(data, at, 2) ? <u32>load<u16>(data.dataStart + <usize>at) : 0;
}

@inline
export function le32(data: Uint8Array, at: i32): u32 {
  return fits(data, at, 4) ? load<u32>(data.dataStart + <usize>at) : 0;
}

@inline
export function le64(data: Uint8Array, at: i32): u64 {
  return fits(data, at, 8) ? load<u64>(data.dataStart + <usize>at) : 0;
}

export function be32(data: Uint8Array, at: i32): u32 {
  return bswap<u32>(le32(data, at));
}

export function be64(data: Uint8Array, at: i32): u64 {
  return bswap<u64>(le64(data, at));
}

export function storeLe64(data: Uint8Array, at: i32, value: u64): void {
  if (fits(data, at, 8)) store<u64>(data.dataStart + <usize>at, value);
}

/** `length` bytes at `at` as UTF-8 (stopping at a NUL), or "" if they do not fit. */
export function stringAt(data: Uint8Array, at: i32, length: i32): string {
  if (length < 0 || !fits(data, at, length)) return "";
  let end = 0;
  while (end < length && load<u8>(data.dataStart + <usize>(at + end)) != 0) end++;
  return String.UTF8.decodeUnsafe(data.dataStart + <usize>at, <usize>end, false);
}

/** Copies `length` bytes between arrays, if both ranges fit. */
export function copyBytes(to: Uint8Array, toAt: i32, from: Uint8Array, fromAt: i32, length: i32): bool {
  if (length < 0 || !fits(to, toAt, length) || !fits(from, fromAt, length)) return false;
  memory.copy(to.dataStart + <usize>toAt, from.dataStart + <usize>fromAt, <usize>length);
  return true;
}
