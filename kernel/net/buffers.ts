// Packet bytes and the memory the stack holds.
//
// Wire fields are big-endian at any alignment: get16/put16/get32/put32 are
// the only loads and stores the protocol files use on packet bytes, with
// offsets named next to each header's diagram. checksumAdd/checksumFinish
// are the Internet checksum (RFC 1071). ByteRing is the circular buffer a
// TCP connection keeps its send and receive bytes in; its receive side also
// holds out-of-order bytes at their place past the in-order ones.
//
// Every block the stack allocates goes through its MemoryBudget: the budget
// counts the bytes held (the stack's `meminfo` number), refuses past the
// stack's limit or when the kernel's free memory is down to its reserve, and
// so a shortage drops a packet (counted by the caller) instead of trapping.

import { malloc, free, memoryAvailable, memoryReady } from "../mm/index";

// @ts-ignore: decorator
@inline export function get8(p: usize): u32 {
  return <u32>load<u8>(p);
}
// @ts-ignore: decorator
@inline export function get16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}
// @ts-ignore: decorator
@inline export function get32(p: usize): u32 {
  return bswap<u32>(load<u32>(p));
}
// @ts-ignore: decorator
@inline export function put8(p: usize, value: u32): void {
  store<u8>(p, <u8>value);
}
// @ts-ignore: decorator
@inline export function put16(p: usize, value: u32): void {
  store<u16>(p, bswap<u16>(<u16>value));
}
// @ts-ignore: decorator
@inline export function put32(p: usize, value: u32): void {
  store<u32>(p, bswap<u32>(value));
}

/** Adds `length` bytes at `p` to a running checksum sum (16-bit big-endian words; an odd last byte is padded). */
export function checksumAdd(sum: u64, p: usize, length: u32): u64 {
  let i: u32 = 0;
  while (i + 1 < length) {
    sum += <u64>get16(p + i);
    i += 2;
  }
  if (i < length) sum += <u64>(get8(p + i) << 8);
  return sum;
}

/** The checksum field for a sum: its ones' complement, folded to 16 bits. A packet that sums with its checksum to 0 is intact. */
export function checksumFinish(sum: u64): u32 {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return <u32>(~sum) & 0xffff;
}

/**
 * The memory one stack holds: every block it takes is counted here and
 * refused (0) past `limit` or when the kernel is short of memory.
 */
export class MemoryBudget {
  held: u64 = 0;
  /** The most held at once. */
  peak: u64 = 0;
  constructor(public limit: u64) {}

  /** Whether `bytes` more may be taken (for objects made with `new`, which would trap when memory is gone). */
  allows(bytes: u64): bool {
    if (this.held + bytes > this.limit) return false;
    return !memoryReady() || memoryAvailable(bytes);
  }

  /** A block of `bytes`, or 0 (refused or memory exhausted). */
  take(bytes: u32): usize {
    if (!this.allows(<u64>bytes)) return 0;
    const block = malloc(<usize>bytes);
    if (block != 0) this.count(<u64>bytes);
    return block;
  }

  give(block: usize, bytes: u32): void {
    free(block);
    this.held -= <u64>bytes;
  }

  /** Counts an object made with `new` (after allows()). */
  count(bytes: u64): void {
    this.held += bytes;
    if (this.held > this.peak) this.peak = this.held;
  }

  /** Frees an object counted with count(). */
  release(object: usize, bytes: u64): void {
    heap.free(object);
    this.held -= bytes;
  }
}

/**
 * `capacity` bytes in a circle. The live bytes are `length` bytes from
 * `head`; bytes may also be written past them (at an offset from head) and
 * adopted later with grow().
 */
export class ByteRing {
  head: u32 = 0;
  length: u32 = 0;
  constructor(public data: usize, public capacity: u32) {}

  get room(): u32 {
    return this.capacity - this.length;
  }

  /** Copies `count` bytes from `from` to `offset` bytes past head (offset + count <= capacity). */
  writeAt(offset: u32, from: usize, count: u32): void {
    let at = (this.head + offset) % this.capacity;
    const first = min<u32>(count, this.capacity - at);
    memory.copy(this.data + at, from, first);
    if (first < count) memory.copy(this.data, from + first, count - first);
  }

  /** Copies `count` bytes from `offset` bytes past head to `to`. */
  readAt(offset: u32, to: usize, count: u32): void {
    let at = (this.head + offset) % this.capacity;
    const first = min<u32>(count, this.capacity - at);
    memory.copy(to, this.data + at, first);
    if (first < count) memory.copy(to + first, this.data, count - first);
  }

  /** Appends up to `count` bytes; how many fitted. */
  append(from: usize, count: u32): u32 {
    const n = min<u32>(count, this.room);
    this.writeAt(this.length, from, n);
    this.length += n;
    return n;
  }

  /** Adopts `count` bytes already written past the live ones. */
  grow(count: u32): void {
    this.length += count;
  }

  /** Drops `count` bytes from the front. */
  discard(count: u32): void {
    this.head = (this.head + count) % this.capacity;
    this.length -= count; // head stays where it is: bytes written past the live ones keep their place
  }
}
