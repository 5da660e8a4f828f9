// x86_64 interrupt vectors: who owns which of the 256 IDT entries.
//
//   0x00-0x1f  CPU exceptions (fatal reports, arch/x86_64/traps.S)
//   0x20       the local APIC timer
//   0x30-0xef  IOAPIC inputs: GSI n arrives on vector 0x30 + n
//   0xf0-0xfe  unrouted: nothing sends these but a deliberate IPI
//   0xff       the local APIC's spurious vector (never acknowledged with EOI)
//
// A vector's priority class is its top four bits, so device interrupts
// outrank the timer; handlers run with interrupts disabled anyway.

export const TIMER_VECTOR: u32 = 0x20;
export const GSI_VECTOR_BASE: u32 = 0x30;
/** GSIs that fit below the unrouted range. */
export const MAX_ROUTED_GSIS: u32 = 0xf0 - GSI_VECTOR_BASE;
/** The first vector nothing is routed to (self-tests send IPIs there). */
export const FIRST_UNROUTED_VECTOR: u32 = 0xf0;
export const SPURIOUS_VECTOR: u32 = 0xff;
