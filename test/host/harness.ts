// The host-test harness: one AssemblyScript entry whose exports are thin
// wrappers over kernel modules, so Node tests can call them one at a time.
// The wrappers live with their subsystem's tests and client, in
// test/host/<subsystem>/harness.ts; this file only re-exports them, so the
// harness stays one module compiled once (test/host/compile.ts, which hashes
// every part this file reaches). It is compiled with the kernel's own
// options, so the code under test is the code that boots.
//
// Guards nothing by itself. Conventions every part follows: strings cross as
// AssemblyScript strings (the loader's __newString/__getString); numbers are
// written into byte buffers the test owns; a parse stores its result in a
// global that the accessor exports read. Nothing allocates at start-up: the
// arena is set up by arenaInit (or runtimeHeapInit) first. Exports that stand
// for a kernel call allocate nothing themselves, so what the tests count is
// the kernel's doing.

export * from "./core/harness"; // static data end, version, console, traps, panic
export * from "./format/harness"; // kernel/format.ts
export * from "./cmdline/harness"; // kernel/cmdline.ts, kernel/options.ts
export * from "./boot/harness"; // kernel/boot (PVH, device tree), kernel/platform.ts, kernel/bootchart.ts
export * from "./rt/harness"; // kernel/rt: the boot arena and the runtime
export * from "./mm/harness"; // kernel/mm: initMemory, malloc, pages, size classes, slabs, meminfo
export * from "./sched-time/harness"; // kernel/sched/run-queue.ts, kernel/time/timer-queue.ts, kernel/time/civil.ts
export * from "./rofs/harness"; // fs/rofs: the ROFS reader
export * from "./vfs/harness"; // fs/vfs with fs/ramfs and fs/example
export * from "./9p/harness"; // fs/9p: the 9P2000.L message codec
export * from "./net/harness"; // kernel/net: stacks over fake devices, by handle
export * from "./dns/harness"; // kernel/net/dns-*.ts: DNS messages, the cache, numeric addresses
export * from "./zfs/harness"; // fs/zfs's writing side: nvlists, label regions, uberblock slots
