/*
 * Runs arch/common/crc32c.c natively for test/host/native/crc32c.test.ts:
 * reads lines "ALIGN LENGTH SEED" with the bytes following on stdin, and
 * prints the CRC-32C by the instruction path, the table path and the
 * kernel's entry point (which picks one), one line of three hex numbers each.
 * Built with -I test/host/native/stub, whose kernel.h stands in for the
 * generated one, and -no-pie, so the buffer has a 32-bit address.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../../arch/common/crc32c.c"

static _Alignas(64) uint8_t buffer[(1 << 20) + 64];

int main(void) {
  unsigned align, length, seed;
  while (scanf("%u %u %u", &align, &length, &seed) == 3) {
    getchar();
    if (align >= 64 || length > (1u << 20)) return 2;
    if (fread(buffer + align, 1, length, stdin) != length) return 3;
    const uint8_t* p = buffer + align;
    uint32_t hardware = has_instruction() ? ~by_instruction(~seed, p, length) : 0;
    uint32_t table = ~by_tables(~seed, p, length);
    uint32_t kernel = w2c_arch_crc32c(0, seed, (u32)(uintptr_t)p, length);
    printf("%08x %08x %08x\n", hardware, table, kernel);
    fflush(stdout);
  }
  return 0;
}
