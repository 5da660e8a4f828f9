// Mapping the module's PT_LOAD segments into an application region.
//
//   region base = bias + low                                   bias + high
//   | segment 0 (r--) | segment 1 (r-x) | segment 2 (rw-), bss zeroed |
//
// Each segment gets exactly its own permissions (READ, plus WRITE or
// EXECUTE, never both: image.ts refused that). A read-only segment's pages
// that the file holds whole are mapped from the file itself when the caller
// says the file is page-aligned and outlives the module (`inPlace`); every
// other page (writable segments, the partial last page, bss) is committed
// fresh and zeroed by the region with the segment's permissions (commit():
// its frames are the region's, and releaseRegion frees them) and the
// segment's file bytes are copied in through the kernel's physical alias of
// each page.
//
// The kernel never touches the module at its virtual address: physicalOf()
// turns one into the frame's physical (= kernel) address.

import { reserveRegion, commit, mapRange, protectRange, translate, NOT_MAPPED, READ, WRITE, EXECUTE } from "../../kernel/mm/paging/index";
import { ENOMEM } from "../../kernel/errno";
import { PT_LOAD, PF_W, PF_X } from "./layout";
import { image, programHeader, pageDown, pageUp, PAGE } from "./image";
import { begin, decimal, end, fail } from "./message";

/** Unmapped space on each side of a module. */
const GUARD_BYTES: u64 = 0x20_0000;

/** The region reserveRegion gave (0 when none) and the load bias: module address = bias + ELF address. */
export let region: u64 = 0;
export let bias: u64 = 0;

/** Reserves the region for the module's span; 0, or -ENOEXEC with why not (kernel/failure.ts). */
export function reserveModuleRegion(): i32 {
  region = reserveRegion(image.high - image.low, GUARD_BYTES);
  if (region == 0) return fail("no virtual space is left for the module");
  bias = region - image.low;
  return 0;
}

function mappingError(index: u32, result: i32): i32 {
  begin(result == -ENOMEM ? "out of memory mapping segment " : "mapping segment ");
  decimal(index);
  return end(result == -ENOMEM ? "" : " failed");
}

/** Maps every PT_LOAD segment with its permissions, from the file or copied; 0, or -ENOEXEC with why not (kernel/failure.ts). */
export function mapSegments(inPlace: bool): i32 {
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type != PT_LOAD || segment.memoryBytes == 0) continue;
    const writable = (segment.flags & PF_W) != 0;
    const flags = READ | (writable ? WRITE : 0) | ((segment.flags & PF_X) != 0 ? EXECUTE : 0);
    const first = pageDown(segment.vaddr);
    const last = pageUp(segment.vaddr + segment.memoryBytes);
    // Pages the file holds whole: from the segment's first page to the page its file bytes end in.
    let shared: u64 = 0;
    if (inPlace && !writable) shared = pageDown(segment.offset + segment.fileBytes) - pageDown(segment.offset);
    if (shared != 0) {
      const result = mapRange(bias + first, <u64>image.file + pageDown(segment.offset), shared, flags);
      if (result < 0) return mappingError(i, result);
    }
    const copyFrom = first + shared;
    if (copyFrom == last) continue;
    // Committed with the segment's own flags: the bytes are copied in through the frames' physical alias.
    const result = commit(bias + copyFrom, last - copyFrom, flags);
    if (result < 0) return mappingError(i, result);
    copySegmentBytes(segment.vaddr, segment.offset, segment.fileBytes, copyFrom);
  }
  return 0;
}

/** Copies the segment's file bytes at and above ELF address `from` into their committed pages. */
function copySegmentBytes(vaddr: u64, offset: u64, fileBytes: u64, from: u64): void {
  let at = from > vaddr ? from : vaddr;
  const stop = vaddr + fileBytes;
  while (at < stop) {
    const pageEnd = pageDown(at) + PAGE;
    const chunk = (pageEnd < stop ? pageEnd : stop) - at;
    memory.copy(physicalOf(at), image.file + <usize>(offset + (at - vaddr)), <usize>chunk);
    at += chunk;
  }
}

let cachedPage: u64 = u64.MAX_VALUE;
let cachedFrame: usize = 0;

/** The kernel address of the module's byte at ELF address `vaddr`, which must be mapped. */
export function physicalOf(vaddr: u64): usize {
  const page = pageDown(bias + vaddr);
  if (page != cachedPage) {
    const frame = translate(page);
    cachedFrame = frame == NOT_MAPPED ? 0 : <usize>frame;
    cachedPage = page;
  }
  return cachedFrame + <usize>((bias + vaddr) & (PAGE - 1));
}

/** Forgets cached translations (the region is about to change or go away). */
export function forgetTranslations(): void {
  cachedPage = u64.MAX_VALUE;
}

/** Makes PT_GNU_RELRO read-only, once relocations are done; 0, or -ENOEXEC with why not (kernel/failure.ts). */
export function protectRelro(): i32 {
  if (image.relroEnd <= image.relroStart) return 0;
  const result = protectRange(bias + image.relroStart, image.relroEnd - image.relroStart, READ);
  return result < 0 ? fail("PT_GNU_RELRO could not be made read-only") : 0;
}
