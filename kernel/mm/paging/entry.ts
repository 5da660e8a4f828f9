// One entry format for the walker: the architecture's entry point
// (kernel/init) hands its format (x86_64.ts or aarch64.ts) to
// useEntryFormat once, and these helpers call it.
//
// The walk starts at level 0 (PML4) on x86_64 and at level 1 on aarch64,
// whose TCR_EL1 (set by the boot stub) gives TTBR0 39 bits: both cover the
// same 512 GiB of virtual space, the first 4 GiB of it the kernel's identity
// map.

export abstract class EntryFormat {
  /** The level the root table is at. */
  abstract rootLevel(): i32;
  /** True where device registers may lie above RAM, up to 4 GiB (x86_64: the IOAPIC, LAPIC, PCI windows). */
  abstract deviceSpaceAboveRam(): bool;
  /** An entry pointing at the next table. */
  abstract table(address: u64): u64;
  /** A leaf mapping `address` with READ/WRITE/EXECUTE/DEVICE/OWNED `flags` at `level` (1 to 3). */
  abstract leaf(address: u64, flags: u32, level: i32): u64;
  /** ENTRY_NONE, ENTRY_TABLE or ENTRY_LEAF. */
  abstract kind(entry: u64, level: i32): i32;
  /** The next table's address (span 4096) or the first byte a leaf covering `span` bytes maps. */
  abstract address(entry: u64, span: u64): u64;
  /** A leaf's flags. */
  abstract flags(entry: u64): u32;
  /** Whether the CPU enforces non-executable mappings (the boot handoff says). */
  setNoExecute(enabled: bool): void {}
  /** Whether level 1 may hold leaves (1 GiB pages). */
  abstract gigaPages(): bool;
}

let format: EntryFormat = changetype<EntryFormat>(0);

export function useEntryFormat(chosen: EntryFormat): void {
  format = chosen;
}

export function entryFormat(): EntryFormat {
  return format;
}

/** The level the root table is at. */
export function rootLevel(): i32 {
  return format.rootLevel();
}

export function tableEntry(address: u64): u64 {
  return format.table(address);
}

/** A leaf mapping `address` with READ/WRITE/EXECUTE/DEVICE/OWNED `flags` at `level` (2 or 3). */
export function leafEntry(address: u64, flags: u32, level: i32): u64 {
  return format.leaf(address, flags, level);
}

/** ENTRY_NONE, ENTRY_TABLE or ENTRY_LEAF. */
export function entryKind(entry: u64, level: i32): i32 {
  return format.kind(entry, level);
}

/** The next table's address (span 4096) or the first byte a leaf covering `span` bytes maps. */
export function entryAddress(entry: u64, span: u64): u64 {
  return format.address(entry, span);
}

/** A leaf's flags. */
export function entryFlags(entry: u64): u32 {
  return format.flags(entry);
}
