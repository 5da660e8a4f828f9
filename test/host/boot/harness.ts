// The host-test harness's part for the firmware parsers (kernel/boot/pvh.ts,
// kernel/boot/fdt.ts), kernel/platform.ts's heap limit and
// kernel/bootchart.ts: a parse keeps its BootInfo (boot/parsed-info.ts, which
// the mm part's mmInit reads too) for the info* accessors.

import { parsePvh } from "../../../kernel/boot/pvh";
import { parseFdt } from "../../../kernel/boot/fdt";
import { heapLimit } from "../../../kernel/platform";
import { elapsedTenthsOfMicros } from "../../../kernel/bootchart";
import { info, parsed } from "./parsed-info";
import { BootInfo } from "../../../kernel/boot/bootinfo";
import { failureDetail } from "../../../kernel/failure";

// --- kernel/boot/pvh.ts, kernel/boot/fdt.ts, kernel/platform.ts ---

export function bootParsePvh(startInfo: usize): void {
  info = new BootInfo();
  parsed = parsePvh(startInfo, info!);
}

export function bootParseFdt(blob: usize): void {
  info = new BootInfo();
  parsed = parseFdt(blob, info!);
}

/** The last parse's failure detail, or "" when it succeeded. */
export function infoError(): string {
  return parsed < 0 ? failureDetail(parsed) : "";
}

export function infoCommandLine(): string {
  return info!.commandLine;
}

export function infoMemoryCount(): i32 {
  return info!.memory.length;
}

export function infoMemoryBase(index: i32): u64 {
  return info!.memory[index].base;
}

export function infoMemorySize(index: i32): u64 {
  return info!.memory[index].size;
}

export function infoMemoryKind(index: i32): u32 {
  return info!.memory[index].kind;
}

export function infoConsoleKind(): u32 {
  return info!.consoleKind;
}

export function infoConsoleBase(): u64 {
  return info!.consoleBase;
}

export function infoInitrdBase(): u64 {
  return info!.initrdBase;
}

export function infoInitrdSize(): u64 {
  return info!.initrdSize;
}

export function infoUsableBytes(): u64 {
  return info!.usableBytes();
}

/** The device-tree devices an aarch64 boot looks for, as u64 in a buffer the test owns: kind, distributor, CPU interface, timer INTID, RTC base, RTC INTID. */
export function infoDevices(out: usize): void {
  store<u64>(out, <u64>info!.interruptControllerKind);
  store<u64>(out, info!.gicDistributorBase, 8);
  store<u64>(out, info!.gicCpuInterfaceBase, 16);
  store<u64>(out, <u64>info!.timerInterrupt, 24);
  store<u64>(out, info!.rtcBase, 32);
  store<u64>(out, <u64>info!.rtcInterrupt, 40);
}

/** How many virtio-mmio windows the device tree parsed last recorded. */
export function infoVirtioCount(): u32 {
  return info!.virtioMmio.length;
}

/** Virtio-mmio window `index` as three u64 (base, size, interrupt) in a buffer the test owns. */
export function infoVirtioWindow(index: u32, out: usize): void {
  const window = info!.virtioMmio.at(index);
  store<u64>(out, window.base);
  store<u64>(out, window.size, 8);
  store<u64>(out, <u64>window.interrupt, 16);
}

export function infoHeapLimit(imageEnd: u64): u64 {
  return heapLimit(info!, imageEnd);
}

// --- kernel/bootchart.ts ---

export function chartElapsedTenthsOfMicros(from: u64, to: u64, hz: u64): u64 {
  return elapsedTenthsOfMicros(from, to, hz);
}
