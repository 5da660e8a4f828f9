// u64math: 64-bit arithmetic, which wasm32 code does in i64 registers.
//   primes     Miller-Rabin with the first twelve prime bases (exact below
//              2^64) on pseudo-random odd 64-bit numbers, with Montgomery
//              multiplication: 64x64 -> 128-bit products through
//              `unsigned __int128` (multiplications only: a 128-bit division
//              would call compiler-rt, whose wasm32 build clang 14 cannot link)
//   division   64-bit quotients and remainders of pseudo-random operands of
//              every width, and Euclid's gcd by remainders
//   bits       popcount, count-leading-zeros and count-trailing-zeros, and a
//              binary gcd built on the latter
// The checksum folds the count of primes found, the quotients, remainders,
// gcds and bit counts.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0x6c8e9cf570932bd5ull
#include "kernel.h"

#define BASE_CANDIDATES 200000
#define BASE_DIVISIONS 6000000
#define BASE_GCDS 600000
#define BASE_BIT_WORDS 16000000

typedef unsigned __int128 u128;

/* ---- Montgomery arithmetic modulo an odd n, with R = 2^64 ---- */

struct montgomery {
  uint64_t n;
  uint64_t n_inverse; /* n * n_inverse = 1 mod 2^64 */
  uint64_t one;       /* R mod n */
  uint64_t r_squared; /* R^2 mod n */
};

/** a * b / R mod n, for a and b below n. */
static uint64_t montgomery_multiply(const struct montgomery* m, uint64_t a, uint64_t b) {
  u128 product = (u128)a * b;
  uint64_t quotient = (uint64_t)product * m->n_inverse;
  uint64_t high = (uint64_t)(product >> 64);
  uint64_t correction = (uint64_t)(((u128)quotient * m->n) >> 64);
  return high >= correction ? high - correction : high - correction + m->n;
}

static uint64_t add_mod(uint64_t a, uint64_t b, uint64_t n) { return a >= n - b ? a - (n - b) : a + b; }

static struct montgomery montgomery_for(uint64_t n) {
  struct montgomery m = {.n = n};
  uint64_t inverse = n; /* right in the low 3 bits; each Newton step doubles that */
  for (int i = 0; i < 5; i++) inverse *= 2 - n * inverse;
  m.n_inverse = inverse;
  m.one = (0 - n) % n;
  m.r_squared = m.one;
  for (int i = 0; i < 64; i++) m.r_squared = add_mod(m.r_squared, m.r_squared, n);
  return m;
}

static uint64_t montgomery_power(const struct montgomery* m, uint64_t base, uint64_t exponent) {
  uint64_t result = m->one;
  while (exponent) {
    if (exponent & 1) result = montgomery_multiply(m, result, base);
    base = montgomery_multiply(m, base, base);
    exponent >>= 1;
  }
  return result;
}

/** Miller-Rabin for an odd n > 37: these bases decide every n below 2^64. */
static int is_prime(uint64_t n) {
  static const uint64_t bases[12] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  struct montgomery m = montgomery_for(n);
  uint64_t minus_one = n - m.one;
  int shift = __builtin_ctzll(n - 1);
  uint64_t odd = (n - 1) >> shift;
  for (int i = 0; i < 12; i++) {
    uint64_t x = montgomery_power(&m, montgomery_multiply(&m, bases[i], m.r_squared), odd);
    if (x == m.one || x == minus_one) continue;
    int witness = 1;
    for (int s = 1; s < shift && witness; s++) {
      x = montgomery_multiply(&m, x, x);
      if (x == minus_one) witness = 0;
    }
    if (witness) return 0;
  }
  return 1;
}

static uint64_t primes_work(uint64_t candidates) {
  uint64_t found = 0, hash = 0;
  for (uint64_t i = 0; i < candidates; i++) {
    uint64_t n = next_random() | 0x8000000000000001ull;
    if (is_prime(n)) {
      found++;
      hash = mix(hash, n);
    }
  }
  return mix(hash, found);
}

/* ---- division ---- */

static uint64_t division_work(uint64_t divisions, uint64_t gcds) {
  uint64_t hash = 0;
  for (uint64_t i = 0; i < divisions; i++) {
    uint64_t dividend = next_random();
    uint64_t divisor = next_random() >> (i % 63);
    if (divisor == 0) divisor = 1;
    hash += (dividend / divisor) ^ (dividend % divisor);
  }
  for (uint64_t i = 0; i < gcds; i++) {
    uint64_t a = next_random(), b = next_random() >> (i % 40);
    while (b) {
      uint64_t remainder = a % b;
      a = b;
      b = remainder;
    }
    hash = mix(hash, a);
  }
  return hash;
}

/* ---- bit counting ---- */

static uint64_t binary_gcd(uint64_t a, uint64_t b) {
  if (a == 0) return b;
  if (b == 0) return a;
  int common = __builtin_ctzll(a | b);
  a >>= __builtin_ctzll(a);
  do {
    b >>= __builtin_ctzll(b);
    if (a > b) {
      uint64_t swap = a;
      a = b;
      b = swap;
    }
    b -= a;
  } while (b);
  return a << common;
}

static uint64_t bits_work(uint64_t words) {
  uint64_t ones = 0, leading = 0, trailing = 0, gcds = 0;
  for (uint64_t i = 0; i < words; i++) {
    uint64_t word = next_random() >> (i & 31);
    ones += (uint64_t)__builtin_popcountll(word);
    leading += (uint64_t)__builtin_clzll(word | 1);
    trailing += (uint64_t)__builtin_ctzll(word | 0x8000000000000000ull);
    if ((i & 15) == 0) gcds += binary_gcd(word, next_random());
  }
  return mix(mix(mix(ones, leading), trailing), gcds);
}

int main(int argc, char** argv) {
  double size = size_argument(argc, argv);
  double start = now_ms();
  uint64_t checksum = primes_work(scaled(BASE_CANDIDATES, size));
  checksum = mix(checksum, division_work(scaled(BASE_DIVISIONS, size), scaled(BASE_GCDS, size)));
  checksum = mix(checksum, bits_work(scaled(BASE_BIT_WORDS, size)));
  report(checksum, now_ms() - start);
  return 0;
}
