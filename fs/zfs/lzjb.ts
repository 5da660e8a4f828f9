// LZJB (ZFS's compression=lzjb, and what v23 pools use for all their
// metadata), both ways. The stream is groups of one map byte and eight
// items; a set bit in the map makes the item a two-byte back reference
// (6 bits of length - 3, 10 bits of distance), a clear bit a literal byte.
// Decompression bounds every read and write: a corrupt stream answers
// false.
//
// Compression finds matches as ZFS's writer does, so it writes the same
// stream for the same block: one candidate per position, from a 1,024-entry
// table indexed by a hash of the next three bytes, which remembers the last
// position that hashed there (its low 16 bits; distances are taken modulo
// 1,024, so a fresh table's 0 points at a position's own 1 KiB boundary, as
// it does for ZFS's page-aligned buffers); a candidate whose three bytes
// match is extended to at most 66 bytes. The last 65 bytes are literals.

const MATCH_MIN: i32 = 3;
const MATCH_BITS: i32 = 6;
const MATCH_MAX: i32 = (1 << MATCH_BITS) + (MATCH_MIN - 1);
const OFFSET_MASK: i32 = (1 << 10) - 1;
const LEMPEL_SIZE: i32 = 1024;

/**
 * Compresses `source[0, length)` into `target`: the compressed length, or
 * `length` when the stream would not fit in `targetLength` (ZFS then
 * stores the block uncompressed).
 */
export function lzjbCompress(source: Uint8Array, length: i32, target: Uint8Array, targetLength: i32): i32 {
  const table = new StaticArray<u16>(LEMPEL_SIZE);
  const src = source.dataStart;
  const dst = target.dataStart;
  let s = 0;
  let d = 0;
  let map = -1;
  let mask: i32 = 0x80;
  while (s < length) {
    mask <<= 1;
    if (mask == 0x100) {
      if (d >= targetLength - 1 - 2 * 8) return length;
      mask = 1;
      map = d;
      store<u8>(dst + <usize>d, 0);
      d++;
    }
    if (s > length - MATCH_MAX) {
      store<u8>(dst + <usize>d, load<u8>(src + <usize>s));
      d++;
      s++;
      continue;
    }
    let hash = (<i32>load<u8>(src + <usize>s) << 16) + (<i32>load<u8>(src + <usize>(s + 1)) << 8) + <i32>load<u8>(src + <usize>(s + 2));
    hash += hash >> 9;
    hash += hash >> 5;
    const slot = hash & (LEMPEL_SIZE - 1);
    const offset = (s - <i32>unchecked(table[slot])) & OFFSET_MASK;
    unchecked(table[slot] = <u16>s);
    const from = s - offset;
    if (from >= 0 && from != s && load<u8>(src + <usize>s) == load<u8>(src + <usize>from) &&
        load<u8>(src + <usize>(s + 1)) == load<u8>(src + <usize>(from + 1)) && load<u8>(src + <usize>(s + 2)) == load<u8>(src + <usize>(from + 2))) {
      store<u8>(dst + <usize>map, load<u8>(dst + <usize>map) | <u8>mask);
      let matched = MATCH_MIN;
      while (matched < MATCH_MAX && load<u8>(src + <usize>(s + matched)) == load<u8>(src + <usize>(from + matched))) matched++;
      store<u8>(dst + <usize>d, <u8>(((matched - MATCH_MIN) << (8 - MATCH_BITS)) | (offset >> 8)));
      store<u8>(dst + <usize>(d + 1), <u8>offset);
      d += 2;
      s += matched;
    } else {
      store<u8>(dst + <usize>d, load<u8>(src + <usize>s));
      d++;
      s++;
    }
  }
  return d;
}

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
