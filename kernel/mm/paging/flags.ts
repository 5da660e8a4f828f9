// What a mapping allows, as callers say it (READ, WRITE, EXECUTE, DEVICE),
// and the shape of the tables both architectures share.
//
// Every mapping is readable: neither architecture can deny kernel reads of a
// mapped page, so READ is required and only states the obvious. DEVICE maps
// MMIO: uncached on x86_64 (PCD|PWT), Device-nGnRE on aarch64, and never
// executable.

export const READ: u32 = 1;
export const WRITE: u32 = 2;
export const EXECUTE: u32 = 4;
export const DEVICE: u32 = 8;
/** The flags callers may pass. */
export const CALLER_FLAGS: u32 = READ | WRITE | EXECUTE | DEVICE;
/** Internal: commit() allocated the frame; unmapping it frees the frame. Kept in a software bit of the entry. */
export const OWNED: u32 = 16;

/** What an entry is, whatever the architecture's encoding. */
export const ENTRY_NONE: i32 = 0;
export const ENTRY_TABLE: i32 = 1;
export const ENTRY_LEAF: i32 = 2;

/** Level 2 entries map 2 MiB, level 3 entries 4 KiB; level 0 (x86_64 only) 512 GiB, level 1 1 GiB. */
export const LEVEL_1G: i32 = 1;
export const LEVEL_2M: i32 = 2;
export const LEVEL_4K: i32 = 3;
export const ENTRIES_PER_TABLE: u32 = 512;
export const TABLE_BYTES: usize = 4096;
export const PAGE_BYTES: u64 = 4096;
export const LARGE_PAGE_BYTES: u64 = 2 << 20;
export const GIGA_PAGE_BYTES: u64 = 1 << 30;

/** The number of address bits one entry at `level` covers: 39, 30, 21, 12. */
// @ts-ignore: decorator
@inline export function levelShift(level: i32): u64 {
  return <u64>(39 - 9 * level);
}
