/*
 * The native side of calling a filesystem module (docs/modules.md).
 *
 * A module runs in its own linear memory, like an app, but synchronously:
 * the kernel calls its entry (the generated glue's wisp_module_entry) for one
 * operation and gets the answer back. Each call has a recovery point of its
 * own, so a wasm trap in the module, or a fault the kernel claims as the
 * module's, ends that call (and only it) with a reason; the kernel then
 * answers the operation with EIO. Module calls never nest, so one static
 * record serves; an app call may be in progress underneath (an app's read
 * reaching a module), with its own record (app-runtime.c).
 *
 * The wasm2c runtime functions a module imports resolve to the
 * wisp_module_wasm_rt_* functions here (scripts/build/app-exports.ts): its
 * memory and tables belong to the module being called, which the kernel
 * knows (loader/modules/).
 */
#include "kernel.h"
#include "wasm-rt.h"

#define LEFT_BY_TRAP 2

struct app_recovery {
  uint64_t registers[24];
};

w2c_kernel* wisp_kernel_instance(void);
uint32_t wisp_app_call(uint64_t entry, void* argument, struct app_recovery* recovery);
__attribute__((noreturn)) void wisp_app_unwind(struct app_recovery* recovery, uint32_t reason);

struct app_recovery wisp_module_recovery;
static int module_call_active;

/* The head of the call record (loader/modules/calls.ts); the glue's struct wisp_module_call. */
struct module_call_head {
  uint32_t operation;
  uint32_t reserved;
  void* kernel;
};

uint32_t w2c_arch_callModule(struct w2c_arch* arch, uint64_t entry, uint32_t call) {
  (void)arch;
  ((struct module_call_head*)(uintptr_t)call)->kernel = wisp_kernel_instance();
  module_call_active = 1;
  uint32_t reason = wisp_app_call(entry, (void*)(uintptr_t)call, &wisp_module_recovery);
  module_call_active = 0;
  return reason;
}

/* A CPU exception during a module call: the module's recovery point if the kernel claims it, else 0. */
struct app_recovery* wisp_module_fault(uint64_t kind, uint64_t code, uint64_t ip, uint64_t address) {
  if (!module_call_active) return 0;
  if (!w2c_kernel_moduleFault(wisp_kernel_instance(), (uint32_t)kind, code, ip, address)) return 0;
  return &wisp_module_recovery;
}

__attribute__((noreturn)) static void leave_module(void) {
  wisp_app_unwind(&wisp_module_recovery, LEFT_BY_TRAP);
}

__attribute__((noreturn)) void wisp_module_wasm_rt_trap(wasm_rt_trap_t trap) {
  w2c_kernel_moduleTrap(wisp_kernel_instance(), (uint32_t)trap, (uint64_t)(uintptr_t)__builtin_return_address(0));
  leave_module();
}

void wisp_module_wasm_rt_allocate_memory(wasm_rt_memory_t* memory, uint64_t initial_pages, uint64_t max_pages,
                                         bool is64, uint32_t page_size) {
  uint64_t base = w2c_kernel_moduleMemoryReserve(wisp_kernel_instance(), initial_pages, max_pages, is64 ? 1 : 0, page_size);
  if (base == 0) leave_module();
  memory->data = (uint8_t*)(uintptr_t)base;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = initial_pages * 65536;
  memory->is64 = is64;
}

uint64_t wisp_module_wasm_rt_grow_memory(wasm_rt_memory_t* memory, uint64_t delta) {
  int64_t old = (int64_t)w2c_kernel_moduleMemoryGrow(wisp_kernel_instance(), delta);
  if (old < 0) return (uint64_t)-1;
  memory->pages = (uint64_t)old + delta;
  memory->size = memory->pages * 65536;
  return (uint64_t)old;
}

void wisp_module_wasm_rt_free_memory(wasm_rt_memory_t* memory) {
  memory->data = 0;
  memory->size = memory->pages = 0;
}

static void* table_data(uint64_t bytes) {
  if (bytes == 0) return 0;
  uint32_t data = w2c_kernel_moduleAllocate(wisp_kernel_instance(), bytes);
  if (data == 0) leave_module();
  return (void*)(uintptr_t)data;
}

void wisp_module_wasm_rt_allocate_funcref_table(wasm_rt_funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  table->data = table_data((uint64_t)elements * sizeof(wasm_rt_funcref_t));
  table->size = elements;
  table->max_size = max_elements;
}

void wisp_module_wasm_rt_free_funcref_table(wasm_rt_funcref_table_t* table) {
  table->data = 0;
  table->size = 0;
}

void wisp_module_wasm_rt_allocate_externref_table(wasm_rt_externref_table_t* table, uint32_t elements, uint32_t max_elements) {
  table->data = table_data((uint64_t)elements * sizeof(wasm_rt_externref_t));
  table->size = elements;
  table->max_size = max_elements;
}

void wisp_module_wasm_rt_free_externref_table(wasm_rt_externref_table_t* table) {
  table->data = 0;
  table->size = 0;
}
