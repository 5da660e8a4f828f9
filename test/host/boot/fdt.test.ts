// Guards kernel/boot/fdt.ts: what the aarch64 kernel learns from a flattened
// device tree (bootargs, initrd, memory, the PL011), the reasons it gives for
// refusing a broken one, and its promise that a corrupt blob "yields an
// error, not a wild read": every single-byte change and every truncation of a
// small tree must parse to an error or a result, without trapping, and
// without depending on any byte outside the blob.
//
// Blobs are placed so they end exactly at the end of wasm memory: a read past
// the end traps. The memory before the blob is filled with poison, and each
// corrupt blob is parsed under several poisons; a result that changes with the
// poison was read from outside the blob.

import { beforeEach, describe, expect, it } from "vitest";
import {
  assembleDtb, buildDtb, Bytes, cells, cells64, DtNode, FDT_BEGIN_NODE, FDT_END, FDT_END_NODE, FDT_MAGIC, FDT_PROP,
  HEADER, HEADER_SIZE, text, textList, virtTree,
} from "../dtb";
import { Harness } from "../harness-client";
import { BLOB_REGION, MEMORY_END } from "../core/client";
import { ParsedBootInfo } from "./client";

const harness = await Harness.create();
const CONSOLE_PL011 = 2;
const MEMORY_USABLE = 1;
/** Bytes before (and any slack after) a placed blob that get poisoned: the end of the harness's blob region. */
const POISON_WINDOW = Math.min(0x1_0000, MEMORY_END - BLOB_REGION);
const POISONS = [Uint8Array.of(0x00), Uint8Array.of(0xff), cells(FDT_END)].map((pattern) => {
  const window = new Uint8Array(POISON_WINDOW);
  for (let i = 0; i < window.length; i++) window[i] = pattern[i % pattern.length];
  return window;
});

beforeEach(() => harness.resetArena());

/** Places a blob so it ends at the end of memory (8-aligned start, poison before and in any slack). */
function place(blob: Uint8Array, poison: Uint8Array = POISONS[0], length = blob.length): number {
  const at = (MEMORY_END - length) & ~7;
  harness.write(MEMORY_END - POISON_WINDOW, poison);
  harness.write(at, blob.subarray(0, length));
  return at;
}

function parse(blob: Uint8Array): ParsedBootInfo {
  return harness.parseFdt(place(blob));
}

/** One parse as a comparable string: the result, or how it failed. */
function outcome(blob: Uint8Array, poison: Uint8Array, length = blob.length): string {
  harness.resetArena();
  const at = place(blob, poison, length);
  try {
    return JSON.stringify(harness.parseFdt(at), (_, value) => (typeof value === "bigint" ? `0x${value.toString(16)}` : value));
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) return `TRAP ${error.message}`;
    throw error;
  }
}

/** Parses under every poison; returns a description of what went wrong, or null. */
function misbehaviour(blob: Uint8Array, length = blob.length): string | null {
  const results = POISONS.map((poison) => outcome(blob, poison, length));
  const trap = results.find((result) => result.startsWith("TRAP"));
  if (trap) return trap;
  if (new Set(results).size !== 1) return `result depends on bytes outside the blob: ${results.join(" / ")}`;
  return null;
}

function root(children: DtNode[], props: Array<[string, Uint8Array]> = [["#address-cells", cells(2)], ["#size-cells", cells(2)]]): DtNode {
  return { name: "", props, children };
}

const memoryNode = (name = "memory@40000000", reg = cells64(0x4000_0000n, 0x800_0000n)): DtNode => ({
  name,
  props: [["device_type", text("memory")], ["reg", reg]],
});

describe("parseFdt", () => {
  it("reads bootargs, initrd, memory and the PL011 from a QEMU-virt-like tree", () => {
    const info = parse(buildDtb(virtTree()).bytes);
    expect(info).toEqual({
      error: "",
      commandLine: 'console=ttyAMA0 panic="disk on fire"',
      memory: [{ base: 0x4000_0000n, size: 0x800_0000n, kind: MEMORY_USABLE }],
      consoleKind: CONSOLE_PL011,
      consoleBase: 0x0900_0000n,
      initrdBase: 0x4800_0000n,
      initrdSize: 0x10_0000n,
    });
  });

  it("reads the same tree with the strings block before the structure", () => {
    const info = parse(buildDtb(virtTree(), { stringsFirst: true, reserve: [[0x4000_0000n, 0x1000n]] }).bytes);
    expect(info.error).toBe("");
    expect(info.commandLine).toBe('console=ttyAMA0 panic="disk on fire"');
    expect(info.memory).toHaveLength(1);
  });

  it("honours the root's #address-cells and #size-cells", () => {
    const oneOne = root([memoryNode("memory@80000000", cells(0x8000_0000, 0x1000_0000))], [["#address-cells", cells(1)], ["#size-cells", cells(1)]]);
    expect(parse(buildDtb(oneOne).bytes).memory).toEqual([{ base: 0x8000_0000n, size: 0x1000_0000n, kind: MEMORY_USABLE }]);
    // Without #size-cells the default is 1 (and #address-cells 2).
    const defaults = root([memoryNode("memory", cells(0x1, 0x0, 0x2000_0000))], []);
    expect(parse(buildDtb(defaults).bytes).memory).toEqual([{ base: 0x1_0000_0000n, size: 0x2000_0000n, kind: MEMORY_USABLE }]);
  });

  it("reads every range of every memory node and skips empty ones", () => {
    const tree = root([
      memoryNode("memory@40000000", cells64(0x4000_0000n, 0x1000_0000n, 0x9000_0000n, 0n, 0x1_0000_0000n, 0x4000_0000n)),
      memoryNode("memory@200000000", cells64(0x2_0000_0000n, 0x100_0000n)),
    ]);
    expect(parse(buildDtb(tree).bytes).memory.map((range) => [range.base, range.size])).toEqual([
      [0x4000_0000n, 0x1000_0000n], [0x1_0000_0000n, 0x4000_0000n], [0x2_0000_0000n, 0x100_0000n],
    ]);
  });

  it("reads 64-bit initrd properties", () => {
    const tree = root([
      { name: "chosen", props: [["linux,initrd-start", cells64(0x1_2000_0000n)], ["linux,initrd-end", cells64(0x1_2080_0000n)]] },
      memoryNode(),
    ]);
    const info = parse(buildDtb(tree).bytes);
    expect([info.initrdBase, info.initrdSize]).toEqual([0x1_2000_0000n, 0x80_0000n]);
  });

  it("reports no initrd when its end is not above its start, and no command line without bootargs", () => {
    const tree = root([{ name: "chosen", props: [["linux,initrd-start", cells(0x5000)], ["linux,initrd-end", cells(0x5000)]] }, memoryNode()]);
    const info = parse(buildDtb(tree).bytes);
    expect([info.initrdBase, info.initrdSize, info.commandLine]).toEqual([0n, 0n, ""]);
  });

  it("falls back to QEMU virt's UART address when the tree names no PL011", () => {
    const info = parse(buildDtb(root([memoryNode()])).bytes);
    expect(info.error).toBe("");
    expect([info.consoleKind, info.consoleBase]).toEqual([CONSOLE_PL011, 0x0900_0000n]);
  });

  it("uses the first PL011 that is not disabled", () => {
    const uart = (address: bigint, status?: string): DtNode => ({
      name: `pl011@${address.toString(16)}`,
      props: [["compatible", textList("arm,pl011", "arm,primecell")], ["reg", cells64(address, 0x1000n)], ...(status ? [["status", text(status)]] as Array<[string, Uint8Array]> : [])],
    });
    const tree = root([memoryNode(), uart(0x900_0000n, "disabled"), uart(0x1c09_0000n, "okay"), uart(0x1c0a_0000n)]);
    expect(parse(buildDtb(tree).bytes).consoleBase).toBe(0x1c09_0000n);
  });

  it("ignores UART-like properties below the top level", () => {
    const tree = root([memoryNode(), { name: "soc", children: [{ name: "pl011@1000", props: [["compatible", text("arm,pl011")], ["reg", cells64(0x1000n, 0x1000n)]] }] }]);
    expect(parse(buildDtb(tree).bytes).consoleBase).toBe(0x0900_0000n);
  });

  // Property names are looked up by nameoff in an index of the strings block
  // built once per parse; these guard the cases the index cannot answer alone.
  it.each(["duplicate", "suffix"] as const)("reads the same tree when property names are stored %s", (names) => {
    const expected = parse(buildDtb(virtTree()).bytes);
    harness.resetArena();
    expect(parse(buildDtb(virtTree(), { names }).bytes)).toEqual(expected);
  });

  it("finds a PL011 whose node has children, and ignores look-alike compatible strings", () => {
    const tree = root([
      memoryNode(),
      { name: "serial@1000", props: [["compatible", textList("arm,pl0111", "arm,pl01", "brm,pl011")], ["reg", cells64(0x1000n, 0x1000n)]] },
      {
        name: "pl011@2000",
        props: [["compatible", textList("vendor,uart", "arm,pl011")], ["reg", cells64(0x2000n, 0x1000n)]],
        children: [{ name: "child", props: [["reg", cells64(0x3000n, 0x1000n)]] }],
      },
    ]);
    expect(parse(buildDtb(tree).bytes).consoleBase).toBe(0x2000n);
  });

  it("reads QEMU virt's GIC, timer and PL031 nodes without upsetting the rest", () => {
    const tree = virtTree();
    tree.children!.push(
      {
        name: "intc@8000000",
        props: [["compatible", text("arm,cortex-a15-gic")], ["reg", cells64(0x800_0000n, 0x1_0000n, 0x801_0000n, 0x1_0000n)], ["#interrupt-cells", cells(3)]],
        children: [{ name: "v2m@8020000", props: [["compatible", text("arm,gic-v2m-frame")], ["reg", cells64(0x802_0000n, 0x1000n)]] }],
      },
      { name: "timer", props: [["compatible", textList("arm,armv8-timer", "arm,armv7-timer")], ["interrupts", cells(1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104, 1, 10, 0x104)]] },
      { name: "pl031@9010000", props: [["compatible", textList("arm,pl031", "arm,primecell")], ["reg", cells64(0x901_0000n, 0x1000n)], ["interrupts", cells(0, 2, 4)]] },
    );
    const info = parse(buildDtb(tree).bytes);
    expect(info.error).toBe("");
    expect(info.consoleBase).toBe(0x0900_0000n);
    expect(info.memory).toHaveLength(1);
    // GICv2; the virtual timer is the third PPI (14 + 16); the PL031 is SPI 2 (2 + 32).
    expect(harness.bootDevices()).toEqual({
      controllerKind: 2, distributor: 0x800_0000n, cpuInterface: 0x801_0000n, timerInterrupt: 27, rtcBase: 0x901_0000n, rtcInterrupt: 34,
    });
  });

  it("tells apart consecutive compatible values of one length (the walk remembers the last one's kind)", () => {
    const tree = root([
      memoryNode(),
      { name: "pl011@9000000", props: [["compatible", text("arm,pl011")], ["reg", cells64(0x900_0000n, 0x1000n)]] },
      { name: "pl031@9010000", props: [["compatible", text("arm,pl031")], ["reg", cells64(0x901_0000n, 0x1000n)], ["interrupts", cells(0, 2, 4)]] },
      { name: "virtio_mmio@a000000", props: [["compatible", text("virtio,mmio")], ["reg", cells64(0xa00_0000n, 0x200n)], ["interrupts", cells(0, 16, 1)]] },
      { name: "virtio_mmio@a000200", props: [["compatible", text("virtio,mmiO")], ["reg", cells64(0xa00_0200n, 0x200n)], ["interrupts", cells(0, 17, 1)]] },
      { name: "virtio_mmio@a000400", props: [["compatible", text("virtio,mmio")], ["reg", cells64(0xa00_0400n, 0x200n)], ["interrupts", cells(0, 18, 1)]] },
    ]);
    const info = parse(buildDtb(tree).bytes);
    expect(info.error).toBe("");
    expect(info.consoleBase).toBe(0x900_0000n);
    expect(harness.bootDevices()).toMatchObject({ rtcBase: 0x901_0000n, rtcInterrupt: 34 });
    expect(harness.bootVirtioWindows()).toEqual([
      { base: 0xa00_0000n, size: 0x200n, interrupt: 48 },
      { base: 0xa00_0400n, size: 0x200n, interrupt: 50 },
    ]);
  });

  it("records a GICv3 by kind, and no devices for a tree without them", () => {
    const tree = virtTree();
    tree.children!.push({ name: "intc@8000000", props: [["compatible", text("arm,gic-v3")], ["reg", cells64(0x800_0000n, 0x1_0000n, 0x80a_0000n, 0xf6_0000n)]] });
    expect(parse(buildDtb(tree).bytes).error).toBe("");
    expect(harness.bootDevices()).toMatchObject({ controllerKind: 3, distributor: 0x800_0000n });
    expect(parse(buildDtb(virtTree()).bytes).error).toBe("");
    expect(harness.bootDevices()).toEqual({ controllerKind: 0, distributor: 0n, cpuInterface: 0n, timerInterrupt: 0, rtcBase: 0n, rtcInterrupt: 0 });
  });

  it("records every usable virtio-mmio node in tree order, past the list's first 32 places", () => {
    const tree = virtTree();
    const expected: Array<{ base: bigint; size: bigint; interrupt: number }> = [];
    for (let i = 0; i < 40; i++) {
      const base = 0xa00_0000n + BigInt(i) * 0x200n;
      const props: Array<[string, Uint8Array]> = [["compatible", text("virtio,mmio")], ["reg", cells64(base, 0x200n)]];
      if (i !== 7) props.push(["interrupts", cells(0, 16 + i, 1)]); // no interrupt: not usable
      if (i === 9) props.push(["status", text("disabled")]);
      tree.children!.push({ name: `virtio_mmio@${base.toString(16)}`, props });
      if (i !== 7 && i !== 9) expected.push({ base, size: 0x200n, interrupt: 48 + i });
    }
    expect(parse(buildDtb(tree).bytes).error).toBe("");
    expect(harness.bootVirtioWindows()).toEqual(expected);
    expect(parse(buildDtb(virtTree()).bytes).error).toBe("");
    expect(harness.bootVirtioWindows()).toEqual([]);
  });

  it("accepts 16 levels of nesting and refuses 17", () => {
    const nest = (levels: number): DtNode => (levels === 0 ? { name: "leaf" } : { name: `n${levels}`, children: [nest(levels - 1)] });
    expect(parse(buildDtb(root([memoryNode(), nest(14)])).bytes).error).toBe(""); // root + 15 levels
    expect(parse(buildDtb(root([memoryNode(), nest(15)])).bytes).error).toBe("device tree nests too deeply");
  });

  it("refuses a null pointer, a bad magic number and an inconsistent header", () => {
    expect(harness.parseFdt(0).error).toBe("no device tree (boot loader passed a null pointer)");
    const good = buildDtb(virtTree()).bytes;
    const withField = (field: number, value: number) => {
      const blob = good.slice();
      new DataView(blob.buffer).setUint32(field, value);
      return parse(blob).error;
    };
    expect(withField(HEADER.magic, FDT_MAGIC ^ 0x100)).toBe("device tree has a bad magic number");
    const inconsistent = "device tree header is inconsistent";
    expect(withField(HEADER.totalSize, 39)).toBe(inconsistent);
    expect(withField(HEADER.totalSize, (16 << 20) + 1)).toBe(inconsistent);
    expect(withField(HEADER.structSize, good.length)).toBe(inconsistent);
    expect(withField(HEADER.stringsOffset, good.length)).toBe(inconsistent);
    expect(withField(HEADER.structOffset, 0xffff_fff0)).toBe(inconsistent);
  });

  it("refuses unsupported cell sizes, a tree without memory, and broken token streams", () => {
    const threeCells = root([memoryNode("memory", cells(0, 0, 0, 0x1000))], [["#address-cells", cells(3)], ["#size-cells", cells(1)]]);
    expect(parse(buildDtb(threeCells).bytes).error).toBe("device tree uses unsupported #address-cells/#size-cells");
    expect(parse(buildDtb(root([{ name: "chosen", props: [["bootargs", text("quiet")]] }])).bytes).error).toBe("device tree has no memory node");
    expect(parse(buildDtb(virtTree(), { omitEnd: true }).bytes).error).toBe("device tree structure ends without an END token");

    const strings = textList("reg");
    const stream = (...words: number[]) => {
      const structure = new Bytes();
      for (const word of words) structure.u32(word);
      return parse(assembleDtb(structure.take(), strings).bytes).error;
    };
    expect(stream(FDT_BEGIN_NODE, 0, FDT_END_NODE, FDT_END_NODE, FDT_END)).toBe("device tree closes more nodes than it opens");
    expect(stream(FDT_BEGIN_NODE, 0, 7, FDT_END)).toBe("device tree has an unknown structure token");
    expect(stream(FDT_BEGIN_NODE, 0x61616161)).toBe("device tree node name runs past the structure");
    expect(stream(FDT_BEGIN_NODE, 0, FDT_PROP, 4)).toBe("device tree property header runs past the structure");
    expect(stream(FDT_BEGIN_NODE, 0, FDT_PROP, 16, 0, 0, FDT_END)).toBe("device tree property runs past its block");
    expect(stream(FDT_BEGIN_NODE, 0, FDT_PROP, 0, 4, FDT_END)).toBe("device tree property runs past its block");
  });

  // Regression test (kernel/boot/fdt.ts, the FDT_PROP branch). The bug it guards: `value + length >
  // structEnd` is computed in 32-bit usize, so a length near 2^32 wraps around
  // and passes the check; `at` then jumps backwards, out of the blob. Here it
  // lands on an FDT_END token planted below the blob and the parse "succeeds".
  // On QEMU virt the tree sits at 0x40000000, where any length above 0xc0000000
  // wraps.
  it("refuses a property whose length wraps around the address space", () => {
    const built = buildDtb(virtTree());
    const property = built.props.get("/pl011@9000000:clock-names")!;
    const blob = built.bytes.slice();
    const at = (MEMORY_END - blob.length) & ~7;
    const landing = MEMORY_END - POISON_WINDOW;
    new DataView(blob.buffer).setUint32(property.length, (2 ** 32 - (at + property.value) + landing) >>> 0);
    place(blob);
    harness.write(landing, cells(FDT_END));
    const info = harness.parseFdt(at);
    expect(info.error).not.toBe("");
  });

  // Regression test (kernel/boot/fdt.ts, linux,initrd-start/-end). The bug it guards: the value is
  // read as one cell unless its length is 8, without checking that the length
  // is 4; a shorter property is read past its end (here the next token,
  // FDT_PROP = 3, becomes the initrd address; at the end of the structure block
  // it would read past the blob).
  it("does not read an initrd property past its length", () => {
    const tree = virtTree();
    tree.children![0].props![1][1] = new Uint8Array(0); // linux,initrd-start with no value
    const info = parse(buildDtb(tree).bytes);
    expect(info.error !== "" || info.initrdBase === 0n).toBe(true);
  });

  // Regression test (kernel/boot/fdt.ts, uartReg). The bug it guards: the address taken for the UART is
  // whatever top-level `reg` was read last, not the PL011 node's own; a PL011
  // node without `reg` gets the previous node's address (here a virtio device's
  // registers, which the console would then write into).
  it("does not give a PL011 without reg another node's address", () => {
    const tree = root([
      memoryNode(),
      { name: "virtio_mmio@a000000", props: [["compatible", text("virtio,mmio")], ["reg", cells64(0xa00_0000n, 0x200n)]] },
      { name: "pl011@9000000", props: [["compatible", text("arm,pl011")]] },
    ]);
    expect(parse(buildDtb(tree).bytes).consoleBase).not.toBe(0xa00_0000n);
  });
});

describe("parseFdt on corrupt blobs", () => {
  const layouts = [
    { name: "structure then strings", built: buildDtb(virtTree()) },
    { name: "strings then structure (the structure ends the blob)", built: buildDtb(virtTree(), { stringsFirst: true }) },
  ];

  for (const { name, built } of layouts) {
    it(`survives every single-byte change (${name})`, () => {
      const problems: string[] = [];
      const blob = built.bytes.slice();
      for (let offset = 0; offset < blob.length; offset++) {
        const original = blob[offset];
        const values = new Set([0x00, 0xff, ...[0, 1, 2, 3, 4, 5, 6, 7].map((bit) => original ^ (1 << bit))]);
        values.delete(original);
        for (const value of values) {
          blob[offset] = value;
          const problem = misbehaviour(blob);
          if (problem) problems.push(`byte ${offset}: 0x${original.toString(16)} -> 0x${value.toString(16)}: ${problem}`);
        }
        blob[offset] = original;
      }
      expect(problems).toEqual([]);
    });

    it(`survives every truncation (${name})`, () => {
      const problems: string[] = [];
      const check = (what: string, blob: Uint8Array, length = blob.length) => {
        const problem = misbehaviour(blob, length);
        if (problem) problems.push(`${what}: ${problem}`);
      };
      const withField = (field: number, value: number) => {
        const blob = built.bytes.slice();
        new DataView(blob.buffer).setUint32(field, value);
        return blob;
      };
      // The blob really ends where totalsize says (but always holds the fixed 40-byte header).
      for (let total = 0; total < built.bytes.length; total++) {
        check(`totalsize ${total}`, withField(HEADER.totalSize, total), Math.max(total, HEADER_SIZE));
      }
      // The header shrinks a block but the bytes are all there.
      for (let size = 0; size < built.structSize; size++) {
        const blob = withField(HEADER.structSize, size);
        check(`struct size ${size}`, blob);
        expect(harness.parseFdt(place(blob)).error, `struct size ${size}`).not.toBe("");
      }
      for (let size = 0; size < built.stringsSize; size++) check(`strings size ${size}`, withField(HEADER.stringsSize, size));
      // The tail of the blob is zeroed.
      for (let from = 0; from < built.bytes.length; from++) {
        const blob = built.bytes.slice();
        blob.fill(0, from);
        check(`zeroed from ${from}`, blob);
      }
      expect(problems).toEqual([]);
    });
  }
});
