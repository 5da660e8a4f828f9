// ZLE decompression (compression=zle): runs of zeros and literal bytes.
// Each item starts with a byte n: n < 64 means n + 1 literal bytes follow,
// otherwise n - 63 zeros. The stream must fill the block exactly.

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
