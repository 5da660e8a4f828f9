// Kernel page tables: the front door.
//
// initPaging(boot) builds the kernel's tables (identity.ts: RAM and device
// space below 4 GiB at their own addresses, page 0 unmapped, the image W^X)
// and loads them in place of the boot stub's map. After that:
//   mapRange / unmapRange / protectRange  change mappings at 4 KiB and
//       2 MiB granularity (table.ts), with READ, WRITE, EXECUTE, DEVICE;
//   translate                             answers what an address maps to;
//   reserveRegion / commit / releaseRegion  manage application memory above
//       4 GiB (regions.ts).
// The entry formats are in x86_64.ts and aarch64.ts (the architecture's
// entry point chooses one with useEntryFormat); docs/paging.md has the
// design. Addresses are u64: regions lie beyond the kernel's 4 GiB window.
// Functions return 0 or -errno (kernel/errno.ts).

import { Handoff, HANDOFF_FLAG_NX } from "../../boot/handoff";
import { EINVAL, ENOMEM } from "../../errno";
import { fail } from "../../failure";
import { CALLER_FLAGS, READ, EXECUTE, DEVICE, PAGE_BYTES } from "./flags";
import { entryFormat } from "./entry";
import { createRoot, activate, useGigaPages, mapPages, unmapPages, protectPages, translateAddress, flagsAt, NOT_MAPPED } from "./table";
import { buildKernelMap } from "./identity";

export { READ, WRITE, EXECUTE, DEVICE } from "./flags";
export { NOT_MAPPED } from "./table";
export { EntryFormat, useEntryFormat } from "./entry";
export { reserveRegion, reserveRegionAt, commit, releaseRegion, REGION_SPACE_START, REGION_SPACE_END } from "./regions";

/** Virtual addresses the tables can hold: the first 512 GiB (one x86_64 PML4 entry, the aarch64 TTBR0 range). */
export const VIRTUAL_LIMIT: u64 = 0x80_0000_0000;
const PHYSICAL_LIMIT: u64 = 0x1_0000_0000_0000;

let textStart: usize = 0;

/** Builds the kernel's page tables and switches to them; 0, or -errno with the reason (kernel/failure.ts). */
export function initPaging(boot: Handoff): i32 {
  entryFormat().setNoExecute((boot.flags & HANDOFF_FLAG_NX) != 0);
  useGigaPages(entryFormat().gigaPages());
  if (!createRoot()) return fail(ENOMEM, "out of memory for page tables");
  const result = buildKernelMap(boot);
  if (result < 0) return result;
  activate();
  textStart = <usize>boot.imageStart;
  return 0;
}

/** The first byte of the kernel's text (read-only, executable), once paging is on. */
export function kernelTextStart(): usize {
  return textStart;
}

/**
 * Maps [virtual, virtual + size) to [physical, ...) with `flags`, replacing
 * whatever was mapped there (frames commit() allocated are freed). All three
 * 4 KiB aligned; READ is required; DEVICE excludes EXECUTE. 2 MiB pages are
 * used where both addresses are 2 MiB aligned. Returns 0, -EINVAL or -ENOMEM.
 */
export function mapRange(virtual: u64, physical: u64, size: u64, flags: u32): i32 {
  if (!validRange(virtual, size) || !validFlags(flags)) return -EINVAL;
  if ((physical & (PAGE_BYTES - 1)) != 0 || physical >= PHYSICAL_LIMIT || size > PHYSICAL_LIMIT - physical) return -EINVAL;
  return mapPages(virtual, physical, size, flags);
}

/** Unmaps [virtual, virtual + size) (4 KiB aligned); frames commit() allocated there are freed. */
export function unmapRange(virtual: u64, size: u64): i32 {
  if (!validRange(virtual, size)) return -EINVAL;
  return unmapPages(virtual, size);
}

/** Changes the flags of every page in the range; -ENOENT, changing nothing, if a page in it is not mapped. */
export function protectRange(virtual: u64, size: u64, flags: u32): i32 {
  if (!validRange(virtual, size) || !validFlags(flags)) return -EINVAL;
  return protectPages(virtual, size, flags);
}

/** The physical address `virtual` maps to, or NOT_MAPPED (u64 -1). */
export function translate(virtual: u64): u64 {
  return virtual < VIRTUAL_LIMIT ? translateAddress(virtual) : NOT_MAPPED;
}

/** The READ/WRITE/EXECUTE/DEVICE flags of the page holding `virtual`, 0 if it is not mapped. */
export function mappingFlags(virtual: u64): u32 {
  return virtual < VIRTUAL_LIMIT ? flagsAt(virtual) : 0;
}

function validRange(virtual: u64, size: u64): bool {
  return ((virtual | size) & (PAGE_BYTES - 1)) == 0 && size != 0
    && virtual < VIRTUAL_LIMIT && size <= VIRTUAL_LIMIT - virtual;
}

function validFlags(flags: u32): bool {
  return (flags & ~CALLER_FLAGS) == 0 && (flags & READ) != 0 && (flags & (EXECUTE | DEVICE)) != (EXECUTE | DEVICE);
}
