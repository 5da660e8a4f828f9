// The application's linear memory: one wasm memory, native code's to touch,
// the kernel's to reserve, grow, page in and copy through.
//
//   region base                      base + size     base + 4 GiB     + 8 GiB
//   | current size: pages mapped   | reserved, unmapped ........... | guard |
//   | on first touch or by growth  |
//
// The base is always APP_MEMORY_BASE (kernel/params.ts): app code adds wasm
// addresses to it as a constant. The app's code (wasm2c output in guard-page
// mode) adds a 32-bit address and a 32-bit offset to the base with no bounds
// check, so everything up to
// base + 8 GiB must be either app memory or unmapped: an access past the
// current size faults, and the fault becomes an app trap.
//
// Demand paging. Reserving commits nothing: the initial pages are mapped on
// first touch, one 4 KiB page per fault (demandPage, called from the fault
// path: loader/faults.ts), zeroed then. So a module declaring 1 GiB costs
// what it touches, and its data segments cost their own size (wasm2c's
// instantiation copies them in, faulting their pages in). The kernel's own
// copies (copyIn/copyOut, called from WASI functions) fault the same way and
// are resumed the same way. memory.grow still commits its pages at once, so
// that it can fail (and the app's malloc return NULL) while memory is short;
// it counts the initial pages not yet touched as taken. A first touch that
// finds no free page, or only the kernel's reserve, ends the app with an
// "out of memory" trap: the kernel never waits for memory nor panics for it.
// `wisp run` refuses a VM too small for the declared memory, so that
// happens only when the app filled memory other ways (files in a RAMFS).
//
// The kernel never dereferences these addresses: it copies through
// arch.copyFromApp / copyToApp after checking the bounds here.

import { memoryAvailable } from "../kernel/mm/index";
import { reserveRegionAt, commit, releaseRegion, translate, NOT_MAPPED } from "../kernel/mm/paging/index";
import { APP_MEMORY_BASE } from "../kernel/params";
import { copyFromApp, copyToApp } from "../arch";

/** Bytes of one wasm page. */
export const WASM_PAGE_BYTES: u64 = 0x1_0000;
/** The most wasm pages a 32-bit memory can have (4 GiB). */
export const MAX_WASM_PAGES: u64 = 0x1_0000;
/** Address space the generated code can reach from the base: a 32-bit address plus a 32-bit offset. */
const REACHABLE_BYTES: u64 = 0x2_0000_0000;
/** Unmapped space kept below the base, so that nothing else sits right under the memory. */
const GUARD_BELOW_BYTES: u64 = 0x20_0000;
/** The unit of demand paging: the MMU's page. */
const PAGE_BYTES: u64 = 4096;
/** Free memory a demand fault leaves beside the kernel's reserve: its frame and up to two new page tables. */
const DEMAND_NEED_BYTES: u64 = 3 * PAGE_BYTES;

/** demandPage's answers. */
export const DEMAND_NOT_MINE: u32 = 0;
export const DEMAND_MAPPED: u32 = 1;
export const DEMAND_NO_MEMORY: u32 = 2;

let base: u64 = 0;
let size: u64 = 0;
let maxPages: u64 = 0;
/** Bytes of the initial memory (mapped on first touch), and how many of them demand faults have mapped. */
let initialBytes: u64 = 0;
let touchedBytes: u64 = 0;

/** The native address of wasm address 0, or 0 when no app memory exists. */
export function appMemoryBase(): u64 {
  return base;
}

/** The memory's current size in bytes (a multiple of 64 KiB). */
export function appMemorySize(): u64 {
  return size;
}

/**
 * Reserves the app's memory at APP_MEMORY_BASE, `initialPages` long (mapped
 * on first touch) with room to grow to `maximumPages` (at most 65536);
 * returns its base, or 0 when that address space is taken (nothing stays
 * reserved then).
 */
export function reserveAppMemory(initialPages: u64, maximumPages: u64): u64 {
  if (base != 0 || initialPages > MAX_WASM_PAGES) return 0;
  const reserved = reserveRegionAt(APP_MEMORY_BASE, REACHABLE_BYTES, GUARD_BELOW_BYTES);
  if (reserved == 0) return 0;
  base = reserved;
  size = initialBytes = initialPages * WASM_PAGE_BYTES;
  touchedBytes = 0;
  maxPages = min<u64>(maximumPages, MAX_WASM_PAGES);
  return base;
}

/**
 * A data access faulted at `address` on a page nothing maps (the fault path
 * asks only for those): inside the memory's current size it maps a zeroed
 * page there (DEMAND_MAPPED: run the instruction again), or says there is
 * no memory for one (DEMAND_NO_MEMORY); anything else is DEMAND_NOT_MINE.
 */
export function demandPage(address: u64): u32 {
  if (base == 0 || address < base || address - base >= size) return DEMAND_NOT_MINE;
  const page = address & ~(PAGE_BYTES - 1);
  if (translate(page) != NOT_MAPPED) return DEMAND_NOT_MINE; // mapped after all: another fault, not ours to retry
  if (!memoryAvailable(DEMAND_NEED_BYTES) || commit(page, PAGE_BYTES) < 0) return DEMAND_NO_MEMORY;
  touchedBytes += PAGE_BYTES;
  return DEMAND_MAPPED;
}

/** Bytes of the initial memory that no fault has mapped yet: promised to the app, not yet taken. */
export function untouchedAppMemory(): u64 {
  return initialBytes - touchedBytes;
}

/**
 * memory.grow: commits `deltaPages` more at once; returns the old size in
 * pages, or -1 (nothing changes) past the maximum or when the new pages and
 * the untouched initial ones would eat into the kernel's reserve.
 */
export function growAppMemory(deltaPages: u64): i64 {
  const pages = size / WASM_PAGE_BYTES;
  if (base == 0 || deltaPages > maxPages - pages) return -1;
  if (deltaPages == 0) return <i64>pages;
  if (!memoryAvailable(deltaPages * WASM_PAGE_BYTES + untouchedAppMemory())) return -1;
  if (commit(base + size, deltaPages * WASM_PAGE_BYTES) < 0) return -1;
  size += deltaPages * WASM_PAGE_BYTES;
  return <i64>pages;
}

/** Frees the app's memory and its reservation. */
export function releaseAppMemory(): void {
  if (base == 0) return;
  releaseRegion(base);
  base = size = maxPages = initialBytes = touchedBytes = 0;
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
  initialBytes = touchedBytes = 0;
}
