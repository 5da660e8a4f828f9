/*
 * The C library routines clang and wasm2c output call: memcpy, memmove,
 * memset, memcmp (the kernel's and every app's: app.so imports them from
 * the kernel's export table) and strlen.
 *
 * Copies and fills go a machine word at a time, with unaligned loads and
 * stores (both architectures take them at full speed on normal memory):
 * lengths from 8 up are done as whole words plus one last word that
 * overlaps the one before, so no byte loop runs for them; shorter ones are
 * a few byte moves. aarch64 takes two words per step, which clang emits as
 * ldp/stp pairs. On x86_64, long copies and fills (REP_*_THRESHOLD bytes or
 * more) use `rep movsb`/`rep stosb` when CPUID says the CPU makes them fast
 * (ERMS, leaf 7 EBX bit 9, or FSRM, EDX bit 4); TCG's and older models do
 * not, and keep the word loops, which are fewer instructions there.
 * memmove copies backwards a word at a time when the destination overlaps
 * the source from above. memcmp compares words and finds the byte that
 * differs in the first word that does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Keep clang from recognising these loops as the very functions being defined. */
#define NO_BUILTIN __attribute__((no_builtin))

typedef uint64_t __attribute__((aligned(1), may_alias)) unaligned_u64;

static inline uint64_t load64(const uint8_t* p) {
  return *(const unaligned_u64*)p;
}

static inline void store64(uint8_t* p, uint64_t value) {
  *(unaligned_u64*)p = value;
}

#if defined(__x86_64__)
#include <cpuid.h>
/*
 * Below these a word loop beats starting a rep string instruction (measured
 * on a CPU with ERMS and FSRM: rep movsb at 1 KiB copied at 45 GB/s where
 * the loop did 74, and overtook it from 4 KiB; rep stosb from 2 KiB).
 */
#define REP_COPY_THRESHOLD 4096
#define REP_FILL_THRESHOLD 2048
#define CPUID7_EBX_ERMS (1u << 9)
#define CPUID7_EDX_FSRM (1u << 4)

enum { REP_UNKNOWN, REP_FAST, REP_SLOW };
static int rep_strings = REP_UNKNOWN;

/* Whether rep movsb/stosb are the fast way (asked once). */
static int fast_rep_strings(void) {
  if (rep_strings == REP_UNKNOWN) {
    unsigned eax, ebx = 0, ecx, edx = 0;
    int fast = __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && ((ebx & CPUID7_EBX_ERMS) || (edx & CPUID7_EDX_FSRM));
    rep_strings = fast ? REP_FAST : REP_SLOW;
  }
  return rep_strings == REP_FAST;
}
#endif

/*
 * Copies n >= 8 bytes forwards: whole words, then the last word (overlapping
 * the one before, loaded first). Also right for a destination below an
 * overlapping source: every word is read before anything at or above it is
 * written, and the last word holds the source's bytes as they were.
 */
static inline void copy_words(uint8_t* d, const uint8_t* s, size_t n) {
  const uint64_t last = load64(s + n - 8);
  size_t i = 0;
#if defined(__aarch64__)
  for (; i + 16 <= n; i += 16) {
    uint64_t a = load64(s + i), b = load64(s + i + 8);
    store64(d + i, a);
    store64(d + i + 8, b);
  }
#endif
  for (; i + 8 <= n; i += 8) store64(d + i, load64(s + i));
  store64(d + n - 8, last);
}

NO_BUILTIN void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if (n < 8) {
    for (size_t i = 0; i < n; i++) d[i] = s[i];
    return dst;
  }
#if defined(__x86_64__)
  if (n >= REP_COPY_THRESHOLD && fast_rep_strings()) {
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
  }
#endif
  copy_words(d, s, n);
  return dst;
}

NO_BUILTIN void* memmove(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) {
    if (n < 8) {
      for (size_t i = 0; i < n; i++) d[i] = s[i];
    } else {
      copy_words(d, s, n);
    }
    return dst;
  }
  /* The destination overlaps the source from above: backwards, the tail first. */
  size_t i = n;
  for (; i >= 8; i -= 8) store64(d + i - 8, load64(s + i - 8));
  while (i > 0) {
    i--;
    d[i] = s[i];
  }
  return dst;
}

NO_BUILTIN void* memset(void* dst, int c, size_t n) {
  uint8_t* d = dst;
  const uint8_t byte = (uint8_t)c;
  if (n < 8) {
    for (size_t i = 0; i < n; i++) d[i] = byte;
    return dst;
  }
#if defined(__x86_64__)
  if (n >= REP_FILL_THRESHOLD && fast_rep_strings()) {
    __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(byte) : "memory");
    return dst;
  }
#endif
  const uint64_t word = byte * 0x0101010101010101ull;
  size_t i = 0;
#if defined(__aarch64__)
  for (; i + 16 <= n; i += 16) {
    store64(d + i, word);
    store64(d + i + 8, word);
  }
#endif
  for (; i + 8 <= n; i += 8) store64(d + i, word);
  store64(d + n - 8, word);
  return dst;
}

NO_BUILTIN int memcmp(const void* a, const void* b, size_t n) {
  const uint8_t* x = a;
  const uint8_t* y = b;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    if (load64(x + i) != load64(y + i)) break; /* the byte loop below finds which */
  }
  for (; i < n; i++) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

NO_BUILTIN size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n]) n++;
  return n;
}
