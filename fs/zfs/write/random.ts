// Guids and ZAP salts: 64-bit numbers from a xorshift64* generator seeded
// once (from the time and a caller's seed; a fixed seed gives the same
// pool bytes twice, which the tests use).

export class Random {
  private state: u64;

  constructor(seed: u64) {
    this.state = seed != 0 ? seed : 0x9e3779b97f4a7c15;
  }

  next(): u64 {
    let x = this.state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    this.state = x;
    return x * 0x2545f4914f6cdd1d;
  }

  /** A nonzero guid. */
  guid(): u64 {
    let value = this.next();
    while (value == 0) value = this.next();
    return value;
  }
}
