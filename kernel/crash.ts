// Deliberate failures, for testing that every way kernel code can stop is
// reported: `crash=KIND` on the command line runs one of these after boot.

import { parseUnsigned } from "./cmdline";

export const CRASH_KINDS: StaticArray<string> = ["unreachable", "divide-by-zero", "out-of-memory"];

export function isCrashKind(kind: string): bool {
  return CRASH_KINDS.includes(kind);
}

/** Runs the crash named `kind` (one of CRASH_KINDS); returns only if `kind` is not one. */
export function crash(kind: string): void {
  if (kind == "unreachable") unreachable();
  if (kind == "divide-by-zero") {
    // The divisor comes from a parse so that the compiler cannot see it is zero.
    const zero = <i32>parseUnsigned("0", 1);
    if (1 / zero == 0) return;
  }
  if (kind == "out-of-memory") {
    while (true) new ArrayBuffer(1 << 20);
  }
}
