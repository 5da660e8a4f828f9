/*
 * App-side runtime header for wasm2c output (wabt 1.0.39), used by
 * `wisp build-app` to compile a WASI program into app.so.
 *
 * The configuration and types are shared with the kernel's own header
 * (arch/common/include/wasm-rt-shared.h); this file adds what is particular
 * to an app.so: the memory functions, which are left undefined in app.so and resolved at load
 * time from the kernel's export table (with wasm_rt_trap and the table
 * allocators: the list is loader/native/runtime.list; `wisp build-app`
 * refuses any other undefined symbol besides the WASI imports). The kernel
 * reserves 8 GiB of address space per memory, so any 32-bit address plus
 * offset lands in the memory or in its guard pages.
 */
#ifndef WASM_RT_H_
#define WASM_RT_H_

#include "../../arch/common/include/wasm-rt-shared.h"

/* The one wasm page size Wisp accepts (no custom-page-sizes). */
#define WASM_RT_PAGE_SIZE 65536

#ifdef __cplusplus
extern "C" {
#endif

/* Reserves the memory's address space (with guard pages) and commits `initial_pages`. */
void wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint64_t initial_pages,
                             uint64_t max_pages, bool is64, uint32_t page_size);
/* Grows by `delta` pages: returns the old page count, or (uint64_t)-1 when it cannot. */
uint64_t wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint64_t delta);
void wasm_rt_free_memory(wasm_rt_memory_t* memory);

#ifdef __cplusplus
}
#endif

#endif
