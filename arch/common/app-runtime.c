/*
 * The native side of running an application module.
 *
 * The kernel (AssemblyScript) decides everything; this file does what only
 * native code can: call into the loaded module with a recovery point, come
 * back to that point when the app exits, traps or faults, copy between the
 * kernel's memory and the app's (which lies above 4 GiB, beyond the
 * kernel's wasm window), and provide the wasm2c runtime functions an app
 * module imports (memory, tables, traps), each a thin call into a kernel
 * export. The module's imports are resolved against the table that the
 * build generates from kernel.h and loader/native/runtime.list
 * (build/<arch>/gen/app-exports.c); a runtime symbol `wasm_rt_x` resolves
 * to `wisp_app_wasm_rt_x` here.
 *
 * One application call runs at a time (one app per VM, WASI preview 1 has
 * no threads), so the recovery point is a single static record.
 */
#include "kernel.h"
#include "wasm-rt.h"
#include <string.h>

/* Why an app call was cut short; the kernel's loader/run.ts knows the same numbers. */
#define LEFT_BY_TRAP 2
#define LEFT_BY_FAULT 3

/* What the kernel made of a fault (loader/faults.ts knows the same numbers). */
#define WISP_FAULT_NOT_THE_APPS 0
#define WISP_FAULT_ENDS_APP 1
#define WISP_FAULT_RESOLVED 2

/* Callee-saved registers and the stack pointer at wisp_app_call (arch/<arch>/app.S). */
struct app_recovery {
  uint64_t registers[24];
};

w2c_kernel* wisp_kernel_instance(void);
uint32_t wisp_app_call(uint64_t entry, void* argument, struct app_recovery* recovery);
__attribute__((noreturn)) void wisp_app_unwind(struct app_recovery* recovery, uint32_t reason);

struct app_recovery wisp_app_recovery;
static int app_call_active;

uint32_t w2c_arch_runApp(struct w2c_arch* arch, uint64_t entry) {
  (void)arch;
  app_call_active = 1;
  uint32_t reason = wisp_app_call(entry, wisp_kernel_instance(), &wisp_app_recovery);
  app_call_active = 0;
  return reason;
}

void w2c_arch_leaveApp(struct w2c_arch* arch, uint32_t reason) {
  (void)arch;
  wisp_app_unwind(&wisp_app_recovery, reason);
}

void w2c_arch_copyFromApp(struct w2c_arch* arch, uint32_t destination, uint64_t source, uint32_t length) {
  (void)arch;
  memcpy((void*)(uintptr_t)destination, (const void*)(uintptr_t)source, length);
}

void w2c_arch_copyToApp(struct w2c_arch* arch, uint64_t destination, uint32_t source, uint32_t length) {
  (void)arch;
  memcpy((void*)(uintptr_t)destination, (const void*)(uintptr_t)source, length);
}

/*
 * A CPU exception, as the kernel sees it: during a module call, a fault the
 * kernel claims as the module's unwinds that call (WISP_FAULT_ENDS_APP,
 * with wisp_fault_recovery the module call's recovery point). Otherwise,
 * while an app call runs (loader/faults.ts): WISP_FAULT_RESOLVED when the
 * kernel mapped the app memory page the access missed (the arch entry
 * returns to the faulting instruction); WISP_FAULT_ENDS_APP when the fault
 * is the app's (its code, its memory's guard, its stack's guard) and
 * recorded for the report (the arch entry resumes at wisp_app_fault_return,
 * which unwinds to wisp_fault_recovery); WISP_FAULT_NOT_THE_APPS otherwise,
 * and always when no call runs.
 */
struct app_recovery* wisp_module_fault(uint64_t kind, uint64_t code, uint64_t ip, uint64_t address);

/* Where wisp_app_fault_return unwinds to: the module call's or the app call's recovery point. */
struct app_recovery* wisp_fault_recovery;

int wisp_app_fault(uint64_t kind, uint64_t code, uint64_t ip, uint64_t address) {
  struct app_recovery* module = wisp_module_fault(kind, code, ip, address);
  if (module) {
    wisp_fault_recovery = module;
    return WISP_FAULT_ENDS_APP;
  }
  if (!app_call_active) return WISP_FAULT_NOT_THE_APPS;
  int verdict = (int)w2c_kernel_appFault(wisp_kernel_instance(), (uint32_t)kind, code, ip, address);
  if (verdict == WISP_FAULT_ENDS_APP) wisp_fault_recovery = &wisp_app_recovery;
  return verdict;
}

/* Called by the module's wisp_app_main just before _start (loader/native/app-main.c). */
void wisp_app_started(void) {
  w2c_kernel_appStarted(wisp_kernel_instance());
}

/* --- wasm2c runtime functions for app modules --- */

__attribute__((noreturn)) void wisp_app_wasm_rt_trap(wasm_rt_trap_t trap) {
  w2c_kernel_appTrap(wisp_kernel_instance(), (uint32_t)trap, (uint64_t)(uintptr_t)__builtin_return_address(0));
  wisp_app_unwind(&wisp_app_recovery, LEFT_BY_TRAP);
}

void wisp_app_wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint64_t initial_pages, uint64_t max_pages,
                                      bool is64, uint32_t page_size) {
  uint64_t base = w2c_kernel_appMemoryReserve(wisp_kernel_instance(), initial_pages, max_pages, is64 ? 1 : 0, page_size);
  if (base == 0) wisp_app_unwind(&wisp_app_recovery, LEFT_BY_TRAP);
  memory->data = (uint8_t*)(uintptr_t)base;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = initial_pages * 65536;
  memory->is64 = is64;
}

uint64_t wisp_app_wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint64_t delta) {
  int64_t old = (int64_t)w2c_kernel_appMemoryGrow(wisp_kernel_instance(), delta);
  if (old < 0) return (uint64_t)-1;
  memory->pages = (uint64_t)old + delta;
  memory->size = memory->pages * 65536;
  return (uint64_t)old;
}

void wisp_app_wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  w2c_kernel_appMemoryRelease(wisp_kernel_instance());
  memory->data = 0;
  memory->size = memory->pages = 0;
}

void wisp_app_wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  uint64_t bytes = (uint64_t)elements * sizeof(wasm_rt_funcref_t);
  uint32_t data = bytes ? w2c_kernel_appAllocate(wisp_kernel_instance(), bytes) : 0;
  if (bytes && data == 0) wisp_app_unwind(&wisp_app_recovery, LEFT_BY_TRAP);
  table->data = (wasm_rt_funcref_t*)(uintptr_t)data;
  table->size = elements;
  table->max_size = max_elements;
}

void wisp_app_wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) {
  if (table->data) w2c_kernel_appFree(wisp_kernel_instance(), (uint32_t)(uintptr_t)table->data);
  table->data = 0;
  table->size = 0;
}

void wisp_app_wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements, uint32_t max_elements) {
  uint64_t bytes = (uint64_t)elements * sizeof(wasm_rt_externref_t);
  uint32_t data = bytes ? w2c_kernel_appAllocate(wisp_kernel_instance(), bytes) : 0;
  if (bytes && data == 0) wisp_app_unwind(&wisp_app_recovery, LEFT_BY_TRAP);
  table->data = (wasm_rt_externref_t*)(uintptr_t)data;
  table->size = elements;
  table->max_size = max_elements;
}

void wisp_app_wasm_rt_free_externref_table(wasm_rt_externref_table_t* table) {
  if (table->data) w2c_kernel_appFree(wisp_kernel_instance(), (uint32_t)(uintptr_t)table->data);
  table->data = 0;
  table->size = 0;
}
