// Guards the kernel's boot path (kernel/init: kmain and everything it calls)
// by booting the real kernel wasm (default profile, one per architecture) in
// Node on the fake machine: what it prints,
// the status it powers off with, and how it stops when the handoff, the
// firmware data, the command line or memory are wrong. Both boot paths run:
// x86_64 (PVH start_info, 16550 at port 0x3f8, TSC measured against the PIT)
// and aarch64 (device tree, PL011 over MMIO, architectural counter frequency).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, wasmModule, kernelTarget } from "../compile";
import { buildDtb, virtTree } from "../dtb";
import { E820 } from "../firmware";
import { bootKernel, BootResult, defaultMemoryMap, kernelLayout, MEMORY_END } from "../kernel-host";

await Promise.all([wasmModule(kernelTarget("x86_64")), wasmModule(kernelTarget("aarch64"))]); // compile (or load) once, outside any test's time limit

const VERSION: string = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).version;
const PANIC_STATUS = 70;
const USAGE_STATUS = 64;

const hex = (value: number) => `0x${value.toString(16)}`;

/** Asserts the machine powered off with `status` and the kernel touched nothing unexpected. */
function expectPowerOff(result: BootResult, status: number): void {
  expect(result.trap, result.output).toBeNull();
  expect(result.stuck, result.output).toBe(false);
  expect(result.returned, "kmain returned instead of powering off").toBe(false);
  expect(result.status, result.output).toBe(status);
  expect(result.fake.unexpected).toEqual([]);
}

interface Chart {
  hz: number;
  source: string;
  stamps: Array<[name: string, ticks: bigint]>;
  rows: string[];
}

function bootChart(output: string): Chart {
  const raw = /^bootchart-raw hz=(\d+) source=(\S+)((?: [^ =\n]+=\d+)*)$/m.exec(output);
  if (!raw) throw new Error(`no bootchart-raw line in:\n${output}`);
  const stamps = raw[3].trim().split(" ").map((pair) => {
    const [name, ticks] = pair.split("=");
    return [name, BigInt(ticks)] as [string, bigint];
  });
  const rows = output.split("\n").filter((line) => /^ +\d+\.\d +\d+\.\d {2}\S+$/.test(line));
  return { hz: Number(raw[1]), source: raw[2], stamps, rows };
}

function expectIncreasing(stamps: Chart["stamps"]): void {
  expect(stamps[0][1]).toBe(0n);
  for (let i = 1; i < stamps.length; i++) {
    expect(stamps[i][1], `${stamps[i - 1][0]} -> ${stamps[i][0]}`).toBeGreaterThan(stamps[i - 1][1]);
  }
}

const STAMP_NAMES = ["first-instruction", "paging-on", "runtime-ready", "console", "memory", "paging", "scheduler", "options", "root", "kernel-ready"];

describe("booting x86_64", () => {
  it("prints the banner and powers off with status 0", async () => {
    const result = await bootKernel();
    expectPowerOff(result, 0);
    const { imageStart, imageEnd } = result.layout;
    expect(result.output).toContain(`Wisp ${VERSION} on x86_64`);
    expect(result.output).toBe(`Wisp ${VERSION} on x86_64: 3711 KiB usable RAM, kernel image ${hex(imageStart)}-${hex(imageEnd)}\n`);
    expect(result.fake.pl011Bytes).toEqual([]);
  });

  it("sets the 16550 to 115200 baud, 8N1", async () => {
    const result = await bootKernel();
    expect(result.fake.serialDivisor()).toBe(1);
    expect(result.fake.serialLineControl()).toBe(0x03);
  });

  it("waits for the 16550 transmitter instead of overrunning it", async () => {
    const result = await bootKernel({ fake: { busyPolls: 3 } });
    expectPowerOff(result, 0);
    expect(result.output).toContain(`Wisp ${VERSION} on x86_64`);
  });

  it("powers off with the status exit=N asks for", async () => {
    expectPowerOff(await bootKernel({ cmdline: "exit=7" }), 7);
    expectPowerOff(await bootKernel({ cmdline: "quiet exit=126" }), 126);
  });

  it("panics on request with the given message and status 70", async () => {
    const result = await bootKernel({ cmdline: "panic=boom" });
    expectPowerOff(result, PANIC_STATUS);
    expect(result.output).toContain("\npanic: boom\n");
    const quoted = await bootKernel({ cmdline: 'panic="disk on fire"' });
    expect(quoted.output).toContain("\npanic: disk on fire\n");
    expect((await bootKernel({ cmdline: "panic" })).output).toContain("panic: requested on the command line\n");
  });

  it("refuses an unknown option with status 64, naming it and listing the known ones", async () => {
    const result = await bootKernel({ cmdline: "quiet frobnicate=1" });
    expectPowerOff(result, USAGE_STATUS);
    expect(result.output).toContain("wisp: bad kernel command line: unknown kernel option 'frobnicate'\n");
    expect(result.output).toContain("kernel options:\n");
    for (const option of ["bootchart", "memmap", "panic", "exit", "quiet"]) expect(result.output).toMatch(new RegExp(`^  ${option}: `, "m"));
    expect(result.output).not.toContain("Wisp ");
  });

  it("knows no self-test or benchmark option in the default profile, and lists only what it knows", async () => {
    for (const option of ["selftest=mm", "malloc-bench=10", "blk-write"]) {
      const result = await bootKernel({ cmdline: `quiet ${option}` });
      expectPowerOff(result, USAGE_STATUS);
      expect(result.output).toContain(`wisp: bad kernel command line: unknown kernel option '${option.split("=")[0]}'\n`);
    }
    const listed = (await bootKernel({ cmdline: "frobnicate" })).output;
    for (const option of ["selftest", "malloc-bench", "sched-bench", "storage-bench", "ninep-bench", "blk-write"]) expect(listed).not.toMatch(new RegExp(`^  ${option}: `, "m"));
    expect(listed).toMatch(/^ {2}virtio_mmio\.device: /m);
  });

  it("refuses a malformed command line with status 64", async () => {
    const result = await bootKernel({ cmdline: 'panic="unterminated' });
    expectPowerOff(result, USAGE_STATUS);
    expect(result.output).toContain("wisp: bad kernel command line: unterminated quote in the command line\n");
    expectPowerOff(await bootKernel({ cmdline: "exit=500" }), USAGE_STATUS);
  });

  it("prints nothing with quiet", async () => {
    const result = await bootKernel({ cmdline: "quiet" });
    expectPowerOff(result, 0);
    expect(result.output).toBe("");
  });

  it("prints the firmware memory map with memmap", async () => {
    const result = await bootKernel({ cmdline: "quiet memmap" });
    expectPowerOff(result, 0);
    expect(result.output).toBe(
      "memory map:\n" +
      "  0x000000000000-0x00000009fc00    usable  639 KiB\n" +
      "  0x00000009fc00-0x0000000a0000  reserved  1 KiB\n" +
      "  0x0000000f0000-0x000000100000  reserved  64 KiB\n" +
      "  0x000000100000-0x000000400000    usable  3072 KiB\n",
    );
  });

  it("prints a boot chart measured against the PIT when CPUID states no frequency", async () => {
    const result = await bootKernel({ cmdline: "quiet bootchart", fake: { counterRate: 2_000_000_000n } });
    expectPowerOff(result, 0);
    const chart = bootChart(result.output);
    expect(chart.source).toBe("pit");
    expect(Math.abs(chart.hz - 2e9) / 2e9).toBeLessThan(0.01);
    expect(result.output).toContain("(measured against the PIT)");
    expect(chart.stamps.map(([name]) => name)).toEqual(STAMP_NAMES);
    expect(chart.rows.map((row) => row.trim().split(/\s+/)[2])).toEqual(STAMP_NAMES);
    expectIncreasing(chart.stamps);
    expect(result.fake.cpuidCalls.length).toBeGreaterThan(0);
  });

  it("takes the counter frequency from CPUID leaf 0x15, or else 0x16", async () => {
    const leaf15 = await bootKernel({ cmdline: "quiet bootchart", fake: { cpuid: { 0: [0x16, 0, 0, 0], 0x15: [2, 125, 24_000_000, 0] } } });
    expectPowerOff(leaf15, 0);
    expect(bootChart(leaf15.output)).toMatchObject({ hz: 1_500_000_000, source: "cpuid" });
    const leaf16 = await bootKernel({ cmdline: "quiet bootchart", fake: { cpuid: { 0: [0x16, 0, 0, 0], 0x16: [2500, 0, 0, 0] } } });
    expectPowerOff(leaf16, 0);
    expect(bootChart(leaf16.output)).toMatchObject({ hz: 2_500_000_000, source: "cpuid" });
  });

  it("shows the stub's stamps and the kernel's in order, with times from the first instruction", async () => {
    const result = await bootKernel({ cmdline: "quiet bootchart", handoff: { stamps: [1000n, 3000n, 7000n] }, fake: { counterRate: 1_000_000_000n, cpuid: { 0: [0x16, 0, 0, 0], 0x16: [1000, 0, 0, 0] } } });
    const chart = bootChart(result.output);
    expect(chart.stamps.slice(0, 3)).toEqual([["first-instruction", 0n], ["paging-on", 2000n], ["runtime-ready", 6000n]]);
    expectIncreasing(chart.stamps);
    // 2000 ticks at 1 GHz is 2.0 µs; 6000 ticks is 6.0 µs from the first instruction, 4.0 after paging-on.
    expect(chart.rows[1].trim().split(/\s+/)).toEqual(["2.0", "2.0", "paging-on"]);
    expect(chart.rows[2].trim().split(/\s+/)).toEqual(["6.0", "4.0", "runtime-ready"]);
  });

  it("keeps running with hang (and never powers off)", async () => {
    const result = await bootKernel({ cmdline: "quiet hang", fake: { timestampBudget: 10_000 } });
    expect(result.stuck).toBe(true);
    expect(result.status).toBeNull();
  });
});

describe("booting aarch64", () => {
  it("prints the banner through the PL011 and powers off with status 0", async () => {
    const result = await bootKernel({ arch: "aarch64" });
    expectPowerOff(result, 0);
    expect(result.output).toContain(`Wisp ${VERSION} on aarch64: 4096 KiB usable RAM`);
    expect(result.fake.serialBytes).toEqual([]);
    expect(result.fake.pl011Bytes.length).toBe(result.output.length);
  });

  it("uses the PL011 the device tree names", async () => {
    const dtb = buildDtb(virtTree({ bootargs: "exit=5", memoryName: "memory@0", memoryBase: 0n, memorySize: BigInt(MEMORY_END), uartBase: 0x1c09_0000, initrd: null })).bytes;
    const result = await bootKernel({ arch: "aarch64", dtb, fake: { pl011Base: 0x1c09_0000, busyPolls: 2 } });
    expectPowerOff(result, 5);
    expect(result.output).toContain("on aarch64");
  });

  it("prints a boot chart with the architectural counter frequency", async () => {
    const result = await bootKernel({ arch: "aarch64", cmdline: "quiet bootchart" });
    expectPowerOff(result, 0);
    const chart = bootChart(result.output);
    expect(chart).toMatchObject({ hz: 62_500_000, source: "arch" });
    expect(chart.stamps.map(([name]) => name)).toEqual(STAMP_NAMES);
    expectIncreasing(chart.stamps);
    expect(result.fake.cpuidCalls).toEqual([]);
  });

  const badMagicDtb = () => {
    const dtb = buildDtb(virtTree()).bytes.slice();
    dtb[0] ^= 0xff;
    return dtb;
  };

  it("powers off with 70 when the device tree is broken", async () => {
    const result = await bootKernel({ arch: "aarch64", dtb: badMagicDtb() });
    expect(result.status).toBe(PANIC_STATUS);
  });

  // Regression test (kernel/boot/fdt.ts parseFdt, early error returns). The bug it guards: the QEMU
  // virt UART fallback (consoleBase = 0x09000000) is applied only at the end
  // of a successful walk, so a tree refused early (null pointer, bad magic,
  // inconsistent header, broken structure before the PL011 node) leaves
  // consoleBase 0. main.ts then initialises the PL011 at physical address 0 and
  // writes "panic: firmware handoff: ..." there: the one message that explains
  // the failure never reaches the UART.
  it("prints the device tree's complaint on the PL011", async () => {
    const result = await bootKernel({ arch: "aarch64", dtb: badMagicDtb() });
    expectPowerOff(result, PANIC_STATUS);
    expect(result.output).toContain("panic: firmware handoff: device tree has a bad magic number\n");
  });
});

describe("booting with bad inputs", () => {
  it("powers off with 70, silently, when the handoff is not valid (or is another architecture's)", async () => {
    const layout = await kernelLayout();
    const misordered = { textEnd: layout.rodataEnd + 0x1000 }; // text ending past rodata
    for (const handoff of [{ magic: 0x12345678 }, { arch: 3 }, { arch: 2 }, { stampCount: 9 }, { imageEnd: 0x10_0000, imageStart: 0x10_0000 }, misordered]) {
      const result = await bootKernel({ handoff });
      expectPowerOff(result, PANIC_STATUS);
      expect(result.output, JSON.stringify(handoff)).toBe("");
    }
  });

  it("panics when the PVH start_info has a bad magic number", async () => {
    const result = await bootKernel({ pvh: { magic: 0x1234 } });
    expectPowerOff(result, PANIC_STATUS);
    expect(result.output).toContain("panic: firmware handoff: PVH start_info has a bad magic number\n");
  });

  it("panics when the PVH start_info has no memory map", async () => {
    const result = await bootKernel({ pvh: { memmap: [] } });
    expectPowerOff(result, PANIC_STATUS);
    expect(result.output).toContain("panic: firmware handoff: PVH start_info carries no memory map\n");
  });

  it("panics when the kernel image is not in usable RAM", async () => {
    const memmap = defaultMemoryMap().map((entry) => (entry.base === 0x10_0000n ? { ...entry, type: E820.reserved } : entry));
    const result = await bootKernel({ pvh: { memmap } });
    expectPowerOff(result, PANIC_STATUS);
    expect(result.output).toContain("panic: the kernel image does not sit in usable RAM\n");
  });

  it("traps when the page allocator runs out, and the trap report names the request", async () => {
    // Usable RAM is only [1 MiB, image end + 80 KiB): the firmware data, the page
    // allocator's tables, the kernel's page tables and its first slabs fit (about
    // 70 KiB); an 8000-byte string of a 4000-character option, which needs a
    // 16-page slab, does not.
    const layout = await kernelLayout();
    const end = BigInt(layout.imageEnd + 80 * 1024);
    const memmap = [{ base: 0x10_0000n, size: end - 0x10_0000n, type: E820.usable }];
    const result = await bootKernel({ cmdline: `panic=${"x".repeat(4000)}`, pvh: { memmap } });
    expect(result.trap?.message).toMatch(/unreachable/);
    const report = result.call((kernel) => kernel.wasmTrap(5)); // what the native runtime does after a trap
    expect(report.status).toBe(PANIC_STATUS);
    const request = /\npanic: kernel trap: out of memory \(a request for (\d+) bytes\)\n$/.exec(result.output);
    expect(request, result.output).not.toBeNull();
    expect(Number(request![1])).toBeGreaterThanOrEqual(8000); // one of the ~8000-byte strings
  });

  it("panics when the page allocator's tables do not fit after the kernel image", async () => {
    // A usable range near 4 GiB makes the tables span ~3.75 GiB of frames (about
    // 4 MiB of bitmap and descriptors), more than the image's RAM range holds.
    const memmap = [...defaultMemoryMap(), { base: 0xf000_0000n, size: 0x10_0000n, type: E820.usable }];
    const result = await bootKernel({ pvh: { memmap } });
    expectPowerOff(result, PANIC_STATUS);
    expect(result.output).toBe("\npanic: memory: no room for the page allocator's tables after the kernel image or the initrd\n");
  });

  it("reports a wasm trap by name", async () => {
    const result = await bootKernel({ cmdline: "quiet" });
    expect(result.call((kernel) => kernel.wasmTrap(3)).status).toBe(PANIC_STATUS);
    expect(result.output).toBe("\npanic: kernel trap: integer divide by zero\n");
  });

  it("reports an x86_64 page fault with its address and cause", async () => {
    const result = await bootKernel({ cmdline: "quiet" });
    expect(result.call((kernel) => kernel.cpuException(14, 0x2n, 0xffff_8000_0000_1234n, 0xdead_b000n)).status).toBe(PANIC_STATUS);
    expect(result.output).toBe(
      "\npanic: CPU exception: page fault (vector 14) at ip 0xffff800000001234, error code 0x2, address 0xdeadb000 (write, page not present)\nin thread 1 (main)\n",
    );
  });

  it("reports an aarch64 data abort with its syndrome and what the syndrome says", async () => {
    const result = await bootKernel({ arch: "aarch64", cmdline: "quiet" });
    const syndrome = (0x25n << 26n) | 0x47n; // ISS: WnR (bit 6) set, fault status 0b000111: translation fault, level 3
    expect(result.call((kernel) => kernel.cpuException(4, syndrome, 0x4020_1000n, 0x10n)).status).toBe(PANIC_STATUS);
    expect(result.output).toBe(
      `\npanic: CPU exception: data abort (class 0x25, vector slot 4) at ip 0x40201000, syndrome ${hex(Number(syndrome))}, address 0x10 (write, translation fault, level 3)\nin thread 1 (main)\n`,
    );
  });

  it("stops with a report when the kernel calls an import its architecture lacks", async () => {
    const result = await bootKernel({ cmdline: "quiet" });
    expect(result.call((kernel) => kernel.unsupportedImport()).status).toBe(PANIC_STATUS);
    expect(result.output).toContain("panic: the kernel called an arch import that this architecture does not have\n");
  });
});
