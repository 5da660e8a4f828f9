// Guards kernel/mm/meminfo.ts and the memory set-up of the boot path
// (kernel/main.ts, kernel/mm/index.ts) end to end: the kernel booted in Node
// with `meminfo` prints a `meminfo-raw` line whose counts add up (every frame
// of the tables counted once; usable = free + kernel image + boot
// allocations + page tables + slabs + large allocations + initrd +
// application), with the counts the firmware memory map and the image layout
// dictate, and a human-readable report that agrees with it. In the harness,
// the report prints the page allocator's counters exactly and allocates
// nothing while it prints.

import { describe, expect, it } from "vitest";
import { wasmModule, kernelTarget } from "../compile";
import { E820 } from "../firmware";
import { Harness } from "../harness-client";
import { USE } from "./client";
import { bootKernel, BootResult, defaultMemoryMap, MEMORY_END } from "../kernel-host";

await Promise.all([wasmModule(kernelTarget("x86_64")), wasmModule(kernelTarget("aarch64")), wasmModule("harness")]); // compile (or load) once, outside any test's time limit

const PAGE = 0x1000;
const USES = ["reserved", "free", "kernel-image", "boot-allocations", "page-tables", "slabs", "large-allocations", "initrd", "application", "thread-stacks"];

type Raw = Record<string, number>;

function meminfoRaw(result: BootResult): Raw {
  expect(result.status, result.output).toBe(0);
  return parseRaw(result.output);
}

function parseRaw(output: string): Raw {
  const line = /^meminfo-raw( [a-z-]+=\d+)+$/m.exec(output);
  if (!line) throw new Error(`no meminfo-raw line in:\n${output}`);
  const raw: Raw = {};
  for (const pair of line[0].split(" ").slice(1)) {
    const [key, value] = pair.split("=");
    expect(raw[key], `${key} printed twice`).toBeUndefined();
    raw[key] = Number(value);
  }
  expect(Object.keys(raw).sort()).toEqual(["frames", "usable", "high-water", ...USES].sort());
  return raw;
}

/** The invariants every report must satisfy. */
function expectAddsUp(raw: Raw): void {
  expect(USES.reduce((sum, use) => sum + raw[use], 0), "every frame counted once").toBe(raw.frames);
  expect(USES.filter((use) => use !== "reserved").reduce((sum, use) => sum + raw[use], 0), "usable = free + the uses").toBe(raw.usable);
  expect(raw["high-water"]).toBeGreaterThanOrEqual(raw.usable - raw.free);
  expect(raw["high-water"]).toBeLessThanOrEqual(raw.usable);
}

describe("the meminfo report", () => {
  it("adds up after an x86_64 boot, with the counts the memory map and the image dictate", async () => {
    const result = await bootKernel({ cmdline: "quiet meminfo" });
    const raw = meminfoRaw(result);
    expectAddsUp(raw);
    const { imageEnd } = result.layout;
    expect(raw.frames).toBe(MEMORY_END / PAGE); // tables from 0 to the end of RAM
    expect(raw.usable).toBe(Math.floor(0x9fc00 / PAGE) + (MEMORY_END - 0x10_0000) / PAGE - 1); // page 0 stays reserved
    expect(raw["kernel-image"]).toBe((imageEnd - 0x10_0000) / PAGE); // static data and image
    expect(raw["boot-allocations"]).toBeGreaterThanOrEqual(1);
    expect(raw["page-tables"]).toBeGreaterThanOrEqual(1);
    expect(result.fake.pageTableRoots.length, "the kernel loads its own tables").toBeGreaterThanOrEqual(1);
    expect(raw.slabs).toBeGreaterThanOrEqual(1);
    expect([raw["large-allocations"], raw.initrd, raw.application]).toEqual([0, 0, 0]);
    // The human-readable part agrees.
    expect(result.output).toMatch(new RegExp(`^  usable +${raw.usable} pages +${raw.usable * 4} KiB$`, "m"));
    expect(result.output).toMatch(new RegExp(`^  free +${raw.free} pages +${raw.free * 4} KiB$`, "m"));
    expect(result.output).toMatch(new RegExp(`^  kernel image +${raw["kernel-image"]} pages `, "m"));
  });

  it("adds up after an aarch64 boot", async () => {
    const raw = meminfoRaw(await bootKernel({ arch: "aarch64", cmdline: "quiet meminfo" }));
    expectAddsUp(raw);
    expect(raw.frames).toBe(MEMORY_END / PAGE);
    expect(raw.usable).toBe(MEMORY_END / PAGE - 1);
  });

  it("counts the initrd's frames and firmware reservations inside usable RAM", async () => {
    const initrd = { base: 0x30_0000n + 0x123n, size: 0x1_8000n };
    const memmap = [...defaultMemoryMap(), { base: 0x38_0000n, size: 0x3000n, type: E820.acpi }];
    const raw = meminfoRaw(await bootKernel({ cmdline: "quiet meminfo root=ramfs", pvh: { memmap, modules: [initrd] } }));
    expectAddsUp(raw);
    expect(raw.initrd).toBe(25); // every frame the initrd touches
    expect(raw.usable).toBe(Math.floor(0x9fc00 / PAGE) + (MEMORY_END - 0x10_0000) / PAGE - 1 - 3);
  });

  it("adds up with memory nearly exhausted", async () => {
    const layout = (await bootKernel({ cmdline: "quiet" })).layout;
    const end = BigInt(layout.imageEnd + 96 * 1024);
    const raw = meminfoRaw(await bootKernel({ cmdline: "quiet meminfo", pvh: { memmap: [{ base: 0x10_0000n, size: end - 0x10_0000n, type: E820.usable }] } }));
    expectAddsUp(raw);
    expect(raw.reserved).toBe(0); // the tables start at 1 MiB: no page 0 in them
    expect(raw.free).toBeLessThan(raw.usable / 2);
  });

  it("prints the page allocator's counters exactly, and allocates nothing while printing", async () => {
    const harness = await Harness.withMemory(128);
    const e = harness.exports;
    const held = [100, 5000, 20000, 64, 64, 300_000].map((size) => e.mmMalloc(size));
    e.pagesAlloc(3, USE.app);
    const counts = harness.pageCounts();
    const objects = Array.from({ length: e.classCount() }, (_, c) => e.slabObjectsOf(c));
    const before = harness.fake.serialBytes.length;
    e.mmPrintInfo();
    const output = new TextDecoder().decode(Uint8Array.from(harness.fake.serialBytes.slice(before)));
    expect(harness.pageCounts(), "pages after printing").toEqual(counts);
    expect(Array.from({ length: e.classCount() }, (_, c) => e.slabObjectsOf(c)), "slab objects after printing").toEqual(objects);
    const raw = parseRaw(output);
    expectAddsUp(raw);
    expect(USES.map((use) => raw[use])).toEqual(counts);
    expect([raw.frames, raw.usable, raw["high-water"]]).toEqual([e.pagesFrames(), e.pagesUsable(), e.pagesHighWater()]);
    expect(raw.application).toBe(3);
    expect(raw["large-allocations"]).toBe(5 + 74); // 20000 and 300000 bytes in whole pages
    for (const address of held) e.mmFree(address);
  });
});
