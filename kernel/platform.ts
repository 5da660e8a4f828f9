// The machine as boot found it: which architecture this kernel was built for,
// the boot handoff, and the firmware's description of the machine (PVH
// start_info on x86_64, a device tree on aarch64, read by the reader the
// architecture's entry point hands to useFirmware). Later layers ask here
// instead of having the handoff passed down to them.

import { Handoff } from "./boot/handoff";
import { BootInfo, MEMORY_USABLE } from "./boot/bootinfo";

/**
 * Reads the firmware's description the handoff points at into `info`; 0, or
 * -EINVAL with what is malformed (kernel/failure.ts), `info` then holding at
 * least where the console is.
 */
export type FirmwareReader = (boot: Handoff, info: BootInfo) => i32;

let name = "";
let reader: FirmwareReader | null = null;
let handoff: Handoff = changetype<Handoff>(0);
let info: BootInfo = changetype<BootInfo>(0);

/** The architecture's name and firmware reader; its entry point calls this first. */
export function useFirmware(architecture: string, firmwareReader: FirmwareReader): void {
  name = architecture;
  reader = firmwareReader;
}

/** Reads the firmware's description of the machine into `into`, and keeps it and the handoff for later layers; 0 or -errno. */
export function readFirmware(boot: Handoff, into: BootInfo): i32 {
  handoff = boot;
  info = into;
  return reader!(boot, into);
}

/** "x86_64" or "aarch64": what this kernel was built for. */
export function architectureName(): string {
  return name;
}

/** The firmware's description of the machine (after readFirmware). */
export function bootInfo(): BootInfo {
  return info;
}

/** The boot stub's handoff (after readFirmware). */
export function bootHandoff(): Handoff {
  return handoff;
}

/**
 * The end of the usable RAM the kernel image sits in, clipped below the
 * initrd if it lies in that range; 0 if the image is not in usable RAM.
 */
export function heapLimit(info: BootInfo, imageEnd: u64): u64 {
  let limit: u64 = 0;
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    if (range.kind == MEMORY_USABLE && range.base <= imageEnd && imageEnd < range.end) limit = range.end;
  }
  if (info.initrdSize != 0 && info.initrdBase >= imageEnd && info.initrdBase < limit) limit = info.initrdBase;
  // The kernel addresses the low 4 GiB only.
  return limit > 0xffff_f000 ? 0xffff_f000 : limit;
}
