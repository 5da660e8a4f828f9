// Application regions: virtual space above the kernel's identity map,
// reserved first and backed by memory only where asked.
//
//   0        4 GiB                                                   512 GiB
//   |identity| guard | region ......... | guard | guard | region | guard |
//             ^start  ^base (returned)            (next reservation)
//
// reserveRegion(size, guard) finds the lowest free stretch of
// [4 GiB, 512 GiB) for guard + size + guard, every part rounded up to 2 MiB
// (virtual space costs nothing, and regions then never share a page table),
// and maps nothing; reserveRegionAt(base, size, guard) takes the stretch
// around a fixed base instead (the app's linear memory: loader/app-memory.ts).
// commit(address, size) maps fresh zeroed frames (USE_APP)
// read/write at the pages of the region not yet mapped; the loader changes
// them with protectRange or maps file pages itself with mapRange.
// releaseRegion unmaps the whole reservation: committed frames and the
// tables under it go back to the page allocator.
//
// The kernel cannot dereference these addresses: its wasm memory is a 4 GiB
// window, and a region starts above it. Regions are for application memory
// that native code (the loaded application, copy-in/copy-out primitives)
// reaches directly; the kernel reaches a committed page through its physical
// address, translate(address).
//
// Memory is committed on request only: a first touch of an uncommitted page
// is a page fault, and faults are fatal reports until exceptions can be
// resumed.
//
// The bookkeeping is a fixed table of MAX_REGIONS entries in static memory,
// so reserving never allocates.

import { MAX_REGIONS } from "../../params";
import { ENOENT, EINVAL } from "../../errno";
import { PAGE_BYTES, LARGE_PAGE_BYTES, READ, WRITE } from "./flags";
import { commitPages, unmapPages } from "./table";

/** Where region space starts and ends: above the identity map, within one root table's reach. */
export const REGION_SPACE_START: u64 = 0x1_0000_0000;
export const REGION_SPACE_END: u64 = 0x80_0000_0000;

/** One reservation; a slot with end == 0 is free. */
@unmanaged
class Region {
  /** The reservation: [start, end), guards included. */
  start: u64;
  end: u64;
  /** The usable part: [base, base + size). */
  base: u64;
  size: u64;
}

const REGION_BYTES = offsetof<Region>();
const regions = memory.data(<i32>(<usize>MAX_REGIONS * REGION_BYTES));

// @ts-ignore: decorator
@inline function regionAt(index: u32): Region {
  return changetype<Region>(regions + <usize>index * REGION_BYTES);
}

// @ts-ignore: decorator
@inline function roundUp(value: u64, alignment: u64): u64 {
  return (value + alignment - 1) & ~(alignment - 1);
}

/**
 * Reserves `size` bytes of virtual space (rounded up to 4 KiB) between
 * unmapped guards of at least `guardBytes`; returns the region's address
 * (2 MiB aligned, at or above 4 GiB), or 0 if there is no room or no slot.
 */
export function reserveRegion(size: u64, guardBytes: u64): u64 {
  const space = REGION_SPACE_END - REGION_SPACE_START;
  if (size == 0 || size > space || guardBytes > space) return 0;
  const guard = roundUp(guardBytes, LARGE_PAGE_BYTES);
  const total = guard + roundUp(size, LARGE_PAGE_BYTES) + guard;
  if (total > space) return 0;
  // From the bottom, past each reservation in the way, to the first stretch that is free.
  let start = REGION_SPACE_START;
  for (let past = overlapEnd(start, total); past != 0; past = overlapEnd(start, total)) {
    start = past;
    if (start + total > REGION_SPACE_END) return 0;
  }
  return claimRegion(start, guard, size, total);
}

/** The end of a reservation that meets [start, start + total), or 0 if none does. */
function overlapEnd(start: u64, total: u64): u64 {
  for (let i: u32 = 0; i < MAX_REGIONS; i++) {
    const other = regionAt(i);
    if (other.end != 0 && start < other.end && other.start < start + total) return other.end;
  }
  return 0;
}

/**
 * Reserves as reserveRegion does, but with the usable part starting exactly
 * at `base` (2 MiB aligned): returns `base`, or 0 if that stretch, guards
 * included, leaves region space or meets another region, or no slot is free.
 */
export function reserveRegionAt(base: u64, size: u64, guardBytes: u64): u64 {
  const space = REGION_SPACE_END - REGION_SPACE_START;
  if (size == 0 || size > space || guardBytes > space || (base & (LARGE_PAGE_BYTES - 1)) != 0) return 0;
  const guard = roundUp(guardBytes, LARGE_PAGE_BYTES);
  const total = guard + roundUp(size, LARGE_PAGE_BYTES) + guard;
  if (base < REGION_SPACE_START + guard || total > REGION_SPACE_END - (base - guard)) return 0;
  const start = base - guard;
  if (overlapEnd(start, total) != 0) return 0;
  return claimRegion(start, guard, size, total);
}

/** Records the reservation [start, start + total) with its usable part after `guard` in a free slot; its base, or 0 with no slot free. */
function claimRegion(start: u64, guard: u64, size: u64, total: u64): u64 {
  for (let i: u32 = 0; i < MAX_REGIONS; i++) {
    const region = regionAt(i);
    if (region.end != 0) continue;
    region.start = start;
    region.end = start + total;
    region.base = start + guard;
    region.size = roundUp(size, PAGE_BYTES);
    return region.base;
  }
  return 0;
}

/**
 * Backs [address, address + size) (address 4 KiB aligned, size rounded up
 * to 4 KiB, inside one region) with zeroed memory where nothing is mapped
 * yet, mapped with `flags` (read/write unless given: the kernel writes a
 * read-only or executable page through its physical alias). Returns 0,
 * -EINVAL for a range outside every region, or -ENOMEM when memory ran out
 * (the pages committed until then stay).
 */
export function commit(address: u64, size: u64, flags: u32 = READ | WRITE): i32 {
  if ((address & (PAGE_BYTES - 1)) != 0 || size == 0) return -EINVAL;
  const index = regionHolding(address);
  if (index < 0) return -EINVAL;
  const region = regionAt(<u32>index);
  const length = roundUp(size, PAGE_BYTES);
  if (size > region.size || length > region.base + region.size - address) return -EINVAL;
  return commitPages(address, length, flags);
}

/** Unmaps the region that reserveRegion returned `address` for and frees its memory; -ENOENT if there is none. */
export function releaseRegion(address: u64): i32 {
  for (let i: u32 = 0; i < MAX_REGIONS; i++) {
    const region = regionAt(i);
    if (region.end == 0 || region.base != address) continue;
    const result = unmapPages(region.start, region.end - region.start);
    region.start = region.end = region.base = region.size = 0;
    return result;
  }
  return -ENOENT;
}

/** The index of the region whose usable part holds `address`, or -1. */
function regionHolding(address: u64): i32 {
  for (let i: u32 = 0; i < MAX_REGIONS; i++) {
    const region = regionAt(i);
    if (region.end != 0 && address >= region.base && address - region.base < region.size) return <i32>i;
  }
  return -1;
}
