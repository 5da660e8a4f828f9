// How much guest RAM a kernel ELF needs: the end of its highest loadable
// segment, counted from the start of the machine's RAM. Booting with less
// makes the loader or firmware fail before the kernel can say anything, so
// `wisp run` refuses it up front.

import { readFileSync } from "node:fs";
import type { Arch } from "../build/targets";

/** Where RAM starts on each machine Wisp boots on. */
export const RAM_BASE: Record<Arch, number> = { x86_64: 0, aarch64: 0x40000000 };

const PT_LOAD = 1;

export function loadEnd(elfPath: string): number {
  const elf = readFileSync(elfPath);
  if (elf.length < 64 || elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2) {
    throw new Error(`${elfPath} is not a 64-bit ELF file`);
  }
  const phoff = Number(elf.readBigUInt64LE(32));
  const phentsize = elf.readUInt16LE(54);
  const phnum = elf.readUInt16LE(56);
  let end = 0;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 56 > elf.length) throw new Error(`${elfPath} has a truncated program header table`);
    if (elf.readUInt32LE(at) !== PT_LOAD) continue;
    const paddr = Number(elf.readBigUInt64LE(at + 24));
    const memsz = Number(elf.readBigUInt64LE(at + 40));
    end = Math.max(end, paddr + memsz);
  }
  return end;
}

/** The smallest RAM size (KiB) in which the image fits, with `headroomKib` to spare. */
export function minimumMemoryKib(elfPath: string, arch: Arch, headroomKib: number): number {
  return Math.ceil((loadEnd(elfPath) - RAM_BASE[arch]) / 1024) + headroomKib;
}
