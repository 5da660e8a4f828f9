// The host-test harness's part for kernel memory (kernel/mm): initMemory over
// the boot info parsed last, malloc, the page allocator, size classes, slabs
// and meminfo. The exports that stand for a kernel call allocate nothing
// themselves, so what the tests count is the kernel's doing.

import { failureDetail } from "../../../kernel/failure";
import { initMemory, memoryReady, malloc, free, usableSize } from "../../../kernel/mm/index";
import { pages, PAGE_SHIFT, USE_FREE } from "../../../kernel/mm/pages";
import { CLASS_COUNT, MAX_CLASS_SIZE, classOf, classSize } from "../../../kernel/mm/classes";
import { pagesPerSlab, objectsPerSlab, slabsInClass } from "../../../kernel/mm/slab";
import { objectsInClass, listedInClass, runInClass, trimFreeLists } from "../../../kernel/mm/free-lists";
import { printMemoryInfo } from "../../../kernel/mm/meminfo";
import { info } from "../boot/parsed-info";

// --- kernel/mm/index.ts ---

/** initMemory over the boot info parsed last, with the kernel image ending at `imageEnd`. */
/** initMemory over the parsed boot info: "" or its failure detail. */
export function mmInit(imageEnd: usize): string {
  const result = initMemory(info!, imageEnd);
  return result < 0 ? failureDetail(result) : "";
}

export function mmReady(): bool {
  return memoryReady();
}

export function mmMalloc(size: usize): usize {
  return malloc(size);
}

export function mmFree(address: usize): void {
  free(address);
}

export function mmUsableSize(address: usize): usize {
  return usableSize(address);
}

export function mmPrintInfo(): void {
  printMemoryInfo();
}

// --- kernel/mm/pages.ts ---

export function pagesMetadataBytes(frames: u32): usize {
  return pages.metadataBytes(frames);
}

export function pagesInit(low: usize, high: usize, metadata: usize): void {
  pages.init(low, high, metadata);
}

export function pagesSealHoles(): void {
  pages.sealHoles();
}

export function pagesMarkFree(from: usize, to: usize): void {
  pages.markFree(from, to);
}

export function pagesClaim(from: usize, to: usize, use: u32): void {
  pages.claim(from, to, use);
}

export function pagesAlloc(count: u32, use: u32): usize {
  return pages.alloc(count, use);
}

export function pagesAllocZeroed(count: u32, use: u32): usize {
  return pages.allocZeroed(count, use);
}

export function pagesFree(address: usize): void {
  pages.free(address);
}

export function pagesBase(): usize {
  return pages.base;
}

export function pagesFrames(): u32 {
  return pages.frames;
}

export function pagesCount(use: u32): u32 {
  return pages.count(use);
}

export function pagesFreeFrames(): u32 {
  return pages.freeFrames();
}

export function pagesUsedFrames(): u32 {
  return pages.usedFrames();
}

export function pagesUsable(): u32 {
  return pages.usable;
}

export function pagesHighWater(): u32 {
  return pages.highWater;
}

export function pagesUseOf(address: usize): u32 {
  return pages.useOf(address);
}

export function pagesRunLength(address: usize): u32 {
  return pages.runLength(address);
}

export function pagesIsHead(address: usize): bool {
  return pages.isHead(address);
}

export function pagesValueOf(address: usize): u32 {
  return pages.valueOf(address);
}

/**
 * Writes one byte per frame of the tables to `out`: useOf, plus 0x80 for the
 * head of an allocated run (isHead). The whole state the tests compare
 * against their model, in one call.
 */
export function pagesSnapshot(out: usize): void {
  for (let frame: u32 = 0; frame < pages.frames; frame++) {
    const address = pages.base + (<usize>frame << PAGE_SHIFT);
    store<u8>(out + <usize>frame, <u8>(pages.useOf(address) | (pages.isHead(address) ? 0x80 : 0)));
  }
}

/** The longest run of free frames in the tables (what the largest possible alloc could take). */
export function pagesLongestFreeRun(): u32 {
  let longest: u32 = 0;
  let run: u32 = 0;
  for (let frame: u32 = 0; frame < pages.frames; frame++) {
    if (pages.useOf(pages.base + (<usize>frame << PAGE_SHIFT)) == USE_FREE) {
      run++;
      if (run > longest) longest = run;
    } else {
      run = 0;
    }
  }
  return longest;
}

// --- kernel/mm/classes.ts, kernel/mm/slab.ts, kernel/mm/free-lists.ts ---

export function classCount(): u32 {
  return CLASS_COUNT;
}

export function classMaxSize(): usize {
  return MAX_CLASS_SIZE;
}

export function classOfSize(size: usize): u32 {
  return classOf(size);
}

export function classSizeOf(index: u32): usize {
  return classSize(index);
}

export function slabPagesOf(index: u32): u32 {
  return pagesPerSlab(index);
}

export function slabCapacityOf(index: u32): u32 {
  return objectsPerSlab(index);
}

export function slabCountOf(index: u32): u32 {
  return slabsInClass(index);
}

export function slabObjectsOf(index: u32): u32 {
  return objectsInClass(index);
}

// --- kernel/mm/free-lists.ts ---

export function freeListedOf(index: u32): u32 {
  return listedInClass(index);
}

export function freeRunOf(index: u32): u32 {
  return runInClass(index);
}

export function mmTrimFreeLists(): u32 {
  return trimFreeLists();
}
