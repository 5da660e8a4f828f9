// The memory self-test (`selftest=mm`): the page allocator, malloc and the
// kernel's page tables exercised on the real machine, with real frames and
// live translations. Every resource it takes is given back, and the page
// counts must end where they started.

import * as paging from "../mm/paging/index";
import { pages, PAGE_SIZE, USE_APP, USE_LARGE, USE_PAGE_TABLES, USE_SLAB } from "../mm/pages";
import { malloc, free, usableSize } from "../mm/malloc";
import { Handoff } from "../boot/handoff";
import { bootHandoff } from "../platform";
import { entryFormat } from "../mm/paging/entry";
import { beginSelfTest, check, endSelfTest } from "./check";

/** xorshift32: a fixed sequence, so a failure can be replayed. */
let seed: u32 = 0x2545f491;
function nextRandom(): u32 {
  seed ^= seed << 13;
  seed ^= seed >> 17;
  seed ^= seed << 5;
  return seed;
}

function testPageAllocator(): void {
  const free0 = pages.freeFrames();
  const run = pages.allocZeroed(5, USE_APP);
  check("pages: a 5-frame run is handed out, page aligned", run != 0 && (run & (PAGE_SIZE - 1)) == 0);
  check("pages: the run is zeroed", load<u64>(run) == 0 && load<u64>(run + 5 * PAGE_SIZE - 8) == 0);
  check("pages: the run is accounted to its use", pages.useOf(run) == USE_APP && pages.runLength(run) == 5);
  check("pages: free frames drop by the run's length", pages.freeFrames() == free0 - 5);
  store<u64>(run + 4 * PAGE_SIZE, 0x0123456789abcdef);
  check("pages: the last frame of the run is real memory", load<u64>(run + 4 * PAGE_SIZE) == 0x0123456789abcdef);
  pages.free(run);
  check("pages: freeing the run gives every frame back", pages.freeFrames() == free0);
}

function testMalloc(): void {
  const slab0 = pages.count(USE_SLAB);
  const large0 = pages.count(USE_LARGE);
  const count = 256;
  const blocks = memory.data(256 * 4);
  const sizes = memory.data(256 * 4);
  // Sizes up to 20000 bytes, scaled down so that the blocks use at most a quarter of free memory.
  const budget = (<u64>pages.freeFrames() * PAGE_SIZE) >> 2;
  const maxSize = <u32>min<u64>(20000, max<u64>(64, budget * 2 / <u64>count));
  let ok = true;
  for (let i = 0; i < count; i++) {
    const size = <usize>(1 + nextRandom() % maxSize);
    const block = malloc(size);
    store<u32>(blocks + (<usize>i << 2), <u32>block);
    store<u32>(sizes + (<usize>i << 2), <u32>size);
    if (block == 0 || usableSize(block) < size || (block & 7) != 0) ok = false;
    else memory.fill(block, <u8>i, size);
  }
  check("malloc: 256 random blocks are usable and 8-byte aligned", ok);
  if (!ok) return;
  ok = true;
  for (let i = 0; i < count; i++) {
    const block = <usize>load<u32>(blocks + (<usize>i << 2));
    const size = <usize>load<u32>(sizes + (<usize>i << 2));
    if (load<u8>(block) != <u8>i || load<u8>(block + size - 1) != <u8>i) ok = false;
  }
  check("malloc: no block overwrote another", ok);
  for (let i = 0; i < count; i += 2) free(<usize>load<u32>(blocks + (<usize>i << 2)));
  for (let i = 1; i < count; i += 2) free(<usize>load<u32>(blocks + (<usize>i << 2)));
  check("malloc: large allocations all come back", pages.count(USE_LARGE) == large0);
  check("malloc: at most the kept empty slabs remain", pages.count(USE_SLAB) >= slab0);
}

function testKernelMap(boot: Handoff, device: u64): void {
  check("paging: page 0 is not mapped", paging.translate(0) == paging.NOT_MAPPED && paging.translate(0xfff) == paging.NOT_MAPPED);
  check("paging: kernel text is read-only and executable", paging.mappingFlags(boot.imageStart) == (paging.READ | paging.EXECUTE));
  check("paging: rodata is read-only", paging.mappingFlags(boot.textEnd) == paging.READ);
  check("paging: data is read-write, not executable", paging.mappingFlags(boot.rodataEnd) == (paging.READ | paging.WRITE));
  check("paging: wasm static data is read-write", paging.mappingFlags(<u64>ASC_MEMORY_BASE) == (paging.READ | paging.WRITE));
  check("paging: RAM is identity mapped", paging.translate(boot.rodataEnd + 123) == boot.rodataEnd + 123);
  check("paging: device memory is uncached and not executable", paging.mappingFlags(device) == (paging.READ | paging.WRITE | paging.DEVICE));
  check("paging: writable code is refused", paging.mapRange(0x1_0000_0000, 0x1000, 4096, paging.WRITE) < 0);
  check("paging: an unaligned mapping is refused", paging.mapRange(0x1_0000_0001, 0x1000, 4096, paging.READ) < 0);
  check("paging: executable device memory is refused", paging.mapRange(0x1_0000_0000, 0x1000, 4096, paging.READ | paging.EXECUTE | paging.DEVICE) < 0);
  check("paging: addresses past the limit are refused", paging.mapRange(paging.VIRTUAL_LIMIT, 0x1000, 4096, paging.READ) < 0);
}

function testAliases(alias: u64): void {
  // `alias` is an address below 4 GiB that holds no RAM: device space on x86 (unmapped for the test), unmapped on arm.
  const deviceHole = entryFormat().deviceSpaceAboveRam();
  if (deviceHole) check("alias: the device hole can be unmapped", paging.unmapRange(alias, 4 << 20) == 0);
  check("alias: the address starts unmapped", paging.translate(alias) == paging.NOT_MAPPED);
  const frame = pages.allocZeroed(2, USE_APP);
  check("alias: two frames mapped at a second address", frame != 0 && paging.mapRange(alias + 0x1000, <u64>frame, 8192, paging.READ | paging.WRITE) == 0);
  check("alias: translation follows the mapping", paging.translate(alias + 0x1234) == <u64>frame + 0x234);
  store<u32>(<usize>alias + 0x1010, 0xdeadbeef);
  check("alias: a write through the alias reaches the frame", load<u32>(frame + 0x10) == 0xdeadbeef);
  store<u32>(frame + 0x1020, 0x12345678);
  check("alias: a write to the frame shows through the alias", load<u32>(<usize>alias + 0x2020) == 0x12345678);
  check("alias: protecting one page read-only", paging.protectRange(alias + 0x1000, 4096, paging.READ) == 0 && paging.mappingFlags(alias + 0x1000) == paging.READ);
  check("alias: protecting a range with a hole fails and changes nothing", paging.protectRange(alias, 8192, paging.READ) < 0 && paging.mappingFlags(alias + 0x1000) == paging.READ);
  check("alias: remapping a page to another frame", paging.mapRange(alias + 0x1000, <u64>frame + 0x1000, 4096, paging.READ | paging.WRITE) == 0 && load<u32>(<usize>alias + 0x1020) == 0x12345678);
  check("alias: unmapping", paging.unmapRange(alias, 2 << 20) == 0 && paging.translate(alias + 0x1000) == paging.NOT_MAPPED);
  check("alias: a 2 MiB mapping", paging.mapRange(alias, 0, 4 << 20, paging.READ | paging.WRITE) == 0 && paging.translate(alias + 0x345678) == 0x345678);
  check("alias: protecting 4 KiB splits a 2 MiB page and keeps the rest",
    paging.protectRange(alias + 0x200000, 4096, paging.READ) == 0
    && paging.mappingFlags(alias + 0x201000) == (paging.READ | paging.WRITE) && paging.translate(alias + 0x201000) == 0x201000);
  check("alias: unmapping the 2 MiB range", paging.unmapRange(alias, 4 << 20) == 0);
  if (deviceHole) check("alias: the device hole is mapped again", paging.mapRange(alias, alias, 4 << 20, paging.READ | paging.WRITE | paging.DEVICE) == 0);
  pages.free(frame);
}

function testRegions(): void {
  const app0 = pages.count(USE_APP);
  const region = paging.reserveRegion(8 << 30, 4096);
  check("regions: 8 GiB reserved above 4 GiB, 2 MiB aligned", region >= 0x1_0000_0000 && (region & 0x1fffff) == 0);
  const second = paging.reserveRegion(4096, 0);
  check("regions: a second region does not overlap the first or its guard", second >= region + (8 << 30) + (2 << 20));
  check("regions: reserved space is not mapped", paging.translate(region) == paging.NOT_MAPPED);
  check("regions: committing outside a region fails", paging.commit(region - 4096, 4096) < 0);
  check("regions: committing 3 pages across a 2 MiB boundary", paging.commit(region + 0x1ff000, 0x3000) == 0 && pages.count(USE_APP) == app0 + 3);
  const physical = paging.translate(region + 0x200010);
  check("regions: committed pages are mapped, zeroed and read-write",
    physical != paging.NOT_MAPPED && load<u32>(<usize>physical) == 0 && paging.mappingFlags(region + 0x200000) == (paging.READ | paging.WRITE));
  check("regions: committing again only adds what is missing", paging.commit(region + 0x1ff000, 0x4000) == 0 && pages.count(USE_APP) == app0 + 4);
  check("regions: releasing gives every frame back", paging.releaseRegion(region) == 0 && pages.count(USE_APP) == app0);
  check("regions: releasing twice fails", paging.releaseRegion(region) < 0);
  check("regions: releasing the second region", paging.releaseRegion(second) == 0);
  check("regions: an impossible size is refused", paging.reserveRegion(600 << 30, 0) == 0);
  const fixed: u64 = 0x40_0000_0000;
  check("regions: a region at a fixed base", paging.reserveRegionAt(fixed, 8 << 30, 4096) == fixed);
  check("regions: the fixed stretch or its guard cannot be taken twice",
    paging.reserveRegionAt(fixed, 4096, 0) == 0 && paging.reserveRegionAt(fixed + (8 << 30), 4096, 0) == 0
    && paging.reserveRegionAt(fixed - (2 << 20), 4096, 0) == 0);
  check("regions: a fixed base that is not 2 MiB aligned or leaves region space is refused",
    paging.reserveRegionAt(fixed + 4096, 4096, 0) == 0 && paging.reserveRegionAt(paging.REGION_SPACE_END - (2 << 20), 4 << 20, 0) == 0
    && paging.reserveRegionAt(paging.REGION_SPACE_START, 4096, 4096) == 0);
  check("regions: releasing the fixed region", paging.releaseRegion(fixed) == 0);
}

/**
 * Runs every memory check; returns true if all passed and every page came
 * back. `device` is a device register the kernel map must hold (uncached);
 * `alias` an address below 4 GiB without RAM (the architecture's entry point
 * knows both).
 */
export function runMemorySelfTest(device: u64, alias: u64): bool {
  const boot = bootHandoff();
  beginSelfTest();
  const free0 = pages.freeFrames();
  const tables0 = pages.count(USE_PAGE_TABLES);
  const slabs0 = pages.count(USE_SLAB);
  testPageAllocator();
  testMalloc();
  testKernelMap(boot, device);
  testAliases(alias);
  testRegions();
  // What may legitimately stay: kept empty slabs, and tables from splitting the device hole's 2 MiB pages.
  const tablesGrown = pages.count(USE_PAGE_TABLES) - tables0;
  const slabsGrown = pages.count(USE_SLAB) - slabs0;
  check("all: at most two page tables stay (the re-mapped device hole)", tablesGrown <= 2);
  check("all: every other frame comes back", pages.freeFrames() + tablesGrown + slabsGrown == free0);
  return endSelfTest("mm");
}
