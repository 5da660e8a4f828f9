// A tiny checker for in-kernel self-tests: counts checks, prints each
// failure by name, and ends with one summary line that tools can read:
//
//   selftest <name>: <passed> passed, <failed> failed

import { print, printLine, printUnsigned } from "../console";

let passed: u32 = 0;
let failed: u32 = 0;

export function beginSelfTest(): void {
  passed = 0;
  failed = 0;
}

export function check(name: string, ok: bool): void {
  if (ok) {
    passed++;
    return;
  }
  failed++;
  print("selftest check failed: ");
  printLine(name);
}

/** Prints the summary; returns true if every check passed. */
export function endSelfTest(name: string): bool {
  print("selftest ");
  print(name);
  print(": ");
  printUnsigned(passed);
  print(" passed, ");
  printUnsigned(failed);
  printLine(" failed");
  return failed == 0;
}
