// stream: memory bandwidth. STREAM's four loops over three arrays of 2^19
// doubles (12 MiB in all, far larger than L2): copy c = a, scale b = s*c,
// add c = a + b, triad a = b + s*c, repeated in passes. s is close to
// sqrt(2) - 1, where a pass multiplies a by about 1, so values neither grow
// nor vanish; it varies from pass to pass in its last bits, so the arrays
// never settle and every pass changes the result. The checksum hashes the
// bits of a sample of each array and of the sums of all three: plain IEEE
// arithmetic in the same order everywhere.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#include "kernel.h"

#define LENGTH (1u << 19)
#define BASE_PASSES 500
#define SCALAR 0.41421356237309503

static void copy(double* restrict to, const double* restrict from) {
  for (uint32_t i = 0; i < LENGTH; i++) to[i] = from[i];
}

static void scale(double* restrict to, const double* restrict from, double s) {
  for (uint32_t i = 0; i < LENGTH; i++) to[i] = s * from[i];
}

static void add(double* restrict to, const double* restrict x, const double* restrict y) {
  for (uint32_t i = 0; i < LENGTH; i++) to[i] = x[i] + y[i];
}

static void triad(double* restrict to, const double* restrict x, const double* restrict y, double s) {
  for (uint32_t i = 0; i < LENGTH; i++) to[i] = x[i] + s * y[i];
}

static uint64_t hash_array(uint64_t hash, const double* values) {
  double sum = 0.0;
  for (uint32_t i = 0; i < LENGTH; i++) sum += values[i];
  hash = mix(hash, bits_of(sum));
  for (uint32_t i = 0; i < LENGTH; i += 4099) hash = mix(hash, bits_of(values[i]));
  return hash;
}

int main(int argc, char** argv) {
  uint64_t passes = scaled(BASE_PASSES, size_argument(argc, argv));
  double start = now_ms();
  double* a = malloc(LENGTH * sizeof(double));
  double* b = malloc(LENGTH * sizeof(double));
  double* c = malloc(LENGTH * sizeof(double));
  for (uint32_t i = 0; i < LENGTH; i++) {
    a[i] = 1.0 + (double)(i % 1000) / 1000.0;
    b[i] = 2.0;
    c[i] = 0.0;
  }
  for (uint64_t pass = 0; pass < passes; pass++) {
    double s = SCALAR + (double)(pass % 7) * 0x1p-40;
    copy(c, a);
    scale(b, c, s);
    add(c, a, b);
    triad(a, b, c, s);
  }
  uint64_t checksum = hash_array(hash_array(hash_array(0xcbf29ce484222325ull, a), b), c);
  free(a);
  free(b);
  free(c);
  report(checksum, now_ms() - start);
  return 0;
}
