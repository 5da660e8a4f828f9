// x86_64 page-table entries (4-level paging, 4 KiB tables of 512 entries).
//
//   63  62    59 58     52 51                      12 11  9  8 7 6 5 4 3 2 1 0
//  +--+--------+---------+--------------------------+-----+--+-+-+-+-+-+-+-+-+
//  |XD| (PKEY) | ignored |  physical address        | avl |G |S|D|A|C|T|U|W|P|
//  +--+--------+---------+--------------------------+-----+--+-+-+-+-+-+-+-+-+
//
//   P present   W writable   U user (never set)   T, C write-through and
//   cache-disable (both set: uncached, for DEVICE)   A accessed   D dirty
//   S page size: in a level 2 entry (PDE), a 2 MiB page whose address starts
//     at bit 21 (bit 12 is then its PAT bit, left 0); in a level 1 entry
//     (PDPTE), a 1 GiB page, where the CPU has them (CPUID.80000001h:EDX
//     bit 26); in a level 3 entry (PTE), the PAT bit (left 0)
//   G global (not used: a CR3 load flushes everything)
//   avl bit 9: OWNED (a frame commit() allocated)
//   XD execute-disable, reserved unless EFER.NXE is on: the boot stub turns
//     it on when the CPU has it and says so in the handoff; without it
//     every mapping is executable.
//
// Table entries are present, writable and executable: the leaf decides.
// Leaves get A and D preset so that the CPU never writes them back.

import { WRITE, EXECUTE, DEVICE, OWNED, READ, ENTRY_NONE, ENTRY_TABLE, ENTRY_LEAF, LEVEL_4K } from "./flags";
import { EntryFormat } from "./entry";
import { cpuid } from "../../../arch";

const PRESENT: u64 = 1 << 0;
const WRITABLE: u64 = 1 << 1;
const WRITE_THROUGH: u64 = 1 << 3;
const CACHE_DISABLE: u64 = 1 << 4;
const ACCESSED: u64 = 1 << 5;
const DIRTY: u64 = 1 << 6;
const PAGE_SIZE_BIT: u64 = 1 << 7;
const SOFTWARE_OWNED: u64 = 1 << 9;
const EXECUTE_DISABLE: u64 = 1 << 63;
const ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;

let noExecute = false;

/** Whether EFER.NXE is on (the handoff's HANDOFF_FLAG_NX): without it XD must stay clear. */
export function x86SetNoExecute(enabled: bool): void {
  noExecute = enabled;
}

export function x86Table(address: u64): u64 {
  return (address & ADDRESS_MASK) | PRESENT | WRITABLE | ACCESSED;
}

export function x86Leaf(address: u64, flags: u32, level: i32): u64 {
  let entry = (address & ADDRESS_MASK) | PRESENT | ACCESSED | DIRTY;
  if (level != LEVEL_4K) entry |= PAGE_SIZE_BIT;
  if (flags & WRITE) entry |= WRITABLE;
  if (flags & DEVICE) entry |= WRITE_THROUGH | CACHE_DISABLE;
  if (flags & OWNED) entry |= SOFTWARE_OWNED;
  if (noExecute && (flags & (EXECUTE | DEVICE)) != EXECUTE) entry |= EXECUTE_DISABLE;
  return entry;
}

export function x86Kind(entry: u64, level: i32): i32 {
  if ((entry & PRESENT) == 0) return ENTRY_NONE;
  if (level == LEVEL_4K || (level > 0 && (entry & PAGE_SIZE_BIT) != 0)) return ENTRY_LEAF;
  return ENTRY_TABLE;
}

/** The table a table entry points to, or the first byte a leaf maps (`span` bytes). */
export function x86Address(entry: u64, span: u64): u64 {
  return entry & ADDRESS_MASK & ~(span - 1);
}

export function x86Flags(entry: u64): u32 {
  let flags = READ;
  if (entry & WRITABLE) flags |= WRITE;
  if (entry & CACHE_DISABLE) flags |= DEVICE;
  else if ((entry & EXECUTE_DISABLE) == 0) flags |= EXECUTE;
  if (entry & SOFTWARE_OWNED) flags |= OWNED;
  return flags;
}

export class X86EntryFormat extends EntryFormat {
  rootLevel(): i32 {
    return 0;
  }
  deviceSpaceAboveRam(): bool {
    return true;
  }
  table(address: u64): u64 {
    return x86Table(address);
  }
  leaf(address: u64, flags: u32, level: i32): u64 {
    return x86Leaf(address, flags, level);
  }
  kind(entry: u64, level: i32): i32 {
    return x86Kind(entry, level);
  }
  address(entry: u64, span: u64): u64 {
    return x86Address(entry, span);
  }
  flags(entry: u64): u32 {
    return x86Flags(entry);
  }
  setNoExecute(enabled: bool): void {
    x86SetNoExecute(enabled);
  }
  gigaPages(): bool {
    return x86GigaPages();
  }
}

const registers = memory.data(16);
const CPUID_EXTENDED: u32 = 0x8000_0000;
const CPUID_EXTENDED_FEATURES: u32 = 0x8000_0001;
const EDX_PAGE_1GB: u32 = 1 << 26;

/** CPUID.80000001h:EDX bit 26: 1 GiB pages (S set in a level 1 entry, a PDPTE). */
function x86GigaPages(): bool {
  cpuid(CPUID_EXTENDED, 0, registers);
  if (load<u32>(registers) < CPUID_EXTENDED_FEATURES) return false;
  cpuid(CPUID_EXTENDED_FEATURES, 0, registers);
  return (load<u32>(registers, 12) & EDX_PAGE_1GB) != 0;
}
