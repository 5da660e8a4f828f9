// Where virtio transports are, one finder per kind of place; the
// architecture's entry point registers the ones its machines have
// (drivers/virtio addTransportFinder).

import { BootInfo, DeviceWindow } from "../../kernel/boot/bootinfo";
import { enumeratePci } from "../pci/index";
import { VirtioTransport } from "./transport";
import { noteProbeProblem } from "./index";
import { VirtioMmioTransport, MMIO_WINDOW_BYTES } from "./mmio";
import { mmioWindowsFromCommandLine, mmioWindowsFromDeviceTree } from "./mmio-devices";
import { VirtioPciTransport, isVirtioPci } from "./pci";

/** virtio-mmio transports the kernel command line names (QEMU microvm), highest address first. */
export function commandLineMmioTransports(info: BootInfo): VirtioTransport[] {
  return mmioTransports(mmioWindowsFromCommandLine(info));
}

/** virtio-mmio transports the device tree names (QEMU virt), highest address first. */
export function deviceTreeMmioTransports(info: BootInfo): VirtioTransport[] {
  return mmioTransports(mmioWindowsFromDeviceTree(info));
}

/** Modern virtio-pci functions, in bus order. */
export function pciTransports(info: BootInfo): VirtioTransport[] {
  const found: VirtioTransport[] = [];
  const functions = enumeratePci();
  for (let i = 0; i < functions.length; i++) {
    if (isVirtioPci(functions[i])) found.push(new VirtioPciTransport(functions[i]));
  }
  return found;
}

function mmioTransports(windows: DeviceWindow[]): VirtioTransport[] {
  const found: VirtioTransport[] = [];
  for (let i = 0; i < windows.length; i++) {
    const window = windows[i];
    if (window.size < MMIO_WINDOW_BYTES) {
      noteProbeProblem("virtio-mmio@0x" + window.base.toString(16) + ": a window of " + window.size.toString() + " bytes is too small");
      continue;
    }
    const transport = new VirtioMmioTransport(<usize>window.base, window.interrupt);
    if (!transport.hasMagic()) noteProbeProblem(transport.name + ": nothing answers as a virtio-mmio device there");
    else if (transport.deviceType != 0) found.push(transport);  // DeviceID 0: an empty transport
  }
  return found;
}
