// Refusals for the ELF loader: the message is built in a static buffer and
// recorded as the failure's detail at the end (kernel/failure.ts), so a
// refused module costs exactly one allocation, the message; end() returns
// -ENOEXEC.
//
//   begin("segment "); decimal(2); return end(" lies outside the file");
//
// Text past MESSAGE_MAX bytes is cut. Names taken from the module are copied
// byte by byte up to their NUL within the bounds the caller gives, with
// bytes outside printable ASCII shown as '?'.

import { formatUnsigned, FORMAT_BUFFER_SIZE } from "../../kernel/format";
import { fail as recordFailure } from "../../kernel/failure";
import { ENOEXEC } from "../../kernel/errno";

const MESSAGE_MAX: usize = 240;
const buffer = memory.data(<i32>MESSAGE_MAX + FORMAT_BUFFER_SIZE);
let length: usize = 0;

/** Starts a message with `text` (ASCII). */
export function begin(text: string): void {
  length = 0;
  append(text);
}

/** Appends ASCII `text`. */
export function append(text: string): void {
  for (let i = 0; i < text.length && length < MESSAGE_MAX; i++) store<u8>(buffer + length++, <u8>text.charCodeAt(i));
}

export function decimal(value: u64): void {
  number(value, 10);
}

/** Appends `value` as 0x-prefixed hexadecimal. */
export function hex(value: u64): void {
  append("0x");
  number(value, 16);
}

/** Appends the NUL-terminated name at `address`, reading at most `limit` bytes. */
export function name(address: usize, limit: usize): void {
  for (let i: usize = 0; i < limit && length < MESSAGE_MAX; i++) {
    const byte = load<u8>(address + i);
    if (byte == 0) break;
    store<u8>(buffer + length++, byte >= 0x20 && byte < 0x7f ? byte : 0x3f);
  }
}

/** Ends the message with `text`, records it as the failure's detail, and returns -ENOEXEC. */
export function end(text: string): i32 {
  append(text);
  return recordFailure(ENOEXEC, String.UTF8.decodeUnsafe(buffer, length));
}

/** A whole refusal of one piece of text: -ENOEXEC. */
export function fail(text: string): i32 {
  begin(text);
  return end("");
}

function number(value: u64, base: u32): void {
  if (length >= MESSAGE_MAX) return;
  length += <usize>formatUnsigned(buffer + length, value, base);
}
