// virtio: the front door. probeVirtio(info, arch) finds every virtio device
// on the machine, brings up those Wisp has a driver for, and returns the
// disks (virtio-blk) as BlockDevices named vda, vdb, ... in discovery order:
// virtio-mmio transports from the highest address down, which is QEMU's
// -device order (microvm: the command line's virtio_mmio.device options;
// aarch64 virt: the device tree), then
// virtio-pci functions in bus order (x86_64). It prints nothing unless
// asked; what could not be used (a legacy-only device, a device without a
// driver, a malformed option) is kept in probeProblems(). Devices are
// brought up once: later calls return the same disks (a second reset would
// pull a disk from under whoever mounted it).
//
//   transport.ts   what a driver asks of a transport
//   mmio.ts        virtio-mmio (version 2), mmio-devices.ts where they are
//   pci.ts         modern virtio-pci over drivers/pci, MSI-X
//   queue.ts       split virtqueues       setup.ts      the status handshake
//   interrupts.ts  the shared handler     blk.ts        virtio-blk
//
// See docs/virtio.md.

import { BootInfo } from "../../kernel/boot/bootinfo";
import { ARCH_X86_64 } from "../../kernel/boot/handoff";
import { printLine } from "../../kernel/console";
import { BlockDevice } from "../block/device";
import { enumeratePci } from "../pci/index";
import { VirtioTransport, DEVICE_BLOCK } from "./transport";
import { VirtioMmioTransport, MMIO_WINDOW_BYTES } from "./mmio";
import { virtioMmioWindows } from "./mmio-devices";
import { VirtioPciTransport, isVirtioPci } from "./pci";
import { openVirtioBlock } from "./blk";
import { DEVICE_ENTROPY } from "./rng";

export { VirtioBlockDevice, REQUEST_DEADLINE_NS } from "./blk";

let problems: string[] | null = null;
let found: BlockDevice[] | null = null;

/** What the last probeVirtio could not use, one message per device or option. */
export function probeProblems(): string[] {
  return problems === null ? [] : problems!;
}

/**
 * Finds every virtio device, starts the disks, and returns them (the same
 * ones on every call after the first); prints each problem as
 * "virtio: ..." if `verbose`.
 */
export function probeVirtio(info: BootInfo, arch: u32, verbose: bool = false): BlockDevice[] {
  if (found === null) found = probeOnce(info, arch);
  if (verbose) {
    const errors = problems!;
    for (let i = 0; i < errors.length; i++) printLine("virtio: " + errors[i]);
  }
  return found!.slice(0);
}

function probeOnce(info: BootInfo, arch: u32): BlockDevice[] {
  const errors: string[] = [];
  const transports = findTransports(info, arch, errors);
  const disks: BlockDevice[] = [];
  for (let i = 0; i < transports.length; i++) {
    const transport = transports[i];
    const problem = transport.unusable();
    if (problem.length) {
      errors.push(transport.name + ": " + problem);
      continue;
    }
    if (transport.deviceType == DEVICE_ENTROPY) continue;  // kernel/random.ts takes it, lazily (rng.ts)
    if (transport.deviceType != DEVICE_BLOCK) {
      errors.push(transport.name + ": no driver for virtio device type " + transport.deviceType.toString());
      continue;
    }
    if (transport instanceof VirtioPciTransport) changetype<VirtioPciTransport>(transport).enableFunction();
    const disk = openVirtioBlock(diskName(disks.length), transport, errors);
    if (disk !== null) disks.push(disk);
  }
  problems = errors;
  return disks;
}

/** Every transport with a device behind it: virtio-mmio, highest address first, then virtio-pci (x86_64). */
function findTransports(info: BootInfo, arch: u32, errors: string[]): VirtioTransport[] {
  const found: VirtioTransport[] = [];
  const windows = virtioMmioWindows(info, arch, errors);
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i];
    if (window.size < MMIO_WINDOW_BYTES) {
      errors.push("virtio-mmio@0x" + window.base.toString(16) + ": a window of " + window.size.toString() + " bytes is too small");
      continue;
    }
    const transport = new VirtioMmioTransport(<usize>window.base, window.interrupt);
    if (!transport.hasMagic()) errors.push(transport.name + ": nothing answers as a virtio-mmio device there");
    else if (transport.deviceType != 0) found.push(transport);  // DeviceID 0: an empty transport
  }
  if (arch == ARCH_X86_64) {
    const functions = enumeratePci();
    for (let i = 0; i < functions.length; i++) {
      if (isVirtioPci(functions[i])) found.push(new VirtioPciTransport(functions[i]));
    }
  }
  return found;
}

/** vda ... vdz, then vd26 ... */
function diskName(index: i32): string {
  return index < 26 ? "vd" + String.fromCharCode(0x61 + index) : "vd" + index.toString();
}
