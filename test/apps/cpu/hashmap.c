// hashmap: hashing and probing. An open-addressing hash table of 2^19 slots
// (64-bit keys and values, 8 MiB), linear probing, deletion by shifting the
// following entries back (no tombstones). Each round clears it, inserts up
// to 360,000 pseudo-random keys (about 70% full; repeats update in place),
// looks up as many present and absent keys, deletes every third key and looks
// all of them up again. The checksum folds the hit counts and the values
// found.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0x9b05688c2b3e6c1full
#include "kernel.h"

#define SLOT_BITS 19
#define SLOTS (1u << SLOT_BITS)
#define KEYS_PER_ROUND 360000
#define BASE_KEYS (10 * KEYS_PER_ROUND)
#define EMPTY 0 /* no key is 0 */

struct slot {
  uint64_t key;
  uint64_t value;
};

static uint32_t home_slot(uint64_t key) { return (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> (64 - SLOT_BITS)); }

static void insert(struct slot* table, uint64_t key, uint64_t value) {
  uint32_t at = home_slot(key);
  while (table[at].key != EMPTY && table[at].key != key) at = (at + 1) & (SLOTS - 1);
  table[at].key = key;
  table[at].value = value;
}

/** The slot holding `key`, or -1. */
static int64_t find(const struct slot* table, uint64_t key) {
  uint32_t at = home_slot(key);
  while (table[at].key != EMPTY) {
    if (table[at].key == key) return at;
    at = (at + 1) & (SLOTS - 1);
  }
  return -1;
}

/** Removes `key`, moving back any later entry of the run that would otherwise become unreachable. */
static int erase(struct slot* table, uint64_t key) {
  int64_t found = find(table, key);
  if (found < 0) return 0;
  uint32_t hole = (uint32_t)found;
  uint32_t at = hole;
  for (;;) {
    at = (at + 1) & (SLOTS - 1);
    if (table[at].key == EMPTY) break;
    uint32_t home = home_slot(table[at].key);
    /* The entry at `at` may fill the hole unless its home lies cyclically in (hole, at]. */
    uint32_t distance_to_at = (at - home) & (SLOTS - 1);
    uint32_t distance_to_hole = (at - hole) & (SLOTS - 1);
    if (distance_to_at >= distance_to_hole) {
      table[hole] = table[at];
      hole = at;
    }
  }
  table[hole].key = EMPTY;
  table[hole].value = 0;
  return 1;
}

static uint64_t random_key(void) {
  uint64_t key = next_random() >> 1;
  return key ? key : 1;
}

static uint64_t run_round(struct slot* table, uint64_t* keys, uint32_t count) {
  memset(table, 0, SLOTS * sizeof *table);
  for (uint32_t i = 0; i < count; i++) {
    /* Now and then a key repeats an earlier one: an update in place. */
    keys[i] = (i > 0 && (next_random() & 15) == 0) ? keys[(i * 7) % i] : random_key();
    insert(table, keys[i], i);
  }
  uint64_t hits = 0, found_values = 0;
  for (uint32_t i = 0; i < count; i++) {
    int64_t at = find(table, keys[i]);
    if (at >= 0) hits++, found_values += table[at].value;
    if (find(table, random_key() | (1ull << 63)) >= 0) hits += 1000000; /* absent: never happens */
  }
  uint64_t erased = 0;
  for (uint32_t i = 0; i < count; i += 3) erased += (uint64_t)erase(table, keys[i]);
  uint64_t still_found = 0;
  for (uint32_t i = 0; i < count; i++) {
    int64_t at = find(table, keys[i]);
    if (at >= 0) still_found++, found_values = mix(found_values, table[at].value);
  }
  return mix(mix(mix(hits, erased), still_found), found_values);
}

int main(int argc, char** argv) {
  uint64_t keys_left = scaled(BASE_KEYS, size_argument(argc, argv));
  double start = now_ms();
  struct slot* table = malloc(SLOTS * sizeof *table);
  uint64_t* keys = malloc(KEYS_PER_ROUND * sizeof *keys);
  uint64_t checksum = 0xcbf29ce484222325ull;
  while (keys_left) {
    uint32_t count = keys_left < KEYS_PER_ROUND ? (uint32_t)keys_left : KEYS_PER_ROUND;
    checksum = mix(checksum, run_round(table, keys, count));
    keys_left -= count;
  }
  free(table);
  free(keys);
  report(checksum, now_ms() - start);
  return 0;
}
