// 16550-compatible UART in x86 I/O port space (COM1 on QEMU's microvm and q35).
//
// Polled transmit only: wait for the transmit holding register to empty (as
// long as patience.ts says), then write the byte. init() sets 115200 8N1 with FIFOs on and interrupts off.

import { SerialPort } from "../../kernel/console";
import { portIn8, portOut8 } from "../../arch";
import { transmitSpins, transmitWaited } from "./patience";

const DATA: u32 = 0;
const INTERRUPT_ENABLE: u32 = 1;
const FIFO_CONTROL: u32 = 2;
const LINE_CONTROL: u32 = 3;
const MODEM_CONTROL: u32 = 4;
const LINE_STATUS: u32 = 5;
const LINE_STATUS_THR_EMPTY: u32 = 0x20;
/** Transmitter empty: the holding register and the shift register (QEMU: the byte reached its chardev). */
const LINE_STATUS_IDLE: u32 = 0x40;
const LINE_CONTROL_DLAB: u32 = 0x80;
const LINE_CONTROL_8N1: u32 = 0x03;
/** Bounded wait for the last bytes before power-off (a slow reader on the host may hold them). */
const DRAIN_SPINS: i32 = 10_000_000;

export namespace ns16550 {
  let port: u32 = 0;

  export function init(base: u32): void {
    port = base;
    portOut8(port + INTERRUPT_ENABLE, 0);
    portOut8(port + LINE_CONTROL, LINE_CONTROL_DLAB);
    portOut8(port + DATA, 1); // divisor 1: 115200 baud
    portOut8(port + INTERRUPT_ENABLE, 0);
    portOut8(port + LINE_CONTROL, LINE_CONTROL_8N1);
    portOut8(port + FIFO_CONTROL, 0x07); // enable and clear FIFOs
    portOut8(port + MODEM_CONTROL, 0x03); // DTR, RTS
  }

  export function put(byte: u32): void {
    const limit = transmitSpins();
    let ready = false;
    for (let spins = 0; spins < limit && !ready; spins++) ready = (portIn8(port + LINE_STATUS) & LINE_STATUS_THR_EMPTY) != 0;
    transmitWaited(ready);
    portOut8(port + DATA, byte);
  }

  export function drain(): void {
    for (let spins = 0; spins < DRAIN_SPINS; spins++) {
      if (portIn8(port + LINE_STATUS) & LINE_STATUS_IDLE) break;
    }
  }
}

/** The console's view of this UART (kernel/console useSerialPort). */
export class Ns16550Port extends SerialPort {
  start(base: u64): void {
    ns16550.init(<u32>base);
  }
  put(byte: u32): void {
    ns16550.put(byte);
  }
  drain(): void {
    ns16550.drain();
  }
}
