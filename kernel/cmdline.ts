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

  has(key: string): bool {
    return this.keys.includes(key);
  }

  /** The value of the last `key=value` (later options override earlier ones), or `fallback`. */
  get(key: string, fallback: string = ""): string {
    const at = this.keys.lastIndexOf(key);
    return at < 0 ? fallback : this.values[at];
  }
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
    // One word: unquoted runs and quoted runs glued together, cut out of the
    // line by slicing so that memory stays linear in the line's length.
    const pieces: string[] = [];
    let runStart = i;
    let keyEnd = -1;
    let length = 0;
    while (i < n && !isSpace(text.charCodeAt(i))) {
      const c = text.charCodeAt(i);
      if (c == QUOTE) {
        const close = text.indexOf("\"", i + 1);
        if (close < 0) {
          return fail(EINVAL, "unterminated quote in the command line");
        }
        if (i > runStart) pieces.push(text.substring(runStart, i));
        pieces.push(text.substring(i + 1, close));
        length += (i - runStart) + (close - i - 1);
        i = close + 1;
        runStart = i;
      } else {
        if (c == EQUALS && keyEnd < 0) keyEnd = length + (i - runStart);
        i++;
      }
    }
    if (i > runStart) pieces.push(text.substring(runStart, i));
    const word = pieces.length == 1 ? pieces[0] : pieces.join("");
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
