// sieve: integer work on a byte table. Each round runs a sieve of
// Eratosthenes over the odd numbers below about 8 million (one byte per odd
// number, 4 MiB), then walks the table for prime-gap statistics: how many
// primes, their sum, the largest gap and a histogram of gap sizes. Rounds use
// slightly different limits so no two are the same.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#include "kernel.h"

#define BASE_ROUNDS 30
#define LIMIT (8u << 20)
#define GAP_BUCKETS 128

/** Marks composite[i] = 1 for every odd 2i+1 below `limit` that is not prime (1 counts as composite). */
static void sieve_odd(uint8_t* composite, uint32_t limit) {
  uint32_t count = limit / 2;
  memset(composite, 0, count);
  composite[0] = 1;
  for (uint32_t i = 1;; i++) {
    uint32_t p = 2 * i + 1;
    if ((uint64_t)p * p >= limit) break;
    if (composite[i]) continue;
    for (uint32_t j = (p * p) / 2; j < count; j += p) composite[j] = 1;
  }
}

static uint64_t gap_statistics(const uint8_t* composite, uint32_t limit) {
  uint32_t histogram[GAP_BUCKETS] = {0};
  uint64_t primes = 1, sum = 2;  // 2, the one even prime
  uint32_t previous = 2, largest_gap = 0;
  for (uint32_t i = 1; i < limit / 2; i++) {
    if (composite[i]) continue;
    uint32_t p = 2 * i + 1;
    uint32_t gap = p - previous;
    if (gap > largest_gap) largest_gap = gap;
    uint32_t bucket = gap / 2 < GAP_BUCKETS ? gap / 2 : GAP_BUCKETS - 1;
    histogram[bucket]++;
    primes++;
    sum += p;
    previous = p;
  }
  uint64_t hash = mix(mix(mix(0, primes), sum), largest_gap);
  for (int b = 0; b < GAP_BUCKETS; b++) hash = mix(hash, histogram[b]);
  return hash;
}

int main(int argc, char** argv) {
  uint64_t rounds = scaled(BASE_ROUNDS, size_argument(argc, argv));
  double start = now_ms();
  uint8_t* composite = malloc(LIMIT / 2);
  uint64_t checksum = 0xcbf29ce484222325ull;
  for (uint64_t round = 0; round < rounds; round++) {
    uint32_t limit = LIMIT - (uint32_t)(round % 256) * 4094;
    sieve_odd(composite, limit);
    checksum = mix(checksum, gap_statistics(composite, limit));
  }
  free(composite);
  report(checksum, now_ms() - start);
  return 0;
}
