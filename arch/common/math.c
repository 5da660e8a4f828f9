/*
 * Rounding functions for wasm's f32/f64 floor, ceil, trunc and nearest.
 *
 * x86_64 without SSE4.1 has no rounding instruction, so these are written with
 * integer conversion: any float of magnitude 2^52 (2^23 for f32) or more is
 * already an integer, and below that the value fits an int64 exactly.
 * nearbyint relies on the default round-to-nearest-even mode, which Wisp never
 * changes.
 */
#include <math.h>
#include <stdint.h>

#define TWO52 4503599627370496.0
#define TWO23 8388608.0f

double trunc(double x) {
  if (!(__builtin_fabs(x) < TWO52)) return x; /* integral, inf or nan */
  return __builtin_copysign((double)(int64_t)x, x);
}

float truncf(float x) {
  if (!(__builtin_fabsf(x) < TWO23)) return x;
  return __builtin_copysignf((float)(int32_t)x, x);
}

double floor(double x) {
  double t = trunc(x);
  return (t > x) ? t - 1.0 : t;
}

float floorf(float x) {
  float t = truncf(x);
  return (t > x) ? t - 1.0f : t;
}

double ceil(double x) {
  double t = trunc(x);
  return (t < x) ? __builtin_copysign(t + 1.0, x) : t;
}

float ceilf(float x) {
  float t = truncf(x);
  return (t < x) ? __builtin_copysignf(t + 1.0f, x) : t;
}

double nearbyint(double x) {
  if (!(__builtin_fabs(x) < TWO52)) return x;
  volatile double big = TWO52;
  double r = (__builtin_fabs(x) + big) - big;
  return __builtin_copysign(r, x);
}

float nearbyintf(float x) {
  if (!(__builtin_fabsf(x) < TWO23)) return x;
  volatile float big = TWO23;
  float r = (__builtin_fabsf(x) + big) - big;
  return __builtin_copysignf(r, x);
}
