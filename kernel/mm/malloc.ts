// malloc, free and usableSize: slabs for requests up to 8 KiB, whole pages
// beyond. Results are 8-byte aligned (16-byte aligned for classes that are
// multiples of 16, and page aligned for large allocations).

import { pages, PAGE_SIZE, PAGE_SHIFT, USE_FREE, USE_LARGE, USE_SLAB, HEAD } from "./pages";
import { MAX_CLASS_SIZE, classOf } from "./classes";
import { slabAlloc, slabFree, slabObjectSize } from "./slab";
import { panic } from "../panic";

/** Bytes of memory at the returned address, or 0 when memory is exhausted. */
export function malloc(size: usize): usize {
  if (size <= MAX_CLASS_SIZE) return slabAlloc(classOf(size));
  const count = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
  if (count > 0xffff_ffff) return 0;
  return pages.alloc(<u32>count, USE_LARGE);
}

/** Gives back memory malloc returned; free(0) does nothing. Misuse stops the kernel with a report. */
export function free(address: usize): void {
  if (address == 0) return;
  const descriptor = pages.descriptorOf(address);
  const use = descriptor == pages.NO_DESCRIPTOR ? USE_FREE : descriptor & 0xff;
  if (use == USE_SLAB) return slabFree(address, descriptor);
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
