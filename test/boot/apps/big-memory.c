/*
 * An app whose linear memory starts large (linked with --initial-memory) and
 * that touches little of it, for the boot tests and the measurements of
 * demand-paged app memory (docs/loader.md). argv[1] says what to do:
 *
 *   touch N     write a value into N pages spread over the memory above the
 *               heap base, read them back and print their sum; also has
 *               the kernel copy into and out of pages nothing touched yet
 *               (random_get into one, fd_write from another)
 *   beyond      read just past the memory's current size: an out-of-bounds trap
 *   exit        return at once (for timing the boot up to _start)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>

extern unsigned char __heap_base;

static uintptr_t memory_end(void) {
  return (uintptr_t)__builtin_wasm_memory_size(0) * 65536;
}

/* The i-th of n page-aligned addresses spread evenly over [heap base, end of memory). */
static volatile uint32_t* spread(uint32_t i, uint32_t n) {
  uintptr_t start = ((uintptr_t)&__heap_base + 4095) & ~(uintptr_t)4095;
  uintptr_t pages = (memory_end() - start) / 4096;
  return (volatile uint32_t*)(start + (uintptr_t)((uint64_t)pages * i / n) * 4096 + (i % 1024) * 4);
}

static int touch(uint32_t n) {
  uint64_t sum = 0;
  for (uint32_t i = 0; i < n; i++) *spread(i, n) = i * 3 + 1;
  for (uint32_t i = 0; i < n; i++) sum += *spread(i, n);
  printf("memory %lu MiB, touched %u pages, sum %llu\n", (unsigned long)(memory_end() >> 20), n, (unsigned long long)sum);
  /* The kernel writes into, and reads from, pages of the memory's last MiB that nothing touched. */
  uint8_t* last = (uint8_t*)(memory_end() - (1u << 20));
  if (__wasi_random_get(last + 100, 3 * 4096) != 0) return 1;
  int nonzero = 0;
  for (uint32_t i = 0; i < 3 * 4096; i++) nonzero += last[100 + i] != 0;
  printf("random_get into untouched pages: %s\n", nonzero > 3 * 4096 / 2 ? "filled" : "NOT filled");
  fflush(stdout);
  __wasi_ciovec_t iov = {last + 512 * 1024, 8};
  __wasi_size_t written = 0;
  if (__wasi_fd_write(1, &iov, 1, &written) != 0 || written != 8) return 1;
  printf("\nfd_write from an untouched page: %u bytes\n", (unsigned)written);
  return 0;
}

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "exit";
  if (strcmp(what, "touch") == 0) return touch(argc > 2 ? (uint32_t)atoi(argv[2]) : 64);
  if (strcmp(what, "beyond") == 0) {
    printf("reading at %lu MiB\n", (unsigned long)(memory_end() >> 20));
    fflush(stdout);
    volatile uint32_t* past = (volatile uint32_t*)(memory_end() + 64);
    return (int)*past;
  }
  return 0;
}
