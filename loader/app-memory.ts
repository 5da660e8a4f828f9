// The application's linear memory: one wasm memory, native code's to touch,
// the kernel's to reserve, grow and copy through.
//
//   region base                      base + size     base + 4 GiB     + 8 GiB
//   | committed (wasm pages so far) | reserved, unmapped ........... | guard |
//
// The app's code (wasm2c output in guard-page mode) adds a 32-bit address
// and a 32-bit offset to the base with no bounds check, so everything up to
// base + 8 GiB must be either committed memory or unmapped: an access past
// the committed size faults, and the fault becomes an app trap. Reservation
// costs no memory; pages are committed (zeroed) as the memory grows.
//
// The kernel never dereferences these addresses: it copies through
// arch.copyFromApp / copyToApp after checking the bounds here.

import { memoryAvailable } from "../kernel/mm/index";
import { reserveRegion, commit, releaseRegion } from "../kernel/mm/paging/index";
import { copyFromApp, copyToApp } from "../arch";

/** Bytes of one wasm page. */
export const WASM_PAGE_BYTES: u64 = 0x1_0000;
/** The most wasm pages a 32-bit memory can have (4 GiB). */
export const MAX_WASM_PAGES: u64 = 0x1_0000;
/** Address space the generated code can reach from the base: a 32-bit address plus a 32-bit offset. */
const REACHABLE_BYTES: u64 = 0x2_0000_0000;
/** Unmapped space kept below the base, so that nothing else sits right under the memory. */
const GUARD_BELOW_BYTES: u64 = 0x20_0000;

let base: u64 = 0;
let size: u64 = 0;
let maxPages: u64 = 0;

/** The native address of wasm address 0, or 0 when no app memory exists. */
export function appMemoryBase(): u64 {
  return base;
}

/** The memory's current size in bytes (a multiple of 64 KiB). */
export function appMemorySize(): u64 {
  return size;
}

/**
 * Reserves the app's memory with `initialPages` committed and room to grow
 * to `maximumPages` (at most 65536); returns its base, or 0 when there is
 * no space or no memory (nothing stays reserved then).
 */
export function reserveAppMemory(initialPages: u64, maximumPages: u64): u64 {
  if (base != 0 || initialPages > MAX_WASM_PAGES) return 0;
  const reserved = reserveRegion(REACHABLE_BYTES, GUARD_BELOW_BYTES);
  if (reserved == 0) return 0;
  if (initialPages != 0 && commit(reserved, initialPages * WASM_PAGE_BYTES) < 0) {
    releaseRegion(reserved);
    return 0;
  }
  base = reserved;
  size = initialPages * WASM_PAGE_BYTES;
  maxPages = min<u64>(maximumPages, MAX_WASM_PAGES);
  return base;
}

/** memory.grow: commits `deltaPages` more; returns the old size in pages, or -1 (nothing changes). */
export function growAppMemory(deltaPages: u64): i64 {
  const pages = size / WASM_PAGE_BYTES;
  if (base == 0 || deltaPages > maxPages - pages) return -1;
  if (deltaPages == 0) return <i64>pages;
  if (!memoryAvailable(deltaPages * WASM_PAGE_BYTES)) return -1;   // memory.grow fails; the kernel keeps its reserve
  if (commit(base + size, deltaPages * WASM_PAGE_BYTES) < 0) return -1;
  size += deltaPages * WASM_PAGE_BYTES;
  return <i64>pages;
}

/** Frees the app's memory and its reservation. */
export function releaseAppMemory(): void {
  if (base == 0) return;
  releaseRegion(base);
  base = size = maxPages = 0;
}

/** Whether a native address lies in the memory's reservation: below it in its guard, or within the code's reach. */
export function inAppMemoryReservation(address: u64): bool {
  return base != 0 && address >= base - GUARD_BELOW_BYTES && address - base < REACHABLE_BYTES;
}

/** Whether [address, address + length) lies inside the memory. */
export function inAppMemory(address: u32, length: u32): bool {
  return <u64>address + <u64>length <= size;
}

/** Copies app memory [address, +length) to kernel memory; false (copying nothing) if out of bounds. */
export function copyIn(destination: usize, address: u32, length: u32): bool {
  if (!inAppMemory(address, length)) return false;
  if (length != 0) copyFromApp(destination, base + address, length);
  return true;
}

/** Copies kernel memory to app memory [address, +length); false (copying nothing) if out of bounds. */
export function copyOut(address: u32, source: usize, length: u32): bool {
  if (!inAppMemory(address, length)) return false;
  if (length != 0) copyToApp(base + address, source, length);
  return true;
}

/** For host tests: makes [fakeBase, +bytes) the app memory without reserving anything (the fake arch backs it). */
export function adoptAppMemory(fakeBase: u64, bytes: u64): void {
  base = fakeBase;
  size = bytes;
  maxPages = bytes / WASM_PAGE_BYTES;
}
