// Flattened device tree (aarch64): what QEMU's virt machine hands over.
//
// The header and the records are laid out in fdt-layout.ts. The structure
// block is a token stream: BEGIN_NODE name, PROP len nameoff value,
// END_NODE, NOP, END, each padded to 4 bytes. We walk it once and keep what
// the kernel needs: /chosen (bootargs, initrd), every memory node's `reg`,
// and from the top-level devices whose status allows use the first PL011
// UART, GIC (v2, or v3 to refuse it by name), PL031 RTC and the architected
// timer's interrupt, and every virtio-mmio transport (register window and
// SPI). Every offset is checked against totalsize, so a corrupt blob yields
// an error, not a wild read.
//
// Property names are not compared as text per property: the first property
// that names a strings-block offset gives it a kind (the property names the
// walk acts on, or "other"), kept in a byte per offset; every later one is
// one load. A nameoff that points into the middle of a string (writers may
// share suffixes) is the suffix's own kind.

import { EINVAL } from "../errno";
import { startsAs, bytesAre, sameBytes } from "./cstring";
import { fail } from "../failure";
import {
  BootInfo, MemoryRange, MEMORY_USABLE, CONSOLE_PL011,
  INTERRUPT_CONTROLLER_GIC_V2, INTERRUPT_CONTROLLER_GIC_V3,
} from "./bootinfo";
import {
  FdtHeader, FdtProperty, GicSpecifier, FDT_HEADER_BYTES, FDT_PROPERTY_BYTES, GIC_SPECIFIER_BYTES,
  FDT_MAGIC, FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END,
} from "./fdt-layout";

const MAX_DEPTH: i32 = 16;
const MAX_TOTAL_SIZE: u32 = 16 << 20;
/** Where QEMU virt puts its UART, used when the tree names none. */
const QEMU_VIRT_PL011: u64 = 0x09000000;

// Property kinds the walk acts on.
const PROPERTY_OTHER: u32 = 0;
const PROPERTY_ADDRESS_CELLS: u32 = 1;
const PROPERTY_SIZE_CELLS: u32 = 2;
const PROPERTY_BOOTARGS: u32 = 3;
const PROPERTY_INITRD_START: u32 = 4;
const PROPERTY_INITRD_END: u32 = 5;
const PROPERTY_COMPATIBLE: u32 = 6;
const PROPERTY_STATUS: u32 = 7;
const PROPERTY_REG: u32 = 8;
const PROPERTY_INTERRUPTS: u32 = 9;
/** A strings-block offset no property has named yet. */
const PROPERTY_UNKNOWN: u8 = 0xff;
/** Strings blocks larger than this are not indexed: every name is compared as text. */
const MAX_INDEXED_STRINGS: u32 = 8192;

// Device kinds a top-level node's `compatible` can name: "arm,pl011", "arm,cortex-a15-gic",
// "arm,gic-400", "arm,gic-v3", "arm,pl031", "arm,armv8-timer", "arm,armv7-timer", "virtio,mmio".
const DEVICE_NONE: u32 = 0;
const DEVICE_PL011: u32 = 1;
const DEVICE_GIC_V2: u32 = 2;
const DEVICE_GIC_400: u32 = 3;
const DEVICE_GIC_V3: u32 = 4;
const DEVICE_PL031: u32 = 5;
const DEVICE_TIMER_V8: u32 = 6;
const DEVICE_TIMER_V7: u32 = 7;
const DEVICE_VIRTIO_MMIO: u32 = 8;
/** "arm," as a little-endian word. */
const ARM_PREFIX: u32 = 0x2c6d7261;

/** GIC interrupt specifier types (first of three cells). */
const GIC_SPI: u32 = 0;
const GIC_PPI: u32 = 1;
const GIC_SPI_BASE: u32 = 32;
const GIC_PPI_BASE: u32 = 16;
/** Which group of the timer's `interrupts` is the EL1 virtual timer (secure, non-secure, virtual, hyp). */
const TIMER_VIRTUAL_GROUP: usize = 2;

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
  return length + 1 <= limit && startsAs(address, length, expected) && load<u8>(address + length) == 0;
}

/** True if `name` (NUL-terminated, within limit) equals `base` or starts with `base@`. */
function nodeNameIs(address: usize, limit: usize, base: string): bool {
  const length = <usize>base.length;
  if (length + 1 > limit || !startsAs(address, length, base)) return false;
  const next = load<u8>(address + length);
  return next == 0 || next == 0x40; // '@'
}

/** The kind of the `length`-byte name at `address` (PROPERTY_*): the length picks the candidates. */
function propertyKindOf(address: usize, length: usize): u32 {
  if (length == 3) return bytesAre(address, length, "reg") ? PROPERTY_REG : PROPERTY_OTHER;
  if (length == 6) return bytesAre(address, length, "status") ? PROPERTY_STATUS : PROPERTY_OTHER;
  if (length == 8) return bytesAre(address, length, "bootargs") ? PROPERTY_BOOTARGS : PROPERTY_OTHER;
  if (length == 10) {
    if (bytesAre(address, length, "compatible")) return PROPERTY_COMPATIBLE;
    return bytesAre(address, length, "interrupts") ? PROPERTY_INTERRUPTS : PROPERTY_OTHER;
  }
  if (length == 11) return bytesAre(address, length, "#size-cells") ? PROPERTY_SIZE_CELLS : PROPERTY_OTHER;
  if (length == 14) return bytesAre(address, length, "#address-cells") ? PROPERTY_ADDRESS_CELLS : PROPERTY_OTHER;
  if (length == 16) return bytesAre(address, length, "linux,initrd-end") ? PROPERTY_INITRD_END : PROPERTY_OTHER;
  if (length == 18) return bytesAre(address, length, "linux,initrd-start") ? PROPERTY_INITRD_START : PROPERTY_OTHER;
  return PROPERTY_OTHER;
}

/**
 * The kind of the property named at strings-block offset `nameOffset`
 * (below `size`), remembered in `index` (a byte per offset, 0 if none).
 */
function propertyKind(strings: usize, size: usize, index: usize, nameOffset: usize): u32 {
  if (index != 0) {
    const known = <u32>load<u8>(index + nameOffset);
    if (known != <u32>PROPERTY_UNKNOWN) return known;
  }
  const name = strings + nameOffset;
  const end = nulInWords(name, strings + size);
  const kind = end == strings + size ? PROPERTY_OTHER : propertyKindOf(name, end - name); // unterminated: other
  if (index != 0) store<u8>(index + nameOffset, <u8>kind);
  return kind;
}

/** The device kind a `compatible` entry of `length` bytes names, DEVICE_NONE if none. */
function deviceKindOf(entry: usize, length: usize): u32 {
  if (length == 11 && bytesAre(entry, length, "virtio,mmio")) return DEVICE_VIRTIO_MMIO;
  // Every other name looked for starts "arm," and is 9 to 18 bytes long: most entries fail here.
  if (length < 9 || length > 18 || load<u32>(entry) != ARM_PREFIX) return DEVICE_NONE;
  if (length == 9) {
    if (bytesAre(entry, length, "arm,pl011")) return DEVICE_PL011;
    return bytesAre(entry, length, "arm,pl031") ? DEVICE_PL031 : DEVICE_NONE;
  }
  if (length == 10) return bytesAre(entry, length, "arm,gic-v3") ? DEVICE_GIC_V3 : DEVICE_NONE;
  if (length == 11) return bytesAre(entry, length, "arm,gic-400") ? DEVICE_GIC_400 : DEVICE_NONE;
  if (length == 15) {
    if (bytesAre(entry, length, "arm,armv8-timer")) return DEVICE_TIMER_V8;
    return bytesAre(entry, length, "arm,armv7-timer") ? DEVICE_TIMER_V7 : DEVICE_NONE;
  }
  if (length == 18) return bytesAre(entry, length, "arm,cortex-a15-gic") ? DEVICE_GIC_V2 : DEVICE_NONE;
  return DEVICE_NONE;
}

/**
 * The device kind of the last `compatible` value classified: trees list
 * devices of one kind in a row (QEMU virt's 32 virtio-mmio transports), so
 * most values are the one before, and one compare of their bytes.
 */
let lastCompatible: usize = 0;
let lastCompatibleLength: usize = 0;
let lastCompatibleKind: u32 = DEVICE_NONE;

/** The first device kind a `compatible` string list names, DEVICE_NONE if none. */
function deviceKind(address: usize, length: usize): u32 {
  if (length == lastCompatibleLength && lastCompatible != 0 && sameBytes(address, lastCompatible, length)) return lastCompatibleKind;
  const kind = listedDeviceKind(address, length);
  lastCompatible = address;
  lastCompatibleLength = length;
  lastCompatibleKind = kind;
  return kind;
}

/** The first device kind in the `compatible` string list at `address`, DEVICE_NONE if none. */
function listedDeviceKind(address: usize, length: usize): u32 {
  let at: usize = 0;
  while (at < length) {
    const start = at;
    at = nulInWords(address + at, address + length) - address;
    if (at == length) return DEVICE_NONE; // unterminated last entry
    const kind = deviceKindOf(address + start, at - start);
    if (kind != DEVICE_NONE) return kind;
    at++;
  }
  return DEVICE_NONE;
}

/** The address of the first NUL in [at, end), or `end`; reads 8 bytes at a time (unaligned loads are fine). */
function nulInWords(at: usize, end: usize): usize {
  while (end - at >= 8) {
    const word = load<u64>(at);
    // The lowest byte flagged here is the first NUL (flags above it may be false).
    const zeros = (word - 0x0101_0101_0101_0101) & ~word & 0x8080_8080_8080_8080;
    if (zeros != 0) return at + <usize>(ctz<u64>(zeros) >> 3);
    at += 8;
  }
  while (at < end && load<u8>(at) != 0) at++;
  return at;
}

/** Reads a 32- or 64-bit cell value, or returns -1 if `length` is neither 4 nor 8. */
function readSizedCells(address: usize, length: usize): i64 {
  if (length == 4) return <i64>be32(address);
  if (length == 8) return <i64>readCells(address, 2);
  return -1;
}

/** GIC INTID of interrupt specifier `group` (three cells: type, number, flags), 0 if absent or not `type`. */
function gicInterrupt(value: usize, length: usize, group: usize, type: u32): u32 {
  if (length % GIC_SPECIFIER_BYTES != 0 || length < (group + 1) * GIC_SPECIFIER_BYTES) return 0;
  const specifier = changetype<GicSpecifier>(value + group * GIC_SPECIFIER_BYTES);
  if (specifier.type != type) return 0;
  const number = specifier.number;
  if (type == GIC_PPI) return number < 16 ? GIC_PPI_BASE + number : 0;
  return number < 988 ? GIC_SPI_BASE + number : 0;
}

/** What the walk has collected about the top-level node it is in. */
class DeviceNode {
  kind: u32 = DEVICE_NONE;
  disabled: bool = false;
  regCount: u32 = 0;
  firstReg: u64 = 0;
  firstRegSize: u64 = 0;
  secondReg: u64 = 0;
  interrupts: usize = 0;
  interruptsLength: usize = 0;
  foundUart: bool = false;

  reset(): void {
    this.kind = DEVICE_NONE;
    this.disabled = false;
    this.regCount = 0;
    this.interruptsLength = 0;
  }
}

/** Records a usable top-level device (the first of each kind wins), then forgets the node. */
function commitDevice(info: BootInfo, node: DeviceNode): void {
  const kind = node.kind;
  if (kind != DEVICE_NONE && !node.disabled) {
    if (kind == DEVICE_PL011) {
      if (node.regCount >= 1 && !node.foundUart) {
        info.consoleBase = node.firstReg;
        node.foundUart = true;
      }
    } else if (kind == DEVICE_GIC_V2 || kind == DEVICE_GIC_400 || kind == DEVICE_GIC_V3) {
      if (node.regCount >= 1 && info.interruptControllerKind == 0) {
        info.interruptControllerKind = kind == DEVICE_GIC_V3 ? INTERRUPT_CONTROLLER_GIC_V3 : INTERRUPT_CONTROLLER_GIC_V2;
        info.gicDistributorBase = node.firstReg;
        info.gicCpuInterfaceBase = node.regCount >= 2 ? node.secondReg : 0;
      }
    } else if (kind == DEVICE_VIRTIO_MMIO) {
      const spi = gicInterrupt(node.interrupts, node.interruptsLength, 0, GIC_SPI);
      if (node.regCount >= 1 && spi != 0) info.virtioMmio.push(node.firstReg, node.firstRegSize, spi);
    } else if (kind == DEVICE_PL031) {
      if (node.regCount >= 1 && info.rtcBase == 0) {
        info.rtcBase = node.firstReg;
        info.rtcInterrupt = gicInterrupt(node.interrupts, node.interruptsLength, 0, GIC_SPI);
      }
    } else if (info.timerInterrupt == 0) {
      info.timerInterrupt = gicInterrupt(node.interrupts, node.interruptsLength, TIMER_VIRTUAL_GROUP, GIC_PPI);
    }
  }
  node.reset();
}

/**
 * Reads the device tree at `blob` into `info`; 0, or -EINVAL with what is
 * wrong (kernel/failure.ts). `info` holds what was read before the problem:
 * at least where the console is.
 */
export function parseFdt(blob: usize, info: BootInfo): i32 {
  info.consoleKind = CONSOLE_PL011;
  // Until the tree names a usable UART (or if it is unreadable), talk where QEMU virt has one.
  info.consoleBase = QEMU_VIRT_PL011;
  if (blob == 0) {
    return fail(EINVAL, "no device tree (boot loader passed a null pointer)");
  }
  const header = changetype<FdtHeader>(blob);
  if (header.magic != FDT_MAGIC) {
    return fail(EINVAL, "device tree has a bad magic number");
  }
  const total = header.totalSize;
  const structOffset = header.structOffset;
  const stringsOffset = header.stringsOffset;
  const stringsSize = header.stringsSize;
  const structSize = header.structSize;
  if (total < <u32>FDT_HEADER_BYTES || total > MAX_TOTAL_SIZE || <usize>total > ~blob
      || <u64>structOffset + <u64>structSize > <u64>total
      || <u64>stringsOffset + <u64>stringsSize > <u64>total) {
    return fail(EINVAL, "device tree header is inconsistent");
  }
  const structStart = blob + <usize>structOffset;
  const structEnd = structStart + <usize>structSize;
  const strings = blob + <usize>stringsOffset;
  const stringsLength = <usize>stringsSize;
  const nameIndex = stringsSize > 0 && stringsSize <= MAX_INDEXED_STRINGS ? heap.alloc(stringsLength) : 0;
  if (nameIndex != 0) memory.fill(nameIndex, PROPERTY_UNKNOWN, stringsLength);
  const device = new DeviceNode();
  lastCompatible = 0; // a remembered value lies in an earlier blob
  const result = walkStructure(info, structStart, structEnd, strings, stringsLength, nameIndex, device);
  heap.free(changetype<usize>(device));
  if (nameIndex != 0) heap.free(nameIndex);
  if (result < 0) return result;
  if (info.memory.length == 0) return fail(EINVAL, "device tree has no memory node");
  return 0;
}

/** Walks the structure block into `info`; returns 0 or -errno with why the tree is unsound. */
function walkStructure(
  info: BootInfo, structStart: usize, structEnd: usize, strings: usize, stringsSize: usize, nameIndex: usize, device: DeviceNode,
): i32 {
  // What the walk has learnt so far; the flags and `device` describe the current node.
  let depth: i32 = -1;
  let rootAddressCells: u32 = 2;
  let rootSizeCells: u32 = 1;
  let inChosen = false;
  let inMemory = false;
  let initrdStart: i64 = -1;
  let initrdEnd: i64 = -1;
  let at = structStart;

  // Bounds are checked as "bytes left < bytes needed", never as sums that
  // could wrap; `at` may overshoot structEnd by up to 3 after 4-byte rounding.
  while (true) {
    if (at > structEnd || structEnd - at < 4) return fail(EINVAL, "device tree structure ends without an END token");
    const token = be32(at);
    at += 4;
    if (token == FDT_BEGIN_NODE) {
      const name = at;
      at = nulInWords(at, structEnd);
      if (at >= structEnd) return fail(EINVAL, "device tree node name runs past the structure");
      at = (at + 4) & ~3;
      // A top-level node's properties end where its first child begins.
      if (depth == 1) commitDevice(info, device);
      depth++;
      if (depth >= MAX_DEPTH) return fail(EINVAL, "device tree nests too deeply");
      inChosen = inMemory = false;
      if (depth == 1) {
        device.reset();
        const first = load<u8>(name);
        inChosen = first == 0x63 && nodeNameIs(name, structEnd - name, "chosen"); // 'c'
        inMemory = first == 0x6d && nodeNameIs(name, structEnd - name, "memory"); // 'm'
      }
    } else if (token == FDT_END_NODE) {
      if (depth < 0) return fail(EINVAL, "device tree closes more nodes than it opens");
      if (depth == 1) commitDevice(info, device);
      depth--;
      inChosen = inMemory = false;
    } else if (token == FDT_PROP) {
      if (structEnd - at < FDT_PROPERTY_BYTES) return fail(EINVAL, "device tree property header runs past the structure");
      const property = changetype<FdtProperty>(at);
      const length = <usize>property.length;
      const nameOffset = <usize>property.nameOffset;
      const value = at + FDT_PROPERTY_BYTES;
      if (length > structEnd - value || nameOffset >= stringsSize) return fail(EINVAL, "device tree property runs past its block");
      at = (value + length + 3) & ~3;
      if (depth < 0 || depth > 1) continue; // nothing below the top level matters
      const kind = propertyKind(strings, stringsSize, nameIndex, nameOffset);
      if (kind == PROPERTY_OTHER) continue;
      if (depth == 0) {
        if (kind == PROPERTY_ADDRESS_CELLS && length == 4) rootAddressCells = be32(value);
        else if (kind == PROPERTY_SIZE_CELLS && length == 4) rootSizeCells = be32(value);
        continue;
      }
      if (inChosen) {
        if (kind == PROPERTY_BOOTARGS && length > 0) info.commandLine = String.UTF8.decodeUnsafe(value, length - 1);
        else if (kind == PROPERTY_INITRD_START) initrdStart = readSizedCells(value, length);
        else if (kind == PROPERTY_INITRD_END) initrdEnd = readSizedCells(value, length);
      }
      if (kind == PROPERTY_COMPATIBLE) {
        device.kind = deviceKind(value, length);
      } else if (kind == PROPERTY_STATUS) {
        // A device whose status is not "okay" (e.g. the secure-world UART) must not be touched.
        if (!nameIs(value, length, "okay") && !nameIs(value, length, "ok")) device.disabled = true;
      } else if (kind == PROPERTY_INTERRUPTS) {
        device.interrupts = value;
        device.interruptsLength = length;
      } else if (kind == PROPERTY_REG) {
        if (rootAddressCells < 1 || rootAddressCells > 2 || rootSizeCells < 1 || rootSizeCells > 2) {
          return fail(EINVAL, "device tree uses unsupported #address-cells/#size-cells");
        }
        const stride = <usize>(rootAddressCells + rootSizeCells) << 2;
        if (inMemory) {
          for (let entry: usize = 0; length - entry >= stride; entry += stride) {
            const base = readCells(value + entry, rootAddressCells);
            const size = readCells(value + entry + (<usize>rootAddressCells << 2), rootSizeCells);
            if (size != 0) info.memory.push(new MemoryRange(base, size, MEMORY_USABLE));
          }
        } else {
          device.regCount = 0;
          if (length >= stride) {
            device.firstReg = readCells(value, rootAddressCells);
            device.firstRegSize = readCells(value + (<usize>rootAddressCells << 2), rootSizeCells);
            device.regCount = 1;
          }
          if (length >= stride << 1) {
            device.secondReg = readCells(value + stride, rootAddressCells);
            device.regCount = 2;
          }
        }
      }
    } else if (token == FDT_NOP) {
      continue;
    } else if (token == FDT_END) {
      break;
    } else {
      return fail(EINVAL, "device tree has an unknown structure token");
    }
  }
  if (initrdStart >= 0 && initrdEnd > initrdStart) {
    info.initrdBase = <u64>initrdStart;
    info.initrdSize = <u64>(initrdEnd - initrdStart);
  }
  return 0;
}
