// The kernel's page allocator and malloc alone, for the allocator benchmarks:
// the same AssemblyScript the kernel runs, set up over a plain range of
// memory. Loaded in Node for space efficiency, and compiled through wasm2c
// and clang for the host for throughput (scripts/bench/alloc/native.c).

import { BootInfo, MemoryRange, MEMORY_USABLE } from "../../../kernel/boot/bootinfo";
import { heapInit } from "../../../kernel/rt/index";
import { initMemory, malloc, free, pages } from "../../../kernel/mm/index";
import { USE_SLAB, USE_LARGE, PAGE_SIZE } from "../../../kernel/mm/pages";

/** Builds the allocators over [0, ramEnd): the harness's own image first, then the rest as RAM. */
export function setup(ramEnd: usize): u32 {
  const imageEnd = (__heap_base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  heapInit(imageEnd, ramEnd);
  const info = new BootInfo();
  info.memory.push(new MemoryRange(0, <u64>ramEnd, MEMORY_USABLE));
  return initMemory(info, imageEnd) == 0 ? 1 : 0;
}

export function allocate(size: usize): usize {
  return malloc(size);
}

export function release(address: usize): void {
  free(address);
}

export function slabPages(): u32 {
  return pages.count(USE_SLAB);
}

export function largePages(): u32 {
  return pages.count(USE_LARGE);
}

/** `pairs` malloc/free pairs of `size` bytes back to back; returns a checksum so nothing is optimised away. */
export function pairLoop(size: usize, pairs: u32): u32 {
  let sum: u32 = 0;
  for (let i: u32 = 0; i < pairs; i++) {
    const p = malloc(size);
    sum += <u32>p;
    free(p);
  }
  return sum;
}

/**
 * A working set: `live` blocks of sizes 16..(16 + spread) kept alive while
 * `steps` times a pseudo-random one is freed and replaced (xorshift32, fixed
 * seed), the way a kernel's objects churn. Returns a checksum.
 */
export function churnLoop(live: u32, spread: u32, steps: u32, slots: usize): u32 {
  let state: u32 = 0x9e3779b9;
  let sum: u32 = 0;
  for (let i: u32 = 0; i < live; i++) store<u32>(slots + (<usize>i << 2), <u32>malloc(16 + <usize>(i % (spread + 1))));
  for (let i: u32 = 0; i < steps; i++) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    const slot = slots + (<usize>(state % live) << 2);
    free(load<u32>(slot));
    const p = malloc(16 + <usize>(state % (spread + 1)));
    sum += <u32>p;
    store<u32>(slot, <u32>p);
  }
  for (let i: u32 = 0; i < live; i++) free(load<u32>(slots + (<usize>i << 2)));
  return sum;
}
