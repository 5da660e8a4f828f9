// Modern virtio-pci (virtio 1.x, 4.1): the device's registers are in its
// BARs, found through vendor-specific capabilities (id 0x09) in PCI
// configuration space:
//
//   VirtioCapability
//    0 +----------------------------------------------------------+
//      | id u8 0x09 | next u8 | capabilityLength u8 | type u8     |  type: CFG_*
//    4 | bar u8     | structureId u8 | padding u16                |
//    8 | offset u32 (into the BAR)                                |
//   12 | length u32 (of the structure)                            |
//   16 | notifyMultiplier u32 (type CFG_NOTIFY only)              |
//   20 +----------------------------------------------------------+
//   type 1 common configuration, 2 notifications, 3 ISR status, 4 device configuration
//
// Common configuration (little-endian):
//   0x00 device_feature_select  0x10 msix_config   0x16 queue_select      0x1e queue_notify_off
//   0x04 device_feature         0x12 num_queues    0x18 queue_size        0x20 queue_desc
//   0x08 driver_feature_select  0x14 device_status 0x1a queue_msix_vector 0x28 queue_driver
//   0x0c driver_feature         0x15 config_gen.   0x1c queue_enable      0x30 queue_device
//
// Vendor 0x1af4; device 0x1040 + type (modern) or 0x1000-0x103f
// (transitional, the type in the subsystem id). A transitional device
// without the capabilities is legacy-only and refused by name.
//
// Interrupts: MSI-X, one vector (kernel/irq attachMessageInterrupt) that
// every queue of the device shares; configuration changes get none
// (msix_config = NO_VECTOR).
// There is no INTx path: a function without MSI-X is refused.

import { fail } from "../../kernel/failure";
import { mmioRead8, mmioRead16, mmioRead32, mmioWrite8, mmioWrite16, mmioWrite32 } from "../../arch";
import { attachMessageInterrupt, InterruptHandler } from "../../kernel/irq/index";
import { ENOENT, EIO, ENODEV } from "../../kernel/errno";
import { PciFunction, findMsix } from "../pci/index";
import { VirtioTransport, INTERRUPT_USED_BUFFER } from "./transport";

export const VIRTIO_PCI_VENDOR: u32 = 0x1af4;
const MODERN_DEVICE_BASE: u32 = 0x1040;
const TRANSITIONAL_FIRST: u32 = 0x1000;
const TRANSITIONAL_LAST: u32 = 0x103f;
const CAPABILITY_VENDOR: u32 = 0x09;
const CFG_COMMON: u32 = 1;
const CFG_NOTIFY: u32 = 2;
const CFG_ISR: u32 = 3;
const CFG_DEVICE: u32 = 4;
const NO_VECTOR: u32 = 0xffff;

/** Read field by field through configuration space: the class gives the offsets. */
@unmanaged
class VirtioCapability {
  id: u8;
  next: u8;
  capabilityLength: u8;
  type: u8;
  bar: u8;
  structureId: u8;
  padding: u16;
  offset: u32;
  length: u32;
  notifyMultiplier: u32;
}

const CAP_TYPE: u32 = <u32>offsetof<VirtioCapability>("type");
const CAP_BAR: u32 = <u32>offsetof<VirtioCapability>("bar");
const CAP_OFFSET: u32 = <u32>offsetof<VirtioCapability>("offset");
const CAP_LENGTH: u32 = <u32>offsetof<VirtioCapability>("length");
const CAP_NOTIFY_MULTIPLIER: u32 = <u32>offsetof<VirtioCapability>("notifyMultiplier");

const COMMON_DEVICE_FEATURE_SELECT: usize = 0x00;
const COMMON_DEVICE_FEATURE: usize = 0x04;
const COMMON_DRIVER_FEATURE_SELECT: usize = 0x08;
const COMMON_DRIVER_FEATURE: usize = 0x0c;
const COMMON_MSIX_CONFIG: usize = 0x10;
const COMMON_NUM_QUEUES: usize = 0x12;
const COMMON_DEVICE_STATUS: usize = 0x14;
const COMMON_CONFIG_GENERATION: usize = 0x15;
const COMMON_QUEUE_SELECT: usize = 0x16;
const COMMON_QUEUE_SIZE: usize = 0x18;
const COMMON_QUEUE_MSIX_VECTOR: usize = 0x1a;
const COMMON_QUEUE_ENABLE: usize = 0x1c;
const COMMON_QUEUE_NOTIFY_OFF: usize = 0x1e;
const COMMON_QUEUE_DESC: usize = 0x20;
const COMMON_QUEUE_DRIVER: usize = 0x28;
const COMMON_QUEUE_DEVICE: usize = 0x30;

/** True for a virtio vendor/device id pair, modern or transitional. */
export function isVirtioPci(function_: PciFunction): bool {
  if (function_.vendor != VIRTIO_PCI_VENDOR) return false;
  const id = function_.device;
  return (id >= TRANSITIONAL_FIRST && id <= TRANSITIONAL_LAST) || (id >= MODERN_DEVICE_BASE && id <= MODERN_DEVICE_BASE + 0x3f);
}

export class VirtioPciTransport extends VirtioTransport {
  common: usize = 0;
  notifyBase: usize = 0;
  notifyMultiplier: u32 = 0;
  isr: usize = 0;
  device: usize = 0;
  /** The MSI-X table entry the queues use, NO_VECTOR until an interrupt is attached. */
  queueVector: u32 = NO_VECTOR;
  problem: string = "";

  constructor(public pci: PciFunction) {
    super();
    this.name = "virtio-pci " + pci.location();
    const id = pci.device;
    this.deviceType = id >= MODERN_DEVICE_BASE ? id - MODERN_DEVICE_BASE : pci.subsystemId();
    this.findStructures();
  }

  check(): i32 {
    return this.problem.length ? fail(ENODEV, this.problem) : 0;
  }

  /** Locates the four register structures; notes the first problem in `problem`. */
  private findStructures(): void {
    let capability = this.pci.capability(CAPABILITY_VENDOR);
    while (capability != 0) {
      const type = this.pci.read8(capability + CAP_TYPE);
      const address = this.structureAddress(capability);
      if (address != 0) {
        if (type == CFG_COMMON && this.common == 0) this.common = address;
        else if (type == CFG_NOTIFY && this.notifyBase == 0) {
          this.notifyBase = address;
          this.notifyMultiplier = this.pci.read32(capability + CAP_NOTIFY_MULTIPLIER);
        } else if (type == CFG_ISR && this.isr == 0) this.isr = address;
        else if (type == CFG_DEVICE && this.device == 0) this.device = address;
      }
      capability = this.pci.capability(CAPABILITY_VENDOR, capability);
    }
    if (this.problem.length) return;
    if (this.common == 0) {
      this.problem = "a legacy-only device (no virtio 1.x capabilities): Wisp drives virtio 1.x devices only (QEMU: disable-legacy=on or a modern device)";
    } else if (this.notifyBase == 0 || this.isr == 0 || this.device == 0) {
      this.problem = "the device lacks its notification, ISR or device configuration structure";
    }
  }

  /** The address of the structure a capability points at, 0 (with `problem` set) if its BAR is unusable. */
  private structureAddress(capability: u32): usize {
    const type = this.pci.read8(capability + CAP_TYPE);
    if (type < CFG_COMMON || type > CFG_DEVICE) return 0;
    const bar = this.pci.read8(capability + CAP_BAR);
    if (bar > 5) return 0;
    const offset = <u64>this.pci.read32(capability + CAP_OFFSET);
    const length = <u64>this.pci.read32(capability + CAP_LENGTH);
    const base = this.pci.barAddress(bar);
    if (base == 0) {
      if (!this.problem.length) this.problem = "BAR " + bar.toString() + " was left unplaced by the firmware";
      return 0;
    }
    if (base + offset + length > 0x1_0000_0000) {
      if (!this.problem.length) this.problem = "BAR " + bar.toString() + " lies above 4 GiB, outside the kernel's map";
      return 0;
    }
    if (offset + length > this.pci.barSize(bar)) {
      if (!this.problem.length) this.problem = "a virtio structure runs past the end of BAR " + bar.toString();
      return 0;
    }
    return <usize>(base + offset);
  }

  /** Turns on memory decoding and bus mastering; called once the driver takes the device. */
  enableFunction(): void {
    this.pci.enable(true);
  }

  status(): u32 {
    return mmioRead8(this.common + COMMON_DEVICE_STATUS);
  }
  setStatus(status: u32): void {
    mmioWrite8(this.common + COMMON_DEVICE_STATUS, status);
  }

  deviceFeatures(): u64 {
    mmioWrite32(this.common + COMMON_DEVICE_FEATURE_SELECT, 0);
    const low = mmioRead32(this.common + COMMON_DEVICE_FEATURE);
    mmioWrite32(this.common + COMMON_DEVICE_FEATURE_SELECT, 1);
    return <u64>low | (<u64>mmioRead32(this.common + COMMON_DEVICE_FEATURE) << 32);
  }
  setDriverFeatures(features: u64): void {
    mmioWrite32(this.common + COMMON_DRIVER_FEATURE_SELECT, 0);
    mmioWrite32(this.common + COMMON_DRIVER_FEATURE, <u32>features);
    mmioWrite32(this.common + COMMON_DRIVER_FEATURE_SELECT, 1);
    mmioWrite32(this.common + COMMON_DRIVER_FEATURE, <u32>(features >> 32));
  }

  queueMaxSize(index: u32): u32 {
    if (index >= mmioRead16(this.common + COMMON_NUM_QUEUES)) return 0;
    mmioWrite16(this.common + COMMON_QUEUE_SELECT, index);
    if (mmioRead16(this.common + COMMON_QUEUE_ENABLE) != 0) return 0;
    return mmioRead16(this.common + COMMON_QUEUE_SIZE);
  }

  enableQueue(index: u32, size: u32, descriptors: u64, driverArea: u64, deviceArea: u64): bool {
    mmioWrite16(this.common + COMMON_QUEUE_SELECT, index);
    mmioWrite16(this.common + COMMON_QUEUE_SIZE, size);
    this.write64(COMMON_QUEUE_DESC, descriptors);
    this.write64(COMMON_QUEUE_DRIVER, driverArea);
    this.write64(COMMON_QUEUE_DEVICE, deviceArea);
    if (this.queueVector != NO_VECTOR) {
      mmioWrite16(this.common + COMMON_QUEUE_MSIX_VECTOR, this.queueVector);
      if (mmioRead16(this.common + COMMON_QUEUE_MSIX_VECTOR) != this.queueVector) return false;
    }
    mmioWrite16(this.common + COMMON_QUEUE_ENABLE, 1);
    return true;
  }

  notify(index: u32): void {
    mmioWrite16(this.common + COMMON_QUEUE_SELECT, index);
    const offset = mmioRead16(this.common + COMMON_QUEUE_NOTIFY_OFF);
    mmioWrite16(this.notifyBase + <usize>offset * <usize>this.notifyMultiplier, index);
  }

  /** MSI-X entry 0 aimed at a fresh message vector; call before enableQueue. */
  attachInterrupt(handler: InterruptHandler): i32 {
    const table = findMsix(this.pci);
    if (table === null) return -ENOENT;
    const message = attachMessageInterrupt(handler);
    if (message === null) return -ENOENT;
    if (!table.setEntry(0, message.address, message.data)) return -EIO;
    table.enable();
    mmioWrite16(this.common + COMMON_MSIX_CONFIG, NO_VECTOR);
    this.queueVector = 0;
    return <i32>message.line;
  }

  takeInterruptStatus(): u32 {
    // With MSI-X the vector itself says which queue; the ISR is not used.
    return INTERRUPT_USED_BUFFER;
  }

  configRead8(offset: u32): u32 {
    return mmioRead8(this.device + <usize>offset);
  }
  configRead16(offset: u32): u32 {
    return mmioRead16(this.device + <usize>offset);
  }
  configRead32(offset: u32): u32 {
    return mmioRead32(this.device + <usize>offset);
  }
  configGeneration(): u32 {
    return mmioRead8(this.common + COMMON_CONFIG_GENERATION);
  }

  private write64(register: usize, value: u64): void {
    mmioWrite32(this.common + register, <u32>value);
    mmioWrite32(this.common + register + 4, <u32>(value >> 32));
  }
}
