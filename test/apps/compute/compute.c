// The compute benchmark: one deterministic CPU-bound program, run natively,
// under Node's WASI and as a Wisp AOT app (scripts/bench/app/compute.ts) to
// compare the three. Usage: compute [size] (default 1; the work grows
// linearly with size; size 1 takes about a second natively at -O2).
//
// Three kinds of work, each folded into a 64-bit checksum that must come out
// the same everywhere (the last line, `checksum <hex>`):
//   integers  xorshift data, a bottom-up merge sort, an FNV-1a hash of the result
//   floats    dense matrix multiply (doubles, plain IEEE: no fast-math, no FMA)
//   memory    Fisher-Yates shuffles of a big array and block copies around it
// It also prints `elapsed_ms <ms>`: the work alone, timed with the monotonic
// clock, so runtimes compare without their start-up costs.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t xorshift_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void) {
  uint64_t x = xorshift_state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return xorshift_state = x;
}

static uint64_t fnv1a(uint64_t hash, const void* data, size_t length) {
  const uint8_t* bytes = data;
  for (size_t i = 0; i < length; i++) hash = (hash ^ bytes[i]) * 0x100000001b3ull;
  return hash;
}

/** Sorts `values` with a bottom-up merge sort using `scratch` (same length). */
static void merge_sort(uint32_t* values, uint32_t* scratch, size_t count) {
  uint32_t* from = values;
  uint32_t* to = scratch;
  for (size_t width = 1; width < count; width *= 2) {
    for (size_t start = 0; start < count; start += 2 * width) {
      size_t middle = start + width < count ? start + width : count;
      size_t end = start + 2 * width < count ? start + 2 * width : count;
      size_t left = start, right = middle, out = start;
      while (left < middle && right < end) to[out++] = from[left] <= from[right] ? from[left++] : from[right++];
      while (left < middle) to[out++] = from[left++];
      while (right < end) to[out++] = from[right++];
    }
    uint32_t* swap = from;
    from = to;
    to = swap;
  }
  if (from != values) memcpy(values, from, count * sizeof *values);
}

static uint64_t integer_work(unsigned size) {
  size_t count = 1u << 20;
  uint32_t* values = malloc(count * sizeof *values);
  uint32_t* scratch = malloc(count * sizeof *scratch);
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned round = 0; round < 3 * size; round++) {
    for (size_t i = 0; i < count; i++) values[i] = (uint32_t)next_random();
    merge_sort(values, scratch, count);
    for (size_t i = 1; i < count; i++)
      if (values[i - 1] > values[i]) {
        printf("integers: not sorted at %zu\n", i);
        exit(2);
      }
    hash = fnv1a(hash, values, count * sizeof *values);
  }
  free(values);
  free(scratch);
  return hash;
}

static uint64_t float_work(unsigned size) {
  const size_t n = 200;
  double* a = malloc(n * n * sizeof(double));
  double* b = malloc(n * n * sizeof(double));
  double* c = malloc(n * n * sizeof(double));
  for (size_t i = 0; i < n * n; i++) {
    a[i] = (double)(next_random() % 2001) / 1000.0 - 1.0;
    b[i] = (double)(next_random() % 2001) / 1000.0 - 1.0;
  }
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned round = 0; round < 4 * size; round++) {
    for (size_t i = 0; i < n; i++) {
      for (size_t j = 0; j < n; j++) c[i * n + j] = 0.0;
      for (size_t k = 0; k < n; k++) {
        double scale = a[i * n + k];
        for (size_t j = 0; j < n; j++) c[i * n + j] += scale * b[k * n + j];
      }
    }
    // Keep values bounded: b becomes c scaled down, so rounds depend on each other.
    double sum = 0.0;
    for (size_t i = 0; i < n * n; i++) sum += c[i] * c[i];
    double norm = sum > 0.0 ? 1.0 / (1.0 + sum / (double)(n * n)) : 1.0;
    for (size_t i = 0; i < n * n; i++) b[i] = c[i] * norm;
    hash = fnv1a(hash, c, n * n * sizeof(double));
  }
  free(a);
  free(b);
  free(c);
  return hash;
}

static uint64_t memory_work(unsigned size) {
  size_t count = 1u << 22;  // 16 MiB of u32
  uint32_t* data = malloc(count * sizeof *data);
  uint32_t* copy = malloc(count * sizeof *copy);
  for (size_t i = 0; i < count; i++) data[i] = (uint32_t)i;
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned round = 0; round < 2 * size; round++) {
    for (size_t i = count - 1; i > 0; i--) {
      size_t j = (size_t)(next_random() % (i + 1));
      uint32_t swap = data[i];
      data[i] = data[j];
      data[j] = swap;
    }
    // Rotate in blocks of 4 KiB through the copy, then back.
    size_t block = 1024;
    for (size_t start = 0; start < count; start += block) memcpy(copy + (start + block * 7) % count, data + start, block * sizeof *data);
    memmove(data, copy + 1, (count - 1) * sizeof *data);
    data[count - 1] = copy[0];
    uint64_t sample = 0;
    for (size_t i = 0; i < count; i += 4093) sample = sample * 31 + data[i];
    hash = fnv1a(hash, &sample, sizeof sample);
  }
  free(data);
  free(copy);
  return hash;
}

int main(int argc, char** argv) {
  unsigned size = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1;
  if (size == 0) size = 1;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  uint64_t integers = integer_work(size);
  uint64_t floats = float_work(size);
  uint64_t memory = memory_work(size);
  clock_gettime(CLOCK_MONOTONIC, &end);
  double elapsed_ms = (double)(end.tv_sec - start.tv_sec) * 1e3 + (double)(end.tv_nsec - start.tv_nsec) / 1e6;
  printf("integers %016llx\nfloats   %016llx\nmemory   %016llx\n", (unsigned long long)integers,
         (unsigned long long)floats, (unsigned long long)memory);
  printf("checksum %016llx\n", (unsigned long long)(integers ^ (floats * 3) ^ (memory * 7)));
  printf("elapsed_ms %.3f\n", elapsed_ms);
  return 0;
}
