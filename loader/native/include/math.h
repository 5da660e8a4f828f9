/*
 * App-side math.h: what wasm2c output uses. Everything goes through the
 * compiler's builtins, so each operation becomes one instruction where the
 * target has it (aarch64: all of them; x86_64 without SSE4.1: not the
 * roundings). Where it does not, clang leaves a call to the libm name, which
 * the kernel provides at load time (runtime.list has the names that occur).
 */
#ifndef WISP_APP_MATH_H
#define WISP_APP_MATH_H
#define NAN __builtin_nanf("")
#define INFINITY __builtin_inff()
#define isnan(x) __builtin_isnan(x)
#define isinf(x) __builtin_isinf(x)
#define signbit(x) __builtin_signbit(x)
double fabs(double);
float fabsf(float);
double sqrt(double);
float sqrtf(float);
double copysign(double, double);
float copysignf(float, float);
double ceil(double);
float ceilf(float);
double floor(double);
float floorf(float);
double trunc(double);
float truncf(float);
double nearbyint(double);
float nearbyintf(float);
double fmin(double, double);
float fminf(float, float);
double fmax(double, double);
float fmaxf(float, float);
#define fabs(x) __builtin_fabs(x)
#define fabsf(x) __builtin_fabsf(x)
#define sqrt(x) __builtin_sqrt(x)
#define sqrtf(x) __builtin_sqrtf(x)
#define copysign(x, y) __builtin_copysign(x, y)
#define copysignf(x, y) __builtin_copysignf(x, y)
#define ceil(x) __builtin_ceil(x)
#define ceilf(x) __builtin_ceilf(x)
#define floor(x) __builtin_floor(x)
#define floorf(x) __builtin_floorf(x)
#define trunc(x) __builtin_trunc(x)
#define truncf(x) __builtin_truncf(x)
#define nearbyint(x) __builtin_nearbyint(x)
#define nearbyintf(x) __builtin_nearbyintf(x)
#define fmin(x, y) __builtin_fmin(x, y)
#define fminf(x, y) __builtin_fminf(x, y)
#define fmax(x, y) __builtin_fmax(x, y)
#define fmaxf(x, y) __builtin_fmaxf(x, y)
#endif
