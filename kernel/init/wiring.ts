// Registration lines: every driver, filesystem and entropy source the kernel
// carries, whatever the architecture. Adding one is one line here (its own
// folder does the rest); the architecture's own parts are wired by its entry
// point (x86_64.ts, aarch64.ts).

import { registerEntropySource, useEntropyProbe, HardwareEntropy } from "../entropy";
import { registerVirtioDriver, probeVirtio } from "../../drivers/virtio/index";
import { DEVICE_BLOCK, DEVICE_NET } from "../../drivers/virtio/transport";
import { attachVirtioBlock } from "../../drivers/virtio/blk";
import { attachVirtioNet } from "../../drivers/virtio/net";
import { DEVICE_ENTROPY, attachVirtioRng } from "../../drivers/virtio/rng";
import { DEVICE_9P, attachVirtioNineP } from "../../drivers/virtio/9p";
import { registerFileSystem, refusesSource, FileSystem } from "../../fs/vfs/index";
import { RamFileSystem } from "../../fs/ramfs/index";
import { makeNineP } from "../../fs/9p/index";
import { declareRootOption } from "../../fs/root";
import { useFileSystemModules } from "../../loader/modules/index";
import { declareNetworkOptions } from "../net/index";
import { WITH_TESTS } from "./profile";
import { registerTests } from "./tests";

/** Registers the kernel's parts and declares their options (before the command line is read); modules are ELF `machine`. */
export function wireKernel(machine: u16): void {
  registerVirtioDriver(DEVICE_BLOCK, attachVirtioBlock);
  registerVirtioDriver(DEVICE_ENTROPY, attachVirtioRng);
  registerVirtioDriver(DEVICE_9P, attachVirtioNineP);
  registerVirtioDriver(DEVICE_NET, attachVirtioNet);
  registerEntropySource(new HardwareEntropy());
  useEntropyProbe(probeDevices);
  registerFileSystem("ramfs", makeRamfs);
  registerFileSystem("9p", makeNineP);
  useFileSystemModules(machine);
  declareRootOption();
  declareNetworkOptions();
  if (WITH_TESTS) registerTests();
}

/** Brings up every device, once (virtio: the finders the architecture registered). */
export function probeDevices(): void {
  probeVirtio();
}

function makeRamfs(source: string, readOnly: bool): FileSystem | null {
  return refusesSource("ramfs", source, readOnly) ? null : new RamFileSystem();
}
