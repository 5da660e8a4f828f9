// Booting a root image without -initrd: on aarch64, QEMU 7.2 takes an initrd
// only with the arm64 Image form of the kernel, and then puts the device tree
// on the next 2 MiB boundary after it, which needs more than 2 MiB of RAM.
// For app images, `wisp run` instead adds the ROFS image to a copy of
// kernel.elf as one more read-only PT_LOAD segment, LINKED_IMAGE_GAP past the
// kernel image's end, where the kernel looks for it
// (fs/rofs/linked-image.ts). QEMU loads ELF kernels with the device tree at
// the start of RAM.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build/files";
import type { Arch } from "../build/targets";

/** fs/rofs/linked-image.ts's LINKED_IMAGE_GAP. */
export const LINKED_IMAGE_GAP = 256 * 1024;
const PAGE = 4096;
const PT_LOAD = 1;
const PF_R = 4;
const PHDR_BYTES = 56;

/** kernel.elf's bytes with `image` added as a loadable segment after the kernel image. */
export function linkImageIntoElf(elf: Uint8Array, image: Uint8Array): Uint8Array {
  const view = new DataView(elf.buffer, elf.byteOffset, elf.byteLength);
  if (view.getUint32(0) !== 0x7f454c46 || elf[4] !== 2 || elf[5] !== 1) throw new Error("the kernel is not a little-endian ELF64 file");
  const phoff = Number(view.getBigUint64(0x20, true));
  const phentsize = view.getUint16(0x36, true);
  const phnum = view.getUint16(0x38, true);
  if (phentsize !== PHDR_BYTES) throw new Error(`unexpected program header size ${phentsize}`);
  let imageEnd = 0n;
  let firstData = BigInt(elf.length);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * PHDR_BYTES;
    if (view.getUint32(at, true) !== PT_LOAD) continue;
    const offset = view.getBigUint64(at + 8, true);
    const end = view.getBigUint64(at + 16, true) + view.getBigUint64(at + 40, true);
    if (end > imageEnd) imageEnd = end;
    if (offset > 0n && offset < firstData) firstData = offset;
  }
  if (BigInt(phoff + (phnum + 1) * PHDR_BYTES) > firstData) throw new Error("no room for another program header in the kernel ELF");
  const base = ((imageEnd + BigInt(PAGE - 1)) & ~BigInt(PAGE - 1)) + BigInt(LINKED_IMAGE_GAP);
  const offset = Math.ceil(elf.length / PAGE) * PAGE;
  const out = new Uint8Array(offset + image.length);
  out.set(elf);
  out.set(image, offset);
  const outView = new DataView(out.buffer);
  const at = phoff + phnum * PHDR_BYTES;
  outView.setUint32(at, PT_LOAD, true);
  outView.setUint32(at + 4, PF_R, true);
  outView.setBigUint64(at + 8, BigInt(offset), true);
  outView.setBigUint64(at + 16, base, true);
  outView.setBigUint64(at + 24, base, true);
  outView.setBigUint64(at + 32, BigInt(image.length), true);
  outView.setBigUint64(at + 40, BigInt(image.length), true);
  outView.setBigUint64(at + 48, BigInt(PAGE), true);
  outView.setUint16(0x38, phnum + 1, true);
  return out;
}

/**
 * What QEMU boots for a root image: on x86_64 the kernel with the image as
 * its initrd (PVH module); on aarch64 a copy of kernel.elf with the image
 * linked in (build/run/<hash>.elf) and no initrd.
 */
export function kernelWithRoot(arch: Arch, elfPath: string, imagePath: string): { kernel: string; initrd?: string } {
  if (arch === "x86_64") return { kernel: elfPath, initrd: imagePath };
  const linked = linkImageIntoElf(new Uint8Array(readFileSync(elfPath)), new Uint8Array(readFileSync(imagePath)));
  const dir = join(ROOT, "build", "run");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `kernel-${createHash("sha256").update(linked).digest("hex").slice(0, 16)}.elf`);
  if (!existsSync(path)) writeFileSync(path, linked);
  return { kernel: path };
}
