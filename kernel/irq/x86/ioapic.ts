// The IOAPICs: route device interrupt inputs (GSIs) to local APICs.
//
// Wisp expects the first IOAPIC at 0xfec00000, as on QEMU's microvm and q35
// (and the usual PC layout), and reads its version register for the number
// of inputs. A second one at 0xfec10000 is used when it answers there: QEMU
// microvm has one (its `ioapic2`, on by default) and wires its virtio-mmio
// transports to it; its GSIs follow the first one's (24-47). Registers are
// reached indirectly: write the index to IOREGSEL (+0x00), then read or
// write IOWIN (+0x10).
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
// level-triggered and active low. A driver that knows better (microvm's
// virtio-mmio lines are level-triggered, active high) says so with
// setTrigger before it unmasks. A level-triggered input re-arms when the
// local APIC's EOI is broadcast back to the IOAPIC.

import { mmioRead32, mmioWrite32 } from "../../../arch";

const IOAPIC_BASES: StaticArray<usize> = [0xfec0_0000, 0xfec1_0000];
const IOREGSEL: usize = 0x00;
const IOWIN: usize = 0x10;
const REG_VERSION: u32 = 0x01;
const REG_REDIRECTION: u32 = 0x10;
/** IOAPIC versions seen in the wild (82093AA 0x11, ICH and QEMU 0x20); anything else is not an IOAPIC. */
const MIN_VERSION: u32 = 0x11;
const MAX_VERSION: u32 = 0x2f;

const ENTRY_ACTIVE_LOW: u32 = 1 << 13;
const ENTRY_LEVEL: u32 = 1 << 15;
export const ENTRY_MASKED: u32 = 1 << 16;
const FIRST_PCI_GSI: u32 = 16;
/** The most inputs one IOAPIC can have (the version register's field is 8 bits). */
const MAX_INPUTS: u32 = 256;

/** Trigger modes for setTrigger. */
export const TRIGGER_CONVENTION: u32 = 0;
export const TRIGGER_EDGE_HIGH: u32 = 1;
export const TRIGGER_LEVEL_HIGH: u32 = 2;
export const TRIGGER_LEVEL_LOW: u32 = 3;

let inputs: u32 = 0;
/** Inputs of the first IOAPIC: GSIs at and past this are the second one's. */
let firstInputs: u32 = 0;
let chips: u32 = 0;
/** Per GSI, the trigger bits a driver chose (TRIGGER_CONVENTION: none). */
const triggers = memory.data(<i32>MAX_INPUTS);

function readRegister(base: usize, index: u32): u32 {
  mmioWrite32(base + IOREGSEL, index);
  return mmioRead32(base + IOWIN);
}

function writeRegister(base: usize, index: u32, value: u32): void {
  mmioWrite32(base + IOREGSEL, index);
  mmioWrite32(base + IOWIN, value);
}

/** The chip holding `gsi` and the input's number on it. */
function chipOf(gsi: u32): usize {
  return gsi < firstInputs ? IOAPIC_BASES[0] : IOAPIC_BASES[1];
}

function pinOf(gsi: u32): u32 {
  return gsi < firstInputs ? gsi : gsi - firstInputs;
}

/** The number of inputs of the IOAPIC at `base`, 0 if nothing like an IOAPIC answers there. */
function probe(base: usize): u32 {
  const version = readRegister(base, REG_VERSION);
  if (version == 0xffff_ffff || (version & 0xff) < MIN_VERSION || (version & 0xff) > MAX_VERSION) return 0;
  return min<u32>(((version >> 16) & 0xff) + 1, MAX_INPUTS);
}

/** The low word of GSI `gsi`'s entry for `vector`, with its trigger. */
function entryFor(gsi: u32, vector: u32): u32 {
  const chosen = <u32>load<u8>(triggers + <usize>gsi);
  if (chosen == TRIGGER_EDGE_HIGH) return vector;
  if (chosen == TRIGGER_LEVEL_HIGH) return vector | ENTRY_LEVEL;
  if (chosen == TRIGGER_LEVEL_LOW) return vector | ENTRY_LEVEL | ENTRY_ACTIVE_LOW;
  return gsi < FIRST_PCI_GSI ? vector : vector | ENTRY_LEVEL | ENTRY_ACTIVE_LOW;
}

/**
 * Finds the IOAPICs and masks every input, each already pointing at its
 * vector (`vectorBase` + GSI). Returns the number of inputs (GSIs), 0 if no
 * IOAPIC answers at 0xfec00000.
 */
export function initIoapic(vectorBase: u32, maxInputs: u32): u32 {
  firstInputs = min<u32>(probe(IOAPIC_BASES[0]), maxInputs);
  if (firstInputs == 0) return 0;
  chips = 1;
  inputs = firstInputs;
  const second = probe(IOAPIC_BASES[1]);
  if (second != 0 && firstInputs + second <= min<u32>(maxInputs, MAX_INPUTS)) {
    chips = 2;
    inputs += second;
  }
  for (let gsi: u32 = 0; gsi < inputs; gsi++) {
    writeRegister(chipOf(gsi), REG_REDIRECTION + 2 * pinOf(gsi), ENTRY_MASKED | entryFor(gsi, vectorBase + gsi));
  }
  return inputs;
}

export function ioapicInputs(): u32 {
  return inputs;
}

export function ioapicCount(): u32 {
  return chips;
}

/** Sets the trigger GSI `gsi` uses from its next routing on (TRIGGER_*); false past the inputs. */
export function setTrigger(gsi: u32, trigger: u32): bool {
  if (gsi >= MAX_INPUTS || trigger > TRIGGER_LEVEL_LOW) return false;
  store<u8>(triggers + <usize>gsi, <u8>trigger);
  return true;
}

/** Routes `gsi` to `vector` on the CPU with APIC id `apicId` (physical destination, fixed delivery) and unmasks it. */
export function routeInput(gsi: u32, vector: u32, apicId: u32): void {
  const base = chipOf(gsi);
  const pin = pinOf(gsi);
  writeRegister(base, REG_REDIRECTION + 2 * pin + 1, apicId << 24);
  writeRegister(base, REG_REDIRECTION + 2 * pin, entryFor(gsi, vector));
}

export function maskInput(gsi: u32, vector: u32): void {
  writeRegister(chipOf(gsi), REG_REDIRECTION + 2 * pinOf(gsi), ENTRY_MASKED | entryFor(gsi, vector));
}

/** The low word of `gsi`'s redirection entry, as the IOAPIC holds it. */
export function readEntry(gsi: u32): u32 {
  return readRegister(chipOf(gsi), REG_REDIRECTION + 2 * pinOf(gsi));
}
