// The Node side of the harness's cmdline part (cmdline/harness.ts): a command
// line parsed by kernel/cmdline.ts, and the kernel options kernel/options.ts
// reads from one, returned as plain objects.

import { HarnessClass, Ptr } from "../core/client";

export interface CommandLineExports {
  cmdlineParse(text: Ptr): void;
  cmdlineError(): Ptr;
  cmdlineKeyCount(): number;
  cmdlineKey(index: number): Ptr;
  cmdlineValue(index: number): Ptr;
  cmdlineAppCount(): number;
  cmdlineApp(index: number): Ptr;
  cmdlineParseUnsigned(text: Ptr, max: bigint): bigint;
  optionsRead(text: Ptr): void;
  optionsError(): Ptr;
  optionsBootchart(): number;
  optionsMemmap(): number;
  optionsMeminfo(): number;
  optionsMallocBenchPairs(): number;
  optionsSchedBenchRounds(): number;
  optionsQuiet(): number;
  optionsPanicMessage(): Ptr;
  optionsExitStatus(): number;
  optionsHelp(): Ptr;
}

/** Adds command-line parsing and option reading to a harness class. */
export function withCommandLine<Base extends HarnessClass>(superclass: Base) {
  return class CommandLineMethods extends superclass {
    /** Parses a command line with kernel/cmdline.ts. */
    parseCommandLine(text: string): { error: string; keys: string[]; values: string[]; app: string[] } {
      const e = this.exports;
      e.cmdlineParse(this.newString(text));
      const keys: string[] = [];
      const values: string[] = [];
      const app: string[] = [];
      for (let i = 0; i < e.cmdlineKeyCount(); i++) {
        keys.push(this.string(e.cmdlineKey(i)));
        values.push(this.string(e.cmdlineValue(i)));
      }
      for (let i = 0; i < e.cmdlineAppCount(); i++) app.push(this.string(e.cmdlineApp(i)));
      return { error: this.string(e.cmdlineError()), keys, values, app };
    }

    parseUnsigned(text: string, max: bigint): bigint {
      return this.exports.cmdlineParseUnsigned(this.newString(text), max);
    }

    /** Reads kernel options from a command line with kernel/options.ts. */
    readOptions(text: string) {
      const e = this.exports;
      e.optionsRead(this.newString(text));
      return {
        error: this.string(e.optionsError()),
        bootchart: e.optionsBootchart() !== 0,
        memmap: e.optionsMemmap() !== 0,
        meminfo: e.optionsMeminfo() !== 0,
        mallocBenchPairs: e.optionsMallocBenchPairs() >>> 0,
        schedBenchRounds: e.optionsSchedBenchRounds() >>> 0,
        quiet: e.optionsQuiet() !== 0,
        panicMessage: this.nullableString(e.optionsPanicMessage()),
        exitStatus: e.optionsExitStatus() >>> 0,
      };
    }
  };
}
