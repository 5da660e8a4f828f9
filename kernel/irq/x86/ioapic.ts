// The IOAPIC: routes device interrupt inputs (GSIs) to local APICs.
//
// Wisp expects one IOAPIC, at 0xfec00000 as on QEMU's microvm and q35 (and
// the usual PC layout), and reads its version register for the number of
// inputs. Registers are reached indirectly: write the index to IOREGSEL
// (+0x00), then read or write IOWIN (+0x10).
//
// Redirection entry n (registers 0x10 + 2n, low word, and 0x11 + 2n, high):
//
//   bits 0-7   vector              bit 13  polarity (1 = active low)
//   bits 8-10  delivery (0 fixed)  bit 15  trigger (1 = level)
//   bit 11     destination mode    bit 16  masked
//              (0 = physical)      bits 56-63  destination APIC id
//
// Trigger convention (there is no ACPI table parsing yet): GSIs 0-15 are ISA
// interrupts, edge-triggered and active high; GSIs 16 and up are PCI INTx,
// level-triggered and active low. A level-triggered input re-arms when the
// local APIC's EOI is broadcast back to the IOAPIC.

import { mmioRead32, mmioWrite32 } from "../../../arch";

const IOAPIC_BASE: usize = 0xfec0_0000;
const IOREGSEL: usize = 0x00;
const IOWIN: usize = 0x10;
const REG_VERSION: u32 = 0x01;
const REG_REDIRECTION: u32 = 0x10;

const ENTRY_ACTIVE_LOW: u32 = 1 << 13;
const ENTRY_LEVEL: u32 = 1 << 15;
export const ENTRY_MASKED: u32 = 1 << 16;
const FIRST_PCI_GSI: u32 = 16;
/** The most inputs one IOAPIC can have (the version register's field is 8 bits). */
const MAX_INPUTS: u32 = 256;

let inputs: u32 = 0;

function readRegister(index: u32): u32 {
  mmioWrite32(IOAPIC_BASE + IOREGSEL, index);
  return mmioRead32(IOAPIC_BASE + IOWIN);
}

function writeRegister(index: u32, value: u32): void {
  mmioWrite32(IOAPIC_BASE + IOREGSEL, index);
  mmioWrite32(IOAPIC_BASE + IOWIN, value);
}

/** The low word of GSI `gsi`'s entry for `vector`, with its trigger convention. */
function entryFor(gsi: u32, vector: u32): u32 {
  return gsi < FIRST_PCI_GSI ? vector : vector | ENTRY_LEVEL | ENTRY_ACTIVE_LOW;
}

/**
 * Finds the IOAPIC and masks every input, each already pointing at its
 * vector (`vectorBase` + GSI). Returns the number of inputs, 0 if no
 * IOAPIC answers (all-ones reads).
 */
export function initIoapic(vectorBase: u32, maxInputs: u32): u32 {
  const version = readRegister(REG_VERSION);
  if (version == 0xffff_ffff) return 0;
  inputs = min<u32>(min<u32>(((version >> 16) & 0xff) + 1, MAX_INPUTS), maxInputs);
  for (let gsi: u32 = 0; gsi < inputs; gsi++) {
    writeRegister(REG_REDIRECTION + 2 * gsi, ENTRY_MASKED | entryFor(gsi, vectorBase + gsi));
  }
  return inputs;
}

export function ioapicInputs(): u32 {
  return inputs;
}

/** Routes `gsi` to `vector` on the CPU with APIC id `apicId` (physical destination, fixed delivery) and unmasks it. */
export function routeInput(gsi: u32, vector: u32, apicId: u32): void {
  writeRegister(REG_REDIRECTION + 2 * gsi + 1, apicId << 24);
  writeRegister(REG_REDIRECTION + 2 * gsi, entryFor(gsi, vector));
}

export function maskInput(gsi: u32, vector: u32): void {
  writeRegister(REG_REDIRECTION + 2 * gsi, ENTRY_MASKED | entryFor(gsi, vector));
}

/** The low word of `gsi`'s redirection entry, as the IOAPIC holds it. */
export function readEntry(gsi: u32): u32 {
  return readRegister(REG_REDIRECTION + 2 * gsi);
}
