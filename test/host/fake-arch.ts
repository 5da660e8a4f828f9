// A fake machine under the kernel: every import of arch/index.ts, in JavaScript.
//
// Guards the arch contract from the kernel's side: the kernel (or the test
// harness) runs in Node against devices that behave like the real ones closely
// enough to catch driver mistakes, and the fake records anything the kernel
// touches that no device answers at (`unexpected`).
//
//   - a 16550 UART at I/O port 0x3f8: transmitted bytes are collected; the
//     divisor latch (LCR bit 7) is honoured, LSR (base+5) reports the
//     transmitter empty (0x20) unless `busyPolls` says otherwise;
//   - a PL011 UART at an MMIO address: FR (+0x18) reads 0 (TX FIFO not full)
//     unless busy, writes to DR (+0) are collected;
//   - a free-running counter: timestamp() advances it by a fixed step per call
//     and every device access by a smaller one, so time is deterministic;
//   - counterFrequency() returns a configured value (0 on x86_64 machines);
//   - cpuid returns zeros, or configured leaves; no MSR is modelled;
//   - setPageTableRoot records each root loaded (it must be a page-aligned
//     address inside memory) and invalidatePage each address invalidated;
//     the tables themselves are the kernel's business and are not walked;
//   - a CMOS real-time clock on ports 0x70/0x71 that reads 2026-11-23 12:34:56;
//   - an 8254 PIT on ports 0x40/0x43 whose channel 0 counts down at 1.193182 MHz
//     against the fake counter's configured rate, with latch commands;
//   - switchContext, initContext and setTimerDeadline are recorded as
//     unexpected: threads and timers are tested in the boot tier;
//   - application memory: copyFromApp/copyToApp reach `appMemory`, a byte
//     array the test sets that stands at native address APP_MEMORY_BASE;
//     runApp, leaveApp and appExports are recorded as unexpected (apps run
//     in the boot tier); leaveApp throws LeftApp so a test can see it;
//     callModule and moduleExports too (filesystem modules are native code,
//     run in the boot tier; their wasm runs in Node through scripts/zfs/host.ts);
//   - hardwareRandom fills 8 bytes from a seeded generator, or fails when
//     `hardwareRandom: false` is configured;
//   - crc32c computes CRC-32C over the kernel's memory (the crc-32 package's);
//   - powerOff records the status and throws PowerOff, which unwinds out of wasm;
//   - a kernel that keeps reading the counter past a budget (a spin that never
//     ends) is stopped by Stuck, so a test cannot hang.
//
// Modules are loaded with @assemblyscript/loader, imports { env: { memory },
// arch: fake }, and the harness's own channels: ninep.transact, net.transmit.

import loader from "@assemblyscript/loader";
import CRC32C from "crc-32/crc32c";
import type { ASUtil } from "@assemblyscript/loader";

export const WASM_PAGE = 0x1_0000;
/** 64 pages: 4 MiB, the kernel's static data starting at 1 MiB. */
export const DEFAULT_MEMORY_PAGES = 64;
export const COM1_PORT = 0x3f8;
export const QEMU_VIRT_PL011 = 0x0900_0000;
export const PIT_HZ = 1_193_182n;

const CMOS_INDEX = 0x70;
const CMOS_DATA = 0x71;
/** A CMOS RTC reading 2026-11-23 12:34:56 in BCD, 24-hour mode, no update in progress. */
const CMOS_REGISTERS: Record<number, number> = { 0x00: 0x56, 0x02: 0x34, 0x04: 0x12, 0x07: 0x23, 0x08: 0x11, 0x09: 0x26, 0x0a: 0x26, 0x0b: 0x02 };
const PIT_CHANNEL0 = 0x40;
const PIT_COMMAND = 0x43;
const UART_LSR_THR_EMPTY = 0x20;
const UART_LSR_IDLE = 0x40;
const PL011_DR = 0x00;
const PL011_FR = 0x18;
const PL011_FR_TXFF = 0x20;

/** Where the fake application memory (FakeArch.appMemory) stands in native address space. */
export const APP_MEMORY_BASE = 0x1_0000_0000n;

/** Thrown by the fake leaveApp: the kernel abandoned an application call with `reason`. */
export class LeftApp extends Error {
  constructor(readonly reason: number) {
    super(`leaveApp(${reason})`);
    this.name = "LeftApp";
  }
}

/** Thrown by the fake powerOff: the machine stopped with `status`. */
export class PowerOff extends Error {
  constructor(readonly status: number) {
    super(`powerOff(${status})`);
    this.name = "PowerOff";
  }
}

/** Thrown when the kernel reads the counter more often than the budget allows: it is spinning. */
export class Stuck extends Error {
  constructor(readonly calls: number) {
    super(`the kernel read the counter ${calls} times without stopping`);
    this.name = "Stuck";
  }
}

export type CpuidLeaf = readonly [eax: number, ebx: number, ecx: number, edx: number];

export interface FakeArchConfig {
  /** 16550 base port (default COM1, 0x3f8). */
  serialPort?: number;
  /** PL011 MMIO base (default QEMU virt's 0x09000000). */
  pl011Base?: number;
  /** What counterFrequency() returns (default 0: "find it yourself", as on x86_64). */
  counterFrequency?: bigint;
  /** The fake counter's true rate in Hz, which the fake PIT is measured against (default 2 GHz). */
  counterRate?: bigint;
  /** The counter's value before the first reading (default 1_000_000). */
  clockStart?: bigint;
  /** Ticks each timestamp() call advances the counter by (default 1000). */
  timestampStep?: bigint;
  /** Ticks each port or MMIO access advances the counter by (default 200). */
  ioStep?: bigint;
  /** CPUID leaves by leaf number; absent leaves read as zeros. */
  cpuid?: Record<number, CpuidLeaf>;
  /** How many status polls report the UART busy after each transmitted byte (default 0). */
  busyPolls?: number;
  /** timestamp() calls allowed before the fake throws Stuck (default 100_000). */
  timestampBudget?: number;
  /** Whether hardwareRandom succeeds (default true). */
  hardwareRandom?: boolean;
}

type ImportFunction = (...args: never[]) => unknown;

export class FakeArch {
  readonly serialPort: number;
  readonly pl011Base: number;
  readonly counterRate: bigint;
  readonly timestampStep: bigint;
  readonly ioStep: bigint;
  readonly busyPolls: number;
  readonly timestampBudget: number;
  private readonly frequency: bigint;
  private readonly leaves: Record<number, CpuidLeaf>;

  /** The free-running counter. */
  clock: bigint;
  /** Bytes the 16550 transmitted. */
  readonly serialBytes: number[] = [];
  /** Bytes the PL011 transmitted. */
  readonly pl011Bytes: number[] = [];
  /** Accesses no fake device answers, and device misuse, in order. */
  readonly unexpected: string[] = [];
  /** The status passed to powerOff, or null while running. */
  powerOffStatus: number | null = null;
  timestampCalls = 0;
  readonly cpuidCalls: Array<[leaf: number, subleaf: number]> = [];
  /** Page-table roots loaded, in order (the last one is live). */
  readonly pageTableRoots: number[] = [];
  /** Virtual addresses whose translations were invalidated, in order. */
  readonly invalidatedPages: bigint[] = [];
  interruptsEnabled = false;
  /** The application's memory, at native address APP_MEMORY_BASE (empty until a test sets it). */
  appMemory = new Uint8Array(0);
  /** Calls to hardwareRandom so far. */
  hardwareRandomCalls = 0;
  private readonly randomWorks: boolean;
  private randomState = 0x2545f491;

  // 16550 registers.
  private lineControl = 0;
  private divisor = 0;
  private serialBusy = 0;
  // PL011 state.
  private pl011Busy = 0;
  // CMOS RTC: the selected register.
  private cmosIndex = 0;
  // PIT channel 0.
  private pitReload = 0;
  private pitLowByte = -1;
  private pitProgrammedAt = -1n;
  private pitLatch: number[] = [];

  readonly imports: Record<string, ImportFunction>;
  /**
   * The host harness's 9p channel (test/host/9p/harness.ts) hands each
   * request here: the test attaches a server (test/host/9p/server-link.ts).
   */
  ninePTransact: (...args: number[]) => bigint = () => {
    throw new Error("a 9p request, but no 9p server is attached to the fake machine");
  };

  /**
   * The host harness's network devices (test/host/net/harness.ts) hand each
   * transmitted frame here: (device, frame address, length) -> 0 or -errno.
   * The test's link sets it (test/host/net/client.ts NetWorld).
   */
  netTransmit: (device: number, frame: number, length: number) => number = () => {
    throw new Error("a frame was transmitted, but no network link is attached to the fake machine");
  };

  constructor(readonly memory: WebAssembly.Memory, config: FakeArchConfig = {}) {
    this.serialPort = config.serialPort ?? COM1_PORT;
    this.pl011Base = config.pl011Base ?? QEMU_VIRT_PL011;
    this.frequency = config.counterFrequency ?? 0n;
    this.randomWorks = config.hardwareRandom ?? true;
    this.counterRate = config.counterRate ?? 2_000_000_000n;
    this.clock = config.clockStart ?? 1_000_000n;
    this.timestampStep = config.timestampStep ?? 1000n;
    this.ioStep = config.ioStep ?? 200n;
    this.busyPolls = config.busyPolls ?? 0;
    this.timestampBudget = config.timestampBudget ?? 100_000;
    this.leaves = config.cpuid ?? {};

    this.imports = {
      portIn8: (port: number) => this.portIn(port >>> 0, 8),
      portIn16: (port: number) => this.portIn(port >>> 0, 16),
      portIn32: (port: number) => this.portIn(port >>> 0, 32),
      portOut8: (port: number, value: number) => this.portOut(port >>> 0, value >>> 0, 8),
      portOut16: (port: number, value: number) => this.portOut(port >>> 0, value >>> 0, 16),
      portOut32: (port: number, value: number) => this.portOut(port >>> 0, value >>> 0, 32),
      mmioRead8: (address: number) => this.mmioRead(address >>> 0, 8),
      mmioRead16: (address: number) => this.mmioRead(address >>> 0, 16),
      mmioRead32: (address: number) => this.mmioRead(address >>> 0, 32),
      mmioWrite8: (address: number, value: number) => this.mmioWrite(address >>> 0, value >>> 0, 8),
      mmioWrite16: (address: number, value: number) => this.mmioWrite(address >>> 0, value >>> 0, 16),
      mmioWrite32: (address: number, value: number) => this.mmioWrite(address >>> 0, value >>> 0, 32),
      timestamp: () => {
        if (++this.timestampCalls > this.timestampBudget) throw new Stuck(this.timestampCalls);
        this.clock += this.timestampStep;
        return this.clock;
      },
      counterFrequency: () => this.frequency,
      cpuid: (leaf: number, subleaf: number, out: number) => {
        this.cpuidCalls.push([leaf >>> 0, subleaf >>> 0]);
        const registers = this.leaves[leaf >>> 0] ?? [0, 0, 0, 0];
        const view = new DataView(this.memory.buffer);
        for (let i = 0; i < 4; i++) view.setUint32((out >>> 0) + i * 4, registers[i] >>> 0, true);
      },
      readMsr: (msr: number) => {
        this.unexpected.push(`readMsr(0x${(msr >>> 0).toString(16)})`);
        return 0n;
      },
      writeMsr: (msr: number, value: bigint) => {
        this.unexpected.push(`writeMsr(0x${(msr >>> 0).toString(16)}, 0x${BigInt.asUintN(64, value).toString(16)})`);
      },
      setPageTableRoot: (root: number) => {
        const address = root >>> 0;
        if (address % 0x1000 !== 0 || address + 0x1000 > this.memory.buffer.byteLength) {
          this.unexpected.push(`setPageTableRoot(${this.hex(address)})`);
        }
        this.pageTableRoots.push(address);
      },
      invalidatePage: (address: bigint) => {
        this.invalidatedPages.push(BigInt.asUintN(64, address));
      },
      setInterrupts: (enable: number) => {
        const before = this.interruptsEnabled;
        this.interruptsEnabled = enable !== 0;
        return before ? 1 : 0;
      },
      memoryBarrier: () => {},
      waitForInterrupt: () => {
        this.clock += this.timestampStep * 1000n;
      },
      // Threads and timers are exercised by the boot tier (selftest=sched):
      // the fake records a call and does nothing.
      switchContext: (save: number, load: number) => {
        this.unexpected.push(`switchContext(${this.hex(save >>> 0)}, ${this.hex(load >>> 0)})`);
      },
      initContext: (context: number, stackTop: number) => {
        this.unexpected.push(`initContext(${this.hex(context >>> 0)}, ${this.hex(stackTop >>> 0)})`);
      },
      setTimerDeadline: (deadline: bigint) => {
        this.unexpected.push(`setTimerDeadline(${BigInt.asUintN(64, deadline)})`);
      },
      copyFromApp: (destination: number, source: bigint, length: number) => {
        const from = this.appOffset(source, length >>> 0, "copyFromApp");
        if (from < 0) return;
        new Uint8Array(this.memory.buffer, destination >>> 0, length >>> 0).set(this.appMemory.subarray(from, from + (length >>> 0)));
      },
      copyToApp: (destination: bigint, source: number, length: number) => {
        const to = this.appOffset(destination, length >>> 0, "copyToApp");
        if (to < 0) return;
        this.appMemory.set(new Uint8Array(this.memory.buffer, source >>> 0, length >>> 0), to);
      },
      runApp: (entry: bigint) => {
        this.unexpected.push(`runApp(${BigInt.asUintN(64, entry)})`);
        return 0;
      },
      leaveApp: (reason: number) => {
        throw new LeftApp(reason >>> 0);
      },
      syncInstructionCache: () => {},
      appExports: () => {
        this.unexpected.push("appExports()");
        return 0;
      },
      callModule: (entry: bigint) => {
        this.unexpected.push(`callModule(${BigInt.asUintN(64, entry)})`);
        return 2; // as if the module trapped: the kernel answers EIO
      },
      moduleExports: () => {
        this.unexpected.push("moduleExports()");
        return 0;
      },
      hardwareRandom: (out: number) => {
        this.hardwareRandomCalls++;
        if (!this.randomWorks) return 0;
        const bytes = new Uint8Array(this.memory.buffer, out >>> 0, 8);
        for (let i = 0; i < 8; i++) {
          this.randomState ^= this.randomState << 13;
          this.randomState ^= this.randomState >>> 17;
          this.randomState ^= this.randomState << 5;
          bytes[i] = this.randomState & 0xff;
        }
        return 1;
      },
      crc32c: (crc: number, address: number, length: number) => {
        return CRC32C.buf(new Uint8Array(this.memory.buffer, address >>> 0, length >>> 0), crc | 0) >>> 0;
      },
      powerOff: (status: number) => {
        this.powerOffStatus = status >>> 0;
        throw new PowerOff(status >>> 0);
      },
    };
  }

  /** The offset into appMemory of native address `address`, or -1 (recorded as unexpected) outside it. */
  private appOffset(address: bigint, length: number, what: string): number {
    const offset = BigInt.asUintN(64, address) - APP_MEMORY_BASE;
    if (offset < 0n || offset + BigInt(length) > BigInt(this.appMemory.length)) {
      this.unexpected.push(`${what}(${BigInt.asUintN(64, address)}, ${length}) outside the app memory`);
      return -1;
    }
    return Number(offset);
  }

  /** Everything both UARTs transmitted, decoded as UTF-8. */
  output(): string {
    return new TextDecoder().decode(Uint8Array.from([...this.serialBytes, ...this.pl011Bytes]));
  }

  private hex(value: number): string {
    return `0x${value.toString(16)}`;
  }

  private portIn(port: number, width: number): number {
    this.clock += this.ioStep;
    if (width === 8 && port === CMOS_DATA) return CMOS_REGISTERS[this.cmosIndex] ?? 0;
    if (width === 8 && port >= this.serialPort && port < this.serialPort + 8) return this.serialRead(port - this.serialPort);
    if (width === 8 && port === PIT_CHANNEL0) return this.pitRead();
    this.unexpected.push(`portIn${width}(${this.hex(port)})`);
    return 0xff;
  }

  private portOut(port: number, value: number, width: number): void {
    this.clock += this.ioStep;
    if (width === 8 && port === CMOS_INDEX) return void (this.cmosIndex = value & 0x7f);
    if (width === 8 && port >= this.serialPort && port < this.serialPort + 8) return this.serialWrite(port - this.serialPort, value);
    if (width === 8 && port === PIT_COMMAND) return this.pitCommand(value);
    if (width === 8 && port === PIT_CHANNEL0) return this.pitWrite(value);
    this.unexpected.push(`portOut${width}(${this.hex(port)}, ${this.hex(value)})`);
  }

  private serialRead(register: number): number {
    const dlab = (this.lineControl & 0x80) !== 0;
    switch (register) {
      case 0: return dlab ? this.divisor & 0xff : 0;
      case 1: return dlab ? this.divisor >> 8 : 0;
      case 3: return this.lineControl;
      case 5:
        if (this.serialBusy > 0) {
          this.serialBusy--;
          return 0;
        }
        return UART_LSR_THR_EMPTY | UART_LSR_IDLE;
      case 6: return 0xb0; // CTS, DSR, DCD
      default: return 0;
    }
  }

  private serialWrite(register: number, value: number): void {
    const dlab = (this.lineControl & 0x80) !== 0;
    if (register === 0 && dlab) this.divisor = (this.divisor & 0xff00) | (value & 0xff);
    else if (register === 1 && dlab) this.divisor = (this.divisor & 0xff) | ((value & 0xff) << 8);
    else if (register === 3) this.lineControl = value & 0xff;
    else if (register === 0) {
      if (this.serialBusy > 0) this.unexpected.push(`16550: byte ${this.hex(value)} written while the transmitter was busy`);
      this.serialBytes.push(value & 0xff);
      this.serialBusy = this.busyPolls;
    }
  }

  /** The 16550's programmed baud-rate divisor. */
  serialDivisor(): number {
    return this.divisor;
  }

  /** The 16550's line control register. */
  serialLineControl(): number {
    return this.lineControl;
  }

  private pitCount(): number {
    if (this.pitProgrammedAt < 0n) {
      this.unexpected.push("PIT read before channel 0 was programmed");
      return 0;
    }
    const ticks = ((this.clock - this.pitProgrammedAt) * PIT_HZ) / this.counterRate;
    // Mode 2 counts reload, reload-1, ..., 1, then reloads.
    return this.pitReload - Number(ticks % BigInt(this.pitReload));
  }

  private pitCommand(value: number): void {
    const channel = value >> 6;
    const access = (value >> 4) & 3;
    if (channel !== 0) {
      this.unexpected.push(`PIT command ${this.hex(value)} for channel ${channel}`);
    } else if (access === 0) {
      const count = this.pitCount() & 0xffff;
      this.pitLatch = [count & 0xff, count >> 8];
    } else if (access === 3) {
      this.pitLowByte = -1;
      this.pitProgrammedAt = -1n;
      this.pitLatch = [];
    } else {
      this.unexpected.push(`PIT command ${this.hex(value)}: only lobyte/hibyte access is modelled`);
    }
  }

  private pitWrite(value: number): void {
    if (this.pitLowByte < 0) {
      this.pitLowByte = value & 0xff;
      return;
    }
    const reload = this.pitLowByte | ((value & 0xff) << 8);
    this.pitReload = reload === 0 ? 0x1_0000 : reload;
    this.pitProgrammedAt = this.clock;
    this.pitLowByte = -1;
  }

  private pitRead(): number {
    if (this.pitLatch.length === 0) {
      this.unexpected.push("PIT channel 0 read without a latch command");
      return this.pitCount() & 0xff;
    }
    return this.pitLatch.shift()!;
  }

  private mmioRead(address: number, width: number): number {
    this.clock += this.ioStep;
    if (width === 32 && address === this.pl011Base + PL011_FR) {
      if (this.pl011Busy > 0) {
        this.pl011Busy--;
        return PL011_FR_TXFF;
      }
      return 0;
    }
    this.unexpected.push(`mmioRead${width}(${this.hex(address)})`);
    return 0;
  }

  private mmioWrite(address: number, value: number, width: number): void {
    this.clock += this.ioStep;
    if (width === 32 && address === this.pl011Base + PL011_DR) {
      if (this.pl011Busy > 0) this.unexpected.push(`PL011: byte ${this.hex(value)} written while the FIFO was full`);
      this.pl011Bytes.push(value & 0xff);
      this.pl011Busy = this.busyPolls;
      return;
    }
    this.unexpected.push(`mmioWrite${width}(${this.hex(address)}, ${this.hex(value)})`);
  }
}

export interface Loaded<T> {
  exports: T & ASUtil;
  memory: WebAssembly.Memory;
  fake: FakeArch;
}

/** Instantiates a module over a fresh memory of `pages` 64 KiB pages and a fresh fake machine. */
export async function instantiateOnFake<T extends Record<string, unknown>>(
  module: WebAssembly.Module,
  config: FakeArchConfig = {},
  pages = DEFAULT_MEMORY_PAGES,
): Promise<Loaded<T>> {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const fake = new FakeArch(memory, config);
  const { exports } = await loader.instantiate<T>(module, {
    env: { memory }, arch: fake.imports, ninep: { transact: (...args: number[]) => fake.ninePTransact(...args) },
    net: { transmit: (device: number, frame: number, length: number) => fake.netTransmit(device, frame, length) },
  });
  return { exports, memory, fake };
}
