// From the boot handoff to a BootInfo: pick the firmware format by
// architecture, and size the runtime's memory from what the firmware says.

import { Handoff, ARCH_X86_64 } from "./boot/handoff";
import { BootInfo, MEMORY_USABLE } from "./boot/bootinfo";
import { parsePvh } from "./boot/pvh";
import { parseFdt } from "./boot/fdt";
import { findLinkedImage } from "./boot/linked-image";

export function readFirmware(boot: Handoff): BootInfo {
  if (boot.arch == ARCH_X86_64) return parsePvh(<usize>boot.firmwareInfo);
  const info = parseFdt(<usize>boot.firmwareInfo);
  if (info.error.length == 0 && info.initrdSize == 0) findLinkedImage(info, boot.imageEnd); // the root linked after the kernel
  return info;
}

export function architectureName(boot: Handoff): string {
  return boot.arch == ARCH_X86_64 ? "x86_64" : "aarch64";
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
