// randaccess: memory latency and random access. Two tables of 8 MiB each:
// a single random cycle through 2^21 uint32 slots (Sattolo's shuffle),
// walked by four walkers from evenly spaced starts, each one dependent load
// after another (pointer chasing: every step of a walker waits for its
// previous miss; four of them keep the time steadier than one), and 2^20
// uint64 slots updated at pseudo-random places (GUPS-style
// read-modify-write, many misses in flight). The checksum folds the visited
// slots and a sample of the updated table.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0xda942042e4dd58b5ull
#include "kernel.h"

#define CHASE_SLOTS (1u << 21)
#define UPDATE_SLOTS (1u << 20)
#define BASE_CHASE_STEPS (32u << 20)
#define BASE_UPDATES (48u << 20)

/** next[] becomes one cycle through every slot (Sattolo's variant of Fisher-Yates). */
static void make_cycle(uint32_t* next) {
  for (uint32_t i = 0; i < CHASE_SLOTS; i++) next[i] = i;
  for (uint32_t i = CHASE_SLOTS - 1; i > 0; i--) {
    uint32_t j = (uint32_t)(((next_random() >> 32) * i) >> 32);  // below i
    uint32_t swap = next[i];
    next[i] = next[j];
    next[j] = swap;
  }
}

/** Four walkers take `steps` steps between them along the cycle. */
static uint64_t chase(const uint32_t* next, uint64_t steps) {
  uint32_t a = 0, b = CHASE_SLOTS / 4, c = CHASE_SLOTS / 2, d = 3 * (CHASE_SLOTS / 4);
  uint64_t visited = 0;
  for (uint64_t step = 0; step < steps; step += 4) {
    a = next[a];
    b = next[b];
    c = next[c];
    d = next[d];
    visited = visited * 31 + (a ^ b ^ c ^ d);
  }
  return mix(mix(visited, a), d);
}

static uint64_t update(uint64_t* table, uint64_t updates) {
  for (uint32_t i = 0; i < UPDATE_SLOTS; i++) table[i] = i;
  uint64_t value = 0x6a09e667f3bcc909ull;
  for (uint64_t n = 0; n < updates; n++) {
    value = (value << 1) ^ ((value >> 63) ? 0x7ull : 0);  // a shift register, as in GUPS
    table[value & (UPDATE_SLOTS - 1)] ^= value;
  }
  uint64_t hash = 0;
  for (uint32_t i = 0; i < UPDATE_SLOTS; i += 257) hash = mix(hash, table[i]);
  return hash;
}

int main(int argc, char** argv) {
  double size = size_argument(argc, argv);
  double start = now_ms();
  uint32_t* next = malloc(CHASE_SLOTS * sizeof *next);
  uint64_t* table = malloc(UPDATE_SLOTS * sizeof *table);
  make_cycle(next);
  uint64_t checksum = chase(next, scaled(BASE_CHASE_STEPS, size));
  checksum = mix(checksum, update(table, scaled(BASE_UPDATES, size)));
  free(next);
  free(table);
  report(checksum, now_ms() - start);
  return 0;
}
