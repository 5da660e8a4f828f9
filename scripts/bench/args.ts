// Command-line options for the benchmarks: one parser, one way to fail.

import { parseArgs, ParseArgsConfig } from "node:util";
import { UsageError } from "../cli/errors";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses `argv` against `options` (plus --help). Returns the values, or null
 * after printing `help` when --help was given; a bad option is a UsageError
 * followed by the help text.
 */
export function benchOptions<T extends Options>(argv: string[], options: T, help: string) {
  const parsed = benchArguments(argv, options, help, false);
  return parsed === null ? null : parsed.values;
}

/** benchOptions for a benchmark that also takes operands: the values and the positionals, or null after --help. */
export function benchArguments<T extends Options>(argv: string[], options: T, help: string, allowPositionals = true) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals, options: { ...options, help: { type: "boolean" } } as T & { help: { type: "boolean" } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${help}`);
  }
  if (parsed.values.help) {
    console.log(help);
    return null;
  }
  return parsed;
}

/** A whole number from `min` to `max`, or a UsageError naming the option. */
export function wholeNumber(text: string, option: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) throw new UsageError(`--${option} needs a whole number from ${min} to ${max}, not '${text}'`);
  return value;
}
