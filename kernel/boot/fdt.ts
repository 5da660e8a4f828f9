// Flattened device tree (aarch64): what QEMU's virt machine hands over.
//
// Header (all fields big-endian u32):
//   0 magic 0xd00dfeed  4 totalsize  8 off_dt_struct  12 off_dt_strings
//  16 off_mem_rsvmap   20 version   24 last_comp_version  28 boot_cpuid_phys
//  32 size_dt_strings  36 size_dt_struct
//
// The structure block is a token stream: BEGIN_NODE name, PROP len nameoff
// value, END_NODE, NOP, END, each padded to 4 bytes. We walk it once and keep
// what the kernel needs: /chosen (bootargs, initrd), every memory node's
// `reg`, and the `reg` of the first PL011 UART whose status allows use. Every
// offset is checked against totalsize, so a corrupt blob yields an error, not
// a wild read.

import { BootInfo, MemoryRange, MEMORY_USABLE, CONSOLE_PL011 } from "./bootinfo";

export const FDT_MAGIC: u32 = 0xd00dfeed;
const FDT_BEGIN_NODE: u32 = 1;
const FDT_END_NODE: u32 = 2;
const FDT_PROP: u32 = 3;
const FDT_NOP: u32 = 4;
const FDT_END: u32 = 9;
const MAX_DEPTH: i32 = 16;
const MAX_TOTAL_SIZE: u32 = 16 << 20;
/** Where QEMU virt puts its UART, used when the tree names none. */
const QEMU_VIRT_PL011: u64 = 0x09000000;

// @ts-ignore: decorator
@inline function be32(address: usize): u32 {
  return bswap<u32>(load<u32>(address));
}

/** Reads a big-endian number made of `cells` 32-bit cells (1 or 2). */
function readCells(address: usize, cells: u32): u64 {
  if (cells == 1) return <u64>be32(address);
  return (<u64>be32(address) << 32) | <u64>be32(address + 4);
}

function nameIs(address: usize, limit: usize, expected: string): bool {
  const length = <usize>expected.length;
  if (length + 1 > limit) return false;
  for (let i: usize = 0; i < length; i++) {
    if (<u32>load<u8>(address + i) != <u32>expected.charCodeAt(<i32>i)) return false;
  }
  return load<u8>(address + length) == 0;
}

/** True if `name` (NUL-terminated, within limit) equals `base` or starts with `base@`. */
function nodeNameIs(address: usize, limit: usize, base: string): bool {
  const length = <usize>base.length;
  if (length + 1 > limit) return false;
  for (let i: usize = 0; i < length; i++) {
    if (<u32>load<u8>(address + i) != <u32>base.charCodeAt(<i32>i)) return false;
  }
  const next = load<u8>(address + length);
  return next == 0 || next == 0x40; // '@'
}

/** True if a `compatible` string list contains `wanted`. */
function listContains(address: usize, length: usize, wanted: string): bool {
  let at: usize = 0;
  while (at < length) {
    if (nameIs(address + at, length - at, wanted)) return true;
    while (at < length && load<u8>(address + at) != 0) at++;
    at++;
  }
  return false;
}

/** Reads a 32- or 64-bit cell value, or returns -1 if `length` is neither 4 nor 8. */
function readSizedCells(address: usize, length: usize): i64 {
  if (length == 4) return <i64>be32(address);
  if (length == 8) return <i64>readCells(address, 2);
  return -1;
}

export function parseFdt(blob: usize): BootInfo {
  const info = new BootInfo();
  info.consoleKind = CONSOLE_PL011;
  // Until the tree names a usable UART (or if it is unreadable), talk where QEMU virt has one.
  info.consoleBase = QEMU_VIRT_PL011;
  if (blob == 0) {
    info.error = "no device tree (boot loader passed a null pointer)";
    return info;
  }
  if (be32(blob) != FDT_MAGIC) {
    info.error = "device tree has a bad magic number";
    return info;
  }
  const total = be32(blob + 4);
  const structOffset = be32(blob + 8);
  const stringsOffset = be32(blob + 12);
  const stringsSize = be32(blob + 32);
  const structSize = be32(blob + 36);
  if (total < 40 || total > MAX_TOTAL_SIZE || <usize>total > ~blob
      || <u64>structOffset + <u64>structSize > <u64>total
      || <u64>stringsOffset + <u64>stringsSize > <u64>total) {
    info.error = "device tree header is inconsistent";
    return info;
  }
  const structStart = blob + <usize>structOffset;
  const structEnd = structStart + <usize>structSize;
  const strings = blob + <usize>stringsOffset;

  // What the walk has learnt so far; node flags describe the current node.
  let depth: i32 = -1;
  let rootAddressCells: u32 = 2;
  let rootSizeCells: u32 = 1;
  let inChosen = false;
  let inMemory = false;
  let isUart = false;
  let isDisabled = false;
  let hasReg = false;
  let nodeReg: u64 = 0;
  let foundUart = false;
  let initrdStart: i64 = -1;
  let initrdEnd: i64 = -1;
  let at = structStart;

  // Bounds are checked as "bytes left < bytes needed", never as sums that
  // could wrap; `at` may overshoot structEnd by up to 3 after 4-byte rounding.
  while (true) {
    if (at > structEnd || structEnd - at < 4) {
      info.error = "device tree structure ends without an END token";
      return info;
    }
    const token = be32(at);
    at += 4;
    if (token == FDT_BEGIN_NODE) {
      const name = at;
      while (at < structEnd && load<u8>(at) != 0) at++;
      if (at >= structEnd) {
        info.error = "device tree node name runs past the structure";
        return info;
      }
      at = (at + 4) & ~3;
      depth++;
      if (depth >= MAX_DEPTH) {
        info.error = "device tree nests too deeply";
        return info;
      }
      inChosen = depth == 1 && nodeNameIs(name, structEnd - name, "chosen");
      inMemory = depth == 1 && nodeNameIs(name, structEnd - name, "memory");
      isUart = isDisabled = hasReg = false;
    } else if (token == FDT_END_NODE) {
      if (depth < 0) {
        info.error = "device tree closes more nodes than it opens";
        return info;
      }
      if (depth == 1 && isUart && hasReg && !isDisabled && !foundUart) {
        info.consoleBase = nodeReg;
        foundUart = true;
      }
      depth--;
      inChosen = inMemory = isUart = isDisabled = hasReg = false;
    } else if (token == FDT_PROP) {
      if (structEnd - at < 8) {
        info.error = "device tree property header runs past the structure";
        return info;
      }
      const length = <usize>be32(at);
      const nameOffset = be32(at + 4);
      const value = at + 8;
      if (length > structEnd - value || nameOffset >= stringsSize) {
        info.error = "device tree property runs past its block";
        return info;
      }
      const name = strings + <usize>nameOffset;
      const nameLimit = <usize>(stringsSize - nameOffset);
      if (depth == 0 && length == 4 && nameIs(name, nameLimit, "#address-cells")) rootAddressCells = be32(value);
      if (depth == 0 && length == 4 && nameIs(name, nameLimit, "#size-cells")) rootSizeCells = be32(value);
      if (inChosen && nameIs(name, nameLimit, "bootargs") && length > 0) {
        info.commandLine = String.UTF8.decodeUnsafe(value, length - 1);
      }
      if (inChosen && nameIs(name, nameLimit, "linux,initrd-start")) initrdStart = readSizedCells(value, length);
      if (inChosen && nameIs(name, nameLimit, "linux,initrd-end")) initrdEnd = readSizedCells(value, length);
      if (depth == 1 && nameIs(name, nameLimit, "compatible") && listContains(value, length, "arm,pl011")) isUart = true;
      // A device whose status is not "okay" (e.g. the secure-world UART) must not be touched.
      if (depth == 1 && nameIs(name, nameLimit, "status") && !nameIs(value, length, "okay") && !nameIs(value, length, "ok")) isDisabled = true;
      if (depth == 1 && nameIs(name, nameLimit, "reg")) {
        if (rootAddressCells < 1 || rootAddressCells > 2 || rootSizeCells < 1 || rootSizeCells > 2) {
          info.error = "device tree uses unsupported #address-cells/#size-cells";
          return info;
        }
        const stride = <usize>(rootAddressCells + rootSizeCells) << 2;
        if (inMemory) {
          for (let entry: usize = 0; length - entry >= stride; entry += stride) {
            const base = readCells(value + entry, rootAddressCells);
            const size = readCells(value + entry + (<usize>rootAddressCells << 2), rootSizeCells);
            if (size != 0) info.memory.push(new MemoryRange(base, size, MEMORY_USABLE));
          }
        } else if (length >= stride) {
          nodeReg = readCells(value, rootAddressCells);
          hasReg = true;
        }
      }
      at = (value + length + 3) & ~3;
    } else if (token == FDT_NOP) {
      continue;
    } else if (token == FDT_END) {
      break;
    } else {
      info.error = "device tree has an unknown structure token";
      return info;
    }
  }
  if (initrdStart >= 0 && initrdEnd > initrdStart) {
    info.initrdBase = <u64>initrdStart;
    info.initrdSize = <u64>(initrdEnd - initrdStart);
  }
  if (info.memory.length == 0) info.error = "device tree has no memory node";
  return info;
}
