// How long a polled UART transmitter waits for room before it gives a byte
// up, shared by the drivers of this folder.
//
// A byte waits while the host side is slow to take the console's output (a
// loaded host, a reader that stalls): QEMU's UART then keeps its transmit
// register full, and writing over it would lose a byte. So a byte waits
// patiently, PATIENT_SPINS polls (seconds under TCG). Only a UART that let
// that whole wait pass is taken to be wedged: from then on each byte waits
// STUCK_SPINS polls and is dropped, so a dead console slows the kernel a
// little instead of hanging it, until the UART has room again.

/** Polls of the status register a byte waits while the UART takes bytes. */
const PATIENT_SPINS: i32 = 50_000_000;
/** Polls a byte waits once a whole patient wait passed without room. */
const STUCK_SPINS: i32 = 100_000;

let stuck = false;

/** How many polls the next byte may wait for room. */
export function transmitSpins(): i32 {
  return stuck ? STUCK_SPINS : PATIENT_SPINS;
}

/** Notes how the wait for room ended (`ready`: there was room). */
export function transmitWaited(ready: bool): void {
  stuck = !ready;
}
