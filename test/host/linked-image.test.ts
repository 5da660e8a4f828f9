// Guards scripts/run/linked-image.ts: an app image added to a kernel ELF as
// one more PT_LOAD, at the address the kernel looks for it
// (kernel/boot/linked-image.ts: the image end rounded up to a page, plus
// LINKED_IMAGE_GAP), leaving the kernel's own headers and bytes unchanged.

import { describe, expect, it } from "vitest";
import { linkImageIntoElf, LINKED_IMAGE_GAP } from "../../scripts/run/linked-image";

const PHDR = 56;

/** A minimal ELF64 with `loads` PT_LOAD headers at 0x40 and data from 0x1000. */
function fakeKernel(loads: Array<{ vaddr: bigint; filesz: number; memsz: number }>): Uint8Array {
  const bytes = new Uint8Array(0x1000 + loads.reduce((sum, load) => sum + load.filesz, 0));
  const view = new DataView(bytes.buffer);
  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  view.setBigUint64(0x20, 0x40n, true);
  view.setUint16(0x36, PHDR, true);
  view.setUint16(0x38, loads.length, true);
  let offset = 0x1000;
  loads.forEach((load, index) => {
    const at = 0x40 + index * PHDR;
    view.setUint32(at, 1, true);
    view.setBigUint64(at + 8, BigInt(offset), true);
    view.setBigUint64(at + 16, load.vaddr, true);
    view.setBigUint64(at + 24, load.vaddr, true);
    view.setBigUint64(at + 32, BigInt(load.filesz), true);
    view.setBigUint64(at + 40, BigInt(load.memsz), true);
    bytes.fill(index + 1, offset, offset + load.filesz);
    offset += load.filesz;
  });
  return bytes;
}

describe("linkImageIntoElf", () => {
  it("adds the image as a read-only PT_LOAD a gap past the kernel's last byte, bss included", () => {
    const kernel = fakeKernel([
      { vaddr: 0x4011_3000n, filesz: 0x100, memsz: 0x100 },
      { vaddr: 0x4015_2000n, filesz: 0x78, memsz: 0x2_6600 },
    ]);
    const image = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const linked = linkImageIntoElf(kernel, image);
    const view = new DataView(linked.buffer);
    expect(view.getUint16(0x38, true)).toBe(3);
    expect(linked.subarray(0, 0x38)).toEqual(kernel.subarray(0, 0x38));
    expect(linked.subarray(0x40, 0x40 + 2 * PHDR)).toEqual(kernel.subarray(0x40, 0x40 + 2 * PHDR));
    expect(linked.subarray(0x1000, kernel.length)).toEqual(kernel.subarray(0x1000));
    const at = 0x40 + 2 * PHDR;
    const offset = Number(view.getBigUint64(at + 8, true));
    const base = 0x4017_9000n + BigInt(LINKED_IMAGE_GAP); // 0x40152000 + 0x26600, rounded up to a page
    expect([view.getUint32(at, true), view.getUint32(at + 4, true)]).toEqual([1, 4]);
    expect(view.getBigUint64(at + 16, true)).toBe(base);
    expect(view.getBigUint64(at + 24, true)).toBe(base);
    expect(view.getBigUint64(at + 32, true)).toBe(5000n);
    expect(view.getBigUint64(at + 40, true)).toBe(5000n);
    expect(offset % 4096).toBe(0);
    expect(linked.subarray(offset)).toEqual(image);
  });

  it("refuses what is not an ELF64 and a header table with no room left", () => {
    expect(() => linkImageIntoElf(new Uint8Array(64), new Uint8Array(8))).toThrow(/not a little-endian ELF64/);
    const crowded = fakeKernel(Array.from({ length: 72 }, (_, i) => ({ vaddr: 0x4000_0000n + BigInt(i) * 0x1000n, filesz: 8, memsz: 8 })));
    expect(() => linkImageIntoElf(crowded, new Uint8Array(8))).toThrow(/no room/);
  });
});
