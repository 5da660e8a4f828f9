// A filesystem module's linear memory: reserved as an app's is (8 GiB of
// address space for a 32-bit address plus a 32-bit offset, a guard below,
// only the current size committed), so the module's code needs no bounds
// checks and an access past its memory faults and is claimed as the
// module's (faults.ts). The kernel reaches it only by copying.

import { memoryAvailable } from "../../kernel/mm/index";
import { reserveRegion, commit, releaseRegion } from "../../kernel/mm/paging/index";
import { copyFromApp, copyToApp } from "../../arch";
import { WASM_PAGE_BYTES, MAX_WASM_PAGES } from "../app-memory";

const REACHABLE_BYTES: u64 = 0x2_0000_0000;
const GUARD_BELOW_BYTES: u64 = 0x20_0000;

export class ModuleMemory {
  base: u64 = 0;
  size: u64 = 0;
  maxPages: u64 = 0;

  /** Reserves the memory with `initialPages` committed; its base, or 0 (nothing reserved). */
  reserve(initialPages: u64, maximumPages: u64): u64 {
    if (this.base != 0 || initialPages > MAX_WASM_PAGES) return 0;
    if (!memoryAvailable(initialPages * WASM_PAGE_BYTES)) return 0;
    const reserved = reserveRegion(REACHABLE_BYTES, GUARD_BELOW_BYTES);
    if (reserved == 0) return 0;
    if (initialPages != 0 && commit(reserved, initialPages * WASM_PAGE_BYTES) < 0) {
      releaseRegion(reserved);
      return 0;
    }
    this.base = reserved;
    this.size = initialPages * WASM_PAGE_BYTES;
    this.maxPages = min<u64>(maximumPages, MAX_WASM_PAGES);
    return reserved;
  }

  /** memory.grow: the old size in pages, or -1 (nothing changes). */
  grow(deltaPages: u64): i64 {
    const pages = this.size / WASM_PAGE_BYTES;
    if (this.base == 0 || deltaPages > this.maxPages - pages) return -1;
    if (deltaPages == 0) return <i64>pages;
    if (!memoryAvailable(deltaPages * WASM_PAGE_BYTES)) return -1;
    if (commit(this.base + this.size, deltaPages * WASM_PAGE_BYTES) < 0) return -1;
    this.size += deltaPages * WASM_PAGE_BYTES;
    return <i64>pages;
  }

  release(): void {
    if (this.base != 0) releaseRegion(this.base);
    this.base = this.size = this.maxPages = 0;
  }

  /** Whether a native address lies in the reservation (the guard below included). */
  inReservation(address: u64): bool {
    return this.base != 0 && address >= this.base - GUARD_BELOW_BYTES && address - this.base < REACHABLE_BYTES;
  }

  /** Copies [address, +length) of the module's memory to the kernel's; false (nothing copied) when out of bounds. */
  copyIn(destination: usize, address: u32, length: u32): bool {
    if (<u64>address + <u64>length > this.size) return false;
    if (length != 0) copyFromApp(destination, this.base + address, length);
    return true;
  }

  /** Copies kernel memory to [address, +length) of the module's memory; false when out of bounds. */
  copyOut(address: u32, source: usize, length: u32): bool {
    if (<u64>address + <u64>length > this.size) return false;
    if (length != 0) copyToApp(this.base + address, source, length);
    return true;
  }
}
