// The arch import list: everything the kernel asks of the machine below it.
//
// This file is the contract. Each architecture implements every function here
// in assembly (arch/<arch>/imports.S); the host tests fake them in JavaScript
// (test/host/fake-arch.ts). Anything plain wasm loads and stores can do stays
// out of this list. A function that makes no sense on an architecture still
// exists there and says so: it stops the kernel with a report
// ("unsupported on this architecture"), it never silently does nothing.
//
// Addresses are physical addresses (the kernel's memory is a window over
// physical memory from 0), passed as u32; virtual addresses that may lie
// above 4 GiB (application regions) are passed as u64.

// --- Port I/O (x86_64 only) ---
@external("arch", "portIn8") export declare function portIn8(port: u32): u32;
@external("arch", "portIn16") export declare function portIn16(port: u32): u32;
@external("arch", "portIn32") export declare function portIn32(port: u32): u32;
@external("arch", "portOut8") export declare function portOut8(port: u32, value: u32): void;
@external("arch", "portOut16") export declare function portOut16(port: u32, value: u32): void;
@external("arch", "portOut32") export declare function portOut32(port: u32, value: u32): void;

// --- MMIO: device registers, read and written exactly once, in program order ---
@external("arch", "mmioRead8") export declare function mmioRead8(address: usize): u32;
@external("arch", "mmioRead16") export declare function mmioRead16(address: usize): u32;
@external("arch", "mmioRead32") export declare function mmioRead32(address: usize): u32;
@external("arch", "mmioWrite8") export declare function mmioWrite8(address: usize, value: u32): void;
@external("arch", "mmioWrite16") export declare function mmioWrite16(address: usize, value: u32): void;
@external("arch", "mmioWrite32") export declare function mmioWrite32(address: usize, value: u32): void;
/**
 * A full barrier: every load and store before it is seen by devices (and
 * other CPUs) before any after it. Store-then-load protocols need it, e.g.
 * publishing a virtqueue's available index, then reading whether the
 * device wants to be told (x86 mfence, arm64 dmb ish).
 */
@external("arch", "memoryBarrier") export declare function memoryBarrier(): void;

// --- Time ---
/** A free-running counter (x86_64 TSC, aarch64 CNTVCT_EL0). */
@external("arch", "timestamp") export declare function timestamp(): u64;
/** The counter's frequency in Hz when the hardware states it (CNTFRQ_EL0), 0 when the kernel must find it (x86_64). */
@external("arch", "counterFrequency") export declare function counterFrequency(): u64;

// --- CPU identity and model-specific registers (x86_64 only) ---
/** Runs CPUID and stores eax, ebx, ecx, edx as four u32 at `out`. */
@external("arch", "cpuid") export declare function cpuid(leaf: u32, subleaf: u32, out: usize): void;
@external("arch", "readMsr") export declare function readMsr(msr: u32): u64;
@external("arch", "writeMsr") export declare function writeMsr(msr: u32, value: u64): void;

// --- Address translation (kernel/mm/paging builds the tables) ---
/**
 * Makes the page table at physical address `root` the current one and drops
 * every cached translation: x86_64 loads CR3 (a PML4); aarch64 loads
 * TTBR0_EL1 (a level 1 table, 512 GiB of virtual space under the TCR_EL1 the
 * boot stub set), then TLBI VMALLE1, DSB, ISB. Reloading the current root is
 * how the kernel flushes the whole TLB after changing many entries.
 */
@external("arch", "setPageTableRoot") export declare function setPageTableRoot(root: usize): void;
/**
 * Publishes earlier page-table writes to the table walker, then drops any
 * cached translation of the page holding virtual `address` (a 2 MiB block
 * too, by any address inside it): x86_64 INVLPG; aarch64 DSB ISHST, TLBI
 * VAAE1, DSB, ISB. For this CPU only.
 */
@external("arch", "invalidatePage") export declare function invalidatePage(address: u64): void;

// --- CPU control ---
/** Enables (1) or disables (0) interrupts; returns 1 if they were enabled before. */
@external("arch", "setInterrupts") export declare function setInterrupts(enable: u32): u32;
/** Sleeps until the next interrupt (interrupts are enabled while waiting, disabled again after). */
@external("arch", "waitForInterrupt") export declare function waitForInterrupt(): void;
/** Powers the machine off, reporting `status` (0..126) to the host; never returns. */
@external("arch", "powerOff") export declare function powerOff(status: u32): void;

// --- Threads (kernel/sched) ---
/** Bytes of a saved context: the registers the ABI makes callee-saved, and the stack pointer. */
export const CONTEXT_BYTES: usize = 192;
/**
 * Saves the running thread's callee-saved registers and stack pointer at
 * `save` and resumes the thread whose context is at `load`; returns when
 * something switches back to `save`. Called with interrupts disabled.
 * x86_64: rbx, rbp, r12-r15, rsp (the return address is on the stack).
 * aarch64: x19-x30, sp, d8-d15. FP/SIMD registers the ABI lets a call
 * clobber are not saved here: a preempted thread's are in its interrupt frame.
 */
@external("arch", "switchContext") export declare function switchContext(save: usize, load: usize): void;
/**
 * Prepares the context at `context` so that the first switch to it runs
 * the kernel's threadStart export on the stack ending at `stackTop` (16-byte
 * aligned), with interrupts still disabled.
 */
@external("arch", "initContext") export declare function initContext(context: usize, stackTop: usize): void;

// --- Timers (kernel/time) ---
/**
 * aarch64: arms the EL1 virtual timer to raise its interrupt when the
 * counter (timestamp) reaches `deadline`; 0 disarms it. x86_64 timers are
 * LAPIC registers and MSRs, programmed by the kernel itself.
 */
@external("arch", "setTimerDeadline") export declare function setTimerDeadline(deadline: u64): void;

// --- Applications (loader/) ---
/**
 * Copies `length` bytes of application memory at native address `source`
 * (above 4 GiB, committed: the caller checked the bounds) to kernel memory
 * at `destination`. The only way the kernel reads application memory.
 */
@external("arch", "copyFromApp") export declare function copyFromApp(destination: usize, source: u64, length: usize): void;
/** Copies `length` bytes of kernel memory at `source` to application memory at native address `destination`. */
@external("arch", "copyToApp") export declare function copyToApp(destination: u64, source: usize, length: usize): void;
/**
 * Calls the loaded application's entry, native `void entry(void* kernel)`,
 * on the current thread's stack, with a recovery point set. Returns 0 when
 * the entry returns, or the non-zero reason given to leaveApp (by a WASI
 * proc_exit, a wasm trap or a CPU fault in application code) when the call
 * was cut short. One application call may be in progress at a time.
 */
@external("arch", "runApp") export declare function runApp(entry: u64): u32;
/**
 * Abandons the application call in progress: runApp returns `reason`
 * (non-zero). Never returns. The caller must hold no lock and own no memory
 * that only its own stack frames know about.
 */
@external("arch", "leaveApp") export declare function leaveApp(reason: u32): void;
/**
 * The kernel's export table for applications: an array of
 * { u64 name (address of a NUL-terminated C string), u64 address } ending
 * with a zero name. The loader resolves an app module's imports against it.
 */
@external("arch", "appExports") export declare function appExports(): usize;
/**
 * Calls a filesystem module's entry, native `void entry(void* call)`, with
 * the call record at kernel address `call` (loader/modules/calls.ts), behind
 * a recovery point of its own; returns 0 when the entry returns, or
 * LEFT_BY_TRAP / LEFT_BY_FAULT when a wasm trap or a fault the kernel claimed
 * as the module's (moduleFault) cut it short. Module calls do not nest; one
 * may run inside an application call (an app's read reaching a module).
 */
@external("arch", "callModule") export declare function callModule(entry: u64, call: usize): u32;
/** The kernel's export table for filesystem modules (as appExports; docs/modules.md). */
@external("arch", "moduleExports") export declare function moduleExports(): usize;
/**
 * Makes code written through data stores in [address, address + length)
 * (mapped, readable) safe to execute: aarch64 cleans the data cache to the
 * point of unification and invalidates the instruction cache; x86_64 does
 * nothing (its instruction fetch snoops stores).
 */
@external("arch", "syncInstructionCache") export declare function syncInstructionCache(address: u64, length: u64): void;
/**
 * Stores 8 bytes from the CPU's random number generator at `out` and
 * returns 1, or returns 0 if the CPU has none or it failed repeatedly
 * (x86_64 RDRAND/RDSEED as CPUID says; aarch64 RNDR where ID_AA64ISAR0_EL1
 * says). The kernel prefers a virtio-rng device when there is one.
 */
@external("arch", "hardwareRandom") export declare function hardwareRandom(out: usize): u32;

/**
 * CRC-32C (the Castagnoli polynomial, reflected 0x82F63B78) continued from
 * `crc` (0 to start) over `length` bytes at `address`: with the CPU's
 * instruction where it has one (x86_64 SSE4.2 crc32, aarch64 crc32c), else
 * by tables (arch/common/crc32c.c).
 */
@external("arch", "crc32c") export declare function crc32c(crc: u32, address: usize, length: usize): u32;
