// The kernel console: text out through whichever UART the firmware named.
// The architecture's entry point (kernel/init) hands its UART driver
// (drivers/uart) to useSerialPort, with the console kind it drives.
//
// Output is bytes: AssemblyScript strings are encoded as UTF-8 on the way
// out. Numbers are formatted without allocating (kernel/format.ts), so panic
// reports work even when memory is exhausted. Until init() runs, output is
// dropped.
//
// One serial line carries three streams when an app runs under `wisp run`
// (kernel option console=streams): the kernel's messages (stream 0) and
// the app's stdout (1) and stderr (2). The line is then framed so that the
// host can split it again, byte-exact:
//
//   DLE '0' | DLE '1' | DLE '2'   the following bytes belong to that stream
//   DLE DLE                       one data byte 0x10
//   DLE 'x' <decimal> ';'         the app's exit status, sent before power-off
//
// (DLE is 0x10.) Without the option the streams are simply interleaved.

import { BootInfo, CONSOLE_NONE } from "./boot/bootinfo";
import { formatUnsigned, formatSigned, formatDecimal, FORMAT_BUFFER_SIZE } from "./format";

/** A UART as the console drives it. */
export abstract class SerialPort {
  /** Readies the port at `base` (an I/O port or an MMIO address, as the firmware said). */
  abstract start(base: u64): void;
  /** Sends one byte, waiting while the transmitter is full. */
  abstract put(byte: u32): void;
  /** Waits (bounded) until every byte sent has left the transmitter, so powering off loses none. */
  abstract drain(): void;
}

let port: SerialPort = changetype<SerialPort>(0);
let portKind: u32 = CONSOLE_NONE;
let started = false;
const numberBuffer = memory.data(FORMAT_BUFFER_SIZE);

/** The framing escape byte (ASCII DLE). */
const DLE: u32 = 0x10;
/** Stream numbers: the kernel's own messages, then the app's stdout and stderr. */
export const STREAM_KERNEL: u32 = 0;
export const STREAM_STDOUT: u32 = 1;
export const STREAM_STDERR: u32 = 2;

let framed = false;
let currentStream: u32 = STREAM_KERNEL;

/** The architecture's UART driver and the firmware console kind (CONSOLE_*) it drives. */
export function useSerialPort(chosen: SerialPort, kind: u32): void {
  port = chosen;
  portKind = kind;
}

/** Starts the UART the firmware named, if it is the kind this kernel drives; output is dropped otherwise. */
export function initConsole(info: BootInfo): void {
  started = changetype<usize>(port) != 0 && info.consoleKind == portKind && portKind != CONSOLE_NONE;
  if (started) port.start(info.consoleBase);
}

function transmit(byte: u32): void {
  if (started) port.put(byte);
}

/** Frames the line from now on (the console=streams option). */
export function useFramedStreams(): void {
  framed = true;
}

function selectStream(stream: u32): void {
  if (!framed || stream == currentStream) return;
  transmit(DLE);
  transmit(0x30 + stream);
  currentStream = stream;
}

function transmitData(byte: u32): void {
  if (framed && byte == DLE) transmit(DLE);
  transmit(byte);
}

/** One byte of the kernel's own output. */
/** Waits until the console's last byte has left the UART (before the VM powers off). */
export function drainConsole(): void {
  if (portKind != CONSOLE_NONE) port.drain();
}

export function putByte(byte: u32): void {
  selectStream(STREAM_KERNEL);
  transmitData(byte);
}

/** Writes `length` bytes at `buffer` to the app's stdout (1) or stderr (2). */
export function writeAppStream(stream: u32, buffer: usize, length: usize): void {
  selectStream(stream == STREAM_STDERR ? STREAM_STDERR : STREAM_STDOUT);
  for (let i: usize = 0; i < length; i++) transmitData(<u32>load<u8>(buffer + i));
}

/** Tells the host the app's own exit status (framed lines only; the VM's status may be clamped). */
export function reportAppExitStatus(status: u32): void {
  if (!framed) return;
  transmit(DLE);
  transmit(0x78);
  const length = formatUnsigned(numberBuffer, status, 10, 1);
  for (let i = 0; i < length; i++) transmit(<u32>load<u8>(numberBuffer + <usize>i));
  transmit(0x3b);
}

function putBytes(address: usize, length: i32): void {
  for (let i = 0; i < length; i++) putByte(<u32>load<u8>(address + <usize>i));
}

export function print(text: string): void {
  const length = text.length;
  for (let i = 0; i < length; i++) {
    let c = <u32>text.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < length) {
      const low = <u32>text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      putByte(c);
    } else if (c < 0x800) {
      putByte(0xc0 | (c >> 6));
      putByte(0x80 | (c & 0x3f));
    } else if (c < 0x10000) {
      putByte(0xe0 | (c >> 12));
      putByte(0x80 | ((c >> 6) & 0x3f));
      putByte(0x80 | (c & 0x3f));
    } else {
      putByte(0xf0 | (c >> 18));
      putByte(0x80 | ((c >> 12) & 0x3f));
      putByte(0x80 | ((c >> 6) & 0x3f));
      putByte(0x80 | (c & 0x3f));
    }
  }
}

export function printLine(text: string = ""): void {
  print(text);
  putByte(0x0a);
}

export function printUnsigned(value: u64, minDigits: i32 = 1): void {
  putBytes(numberBuffer, formatUnsigned(numberBuffer, value, 10, minDigits));
}

export function printSigned(value: i64): void {
  putBytes(numberBuffer, formatSigned(numberBuffer, value));
}

/** Prints 0x followed by at least `minDigits` lowercase hex digits. */
export function printHex(value: u64, minDigits: i32 = 1): void {
  print("0x");
  putBytes(numberBuffer, formatUnsigned(numberBuffer, value, 16, minDigits));
}

export function printDecimal(value: u64, decimals: i32): void {
  putBytes(numberBuffer, formatDecimal(numberBuffer, value, decimals));
}

/** Prints `text` right-aligned in `width` columns. */
export function printPadded(text: string, width: i32): void {
  for (let i = text.length; i < width; i++) putByte(0x20);
  print(text);
}

/** Prints an unsigned number right-aligned in `width` columns. */
export function printUnsignedPadded(value: u64, width: i32): void {
  printDecimalPadded(value, 0, width);
}

/** Prints a fixed-point number right-aligned in `width` columns. */
export function printDecimalPadded(value: u64, decimals: i32, width: i32): void {
  const length = formatDecimal(numberBuffer, value, decimals);
  for (let i = length; i < width; i++) putByte(0x20);
  putBytes(numberBuffer, length);
}
