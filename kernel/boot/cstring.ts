// Byte strings in memory (what firmware and images leave): reading them,
// comparing them with the kernel's own ASCII names, and with each other.

/** Decodes at most `limit` bytes of a NUL-terminated UTF-8 string at `address`. */
export function readCString(address: usize, limit: usize): string {
  let length: usize = 0;
  while (length < limit && load<u8>(address + length) != 0) length++;
  return String.UTF8.decodeUnsafe(address, length);
}

/** True if the `length` bytes at `address` are the ASCII string `text`'s first `length` characters. */
export function startsAs(address: usize, length: usize, text: string): bool {
  const chars = changetype<usize>(text);
  let i: usize = 0;
  // Four at a time: four bytes widened to the four UTF-16 units they must equal.
  for (; i + 4 <= length; i += 4) {
    const bytes = <u64>load<u32>(address + i);
    const wide = (bytes & 0xff) | ((bytes & 0xff00) << 8) | ((bytes & 0xff_0000) << 16) | ((bytes & 0xff00_0000) << 24);
    if (wide != load<u64>(chars + (i << 1))) return false;
  }
  for (; i < length; i++) {
    if (<u32>load<u8>(address + i) != <u32>load<u16>(chars + (i << 1))) return false;
  }
  return true;
}

/** True if the `length` bytes at `a` and at `b` are the same; by words, for short runs such as names (inlined: the device-tree walk compares one per node). */
// @ts-ignore: decorator
@inline export function sameBytes(a: usize, b: usize, length: usize): bool {
  let at: usize = 0;
  for (; length - at >= 8; at += 8) {
    if (load<u64>(a + at) != load<u64>(b + at)) return false;
  }
  if (length - at >= 4) {
    if (load<u32>(a + at) != load<u32>(b + at)) return false;
    at += 4;
  }
  for (; at < length; at++) {
    if (load<u8>(a + at) != load<u8>(b + at)) return false;
  }
  return true;
}

/** True if the `length` bytes at `address` spell `expected` (no terminator checked). */
export function bytesAre(address: usize, length: usize, expected: string): bool {
  return length == <usize>expected.length && startsAs(address, length, expected);
}
