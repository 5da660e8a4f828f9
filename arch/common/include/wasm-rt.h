/*
 * Freestanding runtime header for the kernel's wasm2c output (wabt 1.0.39).
 *
 * The configuration and types are shared with the apps' header
 * (wasm-rt-shared.h, included below), so that the kernel's
 * implementation of the app runtime (arch/common/app-runtime.c) and an
 * app.so agree on every structure they exchange. What is particular to the
 * kernel:
 *   - its memory is a window over physical memory that never grows: page
 *     tables decide what exists, so growing is refused here;
 *   - a trap calls wasm_rt_trap(), which the kernel turns into a panic that
 *     names the trap (arch/common/kernel-instance.c).
 */
#ifndef WASM_RT_H_
#define WASM_RT_H_

#include "wasm-rt-shared.h"

#ifdef __cplusplus
extern "C" {
#endif

const char* wasm_rt_strerror(wasm_rt_trap_t trap);

/* Growing memory is the kernel's business (page tables), never the code's. */
static inline uint64_t wasm_rt_grow_memory(wasm_rt_memory_t* mem, uint64_t delta) {
  (void)mem;
  (void)delta;
  return (uint64_t)-1;
}

#ifdef __cplusplus
}
#endif

#endif
