// Where the kernel reads its boot counter: the addresses of every rdtsc
// (x86_64) and every read of CNTVCT_EL0 or CNTPCT_EL0 (aarch64) in
// kernel.elf's code, from llvm-objdump's disassembly (the stripped ELF is
// enough: only addresses are needed). Boot stamps are some of these reads.

import { execFileSync } from "node:child_process";

const COUNTER_READ = /^\s*([0-9a-f]+):\s+(?:rdtscp?\b|mrs\s+\w+,\s*cnt[vp]ct_el0\b)/i;

/** The addresses of the counter-reading instructions in an llvm-objdump -d listing. */
export function counterReadsIn(disassembly: string): Set<number> {
  const found = new Set<number>();
  for (const line of disassembly.split("\n")) {
    const match = COUNTER_READ.exec(line);
    if (match !== null) found.add(parseInt(match[1], 16));
  }
  return found;
}

/** The addresses of the counter-reading instructions in the ELF file `elf`. */
export function counterReads(elf: string): Set<number> {
  const listing = execFileSync("llvm-objdump", ["-d", "--no-show-raw-insn", elf], { encoding: "utf8", maxBuffer: 1 << 30 });
  const found = counterReadsIn(listing);
  if (found.size === 0) throw new Error(`${elf}: no counter reads found in its code`);
  return found;
}
