// Reading NUL-terminated byte strings that firmware leaves in memory.

/** Decodes at most `limit` bytes of a NUL-terminated UTF-8 string at `address`. */
export function readCString(address: usize, limit: usize): string {
  let length: usize = 0;
  while (length < limit && load<u8>(address + length) != 0) length++;
  return String.UTF8.decodeUnsafe(address, length);
}
