// ZLE (compression=zle): runs of zeros and literal bytes. Each item starts
// with a byte n: n < 64 means n + 1 literal bytes follow, otherwise n - 63
// zeros. The stream must fill the block exactly. zleCompress writes the
// same items: a zero run of up to 192, or up to 64 literals, a literal run
// ending early where two zeros in a row start.

const LITERAL_LIMIT: i32 = 64;

/** Expands `source[0, sourceLength)` into exactly `target[0, targetLength)`; false if the stream is bad. */
export function zleDecompress(source: Uint8Array, sourceLength: i32, target: Uint8Array, targetLength: i32): bool {
  if (sourceLength > source.length || targetLength > target.length) return false;
  let s = 0;
  let d = 0;
  while (s < sourceLength && d < targetLength) {
    let length = 1 + <i32>source[s++];
    if (length <= LITERAL_LIMIT) {
      if (s + length > sourceLength || d + length > targetLength) return false;
      memory.copy(target.dataStart + <usize>d, source.dataStart + <usize>s, <usize>length);
      s += length;
      d += length;
    } else {
      length -= LITERAL_LIMIT;
      if (d + length > targetLength) return false;
      memory.fill(target.dataStart + <usize>d, 0, <usize>length);
      d += length;
    }
  }
  return d == targetLength;
}

/** The most zeros one item holds (n = 255). */
const ZERO_RUN_MAX: i32 = 256 - LITERAL_LIMIT;

/**
 * Compresses `source[0, length)` into `target` (at most `targetLength`
 * bytes): the stream's length, or `length` when it does not fit (the block
 * is then stored as it is).
 */
export function zleCompress(source: Uint8Array, length: i32, target: Uint8Array, targetLength: i32): i32 {
  let s = 0;
  let d = 0;
  const limit = min(targetLength, target.length);
  while (s < length) {
    if (d + 1 >= limit) return length;
    const first = s;
    const header = d++;
    if (source[s] == 0) {
      const end = min(s + ZERO_RUN_MAX, length);
      while (s < end && source[s] == 0) s++;
      target[header] = <u8>(s - first - 1 + LITERAL_LIMIT);
    } else {
      const end = min(s + LITERAL_LIMIT, length);
      if (d + (end - s) > limit) return length;
      // Literals until the run is full or two zeros in a row begin.
      while (s < end && !(source[s] == 0 && s + 1 < length && source[s + 1] == 0)) target[d++] = source[s++];
      target[header] = <u8>(s - first - 1);
    }
  }
  return d;
}
