// What the kernel learns from the firmware, whatever the handoff format.
//
// kernel/boot/pvh.ts (x86_64) and kernel/boot/fdt.ts (aarch64) each turn their
// firmware's structure into one of these; nothing past boot looks at the raw
// formats again.

/** Memory range kinds, numbered like the e820 types PVH uses. */
export const MEMORY_USABLE: u32 = 1;
export const MEMORY_RESERVED: u32 = 2;
export const MEMORY_ACPI: u32 = 3;
export const MEMORY_NVS: u32 = 4;
export const MEMORY_UNUSABLE: u32 = 5;

export class MemoryRange {
  constructor(public base: u64, public size: u64, public kind: u32) {}
  get end(): u64 {
    return this.base + this.size;
  }
}

/** A device's register window and interrupt, as the firmware names it. */
export class DeviceWindow {
  constructor(public base: u64, public size: u64, public interrupt: u32) {}
}

/** One packed window of a DeviceWindowList: base, size, interrupt. */
@unmanaged
class WindowRecord {
  base: u64;
  size: u64;
  interrupt: u64;
}

const RECORD_BYTES = offsetof<WindowRecord>();
/** Records the first growth makes room for: QEMU virt's tree has 32 virtio-mmio nodes. */
const FIRST_CAPACITY: u32 = 32;

/**
 * Device windows kept packed in one growing block, no object per window:
 * the device tree walk records every virtio-mmio node at boot, and only a
 * device probe, if one comes, makes DeviceWindow objects of them (at()).
 */
export class DeviceWindowList {
  private records: usize = 0;
  private capacity: u32 = 0;
  length: u32 = 0;

  push(base: u64, size: u64, interrupt: u32): void {
    if (this.length == this.capacity) {
      this.capacity = this.capacity == 0 ? FIRST_CAPACITY : this.capacity << 1;
      const bytes = <usize>this.capacity * RECORD_BYTES;
      this.records = this.records == 0 ? heap.alloc(bytes) : heap.realloc(this.records, bytes);
    }
    const record = changetype<WindowRecord>(this.records + <usize>this.length * RECORD_BYTES);
    record.base = base;
    record.size = size;
    record.interrupt = interrupt;
    this.length++;
  }

  at(index: u32): DeviceWindow {
    const record = changetype<WindowRecord>(this.records + <usize>index * RECORD_BYTES);
    return new DeviceWindow(record.base, record.size, <u32>record.interrupt);
  }
}

export const CONSOLE_NONE: u32 = 0;
/** A 16550-compatible UART in x86 I/O port space. */
export const CONSOLE_NS16550_PORT: u32 = 1;
/** An ARM PL011 UART at a physical MMIO address. */
export const CONSOLE_PL011: u32 = 2;

/** The interrupt controller the device tree names (aarch64). */
export const INTERRUPT_CONTROLLER_NONE: u32 = 0;
/** GICv2: "arm,cortex-a15-gic" or "arm,gic-400"; reg = distributor, CPU interface. */
export const INTERRUPT_CONTROLLER_GIC_V2: u32 = 2;
/** GICv3: "arm,gic-v3" (recorded so the kernel can refuse it by name). */
export const INTERRUPT_CONTROLLER_GIC_V3: u32 = 3;

export class BootInfo {
  commandLine: string = "";
  memory: MemoryRange[] = [];
  consoleKind: u32 = CONSOLE_NONE;
  consoleBase: u64 = 0;
  /** The initial RAM disk (PVH module 0 or the DT's linux,initrd-*), 0 if none. */
  initrdBase: u64 = 0;
  initrdSize: u64 = 0;
  /** aarch64: the GIC kind (INTERRUPT_CONTROLLER_*) and its first two `reg` bases (v2: distributor, CPU interface). */
  interruptControllerKind: u32 = INTERRUPT_CONTROLLER_NONE;
  gicDistributorBase: u64 = 0;
  gicCpuInterfaceBase: u64 = 0;
  /** aarch64: the EL1 virtual timer's GIC INTID from the `timer` node, 0 if the tree does not say. */
  timerInterrupt: u32 = 0;
  /** aarch64: the PL031 real-time clock's registers and its GIC INTID, 0 if the tree has none. */
  rtcBase: u64 = 0;
  rtcInterrupt: u32 = 0;
  /** aarch64: every device tree node compatible with "virtio,mmio" (interrupt: GIC INTID), in tree order; most are empty transports. */
  virtioMmio: DeviceWindowList = new DeviceWindowList();

  usableBytes(): u64 {
    let total: u64 = 0;
    for (let i = 0; i < this.memory.length; i++) {
      const range = this.memory[i];
      if (range.kind == MEMORY_USABLE) total += range.size;
    }
    return total;
  }
}

export function memoryKindName(kind: u32): string {
  if (kind == MEMORY_USABLE) return "usable";
  if (kind == MEMORY_RESERVED) return "reserved";
  if (kind == MEMORY_ACPI) return "acpi";
  if (kind == MEMORY_NVS) return "acpi-nvs";
  if (kind == MEMORY_UNUSABLE) return "unusable";
  return "unknown";
}
