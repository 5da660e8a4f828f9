/*
 * Runs arch/common/libc.c natively for test/host/native/libc.test.ts: its
 * memcpy, memmove, memset and memcmp (renamed wisp_* so the host's own stay
 * in place) against byte-at-a-time references, for every source and
 * destination alignment 0-15 and every length 0-300, then lengths around
 * and beyond the rep-string threshold and a page, on x86_64 once with the
 * word loops and once with rep movsb/stosb forced. Prints "checks N" and
 * "failures M", and the first failures.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define memcpy wisp_memcpy
#define memmove wisp_memmove
#define memset wisp_memset
#define memcmp wisp_memcmp
#define strlen wisp_strlen
#include "../../../arch/common/libc.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen

#define SPAN (70000 + 64)
static uint8_t a[SPAN + 64], b[SPAN + 64], expect[SPAN + 64];
static unsigned long checks, failures;

static void fill_pattern(uint8_t* p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

static void check(int ok, const char* what, size_t sa, size_t da, size_t n) {
  checks++;
  if (!ok && failures++ < 10) printf("FAIL %s src+%zu dst+%zu len %zu\n", what, sa, da, n);
}

static void one(size_t sa, size_t da, size_t n) {
  const size_t SPAN_USED = n + 64; /* the bytes a case can touch, and a margin each side to catch overruns */
  /* memcpy into a separate buffer */
  fill_pattern(a, SPAN_USED, 1);
  fill_pattern(b, SPAN_USED, 2);
  memcpy(expect, b, SPAN_USED);
  for (size_t i = 0; i < n; i++) expect[da + i] = a[sa + i];
  check(wisp_memcpy(b + da, a + sa, n) == b + da && memcmp(b, expect, SPAN_USED) == 0, "memcpy", sa, da, n);
  /* memmove within one buffer, both directions */
  fill_pattern(a, SPAN_USED, 3);
  memcpy(expect, a, SPAN_USED);
  memmove(expect + 16 + da, expect + sa, n);
  check(wisp_memmove(a + 16 + da, a + sa, n) == a + 16 + da && memcmp(a, expect, SPAN_USED) == 0, "memmove up", sa, da, n);
  fill_pattern(a, SPAN_USED, 4);
  memcpy(expect, a, SPAN_USED);
  memmove(expect + da, expect + 16 + sa, n);
  check(wisp_memmove(a + da, a + 16 + sa, n) == a + da && memcmp(a, expect, SPAN_USED) == 0, "memmove down", sa, da, n);
  /* memset */
  fill_pattern(b, SPAN_USED, 5);
  memcpy(expect, b, SPAN_USED);
  memset(expect + da, 0xa5, n);
  check(wisp_memset(b + da, 0x1a5, n) == b + da && memcmp(b, expect, SPAN_USED) == 0, "memset", sa, da, n);
  /* memcmp: equal, then a difference at the last byte and in the middle */
  fill_pattern(a, SPAN_USED, 6);
  memcpy(b + da, a + sa, n);
  check(wisp_memcmp(a + sa, b + da, n) == 0, "memcmp equal", sa, da, n);
  if (n > 0) {
    for (size_t at = n - 1;; at = at / 2) {
      uint8_t saved = b[da + at];
      b[da + at] = (uint8_t)(saved + 1);
      int want = a[sa + at] < b[da + at] ? -1 : 1;
      check(wisp_memcmp(a + sa, b + da, n) == want && wisp_memcmp(b + da, a + sa, n) == -want, "memcmp differs", sa, da, n);
      b[da + at] = saved;
      if (at == 0) break;
    }
  }
}

static void all(void) {
  for (size_t sa = 0; sa < 16; sa++)
    for (size_t da = 0; da < 16; da++)
      for (size_t n = 0; n <= 300; n++) one(sa, da, n);
  static const size_t big[] = {511, 512, 513, 1000, 4095, 4096, 4097, 65539, 70000};
  for (size_t i = 0; i < sizeof big / sizeof big[0]; i++)
    for (size_t sa = 0; sa < 16; sa += 5)
      for (size_t da = 0; da < 16; da += 3) one(sa, da, big[i]);
}

int main(void) {
  all();
#if defined(__x86_64__)
  rep_strings = REP_FAST;
  all();
  rep_strings = REP_SLOW;
#endif
  printf("checks %lu\nfailures %lu\n", checks, failures);
  return failures != 0;
}
