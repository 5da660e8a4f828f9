// nbody: floating point. A gravitational n-body simulation in doubles: 48
// bodies with pseudo-random masses, positions and velocities, every pair's
// softened attraction per step (a square root and a division per pair), then
// a position update; at the end the total energy. The checksum hashes the
// bits of the final positions, velocities and energy: plain IEEE arithmetic
// in the same order on every target (sqrt and division are correctly rounded
// everywhere; no fast-math, no fused multiply-add), so the bits agree.
//
// Part of the CPU suite: usage, size argument and output are in kernel.h.
#include <math.h>
#define RANDOM_SEED 0x2545f4914f6cdd1dull
#include "kernel.h"

#define BODIES 48
#define STEPS_PER_BLOCK 100
#define BASE_BLOCKS 600
#define TIME_STEP 0.001
#define SOFTENING 0.01

struct body {
  double x, y, z;
  double vx, vy, vz;
  double mass;
};

/** A double in [-1, 1), from 53 random bits: exact on every target. */
static double random_unit(void) {
  return (double)(next_random() >> 11) * (2.0 / 9007199254740992.0) - 1.0;
}

static void place_bodies(struct body* bodies) {
  for (int i = 0; i < BODIES; i++) {
    bodies[i].x = random_unit();
    bodies[i].y = random_unit();
    bodies[i].z = random_unit();
    bodies[i].vx = random_unit() * 0.1;
    bodies[i].vy = random_unit() * 0.1;
    bodies[i].vz = random_unit() * 0.1;
    bodies[i].mass = (random_unit() + 2.0) / BODIES;
  }
}

static void advance(struct body* bodies, double dt) {
  for (int i = 0; i < BODIES; i++) {
    struct body* a = &bodies[i];
    for (int j = i + 1; j < BODIES; j++) {
      struct body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      double distance2 = dx * dx + dy * dy + dz * dz + SOFTENING;
      double magnitude = dt / (distance2 * sqrt(distance2));
      double pull_a = b->mass * magnitude, pull_b = a->mass * magnitude;
      a->vx -= dx * pull_a;
      a->vy -= dy * pull_a;
      a->vz -= dz * pull_a;
      b->vx += dx * pull_b;
      b->vy += dy * pull_b;
      b->vz += dz * pull_b;
    }
  }
  for (int i = 0; i < BODIES; i++) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

static double energy(const struct body* bodies) {
  double total = 0.0;
  for (int i = 0; i < BODIES; i++) {
    const struct body* a = &bodies[i];
    total += 0.5 * a->mass * (a->vx * a->vx + a->vy * a->vy + a->vz * a->vz);
    for (int j = i + 1; j < BODIES; j++) {
      const struct body* b = &bodies[j];
      double dx = a->x - b->x, dy = a->y - b->y, dz = a->z - b->z;
      total -= a->mass * b->mass / sqrt(dx * dx + dy * dy + dz * dz + SOFTENING);
    }
  }
  return total;
}

int main(int argc, char** argv) {
  uint64_t blocks = scaled(BASE_BLOCKS, size_argument(argc, argv));
  double start = now_ms();
  struct body bodies[BODIES];
  place_bodies(bodies);
  uint64_t checksum = bits_of(energy(bodies));
  for (uint64_t block = 0; block < blocks; block++) {
    for (int step = 0; step < STEPS_PER_BLOCK; step++) advance(bodies, TIME_STEP);
    checksum = mix(checksum, bits_of(energy(bodies)));
  }
  for (int i = 0; i < BODIES; i++) {
    checksum = mix(checksum, bits_of(bodies[i].x));
    checksum = mix(checksum, bits_of(bodies[i].y));
    checksum = mix(checksum, bits_of(bodies[i].z));
    checksum = mix(checksum, bits_of(bodies[i].vx));
    checksum = mix(checksum, bits_of(bodies[i].vy));
    checksum = mix(checksum, bits_of(bodies[i].vz));
  }
  report(checksum, now_ms() - start);
  return 0;
}
