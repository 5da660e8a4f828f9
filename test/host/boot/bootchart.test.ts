// Guards kernel/bootchart.ts elapsedTenthsOfMicros: the conversion behind
// every time in the boot chart (counter ticks to tenths of a microsecond),
// checked against BigInt arithmetic for random readings and rates.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random } from "../random";

const harness = await Harness.create();

describe("elapsedTenthsOfMicros", () => {
  it("is 0 when the second reading is not after the first", () => {
    expect(harness.elapsedTenthsOfMicros(500n, 500n, 1_000_000_000n)).toBe(0n);
    expect(harness.elapsedTenthsOfMicros(501n, 500n, 1_000_000_000n)).toBe(0n);
    expect(harness.elapsedTenthsOfMicros((1n << 64n) - 1n, 0n, 1_000_000_000n)).toBe(0n);
  });

  it("is 0 for an unknown (zero) counter frequency", () => {
    expect(harness.elapsedTenthsOfMicros(0n, 1_000_000n, 0n)).toBe(0n);
  });

  it("converts QEMU's 62.5 MHz counter and a 2 GHz TSC exactly", () => {
    expect(harness.elapsedTenthsOfMicros(0n, 625n, 62_500_000n)).toBe(100n); // 10 µs
    expect(harness.elapsedTenthsOfMicros(1000n, 1006n, 62_500_000n)).toBe(0n); // 96 ns
    expect(harness.elapsedTenthsOfMicros(1000n, 1007n, 62_500_000n)).toBe(1n); // 112 ns
    expect(harness.elapsedTenthsOfMicros(0n, 2_000_000_000n, 2_000_000_000n)).toBe(10_000_000n); // 1 s
  });

  it("equals floor((to - from) * 10^9 / hz / 100) for random readings", () => {
    const random = new Random(undefined, 31);
    for (let i = 0; i < 3000; i++) {
      const hz = BigInt(random.int(1_000_000, 5_000_000_000));
      const from = random.u64() >> BigInt(random.int(1, 63));
      const span = random.bigBelow(hz * 1_000_000n); // up to ~11 days of counting
      const to = BigInt.asUintN(64, from + span);
      const expected = to <= from ? 0n : ((to - from) * 1_000_000_000n) / hz / 100n;
      expect(harness.elapsedTenthsOfMicros(from, to, hz), `seed ${random.seed}: ${from} -> ${to} at ${hz} Hz`).toBe(expected);
    }
  });
});
