// Deflate for ZFS's gzip-1..9 on write: a zlib stream (RFC 1950: the
// header 78 01, the data, its Adler-32) around one final deflate block
// (RFC 1951) with the fixed Huffman codes. Repeats are found through a hash
// of the next three bytes (the most recent position with that hash, within
// the 32 KiB window), matches run to 258 bytes. Every level is written the
// same way: the level only tells zlib how hard to look, and any reader
// inflates the result. inflate.ts reads it back; so do zlib and zfs-fuse.

import { LENGTH_BASE, LENGTH_EXTRA, DISTANCE_BASE, DISTANCE_EXTRA, adler32 } from "./zlib-format";

const WINDOW: i32 = 32768;
const MIN_MATCH: i32 = 3;
const MAX_MATCH: i32 = 258;
const HASH_BITS: u32 = 13;
const END_OF_BLOCK: i32 = 256;

/** Writes bits least significant first, as deflate packs them, into a bounded buffer. */
class BitWriter {
  bits: u64 = 0;
  count: u32 = 0;
  at: i32 = 0;
  full: bool = false;

  constructor(public target: Uint8Array, public limit: i32) {}

  put(value: u32, length: u32): void {
    this.bits |= <u64>value << this.count;
    this.count += length;
    while (this.count >= 8) {
      if (this.at >= this.limit) {
        this.full = true;
        this.count = 0;
        return;
      }
      unchecked(this.target[this.at++] = <u8>this.bits);
      this.bits >>= 8;
      this.count -= 8;
    }
  }

  /** Pads to a byte boundary. */
  flush(): void {
    if (this.count > 0) this.put(0, 8 - this.count);
  }
}

/** `code`'s low `length` bits in reverse order (Huffman codes are sent most significant bit first). */
function reversed(code: u32, length: u32): u32 {
  let result: u32 = 0;
  for (let i: u32 = 0; i < length; i++) {
    result = (result << 1) | (code & 1);
    code >>= 1;
  }
  return result;
}

/** Sends literal/length symbol `symbol` (0..285) in the fixed code. */
function putSymbol(out: BitWriter, symbol: i32): void {
  if (symbol < 144) out.put(reversed(<u32>(0x30 + symbol), 8), 8);
  else if (symbol < 256) out.put(reversed(<u32>(0x190 + symbol - 144), 9), 9);
  else if (symbol < 280) out.put(reversed(<u32>(symbol - 256), 7), 7);
  else out.put(reversed(<u32>(0xc0 + symbol - 280), 8), 8);
}

/** Sends a match of `length` (3..258) bytes `distance` (1..32768) back. */
function putMatch(out: BitWriter, length: i32, distance: i32): void {
  let code = 0;
  while (code < 28 && <i32>unchecked(LENGTH_BASE[code + 1]) <= length) code++;
  putSymbol(out, 257 + code);
  const lengthExtra = <u32>unchecked(LENGTH_EXTRA[code]);
  if (lengthExtra > 0) out.put(<u32>(length - <i32>unchecked(LENGTH_BASE[code])), lengthExtra);
  let place = 0;
  while (place < 29 && <i32>unchecked(DISTANCE_BASE[place + 1]) <= distance) place++;
  out.put(reversed(<u32>place, 5), 5);
  const distanceExtra = <u32>unchecked(DISTANCE_EXTRA[place]);
  if (distanceExtra > 0) out.put(<u32>(distance - <i32>unchecked(DISTANCE_BASE[place])), distanceExtra);
}

function hashAt(source: Uint8Array, at: i32): u32 {
  const word = (<u32>unchecked(source[at]) << 16) | (<u32>unchecked(source[at + 1]) << 8) | <u32>unchecked(source[at + 2]);
  return (word * 2654435761) >> (32 - HASH_BITS);
}

/**
 * Compresses `source[0, length)` into `target` as a zlib stream; returns its
 * length, or `length` if it would not be shorter than `limit` bytes (the
 * block is then stored as it is).
 */
export function zlibDeflate(source: Uint8Array, length: i32, target: Uint8Array, limit: i32): i32 {
  const out = new BitWriter(target, min<i32>(limit, target.length));
  out.put(0x78, 8); // deflate, 32 KiB window
  out.put(0x01, 8); // no dictionary, fastest; (0x78 << 8 | 0x01) % 31 == 0
  out.put(1, 1); // the final block
  out.put(1, 2); // fixed Huffman codes
  const heads = new StaticArray<i32>(1 << HASH_BITS); // position + 1 of the latest three bytes with each hash
  let at = 0;
  while (at < length && !out.full) {
    let matchLength = 0;
    let matchDistance = 0;
    if (at + MIN_MATCH <= length) {
      const hash = hashAt(source, at);
      const candidate = unchecked(heads[hash]) - 1;
      unchecked(heads[hash] = at + 1);
      if (candidate >= 0 && at - candidate <= WINDOW) {
        const most = min<i32>(MAX_MATCH, length - at);
        let run = 0;
        while (run < most && unchecked(source[candidate + run]) == unchecked(source[at + run])) run++;
        if (run >= MIN_MATCH) {
          matchLength = run;
          matchDistance = at - candidate;
        }
      }
    }
    if (matchLength > 0) {
      putMatch(out, matchLength, matchDistance);
      // The positions the match covers enter the table too, so later repeats find them.
      const end = at + matchLength;
      for (let next = at + 1; next < end && next + MIN_MATCH <= length; next++) unchecked(heads[hashAt(source, next)] = next + 1);
      at = end;
    } else {
      putSymbol(out, <i32>unchecked(source[at]));
      at++;
    }
  }
  putSymbol(out, END_OF_BLOCK);
  out.flush();
  const check = adler32(source, length);
  out.put(check >> 24, 8);
  out.put((check >> 16) & 0xff, 8);
  out.put((check >> 8) & 0xff, 8);
  out.put(check & 0xff, 8);
  if (out.full || out.at >= limit) return length;
  return out.at;
}
