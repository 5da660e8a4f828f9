/*
 * The C library routines clang and wasm2c output call: memcpy, memmove,
 * memset, memcmp (the kernel's and every app's: app.so imports them from
 * the kernel's export table) and strlen.
 *
 * Copies and fills are counted in instructions, the cost that matters both
 * on hardware and under TCG's instruction counter. Up to 64 bytes they are
 * a few loads and stores that overlap in the middle (8 + 8 for 9-16 bytes,
 * 16 + 16 for 17-32, four 16-byte vectors for 33-64), with every load done
 * before the first store, so they are right for overlapping memmove too.
 * Longer ones move 128 bytes per step (then 64) in 16-byte vectors (SSE on
 * x86_64, NEON q registers on aarch64) and finish with the last 64 bytes,
 * loaded before the loop so that a forward memmove sees them as they were.
 * On x86_64, long copies and fills (REP_*_THRESHOLD bytes or more) use
 * `rep movsb`/`rep stosb` when CPUID says the CPU makes them fast (ERMS,
 * leaf 7 EBX bit 9, or FSRM, EDX bit 4); TCG's and older models do not.
 * On aarch64, long zero fills (ZERO_BLOCK_THRESHOLD bytes or more) clear
 * whole 64-byte blocks with `dc zva` when DCZID_EL0 permits it and says the
 * block is 64 bytes (QEMU's and most cores'): a page in 64 instructions
 * rather than 128 stores. memmove copies backwards the same way when the
 * destination overlaps the source from above. memcmp compares words and finds the byte that
 * differs in the first word that does.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Keep clang from recognising these loops as the very functions being defined. */
#define NO_BUILTIN __attribute__((no_builtin))

typedef uint64_t __attribute__((aligned(1), may_alias)) unaligned_u64;
typedef uint32_t __attribute__((aligned(1), may_alias)) unaligned_u32;
typedef uint16_t __attribute__((aligned(1), may_alias)) unaligned_u16;
typedef uint8_t vec16 __attribute__((vector_size(16), aligned(1), may_alias));

static inline uint64_t load64(const uint8_t* p) {
  return *(const unaligned_u64*)p;
}

static inline void store64(uint8_t* p, uint64_t value) {
  *(unaligned_u64*)p = value;
}

static inline vec16 load128(const uint8_t* p) {
  return *(const vec16*)p;
}

static inline void store128(uint8_t* p, vec16 value) {
  *(vec16*)p = value;
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

#if defined(__aarch64__)
#define ZERO_BLOCK_THRESHOLD 256
#define ZVA_BLOCK 64
#define DCZID_PROHIBITED (1u << 4)
#define DCZID_BLOCK_SIZE_MASK 0xfu

enum { ZVA_UNKNOWN, ZVA_USABLE, ZVA_UNUSABLE };
static int zva = ZVA_UNKNOWN;

/* Whether dc zva may be used and clears 64 bytes (DCZID_EL0: DZP clear, BS = log2 of the block in words, 4). */
static int zva_usable(void) {
  if (zva == ZVA_UNKNOWN) {
    uint64_t id;
    __asm__ volatile("mrs %0, dczid_el0" : "=r"(id));
    int usable = (id & DCZID_PROHIBITED) == 0 && (4u << (id & DCZID_BLOCK_SIZE_MASK)) == ZVA_BLOCK;
    zva = usable ? ZVA_USABLE : ZVA_UNUSABLE;
  }
  return zva == ZVA_USABLE;
}

static inline void zero_block(uint8_t* p) {
  __asm__ volatile("dc zva, %0" : : "r"(p) : "memory");
}
#endif

/* Copies n <= 64 bytes, every load before the first store (any overlap is fine). */
static inline void copy_short(uint8_t* d, const uint8_t* s, size_t n) {
  if (n > 32) {
    vec16 a = load128(s), b = load128(s + 16), c = load128(s + n - 32), e = load128(s + n - 16);
    store128(d, a);
    store128(d + 16, b);
    store128(d + n - 32, c);
    store128(d + n - 16, e);
  } else if (n > 16) {
    vec16 a = load128(s), b = load128(s + n - 16);
    store128(d, a);
    store128(d + n - 16, b);
  } else if (n >= 8) {
    uint64_t a = load64(s), b = load64(s + n - 8);
    store64(d, a);
    store64(d + n - 8, b);
  } else if (n >= 4) {
    uint32_t a = *(const unaligned_u32*)s, b = *(const unaligned_u32*)(s + n - 4);
    *(unaligned_u32*)d = a;
    *(unaligned_u32*)(d + n - 4) = b;
  } else if (n >= 2) {
    uint16_t a = *(const unaligned_u16*)s, b = *(const unaligned_u16*)(s + n - 2);
    *(unaligned_u16*)d = a;
    *(unaligned_u16*)(d + n - 2) = b;
  } else if (n == 1) {
    *d = *s;
  }
}

/* Copies the 64 bytes at s to d (loads first). */
static inline void copy64(uint8_t* d, const uint8_t* s) {
  vec16 a = load128(s), b = load128(s + 16), c = load128(s + 32), e = load128(s + 48);
  store128(d, a);
  store128(d + 16, b);
  store128(d + 32, c);
  store128(d + 48, e);
}

/*
 * Copies n > 64 bytes forwards, 128 then 64 at a time, then the last 64
 * (loaded first). Also right for a destination below an overlapping
 * source: every block is read before anything at or above it is written.
 */
static void copy_forward(uint8_t* d, const uint8_t* s, size_t n) {
  vec16 t0 = load128(s + n - 64), t1 = load128(s + n - 48), t2 = load128(s + n - 32), t3 = load128(s + n - 16);
  size_t i = 0;
  for (; i + 128 < n; i += 128) {
    vec16 a = load128(s + i), b = load128(s + i + 16), c = load128(s + i + 32), e = load128(s + i + 48);
    vec16 f = load128(s + i + 64), g = load128(s + i + 80), h = load128(s + i + 96), k = load128(s + i + 112);
    store128(d + i, a);
    store128(d + i + 16, b);
    store128(d + i + 32, c);
    store128(d + i + 48, e);
    store128(d + i + 64, f);
    store128(d + i + 80, g);
    store128(d + i + 96, h);
    store128(d + i + 112, k);
  }
  if (i + 64 < n) copy64(d + i, s + i);
  store128(d + n - 64, t0);
  store128(d + n - 48, t1);
  store128(d + n - 32, t2);
  store128(d + n - 16, t3);
}

/* The mirror image, for a destination above an overlapping source: the first 64 bytes are loaded first and stored last. */
static void copy_backward(uint8_t* d, const uint8_t* s, size_t n) {
  vec16 h0 = load128(s), h1 = load128(s + 16), h2 = load128(s + 32), h3 = load128(s + 48);
  size_t i = n;
  for (; i > 128; i -= 128) {
    vec16 a = load128(s + i - 128), b = load128(s + i - 112), c = load128(s + i - 96), e = load128(s + i - 80);
    vec16 f = load128(s + i - 64), g = load128(s + i - 48), h = load128(s + i - 32), k = load128(s + i - 16);
    store128(d + i - 16, k);
    store128(d + i - 32, h);
    store128(d + i - 48, g);
    store128(d + i - 64, f);
    store128(d + i - 80, e);
    store128(d + i - 96, c);
    store128(d + i - 112, b);
    store128(d + i - 128, a);
  }
  if (i > 64) copy64(d + i - 64, s + i - 64);
  store128(d, h0);
  store128(d + 16, h1);
  store128(d + 32, h2);
  store128(d + 48, h3);
}

NO_BUILTIN void* memcpy(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if (n <= 64) {
    copy_short(d, s, n);
    return dst;
  }
#if defined(__x86_64__)
  if (n >= REP_COPY_THRESHOLD && fast_rep_strings()) {
    __asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
    return dst;
  }
#endif
  copy_forward(d, s, n);
  return dst;
}

NO_BUILTIN void* memmove(void* dst, const void* src, size_t n) {
  uint8_t* d = dst;
  const uint8_t* s = src;
  if (n <= 64) copy_short(d, s, n);
  else if (d <= s || d >= s + n) copy_forward(d, s, n);
  else copy_backward(d, s, n);
  return dst;
}

/* Stores the 16-byte pattern v four times from d. */
static inline void fill64(uint8_t* d, vec16 v) {
  store128(d, v);
  store128(d + 16, v);
  store128(d + 32, v);
  store128(d + 48, v);
}

NO_BUILTIN void* memset(void* dst, int c, size_t n) {
  uint8_t* d = dst;
  const uint8_t byte = (uint8_t)c;
  const uint64_t word = byte * 0x0101010101010101ull;
  if (n >= 8) {
#if defined(__x86_64__)
    if (n >= REP_FILL_THRESHOLD && fast_rep_strings()) {
      __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(byte) : "memory");
      return dst;
    }
#endif
    if (n <= 16) {
      store64(d, word);
      store64(d + n - 8, word);
      return dst;
    }
    const vec16 v = (vec16){0} + byte;
#if defined(__aarch64__)
    if (byte == 0 && n >= ZERO_BLOCK_THRESHOLD && zva_usable()) {
      /* The first and last 64 bytes by stores, whole blocks between them four at a time. */
      uint8_t* end = d + n;
      uint8_t* p = (uint8_t*)(((uintptr_t)d + ZVA_BLOCK) & ~(uintptr_t)(ZVA_BLOCK - 1));
      uint8_t* last = (uint8_t*)((uintptr_t)end & ~(uintptr_t)(ZVA_BLOCK - 1));
      fill64(d, v);
      for (; last - p >= 4 * ZVA_BLOCK; p += 4 * ZVA_BLOCK) {
        zero_block(p);
        zero_block(p + ZVA_BLOCK);
        zero_block(p + 2 * ZVA_BLOCK);
        zero_block(p + 3 * ZVA_BLOCK);
      }
      for (; p < last; p += ZVA_BLOCK) zero_block(p);
      fill64(end - 64, v);
      return dst;
    }
#endif
    if (n <= 32) {
      store128(d, v);
      store128(d + n - 16, v);
      return dst;
    }
    if (n > 64) {
      size_t i = 0;
      for (; i + 128 < n; i += 128) {
        fill64(d + i, v);
        fill64(d + i + 64, v);
      }
      if (i + 64 < n) fill64(d + i, v);
      store128(d + n - 64, v);
      store128(d + n - 48, v);
    } else {
      store128(d, v);
      store128(d + 16, v);
    }
    store128(d + n - 32, v);
    store128(d + n - 16, v);
    return dst;
  }
  if (n >= 4) {
    *(unaligned_u32*)d = (uint32_t)word;
    *(unaligned_u32*)(d + n - 4) = (uint32_t)word;
  } else if (n >= 2) {
    *(unaligned_u16*)d = (uint16_t)word;
    *(unaligned_u16*)(d + n - 2) = (uint16_t)word;
  } else if (n == 1) {
    *d = byte;
  }
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
