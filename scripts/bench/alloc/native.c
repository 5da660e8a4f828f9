/*
 * Allocator throughput on the host: Wisp's malloc as the kernel runs it (the
 * harness's wasm2c output, compiled by clang -O2) beside glibc malloc, on the
 * same patterns, in one process. Prints one JSON object per measurement:
 *   {"pattern": ..., "size": ..., "wispNsPerOp": ..., "glibcNsPerOp": ...}
 * The harness's linear memory is a 4 GiB reservation at the fixed address
 * WISP_WINDOW, compiled in as a constant like the kernel's base 0, so the
 * generated code is the kernel's; pages are only touched when used.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "harness.h"

#define RAM_END (512u << 20)
#define REPEATS 5

static wasm_rt_memory_t memory;
static w2c_harness harness;

wasm_rt_memory_t* w2c_env_memory(struct w2c_env* env) {
  (void)env;
  return &memory;
}

/* The harness links the kernel's console and clock; only a panic uses them here. */
u32 w2c_arch_portIn8(struct w2c_arch* a, u32 port) { (void)a; return port == 0x3fd ? 0x20 : 0; }
void w2c_arch_portOut8(struct w2c_arch* a, u32 port, u32 value) { (void)a; if (port == 0x3f8) fputc((int)value, stderr); }
u32 w2c_arch_mmioRead32(struct w2c_arch* a, u32 address) { (void)a; (void)address; return 0; }
void w2c_arch_mmioWrite32(struct w2c_arch* a, u32 address, u32 value) { (void)a; (void)address; (void)value; }
u64 w2c_arch_timestamp(struct w2c_arch* a) { (void)a; return 0; }
u64 w2c_arch_counterFrequency(struct w2c_arch* a) { (void)a; return 0; }
void w2c_arch_cpuid(struct w2c_arch* a, u32 leaf, u32 subleaf, u32 out) { (void)a; (void)leaf; (void)subleaf; memset(memory.data + out, 0, 16); }
void w2c_arch_powerOff(struct w2c_arch* a, u32 status) {
  (void)a;
  fprintf(stderr, "alloc-bench: the allocator stopped with status %u\n", status);
  exit(2);
}

void wasm_rt_trap(wasm_rt_trap_t trap) {
  fprintf(stderr, "alloc-bench: wasm trap %d\n", (int)trap);
  exit(2);
}
const char* wasm_rt_strerror(wasm_rt_trap_t trap) { (void)trap; return "trap"; }
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* t, uint32_t n, uint32_t max) {
  (void)max;
  t->data = calloc(n ? n : 1, sizeof(wasm_rt_funcref_t));
  t->size = t->max_size = n;
}
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* t) { free(t->data); }
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* t, uint32_t n, uint32_t max) {
  (void)max;
  t->data = calloc(n ? n : 1, sizeof(wasm_rt_externref_t));
  t->size = t->max_size = n;
}
void wasm_rt_free_externref_table(wasm_rt_externref_table_t* t) { free(t->data); }

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int compare(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

static double median(double* samples) {
  qsort(samples, REPEATS, sizeof(double), compare);
  return samples[REPEATS / 2];
}

/* Called through volatile pointers so that clang cannot pair up and delete malloc/free. */
static void* (*volatile glibc_malloc)(size_t) = malloc;
static void (*volatile glibc_free)(void*) = free;
static volatile uintptr_t sink;

static double wisp_pairs(u32 size, u32 pairs) {
  double samples[REPEATS];
  for (int r = 0; r < REPEATS; r++) {
    double start = now_ns();
    sink += w2c_harness_pairLoop(&harness, size, pairs);
    samples[r] = (now_ns() - start) / pairs;
  }
  return median(samples);
}

static double glibc_pairs(size_t size, u32 pairs) {
  double samples[REPEATS];
  for (int r = 0; r < REPEATS; r++) {
    double start = now_ns();
    for (u32 i = 0; i < pairs; i++) {
      void* p = glibc_malloc(size);
      sink += (uintptr_t)p;
      glibc_free(p);
    }
    samples[r] = (now_ns() - start) / pairs;
  }
  return median(samples);
}

static u32 xorshift(u32* state) {
  *state ^= *state << 13;
  *state ^= *state >> 17;
  *state ^= *state << 5;
  return *state;
}

static double wisp_churn(u32 live, u32 spread, u32 steps) {
  double samples[REPEATS];
  u32 slots = w2c_harness_allocate(&harness, live * 4);
  for (int r = 0; r < REPEATS; r++) {
    double start = now_ns();
    sink += w2c_harness_churnLoop(&harness, live, spread, steps, slots);
    samples[r] = (now_ns() - start) / steps;
  }
  w2c_harness_release(&harness, slots);
  return median(samples);
}

/* The same pattern as the harness's churnLoop, on glibc. */
static double glibc_churn(u32 live, u32 spread, u32 steps) {
  double samples[REPEATS];
  void** slots = malloc(sizeof(void*) * live);
  for (int r = 0; r < REPEATS; r++) {
    u32 state = 0x9e3779b9;
    double start = now_ns();
    for (u32 i = 0; i < live; i++) slots[i] = glibc_malloc(16 + i % (spread + 1));
    for (u32 i = 0; i < steps; i++) {
      xorshift(&state);
      u32 slot = state % live;
      glibc_free(slots[slot]);
      slots[slot] = glibc_malloc(16 + state % (spread + 1));
      sink += (uintptr_t)slots[slot];
    }
    for (u32 i = 0; i < live; i++) glibc_free(slots[i]);
    samples[r] = (now_ns() - start) / steps;
  }
  free(slots);
  return median(samples);
}

int main(int argc, char** argv) {
  u32 pairs = argc > 1 ? (u32)strtoul(argv[1], 0, 10) : 2000000;
  void* window = mmap((void*)(uintptr_t)WISP_WINDOW, 1ull << 32, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (window != (void*)(uintptr_t)WISP_WINDOW) {
    perror("alloc-bench: mmap of the 4 GiB window");
    return 1;
  }
  memory.data = window;
  memory.pages = 65536;
  memory.max_pages = 65536;
  memory.size = 1ull << 32;
  wasm2c_harness_instantiate(&harness, 0, 0);
  if (!w2c_harness_setup(&harness, RAM_END)) {
    fprintf(stderr, "alloc-bench: the allocator could not be set up\n");
    return 1;
  }
  static const u32 sizes[] = {16, 64, 256, 1024, 4096, 16384};
  for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    double wisp = wisp_pairs(sizes[i], pairs);
    double glibc = glibc_pairs(sizes[i], pairs);
    printf("{\"pattern\": \"pair\", \"size\": %u, \"wispNsPerOp\": %.2f, \"glibcNsPerOp\": %.2f}\n", sizes[i], wisp, glibc);
  }
  double wisp = wisp_churn(4096, 240, pairs);
  double glibc = glibc_churn(4096, 240, pairs);
  printf("{\"pattern\": \"churn\", \"size\": 0, \"wispNsPerOp\": %.2f, \"glibcNsPerOp\": %.2f}\n", wisp, glibc);
  return 0;
}
