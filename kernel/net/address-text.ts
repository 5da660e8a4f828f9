// Numeric addresses written as host names, so the resolver answers
// "10.0.2.2" or "fe80::1" without asking a server.
//
//   numericAddress(name, into)            4 or 6 with the address at `into` (network order), 0 when not numeric
//   parseIpv6Address(text, start, end, into)  RFC 4291 2.2 text at text[start, end) into 16 bytes
//
// IPv4 is config.ts's dotted quad (parseAddress: four decimal parts 0-255;
// no shorter inet_aton forms). IPv6 is eight groups of 1-4 hex digits
// separated by ':', where one "::" stands for one or more groups of zeros,
// and the last two groups may be a dotted quad (::ffff:10.0.2.2). Zone
// suffixes (%eth0) and brackets are not accepted.

import { parseAddress } from "./config";
import { put16, put32 } from "./buffers";

const COLON: i32 = 0x3a;
const DOT: i32 = 0x2e;
const GROUPS: i32 = 8;

/** A hex digit's value, or -1. */
function hexValue(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** Parses IPv6 text at text[start, end) into the 16 bytes at `into` (written even on failure): whether it is one. */
export function parseIpv6Address(text: string, start: i32, end: i32, into: usize): bool {
  let groups: i32 = 0; // written so far, big-endian, from `into`
  let gap: i32 = -1; // the group index where "::" stands
  let i = start;
  if (end - start >= 2 && text.charCodeAt(i) == COLON && text.charCodeAt(i + 1) == COLON) {
    gap = 0;
    i += 2;
  }
  while (i < end) {
    let j = i;
    let value: i32 = 0;
    while (j < end && j - i < 5 && hexValue(text.charCodeAt(j)) >= 0) value = (value << 4) | hexValue(text.charCodeAt(j++));
    if (j < end && text.charCodeAt(j) == DOT) {
      // A dotted quad closes the address, as the last two groups.
      const quad = parseAddress(text, i, end);
      if (quad < 0 || groups > GROUPS - 2) return false;
      put32(into + (<usize>groups << 1), <u32>quad);
      groups += 2;
      i = end;
      break;
    }
    if (j == i || j - i > 4 || groups == GROUPS) return false;
    put16(into + (<usize>groups << 1), <u32>value);
    groups++;
    i = j;
    if (i == end) break;
    if (text.charCodeAt(i) != COLON) return false;
    i++;
    if (i < end && text.charCodeAt(i) == COLON) {
      if (gap >= 0) return false;
      gap = groups;
      i++;
    } else if (i == end) {
      return false; // a single trailing ':'
    }
  }
  if (gap < 0) return groups == GROUPS;
  if (groups == GROUPS) return false; // "::" must stand for at least one group
  const tail = groups - gap;
  const moved = into + (<usize>(GROUPS - tail) << 1);
  memory.copy(moved, into + (<usize>gap << 1), <usize>tail << 1);
  memory.fill(into + (<usize>gap << 1), 0, <usize>(GROUPS - tail - gap) << 1);
  return true;
}

/**
 * Whether `name` is a numeric address: 4 with its 4 bytes at `into`, 6 with
 * its 16 bytes at `into` (network order; `into` has 16 bytes of room), or 0
 * when it is a name to look up.
 */
export function numericAddress(name: string, into: usize): u32 {
  const length = name.length;
  const ipv4 = parseAddress(name, 0, length);
  if (ipv4 >= 0) {
    put32(into, <u32>ipv4);
    return 4;
  }
  return parseIpv6Address(name, 0, length, into) ? 6 : 0;
}
