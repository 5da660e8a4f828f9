// x86_64 CPU exceptions in words: the vector's name, and for a page fault
// what the error code says about the access.

import { print, printHex, printUnsigned } from "../console";
import { ExceptionDecoder } from "./index";

const X86_VECTOR_NAMES: StaticArray<string> = [
  "divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
  "bound range exceeded", "invalid opcode", "device not available", "double fault",
  "coprocessor segment overrun", "invalid TSS", "segment not present", "stack fault",
  "general protection fault", "page fault", "reserved", "x87 floating-point error",
  "alignment check", "machine check", "SIMD floating-point error", "virtualization exception",
  "control protection exception",
];

const PAGE_FAULT: u32 = 14;
/** Page-fault error code bits: the page was present, the access a write, a reserved bit set, an instruction fetch. */
const PF_PRESENT: u64 = 1;
const PF_RESERVED: u64 = 8;
const PF_FETCH: u64 = 16;

export class X86ExceptionDecoder extends ExceptionDecoder {
  name(kind: u32, code: u64): string {
    return kind < <u32>X86_VECTOR_NAMES.length ? X86_VECTOR_NAMES[kind] : "reserved vector";
  }

  missingPage(kind: u32, code: u64): bool {
    return kind == PAGE_FAULT && (code & (PF_PRESENT | PF_RESERVED | PF_FETCH)) == 0;
  }

  describe(kind: u32, code: u64, ip: u64, address: u64): void {
    print(this.name(kind, code));
    print(" (vector ");
    printUnsigned(kind);
    print(") at ip ");
    printHex(ip);
    print(", error code ");
    printHex(code);
    if (kind != PAGE_FAULT) return;
    print(", address ");
    printHex(address);
    // Error code: bit 0 present, 1 write, 3 reserved bit set, 4 instruction fetch.
    print(code & 16 ? " (instruction fetch" : code & 2 ? " (write" : " (read");
    print(code & 1 ? ", protection violation" : ", page not present");
    print(code & 8 ? ", reserved bit set)" : ")");
  }
}
