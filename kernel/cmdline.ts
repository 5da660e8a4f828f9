// The kernel command line: `word` flags and `key=value` options separated by
// spaces; a value may be double-quoted to hold spaces (`panic="disk on fire"`).
// Everything after a lone `--` belongs to the application, untouched.
//
// parseCommandLine never fails silently: a malformed line (an unterminated
// quote, an empty key) is -EINVAL with the reason (kernel/failure.ts), and
// the kernel stops with that message.

import { fail } from "./failure";
import { EINVAL } from "./errno";

export class CommandLine {
  keys: string[] = [];
  values: string[] = [];
  /** Words after `--`, for the application. */
  appArguments: string[] = [];
}

const SPACE: i32 = 0x20;
const TAB: i32 = 0x09;
const NEWLINE: i32 = 0x0a;
const QUOTE: i32 = 0x22;
const EQUALS: i32 = 0x3d;

function isSpace(c: i32): bool {
  return c == SPACE || c == TAB || c == NEWLINE || c == 0x0d;
}

/** Parses `text` into `line` (fresh); 0, or -EINVAL with what is malformed (`line` then holds what came before). */
export function parseCommandLine(text: string, line: CommandLine): i32 {
  const n = text.length;
  let i = 0;
  let afterSeparator = false;
  while (i < n) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    // One word: the common unquoted one is cut out of the line as it is;
    // one with quotes is glued together from its pieces (quotedWord).
    const start = i;
    let keyEnd = -1;
    let quoted = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isSpace(c)) break;
      if (c == QUOTE) {
        quoted = true;
        break;
      }
      if (c == EQUALS && keyEnd < 0) keyEnd = i - start;
      i++;
    }
    let word: string;
    if (quoted) {
      const end = quotedWordEnd(text, start);
      if (end < 0) return fail(EINVAL, "unterminated quote in the command line");
      word = quotedWord(text, start, end);
      keyEnd = quotedKeyEnd;
      i = end;
    } else {
      word = text.substring(start, i);
    }
    if (afterSeparator) {
      line.appArguments.push(word);
    } else if (word == "--") {
      afterSeparator = true;
    } else if (keyEnd == 0 || word.length == 0) {
      return fail(EINVAL, "option with an empty name: '" + word + "'");
    } else if (keyEnd > 0) {
      line.keys.push(word.substring(0, keyEnd));
      line.values.push(word.substring(keyEnd + 1));
    } else {
      line.keys.push(word);
      line.values.push("");
    }
  }
  return 0;
}

/** Where the word starting at `start` that holds a quote ends (its closing quotes matched), or -1 if a quote is not closed. */
function quotedWordEnd(text: string, start: i32): i32 {
  const n = text.length;
  let i = start;
  while (i < n && !isSpace(text.charCodeAt(i))) {
    if (text.charCodeAt(i) == QUOTE) {
      const close = text.indexOf("\"", i + 1);
      if (close < 0) return -1;
      i = close + 1;
    } else {
      i++;
    }
  }
  return i;
}

/** Where quotedWord's word has its first `=` outside quotes, -1 if nowhere. */
let quotedKeyEnd: i32 = -1;

/** The word text[start, end) with its quotes taken out (quoted runs keep their spaces and `=`s). */
function quotedWord(text: string, start: i32, end: i32): string {
  const pieces: string[] = [];
  let runStart = start;
  let length = 0;
  let i = start;
  quotedKeyEnd = -1;
  while (i < end) {
    const c = text.charCodeAt(i);
    if (c == QUOTE) {
      const close = text.indexOf("\"", i + 1);
      if (i > runStart) pieces.push(text.substring(runStart, i));
      pieces.push(text.substring(i + 1, close));
      length += (i - runStart) + (close - i - 1);
      i = close + 1;
      runStart = i;
    } else {
      if (c == EQUALS && quotedKeyEnd < 0) quotedKeyEnd = length + (i - runStart);
      i++;
    }
  }
  if (end > runStart) pieces.push(text.substring(runStart, end));
  return pieces.join("");
}

/** Parses a decimal unsigned integer (leading zeros allowed); returns -1 if `text` is not one or exceeds `max`. */
export function parseUnsigned(text: string, max: i64): i64 {
  if (text.length == 0) return -1;
  let value: i64 = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    const digit = <i64>(c - 0x30);
    if (digit > max || value > (max - digit) / 10) return -1;
    value = value * 10 + digit;
  }
  return value;
}
