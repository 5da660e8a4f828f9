// Where a faulting instruction's exception enters the kernel, per
// architecture. An instruction that faults (a page fault: first touch of
// an app's memory, a thread stack's guard) is logged by QEMU as it is
// entered, but does not complete: the guest's instruction counter does not
// count it, and it runs again once the handler returns. The trace reader
// drops the instruction logged just before one of these addresses.
//
//   x86_64   traps.S: one 16-byte stub per vector from `vectors`; vectors
//            0-31 are CPU exceptions, all faults but 3 (int3) and 4
//            (into), which are reported after their instruction
//   aarch64  vectors.S: 16 slots of 0x80 bytes from `exception_vectors`;
//            slots 0, 4, 8 and 12 are the synchronous ones (aborts; the
//            kernel makes no supervisor calls while booting)

import type { Arch } from "../../build/targets";
import type { FunctionTable } from "./functions";

const X86_TRAPS = new Set([3, 4]);

/** The addresses a faulting instruction's exception lands on in the kernel `functions`. */
export function faultEntries(arch: Arch, functions: FunctionTable): Set<number> {
  const symbol = arch === "x86_64" ? "vectors" : "exception_vectors";
  const base = functions.addressOf(symbol);
  if (base === undefined) throw new Error(`the link map has no ${symbol}`);
  const entries = new Set<number>();
  if (arch === "x86_64") {
    for (let vector = 0; vector < 32; vector++) if (!X86_TRAPS.has(vector)) entries.add(base + 16 * vector);
  } else {
    for (const slot of [0, 4, 8, 12]) entries.add(base + 0x80 * slot);
  }
  return entries;
}
