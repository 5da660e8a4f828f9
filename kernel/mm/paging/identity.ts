// The kernel's own map: physical memory below 4 GiB at its own address
// (wasm address == virtual address == physical address), built fresh and
// then loaded in place of the boot stub's map.
//
//   x86_64 (microvm, q35)                    aarch64 (virt)
//   0         page 0: not mapped             0           not mapped: page 0, flash
//   0x1000    RAM (the allocator's range)    0x200000    device: flash, GIC, UART,
//             normal, read/write, no-exec                virtio-mmio, PCIe windows
//   0x100000  wasm static data (rw, nx)      0x40000000  RAM (the allocator's range):
//   image     text (r-x), rodata (r--),                  DTB, static data, image as on
//             data and bss (rw-)                         x86_64
//   RAM end   device: PCI holes, IOAPIC,     RAM end     not mapped
//             LAPIC, virtio-mmio, BIOS ROM
//   4 GiB     (application regions)          4 GiB       (application regions)
//
// - RAM is the span the page allocator manages, firmware holes inside it
//   included (x86's legacy VGA/BIOS area below 1 MiB is mapped as normal
//   memory; on real hardware its MTRRs keep it uncached).
// - Device space is everything from 2 MiB to the RAM span and, on x86_64,
//   everything from the end of RAM to 4 GiB (its MMIO lives there); aarch64
//   virt has no devices above RAM below 4 GiB, so nothing is mapped there.
//   Its first 2 MiB (the start of the boot flash, never read) stay unmapped
//   with page 0. Device mappings are read/write and never executable, and
//   there are no other holes: an MMIO access to a device that does not
//   exist reaches the bus, as it did under the boot stub's map.
// - Page 0 is not mapped, so a null pointer faults. The firmware data that
//   may sit there (q35's PVH start_info) has been parsed by now.
// - The kernel image is W^X at 4 KiB granularity; the wasm static data before
//   it, like the rest of RAM, is read/write and non-executable.
//
// Everything else uses 2 MiB pages: 7 table pages on x86_64 (PML4, PDPT, a
// page directory per GiB, one page table for the first 2 MiB), one more when
// RAM ends off a 2 MiB boundary; 4 on aarch64 (L1, an L2 for device space,
// an L2 and an L3 for RAM with the image).

import { Handoff } from "../../boot/handoff";
import { fail } from "../../failure";
import { ENOMEM, EINVAL } from "../../errno";
import { entryFormat } from "./entry";
import { pages, PAGE_SHIFT } from "../pages";
import { READ, WRITE, EXECUTE, DEVICE, PAGE_BYTES, LARGE_PAGE_BYTES } from "./flags";
import { mapPages } from "./table";

const ADDRESS_LIMIT: u64 = 0x1_0000_0000;

/** Builds the kernel's map into the (empty, not yet loaded) tables; 0, or -ENOMEM/-EINVAL with the reason. */
export function buildKernelMap(boot: Handoff): i32 {
  const ramStart = <u64>pages.base;
  const ramEnd = ramStart + (<u64>pages.frames << PAGE_SHIFT);
  if (!(ramStart <= boot.imageStart && boot.imageEnd <= ramEnd)) {
    return fail(EINVAL, "the kernel image is outside the RAM the page allocator manages");
  }
  // Each part is mapped once with its final flags, page 0 left out: no 2 MiB page is split and rewritten later.
  // The parts go in address order, each starting where the one before ended, so every
  // table is filled without checking its slots (table.ts, fresh tables).
  const low = max<u64>(ramStart, PAGE_BYTES);
  // Device space below RAM (aarch64 virt) starts at 2 MiB: the first 2 MiB hold page 0 and the
  // start of the boot flash, which the kernel never reads, and need no 4 KiB table of their own.
  if (ramStart > LARGE_PAGE_BYTES) {
    if (mapPages(LARGE_PAGE_BYTES, LARGE_PAGE_BYTES, ramStart - LARGE_PAGE_BYTES, READ | WRITE | DEVICE) < 0) return outOfMemory();
  }
  if (!mapPart(low, boot.imageStart, READ | WRITE)) return outOfMemory();
  if (!mapPart(boot.imageStart, boot.textEnd, READ | EXECUTE)) return outOfMemory();
  if (!mapPart(boot.textEnd, max<u64>(boot.rodataEnd, boot.textEnd), READ)) return outOfMemory();
  if (!mapPart(max<u64>(boot.rodataEnd, boot.textEnd), ramEnd, READ | WRITE)) return outOfMemory();
  if (entryFormat().deviceSpaceAboveRam() && ramEnd < ADDRESS_LIMIT) {
    if (mapPages(ramEnd, ramEnd, ADDRESS_LIMIT - ramEnd, READ | WRITE | DEVICE) < 0) return outOfMemory();
  }
  return 0;
}

/** Maps RAM's [start, end) at its own address with `flags` (nothing when empty); false without memory for tables. */
function mapPart(start: u64, end: u64, flags: u32): bool {
  return end <= start || mapPages(start, start, end - start, flags) >= 0;
}

function outOfMemory(): i32 {
  return fail(ENOMEM, "out of memory for page tables");
}
