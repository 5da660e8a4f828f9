// The memory report (`meminfo` on the kernel command line, printed at
// shutdown): where every page went, the slab classes in use, and the
// high-water mark of pages in use.
//
// The report never allocates: it gives the objects waiting on the free lists
// back to their slabs (free-lists.ts), snapshots the counters, and prints
// numbers with the console's allocation-free formatters, so what it shows is
// one consistent moment of memory in use.

import { pages, useName, useKey, USE_COUNT, USE_FREE, PAGE_SHIFT } from "./pages";
import { CLASS_COUNT, classSize } from "./classes";
import { slabsInClass, pagesPerSlab } from "./slab";
import { objectsInClass, trimFreeLists } from "./free-lists";
import { print, printLine, printUnsigned, printUnsignedPadded } from "../console";

const snapshot = memory.data(<i32>USE_COUNT * 4);

function counted(use: u32): u32 {
  return load<u32>(snapshot + (<usize>use << 2));
}

function printPages(label: string, count: u32): void {
  print("  ");
  print(label);
  for (let i = label.length; i < 20; i++) print(" ");
  printUnsignedPadded(count, 8);
  print(" pages ");
  printUnsignedPadded((<u64>count << PAGE_SHIFT) >> 10, 8);
  printLine(" KiB");
}

export function printMemoryInfo(): void {
  trimFreeLists();
  for (let use: u32 = 0; use < USE_COUNT; use++) store<u32>(snapshot + (<usize>use << 2), pages.count(use));
  const usable = pages.usable;
  const highWater = pages.highWater;

  printLine("meminfo: pages of 4 KiB");
  printPages("usable", usable);
  for (let use: u32 = 0; use < USE_COUNT; use++) {
    if (use == USE_FREE || counted(use) == 0) continue;
    printPages(useName(use), counted(use));
  }
  printPages("free", counted(USE_FREE));
  printPages("high-water in use", highWater);
  printLine("  slab classes in use (object size: slabs x pages, objects)");
  for (let c: u32 = 0; c < CLASS_COUNT; c++) {
    const slabs = slabsInClass(c);
    if (slabs == 0) continue;
    print("  ");
    printUnsignedPadded(classSize(c), 6);
    print(" B: ");
    printUnsigned(slabs);
    print(" x ");
    printUnsigned(pagesPerSlab(c));
    print(" pages, ");
    printUnsigned(objectsInClass(c));
    printLine(" objects");
  }
  // frames = every count below; usable = free + the uses other than reserved.
  print("meminfo-raw frames=");
  printUnsigned(pages.frames);
  print(" usable=");
  printUnsigned(usable);
  print(" high-water=");
  printUnsigned(highWater);
  for (let use: u32 = 0; use < USE_COUNT; use++) {
    print(" ");
    print(useKey(use));
    print("=");
    printUnsigned(counted(use));
  }
  printLine();
}
