// The x86_64 kernel's entry point and export list. The build compiles this
// file (not aarch64.ts) for x86_64; with the parts it wires in
// (x86_64-parts.ts) the kernel carries PVH, the 16550, the LAPIC/IOAPIC, the
// PIT, the CMOS clock and x86 page tables, and none of aarch64's.

import { ARCH_X86_64 } from "../boot/handoff";
import { EM_X86_64 } from "../../loader/elf/layout";
import { startKernel } from "./boot";
import { wireX86_64 } from "./x86_64-parts";

export * from "./exports";

/** The boot stub's call, with paging on and the handoff filled (arch/x86_64/boot.S). */
export function kmain(handoff: usize): void {
  startKernel(handoff, ARCH_X86_64, EM_X86_64, wireX86_64);
}
