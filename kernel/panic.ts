// Stopping the kernel: orderly power-off with a status, or a panic that says
// why. Nothing here allocates, so these work when memory is exhausted.

import { powerOff } from "../arch";
import { print, printLine, printUnsigned, drainConsole } from "./console";
import { PANIC_STATUS, MAX_EXIT_STATUS } from "./params";

/** Powers off, reporting `status` to the host. Statuses above 126 are reported as 126. */
export function shutdown(status: u32): void {
  drainConsole();
  powerOff(status > MAX_EXIT_STATUS ? MAX_EXIT_STATUS : status);
}

/** Prints `panic: <reason>` and powers off with PANIC_STATUS. Never returns. */
export function panic(reason: string): void {
  print("\npanic: ");
  printLine(reason);
  shutdown(PANIC_STATUS);
}

/** Reports a failed assertion or `throw` in kernel code (AssemblyScript's abort). */
export function abortHandler(message: string | null, fileName: string | null, line: u32, column: u32): void {
  print("\npanic: ");
  print(message !== null ? message : "assertion failed");
  if (fileName !== null) {
    print(" at ");
    print(fileName);
    print(":");
    printUnsigned(line);
    print(":");
    printUnsigned(column);
  }
  printLine();
  shutdown(PANIC_STATUS);
}
