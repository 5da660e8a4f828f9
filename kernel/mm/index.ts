// Kernel memory: the front door.
//
// Boot order: the runtime starts on the boot arena (kernel/rt/arena.ts) so
// that the firmware handoff can be parsed; then initMemory() builds the page
// allocator over all usable RAM, claims what is already in use (the kernel
// image, the arena's used part, the initrd, firmware reservations, page 0),
// closes the arena and switches the runtime to malloc. Nothing allocated at
// boot is lost: the arena's pages stay accounted as boot memory.

import { fail } from "../failure";
import { ENOMEM } from "../errno";
import { MEMORY_RESERVE_BYTES } from "../params";
import { BootInfo, MEMORY_USABLE } from "../boot/bootinfo";
import { arena } from "../rt/arena";
import { pages, PAGE_SIZE, USE_BOOT, USE_INITRD, USE_KERNEL, USE_RESERVED } from "./pages";
import { initSlabs } from "./slab";
import { initFreeLists, trimFreeLists } from "./free-lists";

export { malloc, free, usableSize } from "./malloc";
export { pages } from "./pages";

/** The kernel addresses the low 4 GiB; RAM above is left alone. */
const ADDRESS_LIMIT: u64 = 0x1_0000_0000;

let ready = false;

/**
 * Whether free memory is down to the kernel's reserve (MEMORY_RESERVE_BYTES):
 * code acting for an app refuses to take more (ENOSPC, ENOMEM) when it is.
 */
export function memoryLow(): bool {
  return ready && <usize>pages.freeFrames() * PAGE_SIZE < MEMORY_RESERVE_BYTES;
}

/** Whether `bytes` more can be taken for an app and still leave the reserve. */
export function memoryAvailable(bytes: u64): bool {
  const free = <u64>pages.freeFrames() * <u64>PAGE_SIZE;
  return free >= <u64>MEMORY_RESERVE_BYTES && free - <u64>MEMORY_RESERVE_BYTES >= bytes;
}

/** Pages of usable RAM (what a filesystem in memory reports as its size). */
export function usablePages(): u32 {
  return pages.usedFrames() + pages.freeFrames();
}

/** Pages an app's data may still take: free beyond the reserve, once malloc's free lists are given back. */
export function pagesForData(): u32 {
  trimFreeLists();
  const free = pages.freeFrames();
  const reserve = <u32>(MEMORY_RESERVE_BYTES / PAGE_SIZE);
  return free > reserve ? free - reserve : 0;
}

/** True once initMemory has run: the runtime allocates with malloc from then on. */
export function memoryReady(): bool {
  return ready;
}

/** Sets up the page allocator and malloc; 0, or -ENOMEM with the reason (kernel/failure.ts). */
export function initMemory(info: BootInfo, imageEnd: usize): i32 {
  let low: u64 = ADDRESS_LIMIT;
  let high: u64 = 0;
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    if (range.kind != MEMORY_USABLE || range.base >= ADDRESS_LIMIT) continue;
    if (range.base < low) low = range.base;
    const end = range.end > ADDRESS_LIMIT ? ADDRESS_LIMIT : range.end;
    if (end > high) high = end;
  }
  if (high <= low) return fail(ENOMEM, "the memory map has no usable RAM below 4 GiB");
  const frames = <u32>((high - (low & ~(<u64>PAGE_SIZE - 1)) + PAGE_SIZE - 1) / PAGE_SIZE);
  const metadataBytes = (pages.metadataBytes(frames) + 15) & ~15;
  let metadata = arena.take(metadataBytes);
  // The arena ends where an initrd (or an image linked after the kernel) starts: past it, then.
  const pastInitrd = metadata == 0 ? roomAfterInitrd(info, metadataBytes) : 0;
  if (metadata == 0) metadata = pastInitrd;
  if (metadata == 0) return fail(ENOMEM, "no room for the page allocator's tables after the kernel image or the initrd");
  pages.init(<usize>low, high, metadata);
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    if (range.kind == MEMORY_USABLE && range.base < ADDRESS_LIMIT) {
      pages.markFree(range.base, range.end > ADDRESS_LIMIT ? ADDRESS_LIMIT : range.end);
    }
  }
  pages.sealHoles();
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    if (range.kind != MEMORY_USABLE && range.base < ADDRESS_LIMIT) {
      pages.claim(range.base, range.end > ADDRESS_LIMIT ? ADDRESS_LIMIT : range.end, USE_RESERVED);
    }
  }
  // Page 0 stays unused so that a null pointer never aliases real data.
  pages.claim(0, PAGE_SIZE, USE_RESERVED);
  pages.claim(<usize>ASC_MEMORY_BASE, imageEnd, USE_KERNEL);
  if (info.initrdSize != 0) pages.claim(<usize>info.initrdBase, <usize>(info.initrdBase + info.initrdSize), USE_INITRD);
  if (pastInitrd != 0) pages.claim(pastInitrd, pastInitrd + metadataBytes, USE_BOOT);
  // Close the arena at its page boundary; its used pages become boot memory.
  arena.end = (arena.top + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
  pages.claim(arena.start, arena.end, USE_BOOT);
  initSlabs();
  initFreeLists();
  ready = true;
  return 0;
}

/**
 * The first page after the initrd, if `bytes` from there lie in one usable
 * range below ADDRESS_LIMIT; else 0.
 */
function roomAfterInitrd(info: BootInfo, bytes: usize): usize {
  if (info.initrdSize == 0) return 0;
  const start = (info.initrdBase + info.initrdSize + PAGE_SIZE - 1) & ~(<u64>PAGE_SIZE - 1);
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    if (range.kind != MEMORY_USABLE || start < range.base || start >= range.end) continue;
    const end = start + <u64>bytes;
    return end <= range.end && end <= ADDRESS_LIMIT ? <usize>start : 0;
  }
  return 0;
}
