// PCI configuration space through the x86 I/O ports 0xcf8/0xcfc
// ("configuration mechanism #1"): write the address of a dword to
// CONFIG_ADDRESS, then read or write it at CONFIG_DATA (+ the byte offset
// within the dword for narrower accesses).
//
//   CONFIG_ADDRESS  bit 31 enable | bus << 16 | device << 11 | function << 8 | offset & 0xfc
//
// Only the first 256 bytes of each function are reachable this way (no
// PCIe extended space), which is all that enumeration, BARs and
// capabilities need. One CPU and interrupts off around each pair of
// accesses, so the address/data pair is never split.

import { portIn8, portIn16, portIn32, portOut8, portOut16, portOut32, setInterrupts } from "../../arch";

const CONFIG_ADDRESS: u32 = 0xcf8;
const CONFIG_DATA: u32 = 0xcfc;
const ENABLE: u32 = 1 << 31;

/** Where one function's configuration space is: bus, device (0-31), function (0-7). */
// @ts-ignore: decorator
@inline export function configAddress(bus: u32, device: u32, fn: u32): u32 {
  return ENABLE | (bus << 16) | (device << 11) | (fn << 8);
}

/**
 * True if a host bridge answers at 0xcf8: the address register reads back
 * what was written (Linux's check for mechanism #1). Machines without PCI
 * (QEMU microvm) read all ones there, and are spared a 32-slot scan.
 */
export function configSpacePresent(): bool {
  const enabled = setInterrupts(0);
  const saved = portIn32(CONFIG_ADDRESS);
  portOut32(CONFIG_ADDRESS, ENABLE);
  const present = portIn32(CONFIG_ADDRESS) == ENABLE;
  portOut32(CONFIG_ADDRESS, saved);
  setInterrupts(enabled);
  return present;
}

function select(where: u32, offset: u32): void {
  portOut32(CONFIG_ADDRESS, where | (offset & 0xfc));
}

export function configRead32(where: u32, offset: u32): u32 {
  const enabled = setInterrupts(0);
  select(where, offset);
  const value = portIn32(CONFIG_DATA);
  setInterrupts(enabled);
  return value;
}

export function configRead16(where: u32, offset: u32): u32 {
  const enabled = setInterrupts(0);
  select(where, offset);
  const value = portIn16(CONFIG_DATA + (offset & 2));
  setInterrupts(enabled);
  return value;
}

export function configRead8(where: u32, offset: u32): u32 {
  const enabled = setInterrupts(0);
  select(where, offset);
  const value = portIn8(CONFIG_DATA + (offset & 3));
  setInterrupts(enabled);
  return value;
}

export function configWrite32(where: u32, offset: u32, value: u32): void {
  const enabled = setInterrupts(0);
  select(where, offset);
  portOut32(CONFIG_DATA, value);
  setInterrupts(enabled);
}

export function configWrite16(where: u32, offset: u32, value: u32): void {
  const enabled = setInterrupts(0);
  select(where, offset);
  portOut16(CONFIG_DATA + (offset & 2), value & 0xffff);
  setInterrupts(enabled);
}

export function configWrite8(where: u32, offset: u32, value: u32): void {
  const enabled = setInterrupts(0);
  select(where, offset);
  portOut8(CONFIG_DATA + (offset & 3), value & 0xff);
  setInterrupts(enabled);
}
