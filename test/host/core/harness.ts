// The host-test harness's core part: where static data ends, the kernel's
// version, and the ways the kernel speaks and stops (console, trap reports,
// panic), which the other parts' tests read from the fake 16550.
//
// Guards nothing by itself; test/host/harness.ts re-exports it with the
// other parts (see there for the conventions every part follows).

import { useSerialPort, initConsole } from "../../../kernel/console";
import { Ns16550Port } from "../../../drivers/uart/ns16550";
import { BootInfo, CONSOLE_NS16550_PORT } from "../../../kernel/boot/bootinfo";
import { reportWasmTrap } from "../../../kernel/traps/index";
import { WISP_VERSION } from "../../../kernel/version";
// The kernel is built with --use abort=kernel/panic/abortHandler; the harness too.
import { abortHandler } from "../../../kernel/panic";

// --- Layout ---

/** Where asc starts the heap: the end of static data, rounded up. */
export function heapBase(): usize {
  return __heap_base;
}

export function version(): string {
  return WISP_VERSION;
}

// --- kernel/console.ts, kernel/traps.ts ---

/** Sends console output to the 16550 at COM1, as initConsole does after a PVH boot. */
export function consoleUseSerial(): void {
  useSerialPort(new Ns16550Port(), CONSOLE_NS16550_PORT);
  const serial = new BootInfo();
  serial.consoleKind = CONSOLE_NS16550_PORT;
  serial.consoleBase = 0x3f8;
  initConsole(serial);
}

/** The report the native runtime asks for after a wasm trap of `kind`. */
export function trapReport(kind: u32): void {
  reportWasmTrap(kind);
}

// --- kernel/panic.ts ---

/** The kernel's abort handler, as an assertion failure in kernel code would reach it. */
export function panicAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  abortHandler(message, fileName, line, column);
}
