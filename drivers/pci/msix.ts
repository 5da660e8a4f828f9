// MSI-X: a function's table of message interrupts, in one of its BARs.
//
//   MsixCapability (id 0x11, configuration space)  MsixEntry n (BAR + table offset + 16 n)
//    0 +-------------------------------------+      0 +------------------------------+
//      | id u8, next u8                      |        | addressLow u32               |
//    2 | control u16: bits 0-10 table size-1,|      4 | addressHigh u32              |
//      |   14 function mask, 15 enable       |      8 | data u32                     |
//    4 | table u32: offset bits 3-31,        |     12 | vectorControl u32 (bit 0:    |
//      |   BAR index bits 0-2                |        |   masked)                    |
//    8 | pendingBits u32                     |     16 +------------------------------+
//   12 +-------------------------------------+
//
// The capability is read through configuration space accessors and the
// table through mmioWrite32, so the classes give offsets, not views.
//
// The driver fills entries with what kernel/irq attachMessageInterrupt
// returned, unmasks them, and enables MSI-X, which also stops the function's
// INTx pin.

import { mmioWrite32 } from "../../arch";
import { PciFunction } from "./index";

const CAPABILITY_MSIX: u32 = 0x11;
const CONTROL_ENABLE: u32 = 1 << 15;
const CONTROL_FUNCTION_MASK: u32 = 1 << 14;
const VECTOR_MASKED: u32 = 1;

@unmanaged
class MsixCapability {
  id: u8;
  next: u8;
  control: u16;
  table: u32;
  pendingBits: u32;
}

@unmanaged
class MsixEntry {
  addressLow: u32;
  addressHigh: u32;
  data: u32;
  vectorControl: u32;
}

const CONTROL: u32 = <u32>offsetof<MsixCapability>("control");
const TABLE: u32 = <u32>offsetof<MsixCapability>("table");
const ENTRY_BYTES: usize = offsetof<MsixEntry>();
const ENTRY_ADDRESS_LOW: usize = offsetof<MsixEntry>("addressLow");
const ENTRY_ADDRESS_HIGH: usize = offsetof<MsixEntry>("addressHigh");
const ENTRY_DATA: usize = offsetof<MsixEntry>("data");
const ENTRY_VECTOR_CONTROL: usize = offsetof<MsixEntry>("vectorControl");

export class MsixTable {
  constructor(public owner: PciFunction, public capability: u32, public address: usize, public entries: u32) {}

  /** Aims entry `index` at `address` with `data` and unmasks it; false past the table. */
  setEntry(index: u32, address: u64, data: u32): bool {
    if (index >= this.entries) return false;
    const entry = this.address + <usize>index * ENTRY_BYTES;
    mmioWrite32(entry + ENTRY_VECTOR_CONTROL, VECTOR_MASKED);
    mmioWrite32(entry + ENTRY_ADDRESS_LOW, <u32>address);
    mmioWrite32(entry + ENTRY_ADDRESS_HIGH, <u32>(address >> 32));
    mmioWrite32(entry + ENTRY_DATA, data);
    mmioWrite32(entry + ENTRY_VECTOR_CONTROL, 0);
    return true;
  }

  /** Turns MSI-X on for the function, nothing masked as a whole. */
  enable(): void {
    const control = this.owner.read16(this.capability + CONTROL);
    this.owner.write16(this.capability + CONTROL, (control | CONTROL_ENABLE) & ~CONTROL_FUNCTION_MASK);
  }
}

/** The function's MSI-X table, or null if it has none (or the firmware left its BAR unplaced or above 4 GiB). */
export function findMsix(function_: PciFunction): MsixTable | null {
  const capability = function_.capability(CAPABILITY_MSIX);
  if (capability == 0) return null;
  const control = function_.read16(capability + CONTROL);
  const table = function_.read32(capability + TABLE);
  const bar = function_.barAddress(table & 7);
  if (bar == 0 || bar >= 0x1_0000_0000) return null;
  return new MsixTable(function_, capability, <usize>(bar + <u64>(table & ~7)), (control & 0x7ff) + 1);
}
