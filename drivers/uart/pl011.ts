// ARM PL011 UART (QEMU virt: 0x09000000, found in the device tree).
//
// Polled transmit only: wait while the transmit FIFO is full (as long as
// patience.ts says), then write the data register. The firmware (or QEMU) leaves the UART enabled; init() only
// records the base address.

import { SerialPort } from "../../kernel/console";
import { mmioRead32, mmioWrite32 } from "../../arch";
import { transmitSpins, transmitWaited } from "./patience";

const DATA: usize = 0x00;
const FLAGS: usize = 0x18;
const FLAGS_TX_FULL: u32 = 1 << 5;
/** Busy: still sending (QEMU: a byte its chardev has not taken yet). */
const FLAGS_BUSY: u32 = 1 << 3;
/** Bounded wait for the last bytes before power-off (a slow reader on the host may hold them). */
const DRAIN_SPINS: i32 = 10_000_000;

export namespace pl011 {
  let base: usize = 0;

  export function init(address: usize): void {
    base = address;
  }

  export function put(byte: u32): void {
    const limit = transmitSpins();
    let ready = false;
    for (let spins = 0; spins < limit && !ready; spins++) ready = (mmioRead32(base + FLAGS) & FLAGS_TX_FULL) == 0;
    transmitWaited(ready);
    mmioWrite32(base + DATA, byte);
  }

  export function drain(): void {
    for (let spins = 0; spins < DRAIN_SPINS; spins++) {
      if (!(mmioRead32(base + FLAGS) & FLAGS_BUSY)) break;
    }
  }
}

/** The console's view of this UART (kernel/console useSerialPort). */
export class Pl011Port extends SerialPort {
  start(base: u64): void {
    pl011.init(<usize>base);
  }
  put(byte: u32): void {
    pl011.put(byte);
  }
  drain(): void {
    pl011.drain();
  }
}
