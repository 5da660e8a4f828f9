// virtio-mmio, version 2 registers (virtio 1.x, 4.2): one register window
// per device, one interrupt line. QEMU microvm names its devices on the
// kernel command line (`virtio_mmio.device=512@0xfeb02e00:47`, a GSI on the
// second IOAPIC, level-triggered and active high); aarch64 virt in the
// device tree (32 "virtio,mmio" nodes at 0x0a000000, an SPI each), most
// of them empty (DeviceID 0).
//
//   0x000 MagicValue "virt"   0x030 QueueSel        0x070 Status
//   0x004 Version (2)         0x034 QueueNumMax     0x080 QueueDescLow/High
//   0x008 DeviceID            0x038 QueueNum        0x090 QueueDriverLow/High
//   0x00c VendorID            0x044 QueueReady      0x0a0 QueueDeviceLow/High
//   0x010 DeviceFeatures      0x050 QueueNotify     0x0fc ConfigGeneration
//   0x014 DeviceFeaturesSel   0x060 InterruptStatus 0x100 device configuration
//   0x020 DriverFeatures      0x064 InterruptACK
//   0x024 DriverFeaturesSel
//
// Version 1 is the legacy interface (QEMU's default for virtio-mmio unless
// `-global virtio-mmio.force-legacy=false`): it is refused with a message
// saying so, never driven.

import { fail } from "../../kernel/failure";
import { ENODEV } from "../../kernel/errno";
import { mmioRead8, mmioRead16, mmioRead32, mmioWrite32 } from "../../arch";
import { attachInterrupt, setInterruptTrigger, InterruptHandler, TRIGGER_LEVEL_HIGH } from "../../kernel/irq/index";
import { VirtioTransport } from "./transport";

const MAGIC: u32 = 0x7472_6976; // "virt"
const REG_MAGIC: usize = 0x000;
const REG_VERSION: usize = 0x004;
const REG_DEVICE_ID: usize = 0x008;
const REG_DEVICE_FEATURES: usize = 0x010;
const REG_DEVICE_FEATURES_SEL: usize = 0x014;
const REG_DRIVER_FEATURES: usize = 0x020;
const REG_DRIVER_FEATURES_SEL: usize = 0x024;
const REG_QUEUE_SEL: usize = 0x030;
const REG_QUEUE_NUM_MAX: usize = 0x034;
const REG_QUEUE_NUM: usize = 0x038;
const REG_QUEUE_READY: usize = 0x044;
const REG_QUEUE_NOTIFY: usize = 0x050;
const REG_INTERRUPT_STATUS: usize = 0x060;
const REG_INTERRUPT_ACK: usize = 0x064;
const REG_STATUS: usize = 0x070;
const REG_QUEUE_DESC: usize = 0x080;
const REG_QUEUE_DRIVER: usize = 0x090;
const REG_QUEUE_DEVICE: usize = 0x0a0;
const REG_CONFIG_GENERATION: usize = 0x0fc;
const REG_CONFIG: usize = 0x100;
/** The smallest window that holds the registers above. */
export const MMIO_WINDOW_BYTES: u64 = 0x100;

export class VirtioMmioTransport extends VirtioTransport {
  version: u32;
  magic: u32;

  constructor(public base: usize, public interrupt: u32) {
    super();
    this.name = "virtio-mmio@0x" + (<u64>base).toString(16);
    this.magic = mmioRead32(base + REG_MAGIC);
    this.version = mmioRead32(base + REG_VERSION);
    this.deviceType = this.magic == MAGIC ? mmioRead32(base + REG_DEVICE_ID) : 0;
  }

  hasMagic(): bool {
    return this.magic == MAGIC;
  }

  check(): i32 {
    if (this.magic != MAGIC) return fail(ENODEV, "no virtio-mmio magic value");
    if (this.version == 1) return fail(ENODEV, "a legacy-only device (virtio-mmio version 1): Wisp drives virtio 1.x devices only (QEMU: -global virtio-mmio.force-legacy=false)");
    if (this.version != 2) return fail(ENODEV, "unknown virtio-mmio version " + this.version.toString());
    return 0;
  }

  status(): u32 {
    return mmioRead32(this.base + REG_STATUS);
  }
  setStatus(status: u32): void {
    mmioWrite32(this.base + REG_STATUS, status);
  }

  deviceFeatures(): u64 {
    mmioWrite32(this.base + REG_DEVICE_FEATURES_SEL, 0);
    const low = mmioRead32(this.base + REG_DEVICE_FEATURES);
    mmioWrite32(this.base + REG_DEVICE_FEATURES_SEL, 1);
    return <u64>low | (<u64>mmioRead32(this.base + REG_DEVICE_FEATURES) << 32);
  }
  setDriverFeatures(features: u64): void {
    mmioWrite32(this.base + REG_DRIVER_FEATURES_SEL, 0);
    mmioWrite32(this.base + REG_DRIVER_FEATURES, <u32>features);
    mmioWrite32(this.base + REG_DRIVER_FEATURES_SEL, 1);
    mmioWrite32(this.base + REG_DRIVER_FEATURES, <u32>(features >> 32));
  }

  queueMaxSize(index: u32): u32 {
    mmioWrite32(this.base + REG_QUEUE_SEL, index);
    if (mmioRead32(this.base + REG_QUEUE_READY) != 0) return 0; // in use already: not ours to set up
    return mmioRead32(this.base + REG_QUEUE_NUM_MAX);
  }

  enableQueue(index: u32, size: u32, descriptors: u64, driverArea: u64, deviceArea: u64): bool {
    mmioWrite32(this.base + REG_QUEUE_SEL, index);
    mmioWrite32(this.base + REG_QUEUE_NUM, size);
    this.write64(REG_QUEUE_DESC, descriptors);
    this.write64(REG_QUEUE_DRIVER, driverArea);
    this.write64(REG_QUEUE_DEVICE, deviceArea);
    mmioWrite32(this.base + REG_QUEUE_READY, 1);
    return mmioRead32(this.base + REG_QUEUE_READY) == 1;
  }

  notify(index: u32): void {
    mmioWrite32(this.base + REG_QUEUE_NOTIFY, index);
  }

  attachInterrupt(handler: InterruptHandler): i32 {
    const error = setInterruptTrigger(this.interrupt, TRIGGER_LEVEL_HIGH);
    if (error < 0) return error;
    return attachInterrupt(this.interrupt, handler);
  }

  takeInterruptStatus(): u32 {
    const status = mmioRead32(this.base + REG_INTERRUPT_STATUS);
    if (status != 0) mmioWrite32(this.base + REG_INTERRUPT_ACK, status);
    return status;
  }

  configRead8(offset: u32): u32 {
    return mmioRead8(this.base + REG_CONFIG + <usize>offset);
  }
  configRead16(offset: u32): u32 {
    return mmioRead16(this.base + REG_CONFIG + <usize>offset);
  }
  configRead32(offset: u32): u32 {
    return mmioRead32(this.base + REG_CONFIG + <usize>offset);
  }
  configGeneration(): u32 {
    return mmioRead32(this.base + REG_CONFIG_GENERATION);
  }

  private write64(register: usize, value: u64): void {
    mmioWrite32(this.base + register, <u32>value);
    mmioWrite32(this.base + register + 4, <u32>(value >> 32));
  }
}
