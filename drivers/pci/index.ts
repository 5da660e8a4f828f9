// PCI: the front door. enumeratePci() walks configuration space from bus 0
// through PCI-to-PCI bridges and returns every function it finds; a driver
// picks its own by vendor and device id, sizes its BARs and turns on memory
// decoding and bus mastering.
//
// Wisp assigns nothing: the firmware (SeaBIOS on q35) has placed every BAR
// and programmed every bridge's bus numbers by the time the kernel runs. A
// BAR the firmware left at 0, or placed above 4 GiB (outside the kernel's
// identity map), is reported by the driver that wanted it.
//
// x86_64 only (configuration mechanism #1, config.ts); aarch64 virt's PCIe
// (ECAM) is not used yet.

import {
  configSpacePresent, configAddress, configRead8, configRead16, configRead32, configWrite16, configWrite32,
} from "./config";

const REG_VENDOR: u32 = 0x00;
const REG_DEVICE: u32 = 0x02;
const REG_COMMAND: u32 = 0x04;
const REG_STATUS: u32 = 0x06;
const REG_REVISION_CLASS: u32 = 0x08;
const REG_HEADER_TYPE: u32 = 0x0e;
const REG_BAR0: u32 = 0x10;
const REG_SUBSYSTEM_ID: u32 = 0x2e;
const REG_CAPABILITIES: u32 = 0x34;
const REG_SECONDARY_BUS: u32 = 0x19;

export const COMMAND_IO: u32 = 1 << 0;
export const COMMAND_MEMORY: u32 = 1 << 1;
export const COMMAND_BUS_MASTER: u32 = 1 << 2;
export const COMMAND_INTX_DISABLE: u32 = 1 << 10;
const STATUS_CAPABILITIES: u32 = 1 << 4;
const HEADER_MULTIFUNCTION: u32 = 0x80;
const HEADER_BRIDGE: u32 = 0x01;
const BAR_IO: u32 = 1 << 0;
const BAR_TYPE_64: u32 = 2 << 1;
const BAR_TYPE_MASK: u32 = 3 << 1;
const MAX_BUSES: u32 = 256;
const MAX_CAPABILITIES: u32 = 48;

export class PciFunction {
  readonly where: u32;
  vendor: u32;
  device: u32;
  /** class << 16 | subclass << 8 | programming interface. */
  classCode: u32;
  headerType: u32;

  constructor(public bus: u32, public slot: u32, public fn: u32) {
    this.where = configAddress(bus, slot, fn);
    this.vendor = configRead16(this.where, REG_VENDOR);
    this.device = configRead16(this.where, REG_DEVICE);
    this.classCode = configRead32(this.where, REG_REVISION_CLASS) >> 8;
    this.headerType = configRead8(this.where, REG_HEADER_TYPE);
  }

  read8(offset: u32): u32 {
    return configRead8(this.where, offset);
  }
  read16(offset: u32): u32 {
    return configRead16(this.where, offset);
  }
  read32(offset: u32): u32 {
    return configRead32(this.where, offset);
  }
  write16(offset: u32, value: u32): void {
    configWrite16(this.where, offset, value);
  }
  write32(offset: u32, value: u32): void {
    configWrite32(this.where, offset, value);
  }

  subsystemId(): u32 {
    return this.read16(REG_SUBSYSTEM_ID);
  }

  /** "bb:ss.f" in hex, as lspci writes it. */
  location(): string {
    return hex2(this.bus) + ":" + hex2(this.slot) + "." + this.fn.toString();
  }

  /** The config-space offset of the first capability with `id` after `after` (0: from the start), 0 if none. */
  capability(id: u32, after: u32 = 0): u32 {
    if ((this.read16(REG_STATUS) & STATUS_CAPABILITIES) == 0) return 0;
    let at = after == 0 ? this.read8(REG_CAPABILITIES) & 0xfc : this.read8(after + 1) & 0xfc;
    for (let steps: u32 = 0; at >= 0x40 && steps < MAX_CAPABILITIES; steps++) {
      if (this.read8(at) == id) return at;
      at = this.read8(at + 1) & 0xfc;
    }
    return 0;
  }

  /**
   * The memory address BAR `index` decodes (64-bit BARs span two slots),
   * 0 for an I/O BAR, an unassigned one, or one past the header's BARs.
   */
  barAddress(index: u32): u64 {
    if (index >= this.barCount()) return 0;
    const low = this.read32(REG_BAR0 + index * 4);
    if ((low & BAR_IO) != 0) return 0;
    let address = <u64>(low & 0xffff_fff0);
    if ((low & BAR_TYPE_MASK) == BAR_TYPE_64 && index + 1 < this.barCount()) {
      address |= <u64>this.read32(REG_BAR0 + (index + 1) * 4) << 32;
    }
    return address;
  }

  /**
   * The size of memory BAR `index` in bytes (0 if it decodes nothing): all
   * ones written with decoding off, the size read back from the bits that
   * stick, the original value restored.
   */
  barSize(index: u32): u64 {
    if (index >= this.barCount()) return 0;
    const offset = REG_BAR0 + index * 4;
    const low = this.read32(offset);
    if ((low & BAR_IO) != 0) return 0;
    const wide = (low & BAR_TYPE_MASK) == BAR_TYPE_64 && index + 1 < this.barCount();
    const high = wide ? this.read32(offset + 4) : 0;
    const command = this.read16(REG_COMMAND);
    this.write16(REG_COMMAND, command & ~(COMMAND_MEMORY | COMMAND_IO));
    this.write32(offset, 0xffff_ffff);
    let mask = <u64>(this.read32(offset) & 0xffff_fff0);
    this.write32(offset, low);
    if (wide) {
      this.write32(offset + 4, 0xffff_ffff);
      mask |= <u64>this.read32(offset + 4) << 32;
      this.write32(offset + 4, high);
    } else {
      mask |= 0xffff_ffff_0000_0000;
    }
    this.write16(REG_COMMAND, command);
    return mask == 0xffff_ffff_0000_0000 ? 0 : ~mask + 1;
  }

  /** Turns on memory decoding and bus mastering (DMA), and turns INTx off when the driver uses messages. */
  enable(disableIntx: bool): void {
    let command = this.read16(REG_COMMAND) | COMMAND_MEMORY | COMMAND_BUS_MASTER;
    if (disableIntx) command |= COMMAND_INTX_DISABLE;
    this.write16(REG_COMMAND, command);
  }

  private barCount(): u32 {
    return (this.headerType & 0x7f) == 0 ? 6 : (this.headerType & 0x7f) == HEADER_BRIDGE ? 2 : 0;
  }
}

function hex2(value: u32): string {
  const digits = "0123456789abcdef";
  return digits.charAt(<i32>((value >> 4) & 0xf)) + digits.charAt(<i32>(value & 0xf));
}

/** Every PCI function reachable from bus 0, bridges followed, in bus/slot/function order of discovery; none without PCI. */
export function enumeratePci(): PciFunction[] {
  const found: PciFunction[] = [];
  if (!configSpacePresent()) return found;
  const seen = new StaticArray<bool>(<i32>MAX_BUSES);
  scanBus(0, found, seen);
  return found;
}

/** Vendor ids 0xffff (nothing answers) and 0 are never a device. */
function isVendor(id: u32): bool {
  return id != 0xffff && id != 0;
}

function scanBus(bus: u32, found: PciFunction[], seen: StaticArray<bool>): void {
  if (bus >= MAX_BUSES || seen[<i32>bus]) return;
  seen[<i32>bus] = true;
  for (let slot: u32 = 0; slot < 32; slot++) {
    if (!isVendor(configRead16(configAddress(bus, slot, 0), REG_VENDOR))) continue;
    const functions: u32 = (configRead8(configAddress(bus, slot, 0), REG_HEADER_TYPE) & HEADER_MULTIFUNCTION) != 0 ? 8 : 1;
    for (let fn: u32 = 0; fn < functions; fn++) {
      if (!isVendor(configRead16(configAddress(bus, slot, fn), REG_VENDOR))) continue;
      const function_ = new PciFunction(bus, slot, fn);
      found.push(function_);
      if ((function_.headerType & 0x7f) == HEADER_BRIDGE) {
        const secondary = function_.read8(REG_SECONDARY_BUS);
        if (secondary > bus) scanBus(secondary, found, seen);
      }
    }
  }
}

export { MsixTable, findMsix } from "./msix";
