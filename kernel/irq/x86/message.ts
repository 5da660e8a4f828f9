// Message-signalled interrupts (MSI, MSI-X): a device raises an interrupt by
// writing `data` to `address`, which the local APIC decodes, no IOAPIC on
// the way.
//
//   address  0xfee00000 | destination APIC id << 12   (physical, no redirection hint)
//   data     the vector (fixed delivery, edge)
//
// Vectors 0xc0-0xef (vectors.ts) are handed out one by one and never taken
// back: a driver keeps its vector for the life of the kernel.

import { MESSAGE_VECTOR_BASE, MESSAGE_VECTORS } from "./vectors";
import { localApicId } from "./lapic";
import { MessageInterrupt } from "../controller";

const MESSAGE_ADDRESS_BASE: u64 = 0xfee0_0000;

let handedOut: u32 = 0;

/** The next free message vector aimed at this CPU, or null when all are taken (or the APIC id needs x2APIC routing). */
export function allocateMessageVector(): MessageInterrupt | null {
  const apicId = localApicId();
  if (handedOut >= MESSAGE_VECTORS || apicId > 0xff) return null;
  const vector = MESSAGE_VECTOR_BASE + handedOut++;
  return new MessageInterrupt(vector, MESSAGE_ADDRESS_BASE | (<u64>apicId << 12), vector);
}
