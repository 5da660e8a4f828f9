/*
 * crc32c(crc, address, length) (contract in arch/index.ts): CRC-32C, the
 * Castagnoli polynomial (reflected 0x82F63B78, RFC 3720's), continued over
 * `length` bytes of kernel memory at `address`. ROFS checks its images with
 * it, on every block's first use, so it is on the boot path of every app.
 *
 * Both architectures have an instruction for it: x86_64's SSE4.2 crc32
 * (CPUID.1:ECX bit 20) and aarch64's crc32c* (ID_AA64ISAR0_EL1.CRC32, bits
 * 16-19), eight bytes per instruction. The CPU is asked once; without the
 * instruction the bytes go through a slicing-by-8 table walk (8 KiB of
 * tables, filled on first use).
 */
#include "kernel.h"

#define POLYNOMIAL 0x82f63b78u

enum { UNKNOWN, PRESENT, ABSENT };
static int instruction = UNKNOWN;
/* Written whole before first use (fill_tables), so not cleared with .bss at boot. */
__attribute__((section(".uninit.crc32c_tables"))) static uint32_t tables[8][256];
static int tables_filled;

#if defined(__x86_64__)
#include <cpuid.h>
#define CPUID_ECX_SSE42 (1u << 20)

static int has_instruction(void) {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  return (ecx & CPUID_ECX_SSE42) != 0;
}

#define CRC_TARGET "sse4.2"
#define CRC_BYTE(crc, byte) __builtin_ia32_crc32qi(crc, byte)
#define CRC_WORD(crc, word) ((uint32_t)__builtin_ia32_crc32di(crc, word))
#elif defined(__aarch64__)
#define ISAR0_CRC32_SHIFT 16

static int has_instruction(void) {
  uint64_t isar0;
  __asm__ volatile("mrs %0, ID_AA64ISAR0_EL1" : "=r"(isar0));
  return ((isar0 >> ISAR0_CRC32_SHIFT) & 0xf) != 0;
}

#define CRC_TARGET "crc"
#define CRC_BYTE(crc, byte) __builtin_arm_crc32cb(crc, byte)
#define CRC_WORD(crc, word) __builtin_arm_crc32cd(crc, word)
#else
#error "crc32c.c: an architecture Wisp does not build for"
#endif

/* Bytes up to an 8-byte boundary, then 64 bytes a step (eight instructions in a row), then the rest. */
__attribute__((target(CRC_TARGET))) static uint32_t by_instruction(uint32_t crc, const uint8_t* p, uint64_t n) {
  for (; n > 0 && ((uintptr_t)p & 7) != 0; n--) crc = CRC_BYTE(crc, *p++);
  for (; n >= 64; n -= 64, p += 64) {
    const uint64_t* words = (const uint64_t*)p;
    for (int i = 0; i < 8; i++) crc = CRC_WORD(crc, words[i]);
  }
  for (; n >= 8; n -= 8, p += 8) crc = CRC_WORD(crc, *(const uint64_t*)p);
  for (; n > 0; n--) crc = CRC_BYTE(crc, *p++);
  return crc;
}

static void fill_tables(void) {
  for (uint32_t n = 0; n < 256; n++) {
    uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? POLYNOMIAL ^ (c >> 1) : c >> 1;
    tables[0][n] = c;
  }
  /* Table k: the CRC of a byte followed by k zero bytes. */
  for (int k = 1; k < 8; k++) {
    for (int n = 0; n < 256; n++) tables[k][n] = (tables[k - 1][n] >> 8) ^ tables[0][tables[k - 1][n] & 0xff];
  }
  tables_filled = 1;
}

static uint32_t by_tables(uint32_t crc, const uint8_t* p, uint64_t n) {
  if (!tables_filled) fill_tables();
  for (; n >= 8; n -= 8, p += 8) {
    uint32_t low = (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24) ^ crc;
    uint32_t high = (uint32_t)(p[4] | p[5] << 8 | p[6] << 16 | (uint32_t)p[7] << 24);
    crc = tables[7][low & 0xff] ^ tables[6][(low >> 8) & 0xff] ^ tables[5][(low >> 16) & 0xff] ^ tables[4][low >> 24] ^
          tables[3][high & 0xff] ^ tables[2][(high >> 8) & 0xff] ^ tables[1][(high >> 16) & 0xff] ^ tables[0][high >> 24];
  }
  while (n-- > 0) crc = tables[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return crc;
}

u32 w2c_arch_crc32c(struct w2c_arch* arch, u32 crc, u32 address, u32 length) {
  (void)arch;
  if (instruction == UNKNOWN) instruction = has_instruction() ? PRESENT : ABSENT;
  const uint8_t* bytes = (const uint8_t*)(uintptr_t)address;
  uint32_t c = ~crc;
  c = instruction == PRESENT ? by_instruction(c, bytes, length) : by_tables(c, bytes, length);
  return ~c;
}
