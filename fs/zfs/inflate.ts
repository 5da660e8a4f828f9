// Inflate (RFC 1950 zlib around RFC 1951 deflate): ZFS's gzip-1..9 blocks
// are zlib streams (compress2 on write, uncompress on read). Canonical
// Huffman codes are decoded a bit at a time from counts per length, as in
// RFC 1951 section 3.2.2; every input and output access is bounded, and the
// Adler-32 at the end is checked, so a corrupt stream answers false.

import { LENGTH_BASE, LENGTH_EXTRA, DISTANCE_BASE, DISTANCE_EXTRA, adler32 } from "./zlib-format";

const CODE_LENGTH_ORDER: StaticArray<u8> = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** A canonical Huffman code: how many codes of each length, and the symbols in code order. */
class Huffman {
  counts: StaticArray<u16> = new StaticArray<u16>(16);
  symbols: StaticArray<u16> = new StaticArray<u16>(320);

  /** Builds from `lengths[0, n)`; false if over-subscribed. */
  build(lengths: StaticArray<u8>, n: i32): bool {
    const offsets = new StaticArray<u16>(16);
    for (let i = 0; i < 16; i++) this.counts[i] = 0;
    for (let i = 0; i < n; i++) this.counts[lengths[i]]++;
    this.counts[0] = 0;
    let left = 1;
    for (let length = 1; length < 16; length++) {
      left = (left << 1) - <i32>this.counts[length];
      if (left < 0) return false;
    }
    for (let length = 1; length < 15; length++) offsets[length + 1] = offsets[length] + this.counts[length];
    for (let i = 0; i < n; i++) {
      const length = lengths[i];
      if (length != 0) this.symbols[offsets[length]++] = <u16>i;
    }
    return true;
  }
}

class Stream {
  source: Uint8Array;
  sourceEnd: i32;
  at: i32 = 0;
  bitBuffer: u32 = 0;
  bitCount: i32 = 0;
  failed: bool = false;
  target: Uint8Array;
  targetEnd: i32;
  out: i32 = 0;

  constructor(source: Uint8Array, sourceEnd: i32, target: Uint8Array, targetEnd: i32) {
    this.source = source;
    this.sourceEnd = sourceEnd;
    this.target = target;
    this.targetEnd = targetEnd;
  }

  bits(n: i32): u32 {
    while (this.bitCount < n) {
      if (this.at >= this.sourceEnd) {
        this.failed = true;
        return 0;
      }
      this.bitBuffer |= <u32>this.source[this.at++] << this.bitCount;
      this.bitCount += 8;
    }
    const value = this.bitBuffer & ((1 << n) - 1);
    this.bitBuffer = n == 32 ? 0 : this.bitBuffer >>> n;
    this.bitCount -= n;
    return value;
  }

  /** The next symbol of `code`, or -1. */
  decode(code: Huffman): i32 {
    let value = 0;
    let first = 0;
    let index = 0;
    for (let length = 1; length < 16; length++) {
      value |= <i32>this.bits(1);
      if (this.failed) return -1;
      const count = <i32>code.counts[length];
      if (value - first < count) return <i32>code.symbols[index + value - first];
      index += count;
      first = (first + count) << 1;
      value <<= 1;
    }
    return -1;
  }
}

const literalCode = new Huffman();
const distanceCode = new Huffman();
const lengths = new StaticArray<u8>(320);

function fixedCodes(): void {
  for (let i = 0; i < 288; i++) lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  literalCode.build(lengths, 288);
  for (let i = 0; i < 30; i++) lengths[i] = 5;
  distanceCode.build(lengths, 30);
}

function dynamicCodes(stream: Stream): bool {
  const literals = <i32>stream.bits(5) + 257;
  const distances = <i32>stream.bits(5) + 1;
  const codeLengths = <i32>stream.bits(4) + 4;
  if (literals > 286 || distances > 30) return false;
  for (let i = 0; i < 19; i++) lengths[CODE_LENGTH_ORDER[i]] = i < codeLengths ? <u8>stream.bits(3) : 0;
  if (stream.failed || !literalCode.build(lengths, 19)) return false;
  const total = literals + distances;
  const all = new StaticArray<u8>(320);
  let i = 0;
  while (i < total) {
    const symbol = stream.decode(literalCode);
    if (symbol < 0) return false;
    if (symbol < 16) {
      all[i++] = <u8>symbol;
      continue;
    }
    let repeat = 0;
    let value: u8 = 0;
    if (symbol == 16) {
      if (i == 0) return false;
      value = all[i - 1];
      repeat = 3 + <i32>stream.bits(2);
    } else if (symbol == 17) {
      repeat = 3 + <i32>stream.bits(3);
    } else {
      repeat = 11 + <i32>stream.bits(7);
    }
    if (stream.failed || i + repeat > total) return false;
    while (repeat-- > 0) all[i++] = value;
  }
  for (let j = 0; j < literals; j++) lengths[j] = all[j];
  if (!literalCode.build(lengths, literals)) return false;
  for (let j = 0; j < distances; j++) lengths[j] = all[literals + j];
  return distanceCode.build(lengths, distances);
}

function huffmanBlock(stream: Stream): bool {
  const target = stream.target;
  for (;;) {
    const symbol = stream.decode(literalCode);
    if (symbol < 0) return false;
    if (symbol < 256) {
      if (stream.out >= stream.targetEnd) return false;
      target[stream.out++] = <u8>symbol;
    } else if (symbol == 256) {
      return true;
    } else {
      const index = symbol - 257;
      if (index >= 29) return false;
      const length = <i32>LENGTH_BASE[index] + <i32>stream.bits(LENGTH_EXTRA[index]);
      const distanceSymbol = stream.decode(distanceCode);
      if (distanceSymbol < 0 || distanceSymbol >= 30) return false;
      const distance = <i32>DISTANCE_BASE[distanceSymbol] + <i32>stream.bits(DISTANCE_EXTRA[distanceSymbol]);
      if (stream.failed || distance > stream.out || stream.out + length > stream.targetEnd) return false;
      for (let i = 0; i < length; i++) {
        target[stream.out] = target[stream.out - distance];
        stream.out++;
      }
    }
  }
  return false;
}

function storedBlock(stream: Stream): bool {
  stream.bitBuffer = 0;
  stream.bitCount = 0;
  const at = stream.at;
  if (at + 4 > stream.sourceEnd) return false;
  const source = stream.source;
  const length = <i32>source[at] | (<i32>source[at + 1] << 8);
  const check = <i32>source[at + 2] | (<i32>source[at + 3] << 8);
  if ((length ^ 0xffff) != check) return false;
  if (at + 4 + length > stream.sourceEnd || stream.out + length > stream.targetEnd) return false;
  memory.copy(stream.target.dataStart + <usize>stream.out, source.dataStart + <usize>(at + 4), <usize>length);
  stream.at = at + 4 + length;
  stream.out += length;
  return true;
}


/** Inflates the zlib stream `source[0, sourceLength)` into `target[0, targetLength)`; false if it is bad or too long. */
export function zlibInflate(source: Uint8Array, sourceLength: i32, target: Uint8Array, targetLength: i32): bool {
  if (sourceLength < 6 || sourceLength > source.length || targetLength > target.length) return false;
  const method = <u32>source[0];
  const flags = <u32>source[1];
  if ((method & 0x0f) != 8 || (method >> 4) > 7 || ((method << 8) | flags) % 31 != 0 || (flags & 0x20) != 0) return false;
  const stream = new Stream(source, sourceLength, target, targetLength);
  stream.at = 2;
  let last: u32 = 0;
  do {
    last = stream.bits(1);
    const kind = stream.bits(2);
    if (stream.failed) return false;
    let ok = false;
    if (kind == 0) ok = storedBlock(stream);
    else if (kind == 1) {
      fixedCodes();
      ok = huffmanBlock(stream);
    } else if (kind == 2) ok = dynamicCodes(stream) && huffmanBlock(stream);
    if (!ok || stream.failed) return false;
  } while (last == 0);
  const at = stream.at;
  if (at + 4 > sourceLength) return false;
  const expected = (<u32>source[at] << 24) | (<u32>source[at + 1] << 16) | (<u32>source[at + 2] << 8) | <u32>source[at + 3];
  return expected == adler32(target, stream.out);
}
