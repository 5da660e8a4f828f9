// How a virtio driver reaches its device, whatever the bus: the operations
// of the virtio 1.x "basic facilities" (status, features, queues,
// notifications, interrupts, device configuration). mmio.ts implements them
// for virtio-mmio (version 2 registers), pci.ts for modern virtio-pci.
// Methods here are the defaults a transport overrides; the base answers
// "nothing there".

import { fail } from "../../kernel/failure";
import { ENODEV } from "../../kernel/errno";

import { InterruptHandler } from "../../kernel/irq/index";

// Device status bits (virtio 1.x, 2.1).
export const STATUS_ACKNOWLEDGE: u32 = 1;
export const STATUS_DRIVER: u32 = 2;
export const STATUS_DRIVER_OK: u32 = 4;
export const STATUS_FEATURES_OK: u32 = 8;
export const STATUS_NEEDS_RESET: u32 = 64;
export const STATUS_FAILED: u32 = 128;

// Device types (virtio 1.x, 5).
export const DEVICE_NET: u32 = 1;
export const DEVICE_BLOCK: u32 = 2;

/** Interrupt status bits (ISR): a used buffer, a configuration change. */
export const INTERRUPT_USED_BUFFER: u32 = 1;
export const INTERRUPT_CONFIG_CHANGE: u32 = 2;

export class VirtioTransport {
  /** Where the device is, for messages: "virtio-mmio@0xfeb02e00", "virtio-pci 00:03.0". */
  name: string = "";
  /** The virtio device type (DEVICE_*), 0 for an empty transport. */
  deviceType: u32 = 0;
  /** The features both sides agreed on (setup.ts negotiate). */
  features: u64 = 0;

  /** 0 if the device can be driven, else -ENODEV with why not (a legacy-only device, an unplaced BAR; kernel/failure.ts). */
  check(): i32 {
    return fail(ENODEV, "no transport");
  }

  status(): u32 {
    return 0;
  }
  setStatus(status: u32): void {}

  /** Writes 0 to the status and waits (bounded) for the device to read back 0; false if it never does. */
  reset(): bool {
    this.setStatus(0);
    for (let i = 0; i < 100_000; i++) if (this.status() == 0) return true;
    return false;
  }

  /** The device's feature bits (64 of them). */
  deviceFeatures(): u64 {
    return 0;
  }
  setDriverFeatures(features: u64): void {}

  /** The largest size queue `index` may have, 0 if the device lacks that queue. */
  queueMaxSize(index: u32): u32 {
    return 0;
  }

  /** Gives queue `index` its size and the physical addresses of its three areas, then enables it. */
  enableQueue(index: u32, size: u32, descriptors: u64, driverArea: u64, deviceArea: u64): bool {
    return false;
  }

  /** Tells the device queue `index` has new available buffers. */
  notify(index: u32): void {}

  /**
   * Routes the device's interrupt (for every queue enabled after this) to
   * `handler` and returns the line it arrives on, or -errno.
   */
  attachInterrupt(handler: InterruptHandler): i32 {
    return -1;
  }

  /** Reads and acknowledges the interrupt status (INTERRUPT_* bits); message-signalled transports report a used buffer. */
  takeInterruptStatus(): u32 {
    return 0;
  }

  configRead8(offset: u32): u32 {
    return 0;
  }
  configRead16(offset: u32): u32 {
    return 0;
  }
  configRead32(offset: u32): u32 {
    return 0;
  }
  /** The configuration generation, to read multi-word fields consistently. */
  configGeneration(): u32 {
    return 0;
  }

  /** A 64-bit configuration field read as two words, again if the generation changed meanwhile. */
  configRead64(offset: u32): u64 {
    for (let attempt = 0; attempt < 16; attempt++) {
      const before = this.configGeneration();
      const value = <u64>this.configRead32(offset) | (<u64>this.configRead32(offset + 4) << 32);
      if (this.configGeneration() == before) return value;
    }
    return 0;
  }
}
