/*
 * The native harness: runs a Wisp app.so (the output of `wisp build-app`) as
 * a plain Linux x86_64 process, to measure Wisp's AOT code without the VM.
 *
 *   native-harness app.so [args...]
 *
 * It plays the kernel's part for one app: it defines the runtime symbols an
 * app.so leaves undefined (loader/native/runtime.list: linear memory as an
 * 8 GiB PROT_NONE reservation committed with mprotect, so out-of-bounds
 * accesses hit guard pages, at the fixed address the kernel gives it, which
 * app.so takes from the symbol wisp_app_memory; funcref/externref tables; traps that report and
 * exit; memcpy and friends and the math functions come from glibc/libm) and a
 * minimal WASI preview 1 over Linux: args, environ, fd_read/fd_write on the
 * three standard streams, clock_res_get/clock_time_get, random_get,
 * sched_yield, proc_exit; fd_prestat_get says BADF (no preopens) and every
 * other function returns ENOSYS. Then it dlopens app.so (RTLD_NOW: every
 * symbol resolves against this executable, linked -rdynamic) and calls
 * wisp_app_main. The app's exit status is the harness's: 0 when _start
 * returns, proc_exit's code, or 70 plus a message on stderr for a trap.
 *
 * Build: clang -O2 -rdynamic native-harness.c -o native-harness -ldl -lm
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default"), used))

/* ---- wasm-rt.h's types, as loader/native/wasm-rt.h lays them out ---- */

typedef struct {
  const char* func_type;
  void (*func)(void);
  void* func_tailcallee;
  void* module_instance;
} funcref_t;

typedef struct {
  uint8_t* data;
  uint64_t pages, max_pages;
  uint64_t size;
  bool is64;
} memory_t;

typedef struct {
  funcref_t* data;
  uint32_t max_size;
  uint32_t size;
} funcref_table_t;

typedef struct {
  void** data;
  uint32_t max_size;
  uint32_t size;
} externref_table_t;

#define PAGE_SIZE 65536ull
#define RESERVATION (8ull << 30)
#define TRAP_EXIT_STATUS 70

static const char* const TRAP_NAMES[] = {
    "none",        "out of bounds memory access", "integer overflow", "integer divide by zero",
    "invalid conversion to integer", "unreachable executed", "indirect call type mismatch",
    "uncaught exception", "unaligned atomic access", "call stack exhausted", "null reference",
};

/* The app's one linear memory: WASI functions read and write through it. */
static memory_t* app_memory;

static _Noreturn void die(const char* what) {
  fflush(stdout);
  fprintf(stderr, "native-harness: %s\n", what);
  _exit(TRAP_EXIT_STATUS);
}

/*
 * The app's memory is where the kernel puts it, APP_MEMORY_BASE
 * (kernel/params.ts): app.so addresses memory from the address of the
 * absolute symbol wisp_app_memory. A test compares the two values.
 */
#define APP_MEMORY_BASE 0x7c00000000
#define STRINGIFY(x) #x
#define ABSOLUTE_SYMBOL(name, value) __asm__(".globl " #name "\n.set " #name ", " STRINGIFY(value))
ABSOLUTE_SYMBOL(wisp_app_memory, APP_MEMORY_BASE);

/* The kernel stamps the boot chart here; the harness has nothing to record. */
EXPORT void wisp_app_started(void) {}

EXPORT _Noreturn void wasm_rt_trap(uint32_t trap) {
  char message[96];
  snprintf(message, sizeof message, "trap: %s",
           trap < sizeof TRAP_NAMES / sizeof TRAP_NAMES[0] ? TRAP_NAMES[trap] : "unknown trap");
  die(message);
}

EXPORT void wasm_rt_allocate_memory(memory_t* memory, uint64_t initial_pages, uint64_t max_pages, bool is64,
                                    uint32_t page_size) {
  if (is64 || page_size != PAGE_SIZE) die("only 32-bit memories with 64 KiB pages are supported");
  void* base = mmap((void*)APP_MEMORY_BASE, RESERVATION, PROT_NONE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
  if (base != (void*)APP_MEMORY_BASE) die("cannot reserve 8 GiB for the app's memory at its fixed address");
  if (initial_pages && mprotect(base, initial_pages * PAGE_SIZE, PROT_READ | PROT_WRITE) != 0)
    die("cannot commit the app's initial memory");
  memory->data = base;
  memory->pages = initial_pages;
  memory->max_pages = max_pages;
  memory->size = initial_pages * PAGE_SIZE;
  memory->is64 = false;
  app_memory = memory;
}

EXPORT uint64_t wasm_rt_grow_memory(memory_t* memory, uint64_t delta) {
  uint64_t old_pages = memory->pages;
  uint64_t new_pages = old_pages + delta;
  if (new_pages < old_pages || new_pages > memory->max_pages || new_pages > 65536) return (uint64_t)-1;
  if (delta && mprotect(memory->data + memory->size, delta * PAGE_SIZE, PROT_READ | PROT_WRITE) != 0) return (uint64_t)-1;
  memory->pages = new_pages;
  memory->size = new_pages * PAGE_SIZE;
  return old_pages;
}

EXPORT void wasm_rt_free_memory(memory_t* memory) {
  munmap(memory->data, RESERVATION);
  if (app_memory == memory) app_memory = NULL;
}

EXPORT void wasm_rt_allocate_funcref_table(funcref_table_t* table, uint32_t elements, uint32_t max_elements) {
  table->data = calloc(elements ? elements : 1, sizeof(funcref_t));
  if (!table->data) die("out of memory for a table");
  table->size = elements;
  table->max_size = max_elements;
}

EXPORT void wasm_rt_free_funcref_table(funcref_table_t* table) { free(table->data); }

EXPORT void wasm_rt_allocate_externref_table(externref_table_t* table, uint32_t elements, uint32_t max_elements) {
  table->data = calloc(elements ? elements : 1, sizeof(void*));
  if (!table->data) die("out of memory for a table");
  table->size = elements;
  table->max_size = max_elements;
}

EXPORT void wasm_rt_free_externref_table(externref_table_t* table) { free(table->data); }

/* A fault inside the reservation is an app memory access out of bounds. */
static void on_fault(int signal, siginfo_t* info, void* context) {
  (void)signal;
  (void)context;
  uint8_t* address = info->si_addr;
  if (app_memory && address >= app_memory->data && address < app_memory->data + RESERVATION)
    wasm_rt_trap(1);
  die("segmentation fault outside the app's memory");
}

/* ---- WASI preview 1 over Linux ---- */

enum {
  WASI_SUCCESS = 0,
  WASI_EBADF = 8,
  WASI_EFAULT = 21,
  WASI_EINVAL = 28,
  WASI_EIO = 29,
  WASI_ENOSYS = 52,
  WASI_ESPIPE = 70,
};

static int app_argc;
static char** app_argv;

/** The native address of [address, address + length) in app memory, or NULL when out of bounds. */
static uint8_t* in_memory(uint32_t address, uint64_t length) {
  if (!app_memory || (uint64_t)address + length > app_memory->size) return NULL;
  return app_memory->data + address;
}

static bool store_u32(uint32_t address, uint32_t value) {
  uint8_t* at = in_memory(address, 4);
  if (at) memcpy(at, &value, 4);
  return at != NULL;
}

static bool store_u64(uint32_t address, uint64_t value) {
  uint8_t* at = in_memory(address, 8);
  if (at) memcpy(at, &value, 8);
  return at != NULL;
}

/** sizes_get and get for a list of C strings (args or environ). */
static uint32_t list_sizes(char** list, int count, uint32_t count_out, uint32_t size_out) {
  uint64_t size = 0;
  for (int i = 0; i < count; i++) size += strlen(list[i]) + 1;
  if (!store_u32(count_out, (uint32_t)count) || !store_u32(size_out, (uint32_t)size)) return WASI_EFAULT;
  return WASI_SUCCESS;
}

static uint32_t list_get(char** list, int count, uint32_t pointers, uint32_t buffer) {
  for (int i = 0; i < count; i++) {
    size_t length = strlen(list[i]) + 1;
    uint8_t* at = in_memory(buffer, length);
    if (!at || !store_u32(pointers + 4u * (uint32_t)i, buffer)) return WASI_EFAULT;
    memcpy(at, list[i], length);
    buffer += (uint32_t)length;
  }
  return WASI_SUCCESS;
}

static int environ_count(void) {
  int count = 0;
  while (environ[count]) count++;
  return count;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_args_sizes_get(void* k, uint32_t count, uint32_t size) {
  (void)k;
  return list_sizes(app_argv, app_argc, count, size);
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_args_get(void* k, uint32_t pointers, uint32_t buffer) {
  (void)k;
  return list_get(app_argv, app_argc, pointers, buffer);
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_environ_sizes_get(void* k, uint32_t count, uint32_t size) {
  (void)k;
  return list_sizes(environ, environ_count(), count, size);
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_environ_get(void* k, uint32_t pointers, uint32_t buffer) {
  (void)k;
  return list_get(environ, environ_count(), pointers, buffer);
}

static clockid_t linux_clock(uint32_t id) {
  switch (id) {
    case 0: return CLOCK_REALTIME;
    case 1: return CLOCK_MONOTONIC;
    case 2: return CLOCK_PROCESS_CPUTIME_ID;
    case 3: return CLOCK_THREAD_CPUTIME_ID;
    default: return (clockid_t)-1;
  }
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_clock_res_get(void* k, uint32_t id, uint32_t out) {
  (void)k;
  struct timespec resolution;
  if (linux_clock(id) == (clockid_t)-1 || clock_getres(linux_clock(id), &resolution) != 0) return WASI_EINVAL;
  return store_u64(out, (uint64_t)resolution.tv_sec * 1000000000ull + (uint64_t)resolution.tv_nsec) ? WASI_SUCCESS : WASI_EFAULT;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_clock_time_get(void* k, uint32_t id, uint64_t precision, uint32_t out) {
  (void)k;
  (void)precision;
  struct timespec now;
  if (linux_clock(id) == (clockid_t)-1 || clock_gettime(linux_clock(id), &now) != 0) return WASI_EINVAL;
  return store_u64(out, (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec) ? WASI_SUCCESS : WASI_EFAULT;
}

/** fd_read/fd_write over the standard streams: iovecs are {u32 buf, u32 len}. */
static uint32_t transfer(uint32_t fd, uint32_t iovs, uint32_t count, uint32_t done_out, bool writing) {
  if (writing ? (fd != 1 && fd != 2) : fd != 0) return WASI_EBADF;
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; i++) {
    uint8_t* iov = in_memory(iovs + 8 * i, 8);
    if (!iov) return WASI_EFAULT;
    uint32_t buffer, length;
    memcpy(&buffer, iov, 4);
    memcpy(&length, iov + 4, 4);
    uint8_t* data = in_memory(buffer, length);
    if (!data) return WASI_EFAULT;
    ssize_t moved = writing ? write((int)fd, data, length) : read((int)fd, data, length);
    if (moved < 0) return WASI_EIO;
    total += (uint64_t)moved;
    if ((uint32_t)moved < length) break;
  }
  return store_u32(done_out, (uint32_t)total) ? WASI_SUCCESS : WASI_EFAULT;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_fd_write(void* k, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t out) {
  (void)k;
  return transfer(fd, iovs, count, out, true);
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_fd_read(void* k, uint32_t fd, uint32_t iovs, uint32_t count, uint32_t out) {
  (void)k;
  return transfer(fd, iovs, count, out, false);
}

/* fdstat of a standard stream: a character device that may read or write. */
EXPORT uint32_t w2c_wasi__snapshot__preview1_fd_fdstat_get(void* k, uint32_t fd, uint32_t out) {
  (void)k;
  if (fd > 2) return WASI_EBADF;
  uint8_t* at = in_memory(out, 24);
  if (!at) return WASI_EFAULT;
  memset(at, 0, 24);
  at[0] = 2; /* CHARACTER_DEVICE */
  uint64_t rights = fd == 0 ? (1u << 1) : (1u << 6); /* FD_READ or FD_WRITE */
  memcpy(at + 8, &rights, 8);
  return WASI_SUCCESS;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_fd_seek(void* k, uint32_t fd, int64_t offset, uint32_t whence, uint32_t out) {
  (void)k, (void)offset, (void)whence, (void)out;
  return fd <= 2 ? WASI_ESPIPE : WASI_EBADF;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_fd_close(void* k, uint32_t fd) {
  (void)k;
  return fd <= 2 ? WASI_SUCCESS : WASI_EBADF;
}

/* No preopens: BADF ends wasi-libc's scan for them. */
EXPORT uint32_t w2c_wasi__snapshot__preview1_fd_prestat_get(void* k, uint32_t fd, uint32_t out) {
  (void)k, (void)fd, (void)out;
  return WASI_EBADF;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_random_get(void* k, uint32_t buffer, uint32_t length) {
  (void)k;
  uint8_t* at = in_memory(buffer, length);
  if (!at) return WASI_EFAULT;
  for (uint32_t done = 0; done < length;) {
    ssize_t got = getrandom(at + done, length - done, 0);
    if (got < 0 && errno != EINTR) return WASI_EIO;
    if (got > 0) done += (uint32_t)got;
  }
  return WASI_SUCCESS;
}

EXPORT uint32_t w2c_wasi__snapshot__preview1_sched_yield(void* k) {
  (void)k;
  return WASI_SUCCESS;
}

EXPORT _Noreturn void w2c_wasi__snapshot__preview1_proc_exit(void* k, uint32_t code) {
  (void)k;
  fflush(stdout);
  _exit((int)code);
}

/* Everything else: ENOSYS. The arguments are ignored, which the x86_64 C ABI allows. */
#define NOT_PROVIDED(name) \
  EXPORT uint32_t w2c_wasi__snapshot__preview1_##name(void) { return WASI_ENOSYS; }
NOT_PROVIDED(fd_advise)
NOT_PROVIDED(fd_allocate)
NOT_PROVIDED(fd_datasync)
NOT_PROVIDED(fd_fdstat_set_flags)
NOT_PROVIDED(fd_fdstat_set_rights)
NOT_PROVIDED(fd_filestat_get)
NOT_PROVIDED(fd_filestat_set_size)
NOT_PROVIDED(fd_filestat_set_times)
NOT_PROVIDED(fd_pread)
NOT_PROVIDED(fd_prestat_dir_name)
NOT_PROVIDED(fd_pwrite)
NOT_PROVIDED(fd_readdir)
NOT_PROVIDED(fd_renumber)
NOT_PROVIDED(fd_sync)
NOT_PROVIDED(fd_tell)
NOT_PROVIDED(path_create_directory)
NOT_PROVIDED(path_filestat_get)
NOT_PROVIDED(path_filestat_set_times)
NOT_PROVIDED(path_link)
NOT_PROVIDED(path_open)
NOT_PROVIDED(path_readlink)
NOT_PROVIDED(path_remove_directory)
NOT_PROVIDED(path_rename)
NOT_PROVIDED(path_symlink)
NOT_PROVIDED(path_unlink_file)
NOT_PROVIDED(poll_oneoff)
NOT_PROVIDED(proc_raise)
NOT_PROVIDED(sock_accept)
NOT_PROVIDED(sock_recv)
NOT_PROVIDED(sock_send)
NOT_PROVIDED(sock_shutdown)

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: native-harness app.so [args...]\n");
    return 2;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_fault;
  action.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &action, NULL);
  sigaction(SIGBUS, &action, NULL);

  void* app = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!app) {
    fprintf(stderr, "native-harness: dlopen refused %s: %s\n", argv[1], dlerror());
    return 2;
  }
  void (*app_main)(void*) = (void (*)(void*))dlsym(app, "wisp_app_main");
  if (!app_main) {
    fprintf(stderr, "native-harness: %s has no wisp_app_main\n", argv[1]);
    return 2;
  }
  app_argc = argc - 1; /* the app's argv[0] is the .so's path */
  app_argv = argv + 1;
  static int kernel_stand_in;
  app_main(&kernel_stand_in);
  fflush(stdout);
  return 0;
}
