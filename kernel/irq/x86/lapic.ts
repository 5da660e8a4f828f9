// The local APIC: this CPU's interrupt acceptor, its timer and its IPIs.
//
// Two ways to reach the same registers: xAPIC, 32-bit registers in a 4 KiB
// MMIO page at the base IA32_APIC_BASE (MSR 0x1b) names (0xfee00000 by
// default; the kernel's page tables map it as device memory), or x2APIC,
// where register offset X is MSR 0x800 + X / 16 and the APIC id is 32 bits.
// x2APIC is used when CPUID says the CPU has it.
//
// enableLocalApic leaves the APIC accepting interrupts (TPR 0), with the
// spurious vector 0xff, LINT0 masked (no PIC in virtual-wire mode), LINT1 as
// NMI, and the error and timer entries masked until someone wants them.

import { ENODEV } from "../../errno";
import { fail } from "../../failure";
import { readMsr, writeMsr, mmioRead32, mmioWrite32 } from "../../../arch";
import { SPURIOUS_VECTOR } from "./vectors";

const MSR_APIC_BASE: u32 = 0x1b;
const APIC_BASE_X2APIC: u64 = 1 << 10;
const APIC_BASE_ENABLE: u64 = 1 << 11;
const APIC_BASE_ADDRESS_MASK: u64 = 0x000f_ffff_ffff_f000;
const X2APIC_MSR_BASE: u32 = 0x800;
const X2APIC_SELF_IPI_MSR: u32 = 0x83f;

export const REG_ID: u32 = 0x20;
export const REG_TPR: u32 = 0x80;
export const REG_EOI: u32 = 0xb0;
export const REG_SPURIOUS: u32 = 0xf0;
export const REG_ICR_LOW: u32 = 0x300;
export const REG_ICR_HIGH: u32 = 0x310;
export const REG_LVT_TIMER: u32 = 0x320;
export const REG_LVT_LINT0: u32 = 0x350;
export const REG_LVT_LINT1: u32 = 0x360;
export const REG_LVT_ERROR: u32 = 0x370;
export const REG_TIMER_INITIAL: u32 = 0x380;
export const REG_TIMER_CURRENT: u32 = 0x390;
export const REG_TIMER_DIVIDE: u32 = 0x3e0;

export const LVT_MASKED: u32 = 1 << 16;
const LVT_DELIVERY_NMI: u32 = 4 << 8;
const SPURIOUS_APIC_ENABLE: u32 = 1 << 8;
const ICR_LEVEL_ASSERT: u32 = 1 << 14;
const ICR_DESTINATION_SELF: u32 = 1 << 18;

let x2apic = false;
let mmioBase: usize = 0;
let enabled = false;

export function readRegister(offset: u32): u32 {
  return x2apic ? <u32>readMsr(X2APIC_MSR_BASE + (offset >> 4)) : mmioRead32(mmioBase + <usize>offset);
}

export function writeRegister(offset: u32, value: u32): void {
  if (x2apic) writeMsr(X2APIC_MSR_BASE + (offset >> 4), <u64>value);
  else mmioWrite32(mmioBase + <usize>offset, value);
}

/** Turns the local APIC on in x2APIC mode if `useX2apic`, else xAPIC; returns 0 or -errno with the reason (kernel/failure.ts). */
export function enableLocalApic(useX2apic: bool): i32 {
  const base = readMsr(MSR_APIC_BASE);
  const address = base & APIC_BASE_ADDRESS_MASK;
  if (!useX2apic && address >= 0x1_0000_0000) return fail(ENODEV, "the local APIC's registers lie above 4 GiB");
  // Off to x2APIC goes through xAPIC (enable first, then extend).
  if ((base & APIC_BASE_ENABLE) == 0) writeMsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
  if (useX2apic && (base & APIC_BASE_X2APIC) == 0) writeMsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
  x2apic = useX2apic;
  mmioBase = <usize>address;

  writeRegister(REG_LVT_TIMER, LVT_MASKED);
  writeRegister(REG_LVT_LINT0, LVT_MASKED);
  writeRegister(REG_LVT_LINT1, LVT_DELIVERY_NMI);
  writeRegister(REG_LVT_ERROR, LVT_MASKED);
  writeRegister(REG_TPR, 0);
  writeRegister(REG_SPURIOUS, SPURIOUS_APIC_ENABLE | SPURIOUS_VECTOR);
  enabled = (readRegister(REG_SPURIOUS) & SPURIOUS_APIC_ENABLE) != 0;
  return enabled ? 0 : fail(ENODEV, "the local APIC did not enable");
}

export function localApicEnabled(): bool {
  return enabled;
}

export function usesX2apic(): bool {
  return x2apic;
}

/** This CPU's APIC id: 8 bits in xAPIC mode, 32 in x2APIC mode. */
export function localApicId(): u32 {
  const id = readRegister(REG_ID);
  return x2apic ? id : id >> 24;
}

/** Ends the interrupt in service (a write of 0 to EOI); level-triggered IOAPIC inputs re-arm on it. */
export function signalEndOfInterrupt(): void {
  writeRegister(REG_EOI, 0);
}

/** Sends fixed interrupt `vector` (0x10-0xff) to this CPU. */
export function sendSelfInterrupt(vector: u32): void {
  if (x2apic) {
    writeMsr(X2APIC_SELF_IPI_MSR, <u64>(vector & 0xff));
    return;
  }
  writeRegister(REG_ICR_HIGH, 0);
  writeRegister(REG_ICR_LOW, ICR_DESTINATION_SELF | ICR_LEVEL_ASSERT | (vector & 0xff));
}
