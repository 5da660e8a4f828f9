// matmul: floating point over arrays. Dense 160x160 matrix products of
// doubles, two ways per round: a naive one whose inner loop is a dot product
// loading from two arrays every step (a row of A against a row of B
// transposed), the loop where every load pays for finding linear memory's
// base, and a blocked one (32x32 tiles, each row of C updated by a scalar
// times a row of B). B is then replaced by the two results, scaled down, so
// rounds depend on each other. The checksum hashes the bits of both products:
// plain IEEE arithmetic in the same order on every target.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#define RANDOM_SEED 0x853c49e6748fea9bull
#include "kernel.h"

#define N 160
#define TILE 32
#define BASE_ROUNDS 130

static uint64_t hash_doubles(uint64_t hash, const double* values, size_t count) {
  for (size_t i = 0; i < count; i++) hash = mix(hash, bits_of(values[i]));
  return hash;
}

/** c = a * b, with b given transposed: every c[i][j] a dot product of two rows. */
static void multiply_dot(const double* a, const double* b_transposed, double* c) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
      double sum = 0.0;
      for (int k = 0; k < N; k++) sum += a[i * N + k] * b_transposed[j * N + k];
      c[i * N + j] = sum;
    }
}

/** c = a * b in TILE x TILE blocks. */
static void multiply_blocked(const double* a, const double* b, double* c) {
  for (int i = 0; i < N * N; i++) c[i] = 0.0;
  for (int i0 = 0; i0 < N; i0 += TILE)
    for (int k0 = 0; k0 < N; k0 += TILE)
      for (int j0 = 0; j0 < N; j0 += TILE)
        for (int i = i0; i < i0 + TILE; i++)
          for (int k = k0; k < k0 + TILE; k++) {
            double scale = a[i * N + k];
            for (int j = j0; j < j0 + TILE; j++) c[i * N + j] += scale * b[k * N + j];
          }
}

static void transpose(const double* from, double* to) {
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) to[j * N + i] = from[i * N + j];
}

int main(int argc, char** argv) {
  uint64_t rounds = scaled(BASE_ROUNDS, size_argument(argc, argv));
  double start = now_ms();
  double* a = malloc(N * N * sizeof(double));
  double* b = malloc(N * N * sizeof(double));
  double* b_transposed = malloc(N * N * sizeof(double));
  double* dot = malloc(N * N * sizeof(double));
  double* blocked = malloc(N * N * sizeof(double));
  for (int i = 0; i < N * N; i++) {
    a[i] = (double)(next_random() % 2001) / 1000.0 - 1.0;
    b[i] = (double)(next_random() % 2001) / 1000.0 - 1.0;
  }
  uint64_t checksum = 0xcbf29ce484222325ull;
  for (uint64_t round = 0; round < rounds; round++) {
    transpose(b, b_transposed);
    multiply_dot(a, b_transposed, dot);
    multiply_blocked(a, b, blocked);
    checksum = hash_doubles(checksum, dot, N * N);
    checksum = hash_doubles(checksum, blocked, N * N);
    // Keep values bounded: the next B mixes both products, scaled down.
    double sum = 0.0;
    for (int i = 0; i < N * N; i++) sum += dot[i] * dot[i];
    double norm = 1.0 / (1.0 + sum / (double)(N * N));
    for (int i = 0; i < N * N; i++) b[i] = (dot[i] - 0.5 * blocked[(i * 7) % (N * N)]) * norm;
  }
  free(a);
  free(b);
  free(b_transposed);
  free(dot);
  free(blocked);
  report(checksum, now_ms() - start);
  return 0;
}
