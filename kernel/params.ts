// Kernel tunables, one place, one comment each.

/** Longest kernel command line read from firmware, in bytes. */
export const COMMAND_LINE_MAX: usize = 4096;
/** Boot stamps the kernel can hold (the stubs' plus its own). */
export const MAX_BOOT_STAMPS: i32 = 32;
/** Exit status after a kernel panic, CPU exception or wasm trap. */
export const PANIC_STATUS: u32 = 70;
/** Exit status for a bad command line. */
export const USAGE_STATUS: u32 = 64;
/** The largest exit status the host can receive (the x86 debug-exit port carries 7 bits). */
export const MAX_EXIT_STATUS: u32 = 126;
/** Counter calibration window against the PIT, in PIT ticks (1.193182 MHz): about 0.5 ms. */
export const CALIBRATION_PIT_TICKS: u32 = 600;
/** Bytes past the kernel image the runtime may use before the memory map is known. */
export const BOOT_ARENA_BYTES: usize = 64 << 10;
/** Application regions (reserveRegion) that can exist at once; 32 bytes of static memory each. */
export const MAX_REGIONS: u32 = 64;
/** Stack of the thread an application runs on: wasm2c code keeps each wasm call's frame there. */
export const APP_STACK_BYTES: u32 = 256 << 10;
/**
 * Unmapped guard below the app's stack, in bytes. On aarch64 clang 14 cannot
 * probe the stack, so build-app refuses a module with a native frame over
 * 15 KiB (scripts/app/frames.ts MAX_FRAME_BYTES): two such frames plus an
 * interrupt frame stay inside this guard (docs/build-app.md, "Stack clash").
 */
export const APP_STACK_GUARD_BYTES: u32 = 32 << 10;
/**
 * Where the app's linear memory always starts: wasm address 0, a 2 MiB
 * aligned address near the top of region space (kernel/mm/paging/regions.ts),
 * with room above for the 8 GiB its code can reach. An app.so takes it as
 * the address of the symbol `wisp_app_memory` (the export table gives it,
 * scripts/build/app-exports.ts reads it from here), so its code adds wasm
 * addresses to a constant instead of reloading a base pointer
 * (docs/loader.md, "The memory's fixed address").
 */
export const APP_MEMORY_BASE: u64 = 0x7C_0000_0000;
/** Exit status of an application that trapped (as a shell reports an abort: 128 + SIGABRT). */
export const APP_TRAP_STATUS: u32 = 134;
/** The most virtual space one app module (app.so) may span, in bytes; the ELF loader refuses larger ones. */
export const MAX_APP_MODULE_BYTES: u64 = 1 << 30;
/** Exit status when the image's app cannot be started (a malformed module, a bad manifest): EX_DATAERR. */
export const APP_REFUSED_STATUS: u32 = 65;
/**
 * Free memory the kernel keeps for itself: once the page allocator's free
 * frames drop below this, work an app asks for that would take memory
 * (file data, directory entries, paths, descriptors, memory.grow) is
 * refused with ENOSPC/ENOMEM, so the kernel's own paths (a WASI call's
 * bookkeeping, reporting, shutdown) never find memory exhausted. One call
 * needs far less than this (a path is at most 4 KiB).
 */
export const MEMORY_RESERVE_BYTES: usize = 256 << 10;
