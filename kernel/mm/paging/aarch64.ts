// aarch64 translation table descriptors (VMSAv8-64, stage 1 at EL1, 4 KiB
// granule, 512 entries per table).
//
//   63   59 58  55 54  53  52 51  48 47                  12 11 10 9  8 7   6   5 4     2 1 0
//  +-------+------+---+---+--+------+----------------------+--+--+----+---+---+--+-------+---+
//  |ignored|  sw  |UXN|PXN|CT| res0 |  output address      |nG|AF| SH |AP2|AP1|NS|AttrIdx|typ|
//  +-------+------+---+---+--+------+----------------------+--+--+----+---+---+--+-------+---+
//
//   typ   bit 0 valid; bit 1 set: a table (levels 1-2) or a page (level 3),
//         clear: a block (levels 1-2; 2 MiB at level 2). A table descriptor
//         holds only the next table's address.
//   AttrIdx  MAIR_EL1 index as the boot stub set it: 0 Device-nGnRE, 1 Normal
//         write-back (DEVICE picks 0)
//   AP2   read-only at EL1;  AP1 EL0 access (never set: EL0 would also make
//         the page non-executable at EL1)
//   SH    shareability: inner shareable for normal memory
//   AF    access flag, preset so that access never faults on it
//   PXN, UXN  never execute at EL1, at EL0 (UXN always set)
//   sw bit 55: OWNED (a frame commit() allocated)

import { WRITE, EXECUTE, DEVICE, OWNED, READ, ENTRY_NONE, ENTRY_TABLE, ENTRY_LEAF, LEVEL_4K } from "./flags";
import { EntryFormat } from "./entry";

const VALID: u64 = 1 << 0;
const TABLE_OR_PAGE: u64 = 1 << 1;
const ATTR_DEVICE: u64 = 0 << 2;
const ATTR_NORMAL: u64 = 1 << 2;
const ATTR_MASK: u64 = 7 << 2;
const READ_ONLY: u64 = 1 << 7;
const INNER_SHAREABLE: u64 = 3 << 8;
const ACCESS_FLAG: u64 = 1 << 10;
const PRIVILEGED_EXECUTE_NEVER: u64 = 1 << 53;
const USER_EXECUTE_NEVER: u64 = 1 << 54;
const SOFTWARE_OWNED: u64 = 1 << 55;
const ADDRESS_MASK: u64 = 0x0000_ffff_ffff_f000;

export function armTable(address: u64): u64 {
  return (address & ADDRESS_MASK) | VALID | TABLE_OR_PAGE;
}

export function armLeaf(address: u64, flags: u32, level: i32): u64 {
  let entry = (address & ADDRESS_MASK) | VALID | ACCESS_FLAG | USER_EXECUTE_NEVER;
  if (level == LEVEL_4K) entry |= TABLE_OR_PAGE;
  entry |= (flags & DEVICE) ? ATTR_DEVICE : ATTR_NORMAL | INNER_SHAREABLE;
  if ((flags & WRITE) == 0) entry |= READ_ONLY;
  if ((flags & (EXECUTE | DEVICE)) != EXECUTE) entry |= PRIVILEGED_EXECUTE_NEVER;
  if (flags & OWNED) entry |= SOFTWARE_OWNED;
  return entry;
}

export function armKind(entry: u64, level: i32): i32 {
  if ((entry & VALID) == 0) return ENTRY_NONE;
  const tableOrPage = (entry & TABLE_OR_PAGE) != 0;
  if (level == LEVEL_4K) return tableOrPage ? ENTRY_LEAF : ENTRY_NONE; // 0b01 is reserved at level 3
  return tableOrPage ? ENTRY_TABLE : ENTRY_LEAF;
}

/** The table a table descriptor points to, or the first byte a leaf maps (`span` bytes). */
export function armAddress(entry: u64, span: u64): u64 {
  return entry & ADDRESS_MASK & ~(span - 1);
}

export function armFlags(entry: u64): u32 {
  let flags = READ;
  if ((entry & READ_ONLY) == 0) flags |= WRITE;
  if ((entry & ATTR_MASK) == ATTR_DEVICE) flags |= DEVICE;
  else if ((entry & PRIVILEGED_EXECUTE_NEVER) == 0) flags |= EXECUTE;
  if (entry & SOFTWARE_OWNED) flags |= OWNED;
  return flags;
}

export class ArmEntryFormat extends EntryFormat {
  rootLevel(): i32 {
    return 1;
  }
  deviceSpaceAboveRam(): bool {
    return false;
  }
  table(address: u64): u64 {
    return armTable(address);
  }
  leaf(address: u64, flags: u32, level: i32): u64 {
    return armLeaf(address, flags, level);
  }
  kind(entry: u64, level: i32): i32 {
    return armKind(entry, level);
  }
  address(entry: u64, span: u64): u64 {
    return armAddress(entry, span);
  }
  flags(entry: u64): u32 {
    return armFlags(entry);
  }
  gigaPages(): bool {
    return true; // with the 4 KiB granule a level 1 block maps 1 GiB
  }
}
