// Guards kernel/format.ts: the allocation-free number formatting behind every
// number the console and the panic path print. Random values (seeded, see
// test/host/random.ts) are checked against BigInt results computed in JS, and
// every formatter is held to its promise that FORMAT_BUFFER_SIZE bytes at
// `out` always suffice.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { SCRATCH } from "../core/client";
import { Random } from "../random";

const harness = await Harness.create();
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const ROUNDS = 3000;
const BUFFER = harness.exports.formatBufferSize();

function decimalReference(value: bigint, decimals: number): string {
  const scale = 10n ** BigInt(decimals);
  const whole = (value / scale).toString();
  return decimals === 0 ? whole : `${whole}.${(value % scale).toString().padStart(decimals, "0")}`;
}

/**
 * Runs `write` on a buffer surrounded by a canary and returns the offsets
 * (relative to the buffer) of canary bytes it changed.
 */
function bytesTouchedOutside(write: (out: number) => number): number[] {
  const out = SCRATCH + 64;
  const bytes = harness.bytes();
  bytes.fill(0xee, out - 64, out + BUFFER + 64);
  write(out);
  const touched: number[] = [];
  for (let i = -64; i < BUFFER + 64; i++) {
    if ((i < 0 || i >= BUFFER) && bytes[out + i] !== 0xee) touched.push(i);
  }
  return touched;
}

describe("formatUnsigned", () => {
  it("writes bases 2, 10 and 16 exactly like BigInt for random 64-bit values", () => {
    const random = new Random(undefined, 1);
    for (let i = 0; i < ROUNDS; i++) {
      const value = random.interestingU64();
      for (const base of [2, 10, 16]) {
        expect(harness.formatUnsigned(value, base), `seed ${random.seed}, ${value} base ${base}`).toBe(value.toString(base));
      }
    }
  });

  it("writes every base from 2 to 16 in lowercase", () => {
    const random = new Random(undefined, 2);
    for (let base = 2; base <= 16; base++) {
      for (const value of [0n, 1n, BigInt(base - 1), BigInt(base), U64_MAX, random.u64()]) {
        expect(harness.formatUnsigned(value, base)).toBe(value.toString(base));
      }
    }
  });

  it("pads with zeros to minDigits and never cuts digits off", () => {
    const random = new Random(undefined, 3);
    for (let i = 0; i < ROUNDS; i++) {
      const value = random.interestingU64();
      const base = random.pick([2, 10, 16]);
      const minDigits = random.int(-3, 64);
      const expected = value.toString(base).padStart(Math.max(minDigits, 1), "0");
      expect(harness.formatUnsigned(value, base, minDigits), `seed ${random.seed}`).toBe(expected);
    }
  });

  it("caps minDigits at 64", () => {
    expect(harness.formatUnsigned(5n, 10, 200)).toBe("5".padStart(64, "0"));
    expect(harness.formatUnsigned(U64_MAX, 2, 1000)).toBe("1".repeat(64));
  });

  it("falls back to base 10 for a base outside 2..16", () => {
    for (const base of [0, 1, 17, 36, 0xffff_ffff]) expect(harness.formatUnsigned(255n, base)).toBe("255");
  });

  it("writes nothing outside its FORMAT_BUFFER_SIZE-byte buffer", () => {
    const random = new Random(undefined, 4);
    expect(BUFFER).toBe(72);
    for (let i = 0; i < 500; i++) {
      const value = random.interestingU64();
      const base = random.int(2, 16);
      const minDigits = random.int(0, 80);
      expect(bytesTouchedOutside((out) => harness.exports.fmtUnsigned(out, value, base, minDigits))).toEqual([]);
    }
  });
});

describe("formatSigned", () => {
  it("writes the extremes of i64", () => {
    expect(harness.formatSigned(I64_MIN)).toBe("-9223372036854775808");
    expect(harness.formatSigned(I64_MAX)).toBe("9223372036854775807");
    expect(harness.formatSigned(-1n)).toBe("-1");
    expect(harness.formatSigned(0n)).toBe("0");
  });

  it("matches BigInt for random signed values", () => {
    const random = new Random(undefined, 5);
    for (let i = 0; i < ROUNDS; i++) {
      const value = BigInt.asIntN(64, random.interestingU64());
      expect(harness.formatSigned(value), `seed ${random.seed}`).toBe(value.toString());
    }
  });

  // Regression test (kernel/format.ts, formatSigned). The bug it guards: a negative value is formatted
  // by formatUnsigned(out + 1), whose digit scratch starts FORMAT_BUFFER_SIZE - 1
  // bytes after *its* out, i.e. at out + 72: one byte past a 72-byte buffer
  // (console.ts's numberBuffer).
  it("writes nothing outside its FORMAT_BUFFER_SIZE-byte buffer, even for negative values", () => {
    for (const value of [-1n, I64_MIN, -123456789n]) {
      expect(bytesTouchedOutside((out) => harness.exports.fmtSigned(out, value)), `value ${value}`).toEqual([]);
    }
  });
});

describe("formatDecimal", () => {
  it("writes value / 10^decimals with exactly `decimals` digits after the point", () => {
    expect(harness.formatDecimal(12345n, 1)).toBe("1234.5");
    expect(harness.formatDecimal(5n, 3)).toBe("0.005");
    expect(harness.formatDecimal(0n, 2)).toBe("0.00");
    expect(harness.formatDecimal(42n, 0)).toBe("42");
    expect(harness.formatDecimal(U64_MAX, 19)).toBe("1.8446744073709551615");
  });

  it("matches a BigInt reference for random values and 0..19 decimals", () => {
    const random = new Random(undefined, 6);
    for (let i = 0; i < ROUNDS; i++) {
      const value = random.interestingU64();
      const decimals = random.int(0, 19);
      expect(harness.formatDecimal(value, decimals), `seed ${random.seed}, ${value}/10^${decimals}`).toBe(decimalReference(value, decimals));
    }
  });

  // Regression test (kernel/format.ts, formatDecimal). The bug it guards: the fraction is formatted by
  // formatUnsigned(out + n + 1, ...), whose scratch starts at out + n + 72, so
  // every call with decimals > 0 writes up to n + 1 bytes past the buffer
  // (e.g. 12345.6 writes at offset 77). The boot chart prints through this into
  // console.ts's 72-byte numberBuffer.
  it("writes nothing outside its FORMAT_BUFFER_SIZE-byte buffer", () => {
    const random = new Random(undefined, 7);
    for (let i = 0; i < 200; i++) {
      const value = random.interestingU64();
      const decimals = random.int(1, 19);
      expect(bytesTouchedOutside((out) => harness.exports.fmtDecimal(out, value, decimals)), `${value}/10^${decimals}`).toEqual([]);
    }
  });
});

describe("ticksToNanoseconds", () => {
  it("is 0 for a zero frequency or zero ticks", () => {
    expect(harness.ticksToNanoseconds(12345n, 0n)).toBe(0n);
    expect(harness.ticksToNanoseconds(0n, 1_000_000_000n)).toBe(0n);
  });

  it("equals floor(ticks * 10^9 / hz) across its documented range", () => {
    // The promise: no overflow for any tick count below 2^64 / 10^9 * hz,
    // for counter rates whose hz * 10^9 fits in 64 bits (up to ~18 GHz).
    const random = new Random(undefined, 8);
    const maxHz = U64_MAX / 1_000_000_000n;
    for (let i = 0; i < ROUNDS; i++) {
      const hz = random.bool(0.7) ? BigInt(random.int(1, 10_000_000_000)) : 1n + random.bigBelow(maxHz);
      const limit = ((1n << 64n) * hz) / 1_000_000_000n;
      const ticks = random.bigBelow(limit < U64_MAX ? limit : U64_MAX);
      const expected = (ticks * 1_000_000_000n) / hz;
      expect(harness.ticksToNanoseconds(ticks, hz), `seed ${random.seed}, ticks ${ticks} hz ${hz}`).toBe(expected);
    }
  });

  it("converts typical counters exactly", () => {
    expect(harness.ticksToNanoseconds(62_500_000n, 62_500_000n)).toBe(1_000_000_000n);
    expect(harness.ticksToNanoseconds(1n, 62_500_000n)).toBe(16n);
    expect(harness.ticksToNanoseconds(3_000_000_000n * 3600n, 3_000_000_000n)).toBe(3600n * 1_000_000_000n);
  });
});
