// Guards kernel/boot/pvh.ts and kernel/platform.ts heapLimit on x86_64: what
// the kernel learns from a PVH start_info (command line, memory map, initrd,
// console), that a broken start_info is refused with a reason, and how much
// RAM the runtime may use once the map is known.

import { beforeEach, describe, expect, it } from "vitest";
import { E820, PVH_AREA, PVH_MAGIC, writePvh } from "../firmware";
import { Harness } from "../harness-client";

const harness = await Harness.create();
const AREA = 0x2_0000;
const CONSOLE_NS16550_PORT = 1;

beforeEach(() => harness.resetArena());

const typicalMap = [
  { base: 0n, size: 0x9fc00n, type: E820.usable },
  { base: 0x9fc00n, size: 0x400n, type: E820.reserved },
  { base: 0xf0000n, size: 0x10000n, type: E820.reserved },
  { base: 0x10_0000n, size: 0x7ee_0000n, type: E820.usable },
  { base: 0x7fe_0000n, size: 0x2_0000n, type: E820.acpi },
  { base: 0xfffc_0000n, size: 0x4_0000n, type: E820.reserved },
];

function parse(spec: Parameters<typeof writePvh>[2]) {
  return harness.parsePvh(writePvh(harness.memory, AREA, spec));
}

describe("parsePvh", () => {
  it("reads the command line, the memory map, the initrd and the COM1 console", () => {
    const info = parse({ cmdline: "quiet exit=3", memmap: typicalMap, modules: [{ base: 0x100_0000n, size: 0x2_3456n }] });
    expect(info.error).toBe("");
    expect(info.commandLine).toBe("quiet exit=3");
    expect(info.memory).toEqual(typicalMap.map(({ base, size, type }) => ({ base, size, kind: type })));
    expect(info.consoleKind).toBe(CONSOLE_NS16550_PORT);
    expect(info.consoleBase).toBe(0x3f8n);
    expect(info.initrdBase).toBe(0x100_0000n);
    expect(info.initrdSize).toBe(0x2_3456n);
    expect(harness.usableBytes()).toBe(0x9fc00n + 0x7ee_0000n);
  });

  it("skips zero-sized memory map entries", () => {
    const info = parse({ memmap: [{ base: 0x1000n, size: 0n, type: E820.usable }, { base: 0x10_0000n, size: 0x10_0000n, type: E820.usable }] });
    expect(info.memory).toEqual([{ base: 0x10_0000n, size: 0x10_0000n, kind: E820.usable }]);
  });

  it("keeps unknown memory types as they are", () => {
    expect(parse({ memmap: [{ base: 0n, size: 0x1000n, type: 12 }] }).memory[0].kind).toBe(12);
  });

  it("reads no command line when cmdline_paddr is 0, and no initrd without modules", () => {
    const info = parse({ cmdline: null, memmap: typicalMap });
    expect(info.error).toBe("");
    expect(info.commandLine).toBe("");
    expect(info.initrdBase).toBe(0n);
    expect(info.initrdSize).toBe(0n);
  });

  it("decodes the command line as UTF-8", () => {
    expect(parse({ cmdline: "panic=café☃", memmap: typicalMap }).commandLine).toBe("panic=café☃");
  });

  it("reads at most 4096 bytes of command line", () => {
    expect(parse({ cmdline: "a".repeat(5000), memmap: typicalMap }).commandLine).toBe("a".repeat(4096));
  });

  it("accepts a memory map of exactly 128 entries", () => {
    const map = Array.from({ length: 128 }, (_, i) => ({ base: BigInt(i) << 20n, size: 0x1000n, type: E820.usable }));
    const info = parse({ memmap: map });
    expect(info.error).toBe("");
    expect(info.memory).toHaveLength(128);
  });

  it("refuses a null start_info pointer", () => {
    expect(harness.parsePvh(0).error).toBe("no PVH start_info (boot loader passed a null pointer)");
  });

  it("refuses a bad magic number", () => {
    for (const magic of [0, PVH_MAGIC ^ 1, 0xd00dfeed]) {
      expect(parse({ magic, memmap: typicalMap }).error).toBe("PVH start_info has a bad magic number");
    }
  });

  it("refuses a start_info without a memory map", () => {
    const reason = "PVH start_info carries no memory map";
    expect(parse({ memmap: [] }).error).toBe(reason);
    expect(parse({ version: 0, memmap: typicalMap }).error).toBe(reason); // version 0 has no memmap fields
    expect(parse({ memmap: [{ base: 0n, size: 0n, type: E820.usable }] }).error).toBe(reason);
  });

  it("refuses a memory map with more than 128 entries", () => {
    expect(parse({ memmap: typicalMap, memmapEntries: 129 }).error).toBe("PVH memory map is implausibly long");
    expect(parse({ memmap: typicalMap, memmapEntries: 0xffff_ffff }).error).toBe("PVH memory map is implausibly long");
  });

  it("writes the layout PVH_AREA describes", () => {
    const startInfo = writePvh(harness.memory, AREA, { cmdline: "x", memmap: typicalMap });
    const view = harness.view();
    expect(view.getUint32(startInfo, true)).toBe(PVH_MAGIC);
    expect(Number(view.getBigUint64(startInfo + 24, true))).toBe(AREA + PVH_AREA.cmdline);
    expect(Number(view.getBigUint64(startInfo + 40, true))).toBe(AREA + PVH_AREA.memmap);
  });
});

describe("heapLimit", () => {
  const IMAGE_END = 0x20_0000n;

  it("is the end of the usable range the image ends in", () => {
    parse({ memmap: typicalMap });
    expect(harness.heapLimit(IMAGE_END)).toBe(0x10_0000n + 0x7ee_0000n);
  });

  it("is 0 when the image does not end in usable RAM", () => {
    parse({ memmap: typicalMap });
    expect(harness.heapLimit(0xa_0000n)).toBe(0n); // inside no range
    expect(harness.heapLimit(0x7fe_1000n)).toBe(0n); // ACPI tables
    expect(harness.heapLimit(0x7fe_0000n)).toBe(0n); // exactly at the end of usable RAM
  });

  it("stops below an initrd that lies above the image in the same range", () => {
    parse({ memmap: typicalMap, modules: [{ base: 0x400_0000n, size: 0x10_0000n }] });
    expect(harness.heapLimit(IMAGE_END)).toBe(0x400_0000n);
  });

  it("ignores an initrd below the image or outside its range", () => {
    parse({ memmap: typicalMap, modules: [{ base: 0x1_0000n, size: 0x1000n }] });
    expect(harness.heapLimit(IMAGE_END)).toBe(0x7fe_0000n);
    parse({ memmap: typicalMap, modules: [{ base: 0x8000_0000n, size: 0x1000n }] });
    expect(harness.heapLimit(IMAGE_END)).toBe(0x7fe_0000n);
  });

  it("never reaches past the low 4 GiB", () => {
    parse({ memmap: [{ base: 0x10_0000n, size: 0x2_0000_0000n, type: E820.usable }] });
    expect(harness.heapLimit(IMAGE_END)).toBe(0xffff_f000n);
  });
});
