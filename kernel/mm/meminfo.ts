// The memory report (`meminfo` on the kernel command line, printed at
// shutdown): where every page went, the busiest slab classes, and the
// high-water mark of pages in use.

import { pages, useName, USE_COUNT, USE_FREE, PAGE_SHIFT } from "./pages";
import { CLASS_COUNT, classSize } from "./classes";
import { slabsInClass, objectsInClass, pagesPerSlab } from "./slab";
import { print, printLine, printUnsigned, printPadded } from "../console";

function printPages(label: string, count: u32): void {
  print("  ");
  print(label);
  printPadded("", 20 - label.length);
  printPadded(count.toString(), 8);
  print(" pages ");
  printPadded(((<u64>count << PAGE_SHIFT) >> 10).toString(), 8);
  printLine(" KiB");
}

export function printMemoryInfo(): void {
  printLine("meminfo: pages of 4 KiB");
  printPages("usable", pages.usable);
  for (let use: u32 = 0; use < USE_COUNT; use++) {
    if (use == USE_FREE || pages.count(use) == 0) continue;
    printPages(useName(use), pages.count(use));
  }
  printPages("free", pages.freeFrames());
  printPages("high-water in use", pages.highWater);
  printLine("  slab classes in use (object size: slabs x pages, objects)");
  for (let c: u32 = 0; c < CLASS_COUNT; c++) {
    const slabs = slabsInClass(c);
    if (slabs == 0) continue;
    print("  ");
    printPadded(classSize(c).toString(), 6);
    print(" B: ");
    printUnsigned(slabs);
    print(" x ");
    printUnsigned(pagesPerSlab(c));
    print(" pages, ");
    printUnsigned(objectsInClass(c));
    printLine(" objects");
  }
  print("meminfo-raw usable=");
  printUnsigned(pages.usable);
  print(" free=");
  printUnsigned(pages.freeFrames());
  print(" high-water=");
  printUnsigned(pages.highWater);
  for (let use: u32 = 0; use < USE_COUNT; use++) {
    if (use == USE_FREE) continue;
    print(" ");
    print(useName(use).replaceAll(" ", "-"));
    print("=");
    printUnsigned(pages.count(use));
  }
  printLine();
}
