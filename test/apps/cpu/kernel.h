// kernel.h: what every CPU kernel in this directory shares. The kernels are
// the .c files here, one program each, run by the CPU suite
// (scripts/bench/app/cpu-suite.ts) natively, under Node's WASI and as Wisp's
// AOT code; this header is not a kernel.
//
// Usage: <kernel> [size]. size is a positive number, at most 1000 (default 1,
// about a third of a second natively; anything else, or nothing, counts as
// 1); the work grows linearly with it: a kernel scales its work counts
// (rounds, passes, steps...) by size with scaled(), which rounds to the
// nearest and never goes below 1, so fractional sizes such as 0.01 give quick
// runs that still do at least one unit of the work. Set-up that does not
// scale (generating tables, checking a test vector) is done whatever the size.
//
// Output: the last two lines are
//   checksum <16 lowercase hex digits>
//   elapsed_ms <ms, three decimals>
// (report() prints them). The checksum folds the work's results with mix()
// and must be the same on every target; elapsed_ms is the time of the work
// alone, on the monotonic clock (now_ms()). The CPU suite fails a run whose
// checksum differs from the kernel's native one.
//
// What a kernel gets: <stdint.h>, <stdio.h>, <stdlib.h>, <string.h> and
// <time.h>; mix() to fold a value into a hash; bits_of() for a double's bits;
// size_argument() and scaled() for the size; now_ms(); report(); and, if the
// kernel defines RANDOM_SEED (a nonzero 64-bit constant, its own) before
// including this header, next_random(), a xorshift64 generator starting from
// that seed, the same sequence on every target. Without RANDOM_SEED, a call
// of next_random() does not compile. Helpers a kernel does not use cause no
// warnings.
#ifndef KERNEL_H
#define KERNEL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef RANDOM_SEED
static uint64_t random_state = RANDOM_SEED;

/** The next number of the xorshift64 sequence (13, 7, 17) that starts from RANDOM_SEED. */
__attribute__((unused)) static uint64_t next_random(void) {
  uint64_t x = random_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return random_state = x;
}
#else
__attribute__((unused, unavailable("define RANDOM_SEED before including kernel.h"))) static uint64_t next_random(void);
#endif

/** `hash` with `value` folded in. */
__attribute__((unused)) static uint64_t mix(uint64_t hash, uint64_t value) {
  hash = (hash ^ value) * 0x9e3779b97f4a7c15ull;
  return hash ^ (hash >> 32);
}

/** The bits of a double, to hash: plain IEEE values agree bit for bit on every target. */
__attribute__((unused)) static uint64_t bits_of(double value) {
  uint64_t bits;
  memcpy(&bits, &value, sizeof bits);
  return bits;
}

/** The size argument, argv[1]: a number in (0, 1000], else 1. */
__attribute__((unused)) static double size_argument(int argc, char** argv) {
  double size = argc > 1 ? strtod(argv[1], NULL) : 1.0;
  return size > 0.0 && size <= 1000.0 ? size : 1.0;
}

/** base * size, rounded to the nearest, at least 1. */
__attribute__((unused)) static uint64_t scaled(uint64_t base, double size) {
  double count = (double)base * size + 0.5;
  return count < 1.0 ? 1 : (uint64_t)count;
}

/** Milliseconds on the monotonic clock. */
__attribute__((unused)) static double now_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/** Prints the output's last lines: `checksum <16 hex digits>` and `elapsed_ms <ms>`. */
__attribute__((unused)) static void report(uint64_t checksum, double elapsed_ms) {
  printf("checksum %016llx\nelapsed_ms %.3f\n", (unsigned long long)checksum, elapsed_ms);
}

#endif
