/*
 * The kernel instance: the wasm2c-compiled kernel brought to life.
 *
 * The kernel's linear memory is imported (module "env", name "memory") and
 * given here as a window over physical memory starting at address 0, so a
 * wasm address is a physical address. Nothing checks bounds: page 0 is
 * unmapped and the arch page tables decide what exists.
 *
 * The boot stub calls wisp_enter_kernel once paging is on. CPU exceptions and
 * wasm traps come back here and are handed to the kernel's reporting exports;
 * a fault while reporting powers off at once with a fixed status.
 */
#include "handoff.h"
#include "kernel.h"
#include "wasm-rt.h"
#include <string.h>

/* Status used when the kernel cannot even report its failure. */
#define DOUBLE_FAULT_STATUS 126
#define TABLE_POOL_ENTRIES 4096

static wasm_rt_memory_t physical_memory;
static w2c_kernel kernel;
static int reporting;

wasm_rt_memory_t* w2c_env_memory(struct w2c_env* env) {
  (void)env;
  return &physical_memory;
}

w2c_kernel* wisp_kernel_instance(void) { return &kernel; }

int wisp_app_fault(uint64_t kind, uint64_t code, uint64_t ip, uint64_t address);

__attribute__((noreturn)) static void power_off_now(uint32_t status) {
  w2c_arch_powerOff(0, status);
  __builtin_unreachable();
}

void wisp_enter_kernel(struct handoff* handoff) {
  physical_memory.data = (uint8_t*)0;
  physical_memory.pages = 65536;
  physical_memory.max_pages = 65536;
  physical_memory.size = 1ull << 32;
  physical_memory.is64 = false;
  wasm2c_kernel_instantiate(&kernel, 0, 0);
  handoff->stamps[handoff->stamp_count++] = w2c_arch_timestamp(0);
  w2c_kernel_kmain(&kernel, (uint32_t)(uintptr_t)handoff);
  power_off_now(0);
}

/*
 * Returns only for a fault of the running application (arch/common/app-runtime.c):
 * 1 when the kernel cured it (a first touch of app memory: the arch entry
 * restores the interrupted state and runs the instruction again), 0 when it
 * ends the app (the arch entry resumes at wisp_app_fault_return). Anything
 * else is fatal.
 */
int wisp_cpu_exception(uint64_t kind, uint64_t code, uint64_t ip, uint64_t address) {
  int verdict = reporting ? 0 : wisp_app_fault(kind, code, ip, address);
  if (verdict == 2) return 1;
  if (verdict == 1) return 0;
  if (reporting++) power_off_now(DOUBLE_FAULT_STATUS);
  w2c_kernel_cpuException(&kernel, (uint32_t)kind, code, ip, address);
  power_off_now(DOUBLE_FAULT_STATUS);
}

void wasm_rt_trap(wasm_rt_trap_t trap) {
  if (reporting++) power_off_now(DOUBLE_FAULT_STATUS);
  w2c_kernel_wasmTrap(&kernel, (uint32_t)trap);
  power_off_now(DOUBLE_FAULT_STATUS);
}

/* An interrupt, from the arch entry stub; `vector` is the x86 vector, or ~0 where the controller names the source. */
void wisp_interrupt(uint64_t vector) {
  w2c_kernel_interrupt(&kernel, (uint32_t)vector);
}

/* A new thread's first call, from the context trampoline; threads never return here. */
void wisp_thread_start(void) {
  w2c_kernel_threadStart(&kernel);
  power_off_now(DOUBLE_FAULT_STATUS);
}

/* Imports that make no sense on this architecture (port I/O on aarch64) land here. */
void wisp_unsupported_import(void) {
  if (reporting++) power_off_now(DOUBLE_FAULT_STATUS);
  w2c_kernel_unsupportedImport(&kernel);
  power_off_now(DOUBLE_FAULT_STATUS);
}

const char* wasm_rt_strerror(wasm_rt_trap_t trap) {
  (void)trap;
  return "wasm trap";
}

/*
 * Function tables are carved from a static pool at instantiation. The pool
 * lies outside .bss (the boot stub would spend a store per word clearing it):
 * only the entries handed out are cleared, here.
 */
__attribute__((section(".uninit.table_pool"))) static wasm_rt_funcref_t table_pool[TABLE_POOL_ENTRIES];
static uint32_t table_pool_used;

void wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements,
                                    uint32_t max_elements) {
  (void)max_elements;
  if (elements > TABLE_POOL_ENTRIES - table_pool_used) power_off_now(DOUBLE_FAULT_STATUS);
  table->data = &table_pool[table_pool_used];
  memset(table->data, 0, elements * sizeof(wasm_rt_funcref_t));
  table->size = elements;
  table->max_size = elements;
  table_pool_used += elements;
}

void wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) { (void)table; }

void wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements,
                                      uint32_t max_elements) {
  (void)max_elements;
  if (elements) power_off_now(DOUBLE_FAULT_STATUS);
  table->data = 0;
  table->size = 0;
  table->max_size = 0;
}

void wasm_rt_free_externref_table(wasm_rt_externref_table_t* table) { (void)table; }
