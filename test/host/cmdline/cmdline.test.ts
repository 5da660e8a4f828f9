// Guards kernel/cmdline.ts: how the kernel command line is split into flags,
// key=value options and application arguments, and that a malformed line is
// reported, never half-read. Random option lists are rendered to a line (with
// quoting) and must parse back to themselves.

import { beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random } from "../random";

const harness = await Harness.create();
beforeEach(() => harness.resetArena());

const parse = (line: string) => harness.parseCommandLine(line);

describe("parseCommandLine", () => {
  it("reads bare words as flags with empty values", () => {
    expect(parse("quiet bootchart")).toEqual({ error: "", keys: ["quiet", "bootchart"], values: ["", ""], app: [] });
  });

  it("splits key=value at the first '='", () => {
    expect(parse("exit=7 a=b=c empty=")).toEqual({ error: "", keys: ["exit", "a", "empty"], values: ["7", "b=c", ""], app: [] });
  });

  it("keeps spaces inside a quoted value", () => {
    const line = parse('panic="disk on fire" quiet');
    expect(line.keys).toEqual(["panic", "quiet"]);
    expect(line.values).toEqual(["disk on fire", ""]);
  });

  it("glues quoted and unquoted runs into one word", () => {
    expect(parse('a=x"y z"w')).toMatchObject({ keys: ["a"], values: ["xy zw"] });
    expect(parse('"quoted key"=v')).toMatchObject({ keys: ["quoted key"], values: ["v"] });
    expect(parse('k="="')).toMatchObject({ keys: ["k"], values: ["="] });
    expect(parse('"a=b"')).toMatchObject({ keys: ["a=b"], values: [""] });
    expect(parse('"a"=b"="c')).toMatchObject({ keys: ["a"], values: ["b=c"] });
  });

  it("separates words by spaces, tabs, newlines and carriage returns", () => {
    expect(parse(" \t a\tb\nc\r\nd  ").keys).toEqual(["a", "b", "c", "d"]);
  });

  it("gives no options for an empty or blank line", () => {
    expect(parse("")).toEqual({ error: "", keys: [], values: [], app: [] });
    expect(parse(" \t\n ")).toEqual({ error: "", keys: [], values: [], app: [] });
  });

  it("hands every word after a lone -- to the application", () => {
    expect(parse('quiet -- --verbose x=1 "two words" -- ""')).toEqual({
      error: "",
      keys: ["quiet"],
      values: [""],
      app: ["--verbose", "x=1", "two words", "--", ""],
    });
    expect(parse("--")).toEqual({ error: "", keys: [], values: [], app: [] });
    expect(parse("--x").keys).toEqual(["--x"]);
  });

  it("reports an unterminated quote", () => {
    expect(parse('quiet panic="oops').error).toBe("unterminated quote in the command line");
    expect(parse('-- "app').error).toBe("unterminated quote in the command line");
  });

  it("reports an option with an empty name", () => {
    expect(parse("quiet =x").error).toBe("option with an empty name: '=x'");
    expect(parse('""=x').error).toBe("option with an empty name: '=x'");
  });

  it("keeps every value of a repeated key, in order (the options reader lets the last win)", () => {
    expect(parse("exit=1 exit=2 quiet exit=3")).toEqual({ error: "", keys: ["exit", "exit", "quiet", "exit"], values: ["1", "2", "", "3"], app: [] });
  });

  it("keeps non-ASCII text intact", () => {
    expect(parse('panic="café 雪 😀" x=ü')).toMatchObject({ keys: ["panic", "x"], values: ["café 雪 😀", "ü"] });
  });

  // Regression test (kernel/cmdline.ts, parseCommandLine). The bug it guards: a word is built one
  // character at a time with `word += String.fromCharCode(c)`, and the runtime
  // never reclaims the superseded strings, so a word of n characters costs about
  // n^2 bytes of arena: 1 KiB of text takes ~1 MiB, and a 4096-byte line (the
  // PVH limit) in one word ~17 MiB.
  it("uses arena memory roughly linear in the length of the line", () => {
    const before = harness.arena().top;
    expect(parse("x".repeat(1000)).keys[0].length).toBe(1000);
    const used = harness.arena().top - before;
    expect(used).toBeLessThan(64 * 1024);
  });
});

describe("parseUnsigned", () => {
  it("accepts decimal digits up to max", () => {
    expect(harness.parseUnsigned("0", 126n)).toBe(0n);
    expect(harness.parseUnsigned("126", 126n)).toBe(126n);
    expect(harness.parseUnsigned("007", 126n)).toBe(7n);
    expect(harness.parseUnsigned("999999999999999999", 10n ** 18n)).toBe(999999999999999999n);
  });

  it("refuses what is not a plain decimal number", () => {
    for (const text of ["", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "١"]) {
      expect(harness.parseUnsigned(text, 1000n), JSON.stringify(text)).toBe(-1n);
    }
  });

  it("refuses values above max and more than 18 digits", () => {
    expect(harness.parseUnsigned("127", 126n)).toBe(-1n);
    expect(harness.parseUnsigned("1000000000000000000", 10n ** 19n)).toBe(-1n);
  });

  it("agrees with BigInt on random numbers and bounds", () => {
    const random = new Random(undefined, 11);
    for (let i = 0; i < 2000; i++) {
      const value = random.bigBelow(10n ** BigInt(random.int(1, 18)));
      const max = random.bool() ? value + BigInt(random.int(-2, 2)) : random.bigBelow(10n ** 18n);
      const expected = value <= max ? value : -1n;
      expect(harness.parseUnsigned(value.toString(), max), `seed ${random.seed}: ${value} <= ${max}`).toBe(expected);
    }
  });
});

// --- Random round trips ---

const KEY_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_-.,:/";
const VALUE_CHARS = "abcXYZ019 =-_.,:/\t'()[]{}!?é雪";
const SEPARATORS = [" ", "  ", "\t", "\n", " \r\n "];

interface OptionList {
  options: Array<{ key: string; value: string | null }>;
  app: string[];
}

function randomWord(random: Random, chars: string, min: number, max: number): string {
  let word = "";
  const length = random.int(min, max);
  for (let i = 0; i < length; i++) word += random.bool(0.03) ? "😀" : chars[random.int(0, chars.length - 1)];
  return word;
}

function randomOptions(random: Random): OptionList {
  const options: OptionList["options"] = [];
  for (let i = random.int(0, 8); i > 0; i--) {
    let key = randomWord(random, KEY_CHARS, 1, 10);
    if (key === "--") key = "-x";
    options.push({ key, value: random.bool(0.3) ? null : randomWord(random, VALUE_CHARS, 0, 16) });
  }
  const app: string[] = [];
  if (random.bool(0.5)) for (let i = random.int(0, 5); i > 0; i--) app.push(randomWord(random, VALUE_CHARS + "-\"", 0, 10).replace(/"/g, ""));
  return { options, app };
}

/** Renders text so the kernel reads it back as one word: quoted where needed, sometimes in pieces. */
function quoteWord(random: Random, text: string): string {
  const needsQuotes = text === "" || /[\s"]/.test(text);
  if (!needsQuotes && random.bool(0.7)) return text;
  if (text.length > 1 && random.bool(0.3)) {
    const cut = random.int(1, text.length - 1);
    return `"${text.slice(0, cut)}""${text.slice(cut)}"`;
  }
  return `"${text}"`;
}

function render(random: Random, list: OptionList): string {
  const words = list.options.map(({ key, value }) => (value === null ? key : `${key}=${quoteWord(random, value)}`));
  const hasApp = list.app.length > 0;
  if (hasApp || random.bool(0.1)) {
    words.push("--");
    for (const arg of list.app) words.push(arg === "--" ? '"--"' : quoteWord(random, arg));
  }
  const separator = () => random.pick(SEPARATORS);
  return (random.bool() ? separator() : "") + words.join(separator()) + (random.bool() ? separator() : "");
}

describe("command line round trips", () => {
  it("parses a rendered random option list back to itself", () => {
    const random = new Random(undefined, 12);
    for (let i = 0; i < 500; i++) {
      harness.resetArena();
      const list = randomOptions(random);
      const line = render(random, list);
      const parsed = parse(line);
      const context = `seed ${random.seed}, round ${i}, line ${JSON.stringify(line)}`;
      expect(parsed.error, context).toBe("");
      expect(parsed.keys, context).toEqual(list.options.map((option) => option.key));
      expect(parsed.values, context).toEqual(list.options.map((option) => option.value ?? ""));
      expect(parsed.app, context).toEqual(list.app.map((arg) => arg));
    }
  });
});
