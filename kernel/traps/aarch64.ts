// aarch64 CPU exceptions in words: the exception class from the syndrome
// (ESR_EL1), and for an instruction or data abort what the fault status says.

import { print, printHex, printUnsigned } from "../console";
import { ExceptionDecoder } from "./index";

/** aarch64 ESR_EL1 exception classes worth naming; others print as their number. */
function aarch64ClassName(ec: u32): string {
  if (ec == 0x00) return "unknown instruction";
  if (ec == 0x07) return "FP/SIMD access trapped";
  if (ec == 0x0e) return "illegal execution state";
  if (ec == 0x15) return "supervisor call";
  if (ec == 0x20 || ec == 0x21) return "instruction abort";
  if (ec == 0x22) return "misaligned program counter";
  if (ec == 0x24 || ec == 0x25) return "data abort";
  if (ec == 0x26) return "misaligned stack pointer";
  if (ec == 0x2f) return "SError";
  if (ec == 0x3c) return "breakpoint instruction";
  return "exception";
}

/**
 * For an aarch64 instruction or data abort: the access and the fault status
 * code (ISS bits 5:0) as words, e.g. " (write, permission fault, level 3)".
 * WnR (ISS bit 6) says write or read for a data abort; a cache maintenance
 * operation (CM, bit 8) reports as a write.
 */
function printAbortCause(ec: u32, iss: u32): void {
  const status = iss & 0x3f;
  const level = status & 3;
  if (ec <= 0x21) print(" (instruction fetch");
  else print(iss & (1 << 6) ? " (write" : " (read");
  const group = status >> 2;
  if (group == 0) print(", address size fault, level ");
  else if (group == 1) print(", translation fault, level ");
  else if (group == 2) print(", access flag fault, level ");
  else if (group == 3) print(", permission fault, level ");
  if (group <= 3) {
    printUnsigned(level);
  } else if (status == 0x10) {
    print(", synchronous external abort");
  } else if (status == 0x21) {
    print(", alignment fault");
  } else if (status == 0x30) {
    print(", TLB conflict abort");
  } else {
    print(", fault status ");
    printHex(status);
  }
  if (iss & (1 << 10)) print(", address not valid");
  print(")");
}

/** A data abort taken at EL1 (where the kernel and apps run). */
const EC_DATA_ABORT_SAME_EL: u32 = 0x25;
/** ISS bits of a data abort: FAR not valid; the fault status code's group (bits 5:2), 1 for a translation fault. */
const ISS_FAR_NOT_VALID: u32 = 1 << 10;
const DFSC_TRANSLATION_GROUP: u32 = 1;

export class ArmExceptionDecoder extends ExceptionDecoder {
  name(kind: u32, code: u64): string {
    return aarch64ClassName(<u32>(code >> 26) & 0x3f);
  }

  missingPage(kind: u32, code: u64): bool {
    const iss = <u32>code & 0x1ff_ffff;
    return (<u32>(code >> 26) & 0x3f) == EC_DATA_ABORT_SAME_EL && (iss & ISS_FAR_NOT_VALID) == 0
      && ((iss & 0x3f) >> 2) == DFSC_TRANSLATION_GROUP;
  }

  describe(kind: u32, code: u64, ip: u64, address: u64): void {
    const ec = <u32>(code >> 26) & 0x3f;
    print(aarch64ClassName(ec));
    print(" (class ");
    printHex(ec);
    print(", vector slot ");
    printUnsigned(kind);
    print(") at ip ");
    printHex(ip);
    print(", syndrome ");
    printHex(code);
    print(", address ");
    printHex(address);
    if (ec >= 0x20 && ec <= 0x25 && ec != 0x22 && ec != 0x23) printAbortCause(ec, <u32>code);
  }
}
