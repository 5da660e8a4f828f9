// Domain names for the DNS stub resolver: text to wire form, wire form out
// of a message (decompressed), and comparing two wire forms.
//
// The wire form (RFC 1035 3.1) is a length byte and that many bytes per
// label, ending with the root's zero: "ab.c" is 02 'a' 'b' 01 'c' 00. Every
// name the resolver holds is in this form, uncompressed, in a buffer of
// DNS_NAME_MAX_BYTES (255) bytes at least; comparisons ignore ASCII case
// (RFC 4343), and case is kept as given.
//
// Reading a name out of a reply (RFC 1035 4.1.4) checks every read against
// the message's length. A pointer (top bits 11) must point before itself, so
// a chain of pointers only goes backwards; at most DNS_MAX_POINTER_HOPS are
// followed in one name, which stops loops made of labels and pointers; the
// decompressed name must fit 255 bytes; label types 01 and 10 are refused.

import { get8, put8 } from "./buffers";
import {
  DNS_NAME_MAX_BYTES, DNS_NAME_MAX_TEXT, DNS_LABEL_MAX, DNS_MAX_POINTER_HOPS, DNS_NAME_EMPTY_LABEL,
  DNS_NAME_LABEL_TOO_LONG, DNS_NAME_TOO_LONG, DNS_NAME_BAD_CHARACTER, DNS_NAME_RUNS_OFF, DNS_POINTER_FORWARD,
  DNS_POINTER_LOOP, DNS_LABEL_TYPE, DNS_REPLY_NAME_TOO_LONG,
} from "./dns-codes";

const DOT: i32 = 0x2e;
const POINTER: u32 = 0xc0;

/** Letters, digits, '-' and '_' (service labels such as _sip use '_'). */
function isLabelCharacter(c: i32): bool {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x5f;
}

/**
 * Writes `name` (text; one trailing dot allowed) in wire form at `into`
 * (DNS_NAME_MAX_BYTES bytes of room): its length, or -DNS_NAME_EMPTY_LABEL,
 * -DNS_NAME_LABEL_TOO_LONG, -DNS_NAME_TOO_LONG or -DNS_NAME_BAD_CHARACTER.
 */
export function encodeName(name: string, into: usize): i32 {
  let length = name.length;
  if (length > 0 && name.charCodeAt(length - 1) == DOT) length--;
  if (length == 0) return -DNS_NAME_EMPTY_LABEL;
  if (<u32>length > DNS_NAME_MAX_TEXT) return -DNS_NAME_TOO_LONG;
  let labelAt: u32 = 0; // where the current label's length byte goes
  let written: u32 = 1;
  for (let i = 0; i <= length; i++) {
    const c = i < length ? name.charCodeAt(i) : DOT; // the end closes the last label
    if (c == DOT) {
      const labelLength = written - labelAt - 1;
      if (labelLength == 0) return -DNS_NAME_EMPTY_LABEL;
      if (labelLength > DNS_LABEL_MAX) return -DNS_NAME_LABEL_TOO_LONG;
      put8(into + labelAt, labelLength);
      labelAt = written++;
    } else {
      if (!isLabelCharacter(c)) return -DNS_NAME_BAD_CHARACTER;
      put8(into + written++, <u32>c);
    }
  }
  put8(into + labelAt, 0); // the root
  return <i32>written;
}

/**
 * Reads the name at `offset` of the message [message, message + length) into
 * `into` (DNS_NAME_MAX_BYTES bytes of room), decompressed: the offset just
 * past the name where it stands (past its first pointer, or its root byte),
 * or -DNS_NAME_RUNS_OFF, -DNS_POINTER_FORWARD, -DNS_POINTER_LOOP,
 * -DNS_LABEL_TYPE or -DNS_REPLY_NAME_TOO_LONG.
 */
export function readName(message: usize, length: u32, offset: u32, into: usize): i32 {
  let at = offset;
  let end: i32 = -1;
  let written: u32 = 0;
  let hops: u32 = 0;
  while (true) {
    if (at >= length) return -DNS_NAME_RUNS_OFF;
    const labelLength = get8(message + at);
    if (labelLength == 0) {
      put8(into + written, 0);
      return end >= 0 ? end : <i32>(at + 1);
    }
    const kind = labelLength & POINTER;
    if (kind == POINTER) {
      if (at + 1 >= length) return -DNS_NAME_RUNS_OFF;
      const target = ((labelLength & 0x3f) << 8) | get8(message + at + 1);
      if (target >= at) return -DNS_POINTER_FORWARD;
      if (++hops > DNS_MAX_POINTER_HOPS) return -DNS_POINTER_LOOP;
      if (end < 0) end = <i32>(at + 2);
      at = target;
      continue;
    }
    if (kind != 0) return -DNS_LABEL_TYPE;
    if (at + 1 + labelLength > length) return -DNS_NAME_RUNS_OFF;
    if (written + 1 + labelLength + 1 > DNS_NAME_MAX_BYTES) return -DNS_REPLY_NAME_TOO_LONG; // room for the root too
    memory.copy(into + written, message + at, 1 + labelLength);
    written += 1 + labelLength;
    at += 1 + labelLength;
  }
  return -DNS_NAME_RUNS_OFF; // not reached
}

// @ts-ignore: decorator
@inline function lowercase(c: u32): u32 {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

/** Whether two wire-form names are the same, ignoring ASCII case (length bytes, at most 63, are below 'A'). */
export function namesEqual(a: usize, b: usize): bool {
  let at: usize = 0;
  while (true) {
    const labelLength = get8(a + at);
    if (labelLength != get8(b + at)) return false;
    if (labelLength == 0) return true;
    for (let i: usize = 1; i <= <usize>labelLength; i++) {
      if (lowercase(get8(a + at + i)) != lowercase(get8(b + at + i))) return false;
    }
    at += 1 + <usize>labelLength;
  }
  return false; // not reached
}

/** The bytes of a wire-form name, its root byte included. */
export function nameBytes(name: usize): u32 {
  let at: u32 = 0;
  while (get8(name + at) != 0) at += 1 + get8(name + at);
  return at + 1;
}
