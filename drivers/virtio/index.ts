// virtio: the front door. probeVirtio() finds every virtio device on the
// machine, once, and hands each to the driver registered for its device type
// (registerVirtioDriver): virtio-blk registers a disk (drivers/block, named
// vda, vdb, ... in discovery order), virtio-rng an entropy source
// (kernel/entropy.ts), virtio-net a network device (kernel/net/device.ts,
// eth0, eth1, ...). Transports come from the finders the architecture's
// entry point registered (addTransportFinder): virtio-mmio from the kernel
// command line (x86_64 microvm) or the device tree (aarch64 virt), highest
// address first, which is QEMU's -device order; then modern virtio-pci
// functions in bus order (x86_64). It prints nothing unless asked; what
// could not be used (a legacy-only device, a device without a driver, a
// malformed option) is kept in probeProblems(). Devices are brought up
// once: a second reset would pull a disk from under whoever mounted it.
//
//   transport.ts   what a driver asks of a transport
//   mmio.ts        virtio-mmio (version 2), mmio-devices.ts where they are
//   pci.ts         modern virtio-pci over drivers/pci, MSI-X
//   queue.ts       split virtqueues       setup.ts      the status handshake
//   interrupts.ts  the shared handler     blk.ts        virtio-blk
//   rng.ts         virtio-rng             net.ts        virtio-net
//
// See docs/virtio.md.

import { BootInfo } from "../../kernel/boot/bootinfo";
import { bootInfo } from "../../kernel/platform";
import { printLine } from "../../kernel/console";
import { fail, failureDetail } from "../../kernel/failure";
import { ENODEV } from "../../kernel/errno";
import { VirtioTransport } from "./transport";
import { VirtioPciTransport } from "./pci";

export { VirtioBlockDevice, REQUEST_DEADLINE_NS } from "./blk";
export { VirtioTransport } from "./transport";

/** Finds transports with a device behind them; what it cannot use it notes with noteProbeProblem. */
export type TransportFinder = (info: BootInfo) => VirtioTransport[];
/** Brings a device up and registers what it offers; 0, or -errno with the reason (kernel/failure.ts). */
export type VirtioAttach = (transport: VirtioTransport) => i32;

class Driver {
  next: Driver | null = null;
  constructor(public deviceType: u32, public attach: VirtioAttach) {}
}

class Finder {
  next: Finder | null = null;
  constructor(public find: TransportFinder) {}
}

let drivers: Driver | null = null;
let finders: Finder | null = null;
let lastFinder: Finder | null = null;
let problems: string[] | null = null;
let probed = false;

/** Makes `attach` the driver for virtio device type `deviceType` (transport.ts DEVICE_*). */
export function registerVirtioDriver(deviceType: u32, attach: VirtioAttach): void {
  const driver = new Driver(deviceType, attach);
  driver.next = drivers;
  drivers = driver;
}

/** Adds a place to look for transports; probeVirtio asks the finders in the order they were added. */
export function addTransportFinder(find: TransportFinder): void {
  const finder = new Finder(find);
  if (lastFinder === null) finders = finder;
  else lastFinder!.next = finder;
  lastFinder = finder;
}

/** What probeVirtio could not use, one message per device or option. */
export function probeProblems(): string[] {
  return problems === null ? [] : problems!;
}

/** Notes something the probe found but cannot use (a report for the user, not a failure of the probe). */
export function noteProbeProblem(message: string): void {
  if (problems === null) problems = [];
  problems!.push(message);
}

/** Finds and starts every virtio device (the first call only); prints each problem as "virtio: ..." if `verbose`. */
export function probeVirtio(verbose: bool = false): void {
  if (!probed) {
    probed = true;
    probeOnce(bootInfo());
  }
  if (verbose) {
    const errors = probeProblems();
    for (let i = 0; i < errors.length; i++) printLine("virtio: " + errors[i]);
  }
}

function probeOnce(info: BootInfo): void {
  let finder = finders;
  while (finder !== null) {
    const transports = finder.find(info);
    for (let i = 0; i < transports.length; i++) {
      const result = attach(transports[i]);
      if (result < 0) noteProbeProblem(transports[i].name + ": " + failureDetail(result));
    }
    finder = finder.next;
  }
}

function attach(transport: VirtioTransport): i32 {
  const usable = transport.check();
  if (usable < 0) return usable;
  let driver = drivers;
  while (driver !== null && driver.deviceType != transport.deviceType) driver = driver.next;
  if (driver === null) return fail(ENODEV, "no driver for virtio device type " + transport.deviceType.toString());
  if (transport instanceof VirtioPciTransport) changetype<VirtioPciTransport>(transport).enableFunction();
  return driver.attach(transport);
}
