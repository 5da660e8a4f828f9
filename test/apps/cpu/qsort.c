// qsort: sorting, compare-and-branch and swap heavy. Each round sorts
// 2^17 pseudo-random keys four times: a hand-written quicksort (median of
// three, Hoare partition, insertion sort below 16 keys, the smaller side
// first so the stack stays shallow) and a heapsort, each over 32-bit and over
// 64-bit keys; the two sort functions are written once as macros and stamped
// out per key type, without callbacks. Every result is checked to be in
// order; the checksum folds a sample of each.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0x3c6ef372fe94f82bull
#include "kernel.h"

#define KEYS (1u << 17)
#define INSERTION_BELOW 16
#define BASE_ROUNDS 8

#define DEFINE_SORTS(suffix, key_t)                                                        \
  static void insertion_sort_##suffix(key_t* keys, int64_t count) {                       \
    for (int64_t i = 1; i < count; i++) {                                                  \
      key_t key = keys[i];                                                                 \
      int64_t j = i - 1;                                                                   \
      while (j >= 0 && keys[j] > key) {                                                    \
        keys[j + 1] = keys[j];                                                             \
        j--;                                                                               \
      }                                                                                    \
      keys[j + 1] = key;                                                                   \
    }                                                                                      \
  }                                                                                        \
                                                                                           \
  static void quicksort_##suffix(key_t* keys, int64_t count) {                            \
    while (count >= INSERTION_BELOW) {                                                     \
      key_t first = keys[0], middle = keys[count / 2], last = keys[count - 1];             \
      key_t pivot = first < middle ? (middle < last ? middle : (first < last ? last : first)) \
                                   : (first < last ? first : (middle < last ? last : middle)); \
      int64_t i = -1, j = count;                                                           \
      for (;;) {                                                                           \
        do i++;                                                                            \
        while (keys[i] < pivot);                                                           \
        do j--;                                                                            \
        while (keys[j] > pivot);                                                           \
        if (i >= j) break;                                                                 \
        key_t swap = keys[i];                                                              \
        keys[i] = keys[j];                                                                 \
        keys[j] = swap;                                                                    \
      }                                                                                    \
      /* keys[0..j] <= pivot <= keys[j+1..]: recurse on the smaller side */                \
      int64_t left = j + 1, right = count - left;                                          \
      if (left < right) {                                                                  \
        quicksort_##suffix(keys, left);                                                    \
        keys += left;                                                                      \
        count = right;                                                                     \
      } else {                                                                             \
        quicksort_##suffix(keys + left, right);                                            \
        count = left;                                                                      \
      }                                                                                    \
    }                                                                                      \
    insertion_sort_##suffix(keys, count);                                                  \
  }                                                                                        \
                                                                                           \
  static void sift_down_##suffix(key_t* keys, int64_t root, int64_t count) {              \
    key_t value = keys[root];                                                              \
    for (;;) {                                                                             \
      int64_t child = 2 * root + 1;                                                        \
      if (child >= count) break;                                                           \
      if (child + 1 < count && keys[child + 1] > keys[child]) child++;                     \
      if (keys[child] <= value) break;                                                     \
      keys[root] = keys[child];                                                            \
      root = child;                                                                        \
    }                                                                                      \
    keys[root] = value;                                                                    \
  }                                                                                        \
                                                                                           \
  static void heapsort_##suffix(key_t* keys, int64_t count) {                             \
    for (int64_t i = count / 2 - 1; i >= 0; i--) sift_down_##suffix(keys, i, count);      \
    for (int64_t end = count - 1; end > 0; end--) {                                        \
      key_t top = keys[0];                                                                 \
      keys[0] = keys[end];                                                                 \
      keys[end] = top;                                                                     \
      sift_down_##suffix(keys, 0, end);                                                    \
    }                                                                                      \
  }                                                                                        \
                                                                                           \
  static uint64_t checked_sample_##suffix(const key_t* keys, int64_t count) {             \
    uint64_t hash = 0;                                                                     \
    for (int64_t i = 1; i < count; i++)                                                    \
      if (keys[i - 1] > keys[i]) {                                                         \
        printf("qsort: " #key_t " keys out of order at %lld\n", (long long)i);             \
        exit(2);                                                                           \
      }                                                                                    \
    for (int64_t i = 0; i < count; i += 509) hash = mix(hash, (uint64_t)keys[i]);        \
    return hash;                                                                           \
  }

DEFINE_SORTS(u32, uint32_t)
DEFINE_SORTS(u64, uint64_t)

int main(int argc, char** argv) {
  uint64_t rounds = scaled(BASE_ROUNDS, size_argument(argc, argv));
  double start = now_ms();
  uint32_t* keys32 = malloc(KEYS * sizeof *keys32);
  uint64_t* keys64 = malloc(KEYS * sizeof *keys64);
  uint64_t checksum = 0xcbf29ce484222325ull;
  for (uint64_t round = 0; round < rounds; round++) {
    for (uint32_t i = 0; i < KEYS; i++) keys32[i] = (uint32_t)(next_random() >> 20);  /* repeats, too */
    quicksort_u32(keys32, KEYS);
    checksum = mix(checksum, checked_sample_u32(keys32, KEYS));
    for (uint32_t i = 0; i < KEYS; i++) keys32[i] = (uint32_t)next_random();
    heapsort_u32(keys32, KEYS);
    checksum = mix(checksum, checked_sample_u32(keys32, KEYS));
    for (uint32_t i = 0; i < KEYS; i++) keys64[i] = next_random();
    quicksort_u64(keys64, KEYS);
    checksum = mix(checksum, checked_sample_u64(keys64, KEYS));
    for (uint32_t i = 0; i < KEYS; i++) keys64[i] = next_random() >> (i & 7);
    heapsort_u64(keys64, KEYS);
    checksum = mix(checksum, checked_sample_u64(keys64, KEYS));
  }
  free(keys32);
  free(keys64);
  report(checksum, now_ms() - start);
  return 0;
}
