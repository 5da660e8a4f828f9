// The aarch64 kernel's entry point and export list. The build compiles this
// file (not x86_64.ts) for aarch64; with the parts it wires in
// (aarch64-parts.ts) the kernel carries the device tree reader, the PL011,
// the GIC, the generic timer, the PL031 and aarch64 translation tables, and
// none of x86_64's.

import { ARCH_AARCH64 } from "../boot/handoff";
import { EM_AARCH64 } from "../../loader/elf/layout";
import { startKernel } from "./boot";
import { wireAarch64 } from "./aarch64-parts";

export * from "./exports";

/** The boot stub's call, with the MMU on and the handoff filled (arch/aarch64/boot.S). */
export function kmain(handoff: usize): void {
  startKernel(handoff, ARCH_AARCH64, EM_AARCH64, wireAarch64);
}
