/*
 * The glue compiled into every app.so: its one entry, wisp_app_main.
 *
 * The kernel loads app.so, resolves its undefined symbols (the WASI imports
 * and the runtime functions of wasm-rt.h) and calls wisp_app_main on a kernel
 * thread, passing its own wasm2c instance as `kernel`: every WASI import
 * w2c_wasi__snapshot__preview1_<fn>(kernel, ...) is the kernel's export
 * w2c_kernel_wasi_<fn>(kernel, ...), with the same C signature.
 *
 * The app's instance lives in this module's .bss: one app per .so, one run
 * per load. wisp_app_main returns when _start returns; proc_exit and traps
 * never come back here (the kernel ends the app from where they happen).
 *
 * wasm2c always names the module `app` (`wasm2c -n app`), so the generated
 * header is app.h and the symbols are w2c_app_*. A module with no imports
 * at all (pure compute) has an instantiate function without the kernel's
 * instance; build-app then defines WISP_APP_IMPORTS_NOTHING (steps.ts).
 */
#include "app.h"

static w2c_app instance;

/* The kernel stamps the moment _start begins (the boot chart ends there). */
void wisp_app_started(void);

__attribute__((visibility("default"))) void wisp_app_main(void* kernel) {
#ifdef WISP_APP_IMPORTS_NOTHING
  (void)kernel;
  wasm2c_app_instantiate(&instance);
#else
  wasm2c_app_instantiate(&instance, (struct w2c_wasi__snapshot__preview1*)kernel);
#endif
  wisp_app_started();
  w2c_app_0x5Fstart(&instance);
  wasm2c_app_free(&instance);
}
