/*
 * The handful of C library routines that clang and wasm2c output call.
 *
 * Freestanding code still gets calls to memcpy/memset/memmove/memcmp from the
 * compiler (struct copies, bulk-memory instructions). These are simple byte
 * loops widened to words where alignment allows; the kernel's hot copies go
 * through wasm bulk-memory, which lands here too, so keep them reasonable.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Keep clang from recognising these loops as the very functions being defined. */
#define NO_BUILTIN __attribute__((no_builtin))

NO_BUILTIN void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if ((((uintptr_t)d | (uintptr_t)s) & 7) == 0) {
    for (; n >= 8; n -= 8, d += 8, s += 8) *(uint64_t*)d = *(const uint64_t*)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

NO_BUILTIN void* memmove(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

NO_BUILTIN void* memset(void* dst, int c, size_t n) {
  uint8_t* d = dst;
  if (((uintptr_t)d & 7) == 0) {
    uint64_t word = (uint8_t)c * 0x0101010101010101ull;
    for (; n >= 8; n -= 8, d += 8) *(uint64_t*)d = word;
  }
  while (n--) *d++ = (uint8_t)c;
  return dst;
}

NO_BUILTIN int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t* x = a;
  const uint8_t* y = b;
  for (; n; n--, x++, y++) {
    if (*x != *y) return *x < *y ? -1 : 1;
  }
  return 0;
}

NO_BUILTIN size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
