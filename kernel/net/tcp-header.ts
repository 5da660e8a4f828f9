// The TCP header (RFC 9293 3.1), its options (MSS, window scale; RFC 7323),
// sequence-number arithmetic, and the parsed form of an arriving segment.
//
//    0 +-------------------------------+
//      | source port 2 | dest. port 2  |
//    4 | sequence number             4 |
//    8 | acknowledgment number       4 |
//   12 | data offset (words) << 4      |   5..15
//   13 | flags                         |   FIN 1, SYN 2, RST 4, PSH 8, ACK 16, URG 32
//   14 | window 2                      |
//   16 | checksum 2 | urgent pointer 2 |
//   20 | options ...                   |   kind 0 end, 1 no-op, 2 MSS (len 4), 3 window scale (len 3)
//      +-------------------------------+
//
// parseSegment refuses (dropped and counted by the caller's reason) a
// segment shorter than its header, a data offset below 5 or past the end,
// a checksum that fails, and options that run off the end of the header or
// have a length below 2; unknown options are skipped by their length.
// Sequence numbers compare modulo 2^32 (seqLt etc.).

import { get8, get16, get32, put8, put16, put32, checksumAdd, checksumFinish } from "./buffers";
import { PROTOCOL_TCP } from "./ipv4";
import { pseudoHeaderSum } from "./ip";
import { TCP_TRUNCATED, TCP_BAD_HEADER_LENGTH, TCP_BAD_CHECKSUM, TCP_BAD_OPTION } from "./counters";

export const TCP_HEADER: u32 = 20;
export const FIN: u32 = 1;
export const SYN: u32 = 2;
export const RST: u32 = 4;
export const PSH: u32 = 8;
export const ACK: u32 = 16;
export const URG: u32 = 32;
/** The largest window scale shift (RFC 7323 2.3). */
export const MAX_WINDOW_SHIFT: u32 = 14;

const SOURCE_PORT: usize = 0;
const DESTINATION_PORT: usize = 2;
const SEQUENCE: usize = 4;
const ACKNOWLEDGMENT: usize = 8;
const DATA_OFFSET: usize = 12;
const FLAGS: usize = 13;
const WINDOW: usize = 14;
const CHECKSUM: usize = 16;
const URGENT: usize = 18;
const OPTION_END: u32 = 0;
const OPTION_NOP: u32 = 1;
const OPTION_MSS: u32 = 2;
const OPTION_WINDOW_SCALE: u32 = 3;

// @ts-ignore: decorator
@inline export function seqLt(a: u32, b: u32): bool { return <i32>(a - b) < 0; }
// @ts-ignore: decorator
@inline export function seqLeq(a: u32, b: u32): bool { return <i32>(a - b) <= 0; }
// @ts-ignore: decorator
@inline export function seqGt(a: u32, b: u32): bool { return <i32>(a - b) > 0; }
// @ts-ignore: decorator
@inline export function seqGeq(a: u32, b: u32): bool { return <i32>(a - b) >= 0; }

/** An arriving segment, parsed (one per stack, reused). */
export class Segment {
  /** The addresses, as ip.ts pairs (an IPv4 one mapped). */
  sourceHigh: u64 = 0;
  sourceLow: u64 = 0;
  destinationHigh: u64 = 0;
  destinationLow: u64 = 0;
  sourcePort: u32 = 0;
  destinationPort: u32 = 0;
  seq: u32 = 0;
  ack: u32 = 0;
  flags: u32 = 0;
  window: u32 = 0;
  data: usize = 0;
  dataLength: u32 = 0;
  /** The MSS option's value, 0 when absent. */
  mss: u32 = 0;
  /** The window scale option's shift (clamped to 14), -1 when absent. */
  windowShift: i32 = -1;

  /** The sequence space the segment occupies: its data, and one each for SYN and FIN. */
  get length(): u32 {
    return this.dataLength + (this.flags & SYN ? 1 : 0) + (this.flags & FIN ? 1 : 0);
  }

  has(flag: u32): bool {
    return (this.flags & flag) != 0;
  }
}

/** Parses the TCP packet of `length` bytes at `packet`, from and to the given addresses, into `segment`: 0, or the counter of why it is refused. */
export function parseSegment(
  segment: Segment, sourceHigh: u64, sourceLow: u64, destinationHigh: u64, destinationLow: u64, packet: usize, length: u32,
): i32 {
  if (length < TCP_HEADER) return TCP_TRUNCATED;
  const headerLength = (get8(packet + DATA_OFFSET) >> 4) << 2;
  if (headerLength < TCP_HEADER || headerLength > length) return TCP_BAD_HEADER_LENGTH;
  const pseudo = pseudoHeaderSum(sourceHigh, sourceLow, destinationHigh, destinationLow, PROTOCOL_TCP, length);
  if (checksumFinish(checksumAdd(pseudo, packet, length)) != 0) return TCP_BAD_CHECKSUM;
  segment.sourceHigh = sourceHigh;
  segment.sourceLow = sourceLow;
  segment.destinationHigh = destinationHigh;
  segment.destinationLow = destinationLow;
  segment.sourcePort = get16(packet + SOURCE_PORT);
  segment.destinationPort = get16(packet + DESTINATION_PORT);
  segment.seq = get32(packet + SEQUENCE);
  segment.ack = get32(packet + ACKNOWLEDGMENT);
  segment.flags = get8(packet + FLAGS) & 0x3f;
  segment.window = get16(packet + WINDOW);
  segment.data = packet + headerLength;
  segment.dataLength = length - headerLength;
  segment.mss = 0;
  segment.windowShift = -1;
  let at: u32 = TCP_HEADER;
  while (at < headerLength) {
    const kind = get8(packet + at);
    if (kind == OPTION_END) break;
    if (kind == OPTION_NOP) {
      at++;
      continue;
    }
    if (at + 1 >= headerLength) return TCP_BAD_OPTION;
    const size = get8(packet + at + 1);
    if (size < 2 || at + size > headerLength) return TCP_BAD_OPTION;
    if (kind == OPTION_MSS) {
      if (size != 4) return TCP_BAD_OPTION;
      segment.mss = get16(packet + at + 2);
    } else if (kind == OPTION_WINDOW_SCALE) {
      if (size != 3) return TCP_BAD_OPTION;
      segment.windowShift = <i32>min<u32>(get8(packet + at + 2), MAX_WINDOW_SHIFT);
    }
    at += size;
  }
  return 0;
}

/**
 * Writes a header at `packet` (options: MSS and window scale when `mss` is
 * not 0, a SYN's), then the checksum over it and `dataLength` bytes the
 * caller already put after it; the header's length.
 */
export function writeHeader(
  packet: usize, sourcePort: u32, destinationPort: u32, seq: u32, ack: u32, flags: u32, window: u32, mss: u32, windowShift: i32,
): u32 {
  let headerLength = TCP_HEADER;
  if (mss != 0) headerLength += 4;
  if (windowShift >= 0) headerLength += 4;
  put16(packet + SOURCE_PORT, sourcePort);
  put16(packet + DESTINATION_PORT, destinationPort);
  put32(packet + SEQUENCE, seq);
  put32(packet + ACKNOWLEDGMENT, ack);
  put8(packet + DATA_OFFSET, (headerLength >> 2) << 4);
  put8(packet + FLAGS, flags);
  put16(packet + WINDOW, window);
  put16(packet + CHECKSUM, 0);
  put16(packet + URGENT, 0);
  let at: usize = TCP_HEADER;
  if (mss != 0) {
    put8(packet + at, OPTION_MSS);
    put8(packet + at + 1, 4);
    put16(packet + at + 2, mss);
    at += 4;
  }
  if (windowShift >= 0) {
    put8(packet + at, OPTION_NOP);
    put8(packet + at + 1, OPTION_WINDOW_SCALE);
    put8(packet + at + 2, 3);
    put8(packet + at + 3, <u32>windowShift);
  }
  return headerLength;
}

/** Fills in the checksum of the `length`-byte segment at `packet` from `source` to `destination`. */
export function finishChecksum(
  packet: usize, sourceHigh: u64, sourceLow: u64, destinationHigh: u64, destinationLow: u64, length: u32,
): void {
  const pseudo = pseudoHeaderSum(sourceHigh, sourceLow, destinationHigh, destinationLow, PROTOCOL_TCP, length);
  put16(packet + CHECKSUM, checksumFinish(checksumAdd(pseudo, packet, length)));
}
