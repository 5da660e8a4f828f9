// A small seeded pseudo-random generator for the property-style host tests.
//
// Guards reproducibility: every randomized test draws from a Random built from
// a printed seed, so a failure names the seed that reproduces it. Set
// WISP_TEST_SEED to replay one (decimal or 0x-hex); without it the seed is
// fixed, so a plain `vitest run` is deterministic.
//
// The generator is a 128-bit xorshift (four 32-bit words, shift triple
// 11/8/19) seeded through a 32-bit integer hash, which is plenty for test
// inputs and keeps everything in plain 32-bit arithmetic.

const DEFAULT_SEED = 0x5eed_0001;

/** The seed the suite runs with: WISP_TEST_SEED if set, else a fixed one. */
export function suiteSeed(): number {
  const text = process.env.WISP_TEST_SEED;
  if (text === undefined || text === "") return DEFAULT_SEED;
  const value = Number(text);
  if (!Number.isInteger(value)) throw new Error(`WISP_TEST_SEED is not an integer: ${text}`);
  return value >>> 0;
}

function hash32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

const U64_MASK = (1n << 64n) - 1n;

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `stream` separates generators built from one seed (one per test, or per sequence of a test). */
  constructor(readonly seed: number = suiteSeed(), readonly stream = 0) {
    let s = hash32((seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0);
    this.a = s = hash32(s + 1);
    this.b = s = hash32(s + 2);
    this.c = s = hash32(s + 3);
    this.d = hash32(s + 4) | 1; // never all zero
  }

  /** "seed 0x... stream N": what a failure message names so that WISP_TEST_SEED=0x... replays it. */
  get label(): string {
    return `seed 0x${this.seed.toString(16)} stream ${this.stream}`;
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    let t = this.a ^ (this.a << 11);
    this.a = this.b;
    this.b = this.c;
    this.c = this.d;
    this.d = (this.d ^ (this.d >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.d;
  }

  /** Uniform integer in [low, high] (inclusive; both within 2^32 of each other). */
  int(low: number, high: number): number {
    const span = high - low + 1;
    if (span <= 0x1_0000_0000) return low + Math.floor((this.u32() / 0x1_0000_0000) * span);
    return low + Math.floor(this.fraction() * span);
  }

  /** Uniform in [0, 1) with 53 bits. */
  fraction(): number {
    return (this.u32() * 0x20_0000 + (this.u32() >>> 11)) / 2 ** 53;
  }

  bool(probability = 0.5): boolean {
    return this.fraction() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  /** Uniform 64-bit unsigned integer. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  /** Uniform bigint in [0, bound) for bound > 0. */
  bigBelow(bound: bigint): bigint {
    if (bound <= 0n) throw new Error("bigBelow needs a positive bound");
    let bits = 0n;
    for (let b = bound - 1n; b > 0n; b >>= 1n) bits++;
    for (;;) {
      let value = 0n;
      for (let got = 0n; got < bits; got += 32n) value = (value << 32n) | BigInt(this.u32());
      value &= (1n << bits) - 1n;
      if (value < bound) return value;
    }
  }

  /**
   * A 64-bit unsigned value biased towards the places formatting and
   * arithmetic break: 0, 1, powers of two and their neighbours, all-ones,
   * powers of ten and their neighbours, and values of every bit length.
   */
  interestingU64(): bigint {
    switch (this.int(0, 5)) {
      case 0: {
        const edges = [0n, 1n, 2n, 9n, 10n, 15n, 16n, U64_MASK, U64_MASK - 1n, 1n << 63n, (1n << 63n) - 1n];
        return this.pick(edges);
      }
      case 1: {
        const p = 1n << BigInt(this.int(0, 63));
        return (p + BigInt(this.int(-1, 1))) & U64_MASK;
      }
      case 2: {
        const p = 10n ** BigInt(this.int(0, 19));
        return (p + BigInt(this.int(-1, 1))) & U64_MASK;
      }
      case 3: {
        const bits = BigInt(this.int(1, 64));
        return this.u64() & ((1n << bits) - 1n);
      }
      default:
        return this.u64();
    }
  }
}
