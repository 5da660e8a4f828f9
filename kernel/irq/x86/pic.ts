// The legacy 8259 PIC pair, masked for good.
//
// Wisp takes interrupts through the IOAPIC and local APIC only. Masking
// every input of both chips (data ports 0x21 and 0xa1) keeps the PIC quiet;
// the local APIC's LINT0 (where a PIC would deliver in virtual-wire mode) is
// masked too (lapic.ts), so even a spurious IRQ 7 or 15 from the PIC never
// reaches the CPU on an exception vector. On a machine without a PIC the
// writes go nowhere.

import { portOut8 } from "../../../arch";

const PIC_MASTER_DATA: u32 = 0x21;
const PIC_SLAVE_DATA: u32 = 0xa1;
const ALL_INPUTS: u32 = 0xff;

export function maskLegacyPic(): void {
  portOut8(PIC_MASTER_DATA, ALL_INPUTS);
  portOut8(PIC_SLAVE_DATA, ALL_INPUTS);
}
