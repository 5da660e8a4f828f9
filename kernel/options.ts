// Kernel command-line options: declared by what they configure, read by one
// reader.
//
// A subsystem declares each option it understands once, at boot, before the
// command line is read: its name, its kind of value and a help line
// (declareFlag, declareText, declareCount, declareNumber). readOptions then
// walks the command line: an option nobody declared stops the kernel with
// the list of those that were; a malformed value stops it with the option's
// own explanation. The declaring code reads the value from the KernelOption
// it got back. What a kernel understands therefore depends on what it was
// built with (a self-test option exists only in the test profile).

import { CommandLine, parseCommandLine, parseUnsigned } from "./cmdline";
import { fail } from "./failure";
import { EINVAL } from "./errno";

/** `name` alone. */
export const OPTION_FLAG: u32 = 0;
/** `name=TEXT`; an optional check refuses what the declarer cannot use. */
export const OPTION_TEXT: u32 = 1;
/** `name=N`, a whole number from 1 to a maximum (0 when absent). */
export const OPTION_COUNT: u32 = 2;
/** `name=N`, a whole number from 0 to a maximum. */
export const OPTION_NUMBER: u32 = 3;

/** Checks a TEXT option's value: 0 to accept it, else -EINVAL with why it is refused (kernel/failure.ts). */
export type OptionCheck = (value: string) => i32;

function acceptAny(value: string): i32 {
  return 0;
}

export class KernelOption {
  next: KernelOption | null = null;
  /** Given on the command line. */
  given: bool = false;
  /** The (last) value given, "" for a flag or when absent. */
  value: string = "";
  /** COUNT and NUMBER: the value as a number (0 when absent). */
  number: u32 = 0;
  /** COUNT and NUMBER: what the value stands for in the refusal ("N", "pairs"); the largest value. */
  placeholder: string = "N";
  unit: string = "";
  max: i64 = 0;
  check: OptionCheck = acceptAny;

  constructor(public name: string, public kind: u32, public help: string) {}

  /** Takes `value` if it suits the option: 0, else -EINVAL with why not. */
  accept(value: string): i32 {
    if (this.kind == OPTION_TEXT) return this.check(value);
    if (this.kind == OPTION_FLAG) return 0;
    const least: i64 = this.kind == OPTION_COUNT ? 1 : 0;
    const parsed = parseUnsigned(value, this.max);
    if (parsed >= least) {
      this.number = <u32>parsed;
      return 0;
    }
    const what = this.unit.length ? "a whole number of " + this.unit + " from " : "a whole number from ";
    return fail(EINVAL, this.name + "=" + this.placeholder + " needs " + what + least.toString() + " to " + this.max.toString());
  }
}

let first: KernelOption | null = null;
let last: KernelOption | null = null;

/** Forgets every declaration: host tests declare afresh for each command line they read. */
export function forgetOptions(): void {
  first = null;
  last = null;
}

function declare(option: KernelOption): KernelOption {
  if (last === null) first = option;
  else last!.next = option;
  last = option;
  return option;
}

export function declareFlag(name: string, help: string): KernelOption {
  return declare(new KernelOption(name, OPTION_FLAG, help));
}

export function declareText(name: string, help: string, check: OptionCheck = acceptAny): KernelOption {
  const option = new KernelOption(name, OPTION_TEXT, help);
  option.check = check;
  return declare(option);
}

/** `name=PLACEHOLDER`, 1 to `max` `unit` (e.g. "pairs"); 0 when absent. */
export function declareCount(name: string, placeholder: string, unit: string, max: i64, help: string): KernelOption {
  const option = new KernelOption(name, OPTION_COUNT, help);
  option.placeholder = placeholder;
  option.unit = unit;
  option.max = max;
  return declare(option);
}

/** `name=N`, 0 to `max`. */
export function declareNumber(name: string, max: i64, help: string): KernelOption {
  const option = new KernelOption(name, OPTION_NUMBER, help);
  option.max = max;
  return declare(option);
}

/** The declared option called `name`, or null. */
export function findOption(name: string): KernelOption | null {
  const length = name.length;
  let option = first;
  while (option !== null && (option.name.length != length || option.name != name)) option = option.next;
  return option;
}

/** Every declared option with its help line, one per line, for the refusal of a bad command line. */
export function knownOptionsHelp(): string {
  let help = "";
  let option = first;
  while (option !== null) {
    help += "  " + option.name + ": " + option.help + "\n";
    option = option.next;
  }
  return help;
}

/** Fills the declared options from the command line `text`; 0, or -EINVAL with why the line is refused. */
export function readOptions(text: string): i32 {
  const line = new CommandLine();
  const parsed = parseCommandLine(text, line);
  if (parsed < 0) return parsed;
  let option = first;
  while (option !== null) {
    option.given = false;
    option.value = "";
    option.number = 0;
    option = option.next;
  }
  // The line's words in order: a later value of an option replaces an earlier one.
  for (let i = 0; i < line.keys.length; i++) {
    const found = findOption(line.keys[i]);
    if (found === null) return fail(EINVAL, "unknown kernel option '" + line.keys[i] + "'");
    found.given = true;
    found.value = line.values[i];
  }
  option = first;
  while (option !== null) {
    if (option.given) {
      const result = option.accept(option.value);
      if (result < 0) return result;
    }
    option = option.next;
  }
  return 0;
}
