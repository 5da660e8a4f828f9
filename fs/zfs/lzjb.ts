// LZJB decompression (ZFS's compression=lzjb, and what v23 pools use for
// all their metadata). The stream is groups of one map byte and eight
// items; a set bit in the map makes the item a two-byte back reference
// (6 bits of length - 3, 10 bits of distance), a clear bit a literal byte.
// Every read and write is bounded: a corrupt stream answers false.

const MATCH_MIN: i32 = 3;
const OFFSET_MASK: i32 = (1 << 10) - 1;

/** Expands `source[0, sourceLength)` into exactly `target[0, targetLength)`; false if the stream is bad. */
export function lzjbDecompress(source: Uint8Array, sourceLength: i32, target: Uint8Array, targetLength: i32): bool {
  if (sourceLength > source.length || targetLength > target.length) return false;
  const src = source.dataStart;
  const dst = target.dataStart;
  let s = 0;
  let d = 0;
  let map: i32 = 0;
  let mask: i32 = 0x80;
  while (d < targetLength) {
    mask <<= 1;
    if (mask == 0x100) {
      if (s >= sourceLength) return false;
      map = <i32>load<u8>(src + <usize>s);
      s++;
      mask = 1;
    }
    if (map & mask) {
      if (s + 2 > sourceLength) return false;
      const high = <i32>load<u8>(src + <usize>s);
      const low = <i32>load<u8>(src + <usize>(s + 1));
      s += 2;
      let length = (high >> 2) + MATCH_MIN;
      const distance = ((high << 8) | low) & OFFSET_MASK;
      let from = d - distance;
      if (from < 0) return false;
      if (distance >= 8) {
        // The source stays 8 bytes behind: whole words copy what bytes would (metadata is mostly such runs).
        while (length >= 8 && d + 8 <= targetLength) {
          store<u64>(dst + <usize>d, load<u64>(dst + <usize>from));
          d += 8;
          from += 8;
          length -= 8;
        }
      }
      while (length-- > 0 && d < targetLength) {
        store<u8>(dst + <usize>d, load<u8>(dst + <usize>from));
        d++;
        from++;
      }
    } else {
      if (s >= sourceLength) return false;
      store<u8>(dst + <usize>d, load<u8>(src + <usize>s));
      d++;
      s++;
    }
  }
  return true;
}
