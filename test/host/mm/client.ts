// The Node side of the harness's mm part (mm/harness.ts): kernel memory
// brought up as kmain does (a PVH memory map, then initMemory), the page
// allocator's counts and per-frame snapshot, and the constants tests need to
// read them (kernel/mm/pages.ts USE_*, the page size).

import { E820, MemoryMapEntry, writePvh } from "../firmware";
import type { ParsedBootInfo } from "../boot/client";
import { HarnessClass, HarnessCore, Ptr } from "../core/client";

/** Where Harness.initMemory writes the PVH start_info it parses the memory map from. */
export const MEMORY_PVH_AT = 0x1_0000;
export const PAGE_SIZE = 0x1000;

/** kernel/mm/pages.ts USE_*: what a page frame is used for. */
export const USE = {
  reserved: 0, free: 1, kernel: 2, boot: 3, pageTables: 4, slab: 5, large: 6, initrd: 7, app: 8, stack: 9,
} as const;
export const USE_COUNT = 10;
/** pagesSnapshot's flag for the first frame of an allocated run. */
export const SNAPSHOT_HEAD = 0x80;

/**
 * A PC's memory map for a machine of `end` bytes: usable RAM below the EBDA
 * and from 1 MiB to `end`, the EBDA and BIOS areas reserved (the VGA hole
 * between them is in no entry).
 */
export function pcMemoryMap(end: number): MemoryMapEntry[] {
  return [
    { base: 0n, size: 0x9fc00n, type: E820.usable },
    { base: 0x9fc00n, size: 0x400n, type: E820.reserved },
    { base: 0xf0000n, size: 0x10000n, type: E820.reserved },
    { base: 0x10_0000n, size: BigInt(end - 0x10_0000), type: E820.usable },
  ];
}

export interface MemoryExports {
  mmInit(imageEnd: number): Ptr;
  mmReady(): number;
  mmMalloc(size: number): number;
  mmFree(address: number): void;
  mmUsableSize(address: number): number;
  mmPrintInfo(): void;
  pagesMetadataBytes(frames: number): number;
  pagesInit(low: number, high: number, metadata: number): void;
  pagesMarkFree(from: number, to: number): void;
  pagesSealHoles(): void;
  pagesClaim(from: number, to: number, use: number): void;
  pagesAlloc(count: number, use: number): number;
  pagesAllocZeroed(count: number, use: number): number;
  pagesFree(address: number): void;
  pagesBase(): number;
  pagesFrames(): number;
  pagesCount(use: number): number;
  pagesFreeFrames(): number;
  pagesUsedFrames(): number;
  pagesUsable(): number;
  pagesHighWater(): number;
  pagesUseOf(address: number): number;
  pagesRunLength(address: number): number;
  pagesIsHead(address: number): number;
  pagesValueOf(address: number): number;
  pagesSnapshot(out: number): void;
  pagesLongestFreeRun(): number;
  classCount(): number;
  classMaxSize(): number;
  classOfSize(size: number): number;
  classSizeOf(index: number): number;
  slabPagesOf(index: number): number;
  slabCapacityOf(index: number): number;
  slabCountOf(index: number): number;
  slabObjectsOf(index: number): number;
  freeListedOf(index: number): number;
  freeRunOf(index: number): number;
  mmTrimFreeLists(): number;
}

/** A harness class that can parse a PVH start_info (boot/client.ts withBootInfo). */
type ParsesPvh = HarnessClass<HarnessCore & { parsePvh(address: number): ParsedBootInfo }>;

/** Adds kernel memory set-up and the page allocator's counts to a harness class. */
export function withMemoryManagement<Base extends ParsesPvh>(superclass: Base) {
  return class MemoryMethods extends superclass {
    /**
     * Brings up kernel memory as kmain does: parses a PVH start_info carrying
     * `memmap` (and an initrd, if given), then runs initMemory with the kernel
     * image ending at heapStart. Returns initMemory's error ("" on success).
     */
    initMemory(memmap: MemoryMapEntry[], initrd?: { base: bigint; size: bigint }): string {
      const info = this.parsePvh(writePvh(this.memory, MEMORY_PVH_AT, { cmdline: null, memmap, modules: initrd ? [initrd] : [] }));
      if (info.error) throw new Error(`the PVH start_info for initMemory was refused: ${info.error}`);
      return this.initParsedMemory();
    }

    /** initMemory over the boot info parsed last (parsePvh or parseFdt), the kernel image ending at heapStart. */
    initParsedMemory(): string {
      return this.string(this.exports.mmInit(this.heapStart));
    }

    /** Frames per use (index USE.*), as the page allocator counts them. */
    pageCounts(): number[] {
      return Array.from({ length: USE_COUNT }, (_, use) => this.exports.pagesCount(use) >>> 0);
    }

    /** What the allocator has handed out: slab objects in every class, and large-allocation frames. */
    memoryInUse(): { objects: number; large: number } {
      let objects = 0;
      for (let c = 0; c < (this.exports.classCount() >>> 0); c++) objects += this.exports.slabObjectsOf(c) >>> 0;
      return { objects, large: this.exports.pagesCount(USE.large) >>> 0 };
    }

    /** Writes pagesSnapshot to `at` and returns a copy: one byte per frame, use | SNAPSHOT_HEAD. */
    pageSnapshot(at: number): Uint8Array {
      this.exports.pagesSnapshot(at);
      return this.bytes().slice(at, at + (this.exports.pagesFrames() >>> 0));
    }
  };
}
