// What QEMU's exit code says about the guest.
//
// The kernel reports status s (0..126) as QEMU exit code 2s + 3: on x86_64 it
// writes s + 1 to the isa-debug-exit port (QEMU exits with (value << 1) | 1);
// on aarch64 it asks semihosting to exit with 2s + 3 directly. So:
//   odd code >= 3  the kernel powered off with status (code - 3) / 2
//   0              the guest stopped without a status (reset, triple fault,
//                  or PSCI power-off without semihosting)
//   anything else  QEMU itself failed (bad option, missing file, ...)

export type GuestOutcome =
  | { kind: "status"; status: number }
  | { kind: "no-status" }
  | { kind: "qemu-failed"; code: number };

export function decodeExitCode(code: number): GuestOutcome {
  if (code >= 3 && code % 2 === 1) return { kind: "status", status: (code - 3) / 2 };
  if (code === 0) return { kind: "no-status" };
  return { kind: "qemu-failed", code };
}

/** wisp's own exit codes for outcomes that are not a kernel status. */
export const EXIT_TIMEOUT = 124;
export const EXIT_QEMU_FAILED = 125;
export const EXIT_NO_STATUS = 125;
