// The Node side of the harness's format part (format/harness.ts): the
// kernel/format.ts formatters run at a scratch address and read back as text.

import { HarnessClass, I64, SCRATCH, U64 } from "../core/client";

export interface FormatExports {
  formatBufferSize(): number;
  fmtUnsigned(out: number, value: bigint, base: number, minDigits: number): number;
  fmtSigned(out: number, value: bigint): number;
  fmtDecimal(out: number, value: bigint, decimals: number): number;
  fmtTicksToNanoseconds(ticks: bigint, hz: bigint): bigint;
}

/** Adds the formatters to a harness class. */
export function withFormat<Base extends HarnessClass>(superclass: Base) {
  return class FormatMethods extends superclass {
    /** Runs a formatter at `out` and returns its ASCII output. */
    formatted(out: number, write: (out: number) => number): string {
      const length = write(out);
      return new TextDecoder().decode(this.bytes().slice(out, out + length));
    }

    formatUnsigned(value: bigint, base = 10, minDigits = 1, out = SCRATCH): string {
      return this.formatted(out, (at) => this.exports.fmtUnsigned(at, value, base, minDigits));
    }

    formatSigned(value: bigint, out = SCRATCH): string {
      return this.formatted(out, (at) => this.exports.fmtSigned(at, I64(value)));
    }

    formatDecimal(value: bigint, decimals: number, out = SCRATCH): string {
      return this.formatted(out, (at) => this.exports.fmtDecimal(at, value, decimals));
    }

    ticksToNanoseconds(ticks: bigint, hz: bigint): bigint {
      return U64(this.exports.fmtTicksToNanoseconds(ticks, hz));
    }
  };
}
