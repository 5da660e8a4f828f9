// The Node side of the harness's boot part (boot/harness.ts): what the PVH
// and device-tree parsers reported, kernel/platform.ts's heap limit over it,
// and kernel/bootchart.ts's time arithmetic.

import { HarnessClass, Ptr, SCRATCH, U64 } from "../core/client";

export interface BootExports {
  bootParsePvh(address: number): void;
  bootParseFdt(address: number): void;
  infoError(): Ptr;
  infoCommandLine(): Ptr;
  infoMemoryCount(): number;
  infoMemoryBase(index: number): bigint;
  infoMemorySize(index: number): bigint;
  infoMemoryKind(index: number): number;
  infoConsoleKind(): number;
  infoConsoleBase(): bigint;
  infoInitrdBase(): bigint;
  infoInitrdSize(): bigint;
  infoUsableBytes(): bigint;
  infoDevices(out: number): void;
  infoVirtioCount(): number;
  infoVirtioWindow(index: number, out: number): void;
  infoHeapLimit(imageEnd: bigint): bigint;
  chartElapsedTenthsOfMicros(from: bigint, to: bigint, hz: bigint): bigint;
}

/** What a firmware parse (PVH or device tree) reported. */
export interface ParsedBootInfo {
  error: string;
  commandLine: string;
  memory: Array<{ base: bigint; size: bigint; kind: number }>;
  consoleKind: number;
  consoleBase: bigint;
  initrdBase: bigint;
  initrdSize: bigint;
}

/** Adds the firmware parsers, the heap limit and the boot chart's arithmetic to a harness class. */
export function withBootInfo<Base extends HarnessClass>(superclass: Base) {
  return class BootInfoMethods extends superclass {
    private bootInfo(): ParsedBootInfo {
      const e = this.exports;
      const memory: ParsedBootInfo["memory"] = [];
      for (let i = 0; i < e.infoMemoryCount(); i++) {
        memory.push({ base: U64(e.infoMemoryBase(i)), size: U64(e.infoMemorySize(i)), kind: e.infoMemoryKind(i) >>> 0 });
      }
      return {
        error: this.string(e.infoError()),
        commandLine: this.string(e.infoCommandLine()),
        memory,
        consoleKind: e.infoConsoleKind() >>> 0,
        consoleBase: U64(e.infoConsoleBase()),
        initrdBase: U64(e.infoInitrdBase()),
        initrdSize: U64(e.infoInitrdSize()),
      };
    }

    parsePvh(address: number): ParsedBootInfo {
      this.exports.bootParsePvh(address);
      return this.bootInfo();
    }

    parseFdt(address: number): ParsedBootInfo {
      this.exports.bootParseFdt(address);
      return this.bootInfo();
    }

    /** The interrupt controller, timer and RTC the device tree parsed last names. */
    bootDevices(): { controllerKind: number; distributor: bigint; cpuInterface: bigint; timerInterrupt: number; rtcBase: bigint; rtcInterrupt: number } {
      this.exports.infoDevices(SCRATCH);
      const view = new DataView(this.memory.buffer, SCRATCH, 48);
      const field = (index: number) => view.getBigUint64(index * 8, true);
      return {
        controllerKind: Number(field(0)), distributor: field(1), cpuInterface: field(2),
        timerInterrupt: Number(field(3)), rtcBase: field(4), rtcInterrupt: Number(field(5)),
      };
    }

    /** The virtio-mmio windows the device tree parsed last recorded, in tree order. */
    bootVirtioWindows(): Array<{ base: bigint; size: bigint; interrupt: number }> {
      const windows: Array<{ base: bigint; size: bigint; interrupt: number }> = [];
      for (let i = 0; i < this.exports.infoVirtioCount(); i++) {
        this.exports.infoVirtioWindow(i, SCRATCH);
        const view = new DataView(this.memory.buffer, SCRATCH, 24);
        windows.push({ base: view.getBigUint64(0, true), size: view.getBigUint64(8, true), interrupt: Number(view.getBigUint64(16, true)) });
      }
      return windows;
    }

    /** kernel/platform.ts heapLimit over the boot info parsed last. */
    heapLimit(imageEnd: bigint): bigint {
      return U64(this.exports.infoHeapLimit(imageEnd));
    }

    usableBytes(): bigint {
      return U64(this.exports.infoUsableBytes());
    }

    elapsedTenthsOfMicros(from: bigint, to: bigint, hz: bigint): bigint {
      return U64(this.exports.chartElapsedTenthsOfMicros(from, to, hz));
    }
  };
}
