/*
 * What the kernel's and the apps' wasm2c runtime headers share (wabt 1.0.39):
 * the configuration of the generated code and the runtime's types.
 *
 * The two headers (arch/common/include/wasm-rt.h for the kernel,
 * loader/native/wasm-rt.h for app.so) include this one, so the structures an
 * app module hands the kernel (memories, tables) have one layout by
 * construction: arch/common/app-runtime.c fills in the app's
 * wasm_rt_memory_t and tables through these very definitions.
 *
 *   - memories are windows the kernel maps: their bounds are enforced by
 *     guard pages, never by checks in the generated code;
 *   - no exceptions, threads, segue or stack-depth counting;
 *   - tables never grow (a failed table.grow is legal wasm).
 */
#ifndef WASM_RT_SHARED_H_
#define WASM_RT_SHARED_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WASM_RT_MEMCHECK_GUARD_PAGES 1
#define WASM_RT_MEMCHECK_BOUNDS_CHECK 0
#define WASM_RT_MEMCHECK_SIGNAL_HANDLER 0
#define WASM_RT_USE_SEGUE 0
#define WASM_RT_SEGUE_FREE_SEGMENT 0
#define WASM_RT_STACK_DEPTH_COUNT 0
#define WASM_RT_STACK_EXHAUSTION_HANDLER 0
#define WASM_RT_NONCONFORMING_UNCHECKED_STACK_EXHAUSTION 1
#define WASM_RT_MAX_CALL_STACK_DEPTH 0
#define WASM_RT_SANITY_CHECKS 0
#define WABT_BIG_ENDIAN 0
#define WASM_RT_THREAD_LOCAL
#define WASM_RT_NO_RETURN __attribute__((noreturn))
#define WASM_RT_UNREACHABLE __builtin_unreachable()
#define WASM_RT_LIKELY(x) __builtin_expect(!!(x), 1)
#define WASM_RT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define LIKELY(x) __builtin_expect(!!(x), 1)
#define UNLIKELY(x) __builtin_expect(!!(x), 0)
#define wasm_rt_memcpy __builtin_memcpy

#ifdef __cplusplus
extern "C" {
#endif

/* Why generated code stopped; the numbering is wasm2c's (the kernel prints it). */
typedef enum {
  WASM_RT_TRAP_NONE,
  WASM_RT_TRAP_OOB,
  WASM_RT_TRAP_INT_OVERFLOW,
  WASM_RT_TRAP_DIV_BY_ZERO,
  WASM_RT_TRAP_INVALID_CONVERSION,
  WASM_RT_TRAP_UNREACHABLE,
  WASM_RT_TRAP_CALL_INDIRECT,
  WASM_RT_TRAP_UNCAUGHT_EXCEPTION,
  WASM_RT_TRAP_UNALIGNED,
  WASM_RT_TRAP_EXHAUSTION,
  WASM_RT_TRAP_NULL_REF,
} wasm_rt_trap_t;

typedef enum {
  WASM_RT_I32,
  WASM_RT_I64,
  WASM_RT_F32,
  WASM_RT_F64,
  WASM_RT_V128,
  WASM_RT_FUNCREF,
  WASM_RT_EXTERNREF,
  WASM_RT_EXNREF,
} wasm_rt_type_t;

typedef void (*wasm_rt_function_ptr_t)(void);

struct wasm_rt_tailcallee_t;
typedef void (*wasm_rt_tailcallee_fn_t)(void** instance_ptr, void* tail_call_stack,
                                        struct wasm_rt_tailcallee_t* next);
typedef struct wasm_rt_tailcallee_t {
  wasm_rt_tailcallee_fn_t fn;
} wasm_rt_tailcallee_t;

/* Function types are compared by their 32-byte signature hash. */
typedef const char* wasm_rt_func_type_t;

/* A table element: 32 bytes. */
typedef struct {
  wasm_rt_func_type_t func_type;
  wasm_rt_function_ptr_t func;
  wasm_rt_tailcallee_t func_tailcallee;
  void* module_instance;
} wasm_rt_funcref_t;

#define wasm_rt_funcref_null_value ((wasm_rt_funcref_t){NULL, NULL, {NULL}, NULL})

typedef void* wasm_rt_externref_t;
#define wasm_rt_externref_null_value ((wasm_rt_externref_t){NULL})

/*
 * A linear memory, filled in by wasm_rt_allocate_memory and updated by
 * wasm_rt_grow_memory (the kernel owns both):
 *
 *   offset  0  data       native address of wasm address 0
 *   offset  8  pages      current size in 64 KiB pages
 *   offset 16  max_pages  the module's maximum (65536 when it states none)
 *   offset 24  size       current size in bytes (pages * 65536)
 *   offset 32  is64       always false (memory64 is refused)
 */
typedef struct {
  uint8_t* data;
  uint64_t pages, max_pages;
  uint64_t size;
  bool is64;
} wasm_rt_memory_t;

/* Tables: data points to `max_size` elements' worth of storage, or `size`. */
typedef struct {
  wasm_rt_funcref_t* data;
  uint32_t max_size;
  uint32_t size;
} wasm_rt_funcref_table_t;

typedef struct {
  wasm_rt_externref_t* data;
  uint32_t max_size;
  uint32_t size;
} wasm_rt_externref_table_t;

/* Ends the code with a report; never returns (each image provides it). */
WASM_RT_NO_RETURN void wasm_rt_trap(wasm_rt_trap_t trap);

/* Zero-filled tables of `elements` entries. */
void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements,
                                    uint32_t max_elements);
void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table);
void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements,
                                      uint32_t max_elements);
void wasm_rt_free_externref_table(wasm_rt_externref_table_t* table);

static inline bool wasm_rt_is_initialized(void) { return true; }

/* Tables never grow (C programs do not use table.grow); a failed grow is legal wasm. */
static inline uint32_t wasm_rt_grow_funcref_table(wasm_rt_funcref_table_t* table,
                                                  uint32_t delta, wasm_rt_funcref_t init) {
  (void)table;
  (void)delta;
  (void)init;
  return (uint32_t)-1;
}
static inline uint32_t wasm_rt_grow_externref_table(wasm_rt_externref_table_t* table,
                                                    uint32_t delta, wasm_rt_externref_t init) {
  (void)table;
  (void)delta;
  (void)init;
  return (uint32_t)-1;
}

#ifdef __cplusplus
}
#endif

#endif
