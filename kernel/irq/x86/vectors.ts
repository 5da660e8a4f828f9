// x86_64 interrupt vectors: who owns which of the 256 IDT entries.
//
//   0x00-0x1f  CPU exceptions (fatal reports, arch/x86_64/traps.S)
//   0x20       the local APIC timer
//   0x30-0xbf  IOAPIC inputs: GSI n arrives on vector 0x30 + n
//   0xc0-0xef  message-signalled interrupts (MSI-X), handed out by message.ts
//   0xf0-0xfe  unrouted: nothing sends these but a deliberate IPI
//   0xff       the local APIC's spurious vector (never acknowledged with EOI)
//
// A vector's priority class is its top four bits, so device interrupts
// outrank the timer; handlers run with interrupts disabled anyway.

export const TIMER_VECTOR: u32 = 0x20;
export const GSI_VECTOR_BASE: u32 = 0x30;
/** The first vector for message-signalled interrupts. */
export const MESSAGE_VECTOR_BASE: u32 = 0xc0;
/** GSIs that fit below the message vectors. */
export const MAX_ROUTED_GSIS: u32 = MESSAGE_VECTOR_BASE - GSI_VECTOR_BASE;
/** The first vector nothing is routed to (self-tests send IPIs there). */
export const FIRST_UNROUTED_VECTOR: u32 = 0xf0;
/** Message vectors available. */
export const MESSAGE_VECTORS: u32 = FIRST_UNROUTED_VECTOR - MESSAGE_VECTOR_BASE;
export const SPURIOUS_VECTOR: u32 = 0xff;
