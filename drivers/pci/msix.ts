// MSI-X: a function's table of message interrupts, in one of its BARs.
//
// Capability (id 0x11) in configuration space:
//   +2  message control: bits 0-10 table size - 1, bit 14 function mask, bit 15 enable
//   +4  table offset (bits 3-31) | BAR index (bits 0-2)
// Table entry n, 16 bytes at the BAR's address + offset + 16 n:
//   +0 message address (low), +4 (high), +8 message data, +12 vector control (bit 0: masked)
//
// The driver fills entries with what kernel/irq attachMessageInterrupt
// returned, unmasks them, and enables MSI-X, which also stops the function's
// INTx pin.

import { mmioWrite32 } from "../../arch";
import { PciFunction } from "./index";

const CAPABILITY_MSIX: u32 = 0x11;
const CONTROL_ENABLE: u32 = 1 << 15;
const CONTROL_FUNCTION_MASK: u32 = 1 << 14;
const ENTRY_BYTES: usize = 16;
const VECTOR_MASKED: u32 = 1;

export class MsixTable {
  constructor(public owner: PciFunction, public capability: u32, public address: usize, public entries: u32) {}

  /** Aims entry `index` at `address` with `data` and unmasks it; false past the table. */
  setEntry(index: u32, address: u64, data: u32): bool {
    if (index >= this.entries) return false;
    const entry = this.address + <usize>index * ENTRY_BYTES;
    mmioWrite32(entry + 12, VECTOR_MASKED);
    mmioWrite32(entry, <u32>address);
    mmioWrite32(entry + 4, <u32>(address >> 32));
    mmioWrite32(entry + 8, data);
    mmioWrite32(entry + 12, 0);
    return true;
  }

  /** Turns MSI-X on for the function, nothing masked as a whole. */
  enable(): void {
    const control = this.owner.read16(this.capability + 2);
    this.owner.write16(this.capability + 2, (control | CONTROL_ENABLE) & ~CONTROL_FUNCTION_MASK);
  }
}

/** The function's MSI-X table, or null if it has none (or the firmware left its BAR unplaced or above 4 GiB). */
export function findMsix(function_: PciFunction): MsixTable | null {
  const capability = function_.capability(CAPABILITY_MSIX);
  if (capability == 0) return null;
  const control = function_.read16(capability + 2);
  const table = function_.read32(capability + 4);
  const bar = function_.barAddress(table & 7);
  if (bar == 0 || bar >= 0x1_0000_0000) return null;
  return new MsixTable(function_, capability, <usize>(bar + <u64>(table & ~7)), (control & 0x7ff) + 1);
}
