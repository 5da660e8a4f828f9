// malloc, free and usableSize: slabs for requests up to 8 KiB, whole pages
// beyond. Results are 8-byte aligned (16-byte aligned for classes that are
// multiples of 16, and page aligned for large allocations). Small requests
// go through the CPU's free lists (free-lists.ts) in front of the slabs.

import { pages, PAGE_SIZE, PAGE_SHIFT, USE_FREE, USE_LARGE, USE_SLAB, HEAD } from "./pages";
import { MAX_CLASS_SIZE, classOf } from "./classes";
import { checkedClass, slabObjectSize } from "./slab";
import { popFree, pushFree, refillAndPop, trimFreeLists } from "./free-lists";
import { panic } from "../panic";

/** Bytes of memory at the returned address, or 0 when memory is exhausted. */
export function malloc(size: usize): usize {
  if (size <= MAX_CLASS_SIZE) {
    const c = classOf(size);
    const object = popFree(c);
    return object != 0 ? object : refill(c);
  }
  const count = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
  if (count > 0xffff_ffff) return 0;
  const address = pages.alloc(<u32>count, USE_LARGE);
  if (address != 0 || trimFreeLists() == 0) return address;
  return pages.alloc(<u32>count, USE_LARGE);
}

/** Class `c`'s list is empty: refills it, giving every list back to the slabs first if pages ran out. */
function refill(c: u32): usize {
  const object = refillAndPop(c);
  if (object != 0 || trimFreeLists() == 0) return object;
  return refillAndPop(c);
}

/** Gives back memory malloc returned; free(0) does nothing. Misuse stops the kernel with a report. */
export function free(address: usize): void {
  if (address == 0) return;
  const descriptor = pages.descriptorOf(address);
  const use = descriptor == pages.NO_DESCRIPTOR ? USE_FREE : descriptor & 0xff;
  if (use == USE_SLAB) {
    pushFree(checkedClass(address, descriptor), address);
    return;
  }
  if (use == USE_LARGE && (address & (PAGE_SIZE - 1)) == 0 && (descriptor & HEAD) != 0) return pages.free(address);
  if (use == USE_LARGE) panic("free of a pointer into the middle of a large allocation");
  panic("free of a pointer malloc never handed out");
}

/** How many bytes the allocation at `address` can really hold. */
export function usableSize(address: usize): usize {
  const descriptor = pages.descriptorOf(address);
  const use = descriptor == pages.NO_DESCRIPTOR ? USE_FREE : descriptor & 0xff;
  if (use == USE_SLAB) return slabObjectSize(address, descriptor);
  if (use == USE_LARGE && pages.isHead(address)) return <usize>pages.runLength(address) << PAGE_SHIFT;
  panic("usableSize of a pointer malloc never handed out");
  return 0;
}
