// A flat binary from an ELF: every loadable segment's file bytes at its
// physical address, relative to the lowest one. For aarch64 this is the
// arm64 Image form of the kernel (the header at its start is in boot.S),
// which QEMU loads with an initrd; the ELF itself gets none.

import { readFileSync, writeFileSync } from "node:fs";

const PT_LOAD = 1;

export function writeFlatImage(elfPath: string, outPath: string): void {
  const elf = readFileSync(elfPath);
  if (elf.readUInt32BE(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error(`${elfPath} is not a little-endian ELF64 file`);
  const phoff = Number(elf.readBigUInt64LE(0x20));
  const phentsize = elf.readUInt16LE(0x36);
  const phnum = elf.readUInt16LE(0x38);
  const segments: { address: number; offset: number; size: number }[] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (elf.readUInt32LE(at) !== PT_LOAD) continue;
    const size = Number(elf.readBigUInt64LE(at + 0x20));
    if (size === 0) continue;
    segments.push({ offset: Number(elf.readBigUInt64LE(at + 0x08)), address: Number(elf.readBigUInt64LE(at + 0x18)), size });
  }
  if (segments.length === 0) throw new Error(`${elfPath} has no loadable bytes`);
  const base = Math.min(...segments.map((segment) => segment.address));
  const end = Math.max(...segments.map((segment) => segment.address + segment.size));
  const image = Buffer.alloc(end - base);
  for (const segment of segments) elf.copy(image, segment.address - base, segment.offset, segment.offset + segment.size);
  writeFileSync(outPath, image);
}
