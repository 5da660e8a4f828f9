// Where the virtio-mmio transports are: the device tree's "virtio,mmio"
// nodes on aarch64 (kernel/boot/fdt.ts collects them into BootInfo), the
// kernel command line on x86_64, where QEMU microvm appends one option per
// device it has (Linux's syntax, which may repeat):
//
//   virtio_mmio.device=SIZE@BASE:IRQ[:ID]     e.g. 512@0xfeb02e00:47
//
// SIZE takes a K, M or G suffix; numbers are decimal or 0x-prefixed hex;
// IRQ is a GSI; the optional platform-device ID is ignored. A malformed
// option is skipped and noted as a probe problem (drivers/virtio).

import { BootInfo, DeviceWindow } from "../../kernel/boot/bootinfo";
import { CommandLine, parseCommandLine } from "../../kernel/cmdline";
import { declareText } from "../../kernel/options";
import { noteProbeProblem } from "./index";

const OPTION = "virtio_mmio.device";

/** Declares virtio_mmio.device (on x86_64, whose microvm machine adds one per device); malformed ones are reported by the probe. */
export function declareMmioDeviceOption(): void {
  declareText(OPTION, "virtio_mmio.device=SIZE@BASE:IRQ: a virtio-mmio device (QEMU microvm adds one per device; drivers/virtio reads them)");
}

/**
 * The windows the command line names (x86_64 microvm), highest address
 * first: QEMU (microvm and virt alike) gives the first -device the highest
 * transport, so this is the order the devices were given in. Malformed
 * entries are noted as probe problems (drivers/virtio probeProblems).
 */
export function mmioWindowsFromCommandLine(info: BootInfo): DeviceWindow[] {
  const windows: DeviceWindow[] = [];
  const line = new CommandLine();
  parseCommandLine(info.commandLine, line);           // a malformed line stops boot at the options; use what parsed
  for (let i = 0; i < line.keys.length; i++) {
    if (line.keys[i] != OPTION) continue;
    const window = parseDeviceOption(line.values[i]);
    if (window === null) noteProbeProblem("malformed " + OPTION + "=" + line.values[i] + " (want SIZE@BASE:IRQ)");
    else windows.push(window);
  }
  return highestFirst(windows);
}

/** The device tree's "virtio,mmio" nodes (aarch64 virt), highest address first. */
export function mmioWindowsFromDeviceTree(info: BootInfo): DeviceWindow[] {
  const windows: DeviceWindow[] = [];
  for (let i: u32 = 0; i < info.virtioMmio.length; i++) windows.push(info.virtioMmio.at(i));
  return highestFirst(windows);
}

function highestFirst(windows: DeviceWindow[]): DeviceWindow[] {
  windows.sort((a: DeviceWindow, b: DeviceWindow): i32 => (a.base > b.base ? -1 : a.base < b.base ? 1 : 0));
  return windows;
}

/** Parses SIZE@BASE:IRQ[:ID]; null if malformed. */
export function parseDeviceOption(text: string): DeviceWindow | null {
  const at = text.indexOf("@");
  const colon = text.indexOf(":", at + 1);
  if (at <= 0 || colon <= at + 1) return null;
  const nextColon = text.indexOf(":", colon + 1);
  const size = parseNumber(text.substring(0, at), true);
  const base = parseNumber(text.substring(at + 1, colon), false);
  const irq = parseNumber(text.substring(colon + 1, nextColon < 0 ? text.length : nextColon), false);
  if (size <= 0 || base < 0 || irq < 0 || irq > 0xffff || base >= 0x1_0000_0000) return null;
  return new DeviceWindow(<u64>base, <u64>size, <u32>irq);
}

/** A decimal or 0x-hex number, with a K/M/G suffix if `scaled`; -1 if malformed or too large. */
function parseNumber(text: string, scaled: bool): i64 {
  let end = text.length;
  let shift: i64 = 0;
  if (scaled && end > 0) {
    const last = text.charCodeAt(end - 1) | 0x20;
    if (last == 0x6b) shift = 10;       // k
    else if (last == 0x6d) shift = 20;  // m
    else if (last == 0x67) shift = 30;  // g
    if (shift != 0) end--;
  }
  let at = 0;
  let radix: i64 = 10;
  if (end > 2 && text.charCodeAt(0) == 0x30 && (text.charCodeAt(1) | 0x20) == 0x78) {
    radix = 16;
    at = 2;
  }
  if (at >= end) return -1;
  let value: i64 = 0;
  for (; at < end; at++) {
    const c = text.charCodeAt(at);
    let digit: i64 = -1;
    if (c >= 0x30 && c <= 0x39) digit = c - 0x30;
    else if (radix == 16 && (c | 0x20) >= 0x61 && (c | 0x20) <= 0x66) digit = (c | 0x20) - 0x61 + 10;
    if (digit < 0) return -1;
    value = value * radix + digit;
    if (value > 0xffff_ffff_ffff) return -1;
  }
  return value << shift;
}
