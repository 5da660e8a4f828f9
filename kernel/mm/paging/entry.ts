// One entry format for the walker, whichever architecture runs: the boot
// handoff picks x86_64.ts or aarch64.ts once, and these helpers dispatch.
//
// The walk starts at level 0 (PML4) on x86_64 and at level 1 on aarch64,
// whose TCR_EL1 (set by the boot stub) gives TTBR0 39 bits: both cover the
// same 512 GiB of virtual space, the first 4 GiB of it the kernel's identity
// map.

import { ARCH_X86_64 } from "../../boot/handoff";
import { x86Table, x86Leaf, x86Kind, x86Address, x86Flags, x86SetNoExecute } from "./x86_64";
import { armTable, armLeaf, armKind, armAddress, armFlags } from "./aarch64";

let x86 = true;

export function useEntryFormat(arch: u32, noExecute: bool): void {
  x86 = arch == ARCH_X86_64;
  x86SetNoExecute(noExecute);
}

/** The level the root table is at. */
export function rootLevel(): i32 {
  return x86 ? 0 : 1;
}

export function tableEntry(address: u64): u64 {
  return x86 ? x86Table(address) : armTable(address);
}

/** A leaf mapping `address` with READ/WRITE/EXECUTE/DEVICE/OWNED `flags` at `level` (2 or 3). */
export function leafEntry(address: u64, flags: u32, level: i32): u64 {
  return x86 ? x86Leaf(address, flags, level) : armLeaf(address, flags, level);
}

/** ENTRY_NONE, ENTRY_TABLE or ENTRY_LEAF. */
export function entryKind(entry: u64, level: i32): i32 {
  return x86 ? x86Kind(entry, level) : armKind(entry, level);
}

/** The next table's address (span 4096) or the first byte a leaf covering `span` bytes maps. */
export function entryAddress(entry: u64, span: u64): u64 {
  return x86 ? x86Address(entry, span) : armAddress(entry, span);
}

/** A leaf's flags. */
export function entryFlags(entry: u64): u32 {
  return x86 ? x86Flags(entry) : armFlags(entry);
}
