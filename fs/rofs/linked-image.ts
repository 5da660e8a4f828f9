// A root image linked after the kernel, for boots that cannot use an initrd.
//
// QEMU 7.2 boots an aarch64 kernel with -initrd only in its arm64 Image
// form, and then puts the device tree on the next 2 MiB boundary after the
// initrd: such a boot needs more than 2 MiB of RAM. `wisp run` instead adds
// the ROFS image to the kernel's ELF as one more loadable segment, at
// LINKED_IMAGE_GAP past the end of the kernel image (the gap keeps the boot
// arena, which grows from the image's end, clear of it), and QEMU puts the
// device tree at the start of RAM as it does for any ELF kernel.
//
// The kernel finds it by looking there for a ROFS superblock whose checksum
// holds, and then treats it exactly as an initrd: claimed from the page
// allocator, mounted in place as the root.

import { BootInfo, MEMORY_USABLE } from "../../kernel/boot/bootinfo";
import { ROFS_MAGIC, SUPERBLOCK_SIZE, SB_MAGIC, SB_CHECKSUM, SB_IMAGE_SIZE } from "./layout";
import { superblockChecksum } from "./mount";

/** Where a linked image starts: this far past the kernel image's end (scripts/run/linked-image.ts uses the same). */
export const LINKED_IMAGE_GAP: u64 = 256 << 10;

/** If a valid ROFS image lies at imageEnd + LINKED_IMAGE_GAP inside usable RAM, records it as the initrd. */
export function findLinkedImage(info: BootInfo, imageEnd: u64): void {
  const at = ((imageEnd + 0xfff) & ~(<u64>0xfff)) + LINKED_IMAGE_GAP;
  if (!inUsableRam(info, at, SUPERBLOCK_SIZE) || at + SUPERBLOCK_SIZE > 0xffff_f000) return;
  const superblock = <usize>at;
  if (load<u32>(superblock + SB_MAGIC) != ROFS_MAGIC) return;
  const size = load<u64>(superblock + SB_IMAGE_SIZE);
  if (size < <u64>SUPERBLOCK_SIZE || !inUsableRam(info, at, size)) return;
  if (superblockChecksum(superblock) != load<u32>(superblock + SB_CHECKSUM)) return;
  info.initrdBase = at;
  info.initrdSize = size;
}

function inUsableRam(info: BootInfo, base: u64, size: u64): bool {
  for (let i = 0; i < info.memory.length; i++) {
    const range = info.memory[i];
    if (range.kind == MEMORY_USABLE && base >= range.base && base < range.end && size <= range.end - base) return true;
  }
  return false;
}
