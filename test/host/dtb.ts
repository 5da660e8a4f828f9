// A tiny flattened-device-tree writer for the device-tree parser tests.
//
// Guards kernel/boot/fdt.ts by giving its tests blobs built from first
// principles (the devicetree specification's layout), not captured from a
// machine: a 40-byte big-endian header, the memory reservation map, the
// structure block (BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP,
// END, each 4-byte aligned) and the strings block. The writer records where
// every property landed so tests can corrupt one field precisely.

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;
export const HEADER_SIZE = 40;

/** Header field offsets. */
export const HEADER = {
  magic: 0, totalSize: 4, structOffset: 8, stringsOffset: 12, reserveOffset: 16,
  version: 20, lastCompatibleVersion: 24, bootCpu: 28, stringsSize: 32, structSize: 36,
} as const;

export interface DtNode {
  /** Node name with unit address, e.g. "memory@40000000"; "" for the root. */
  name: string;
  props?: Array<[name: string, value: Uint8Array]>;
  children?: DtNode[];
  /** Emit a NOP token before this node's properties. */
  nop?: boolean;
}

/** Big-endian 32-bit cells. */
export function cells(...values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => view.setUint32(i * 4, value >>> 0));
  return out;
}

/** 64-bit values, each as two big-endian cells. */
export function cells64(...values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  values.forEach((value, i) => view.setBigUint64(i * 8, BigInt.asUintN(64, value)));
  return out;
}

/** A NUL-terminated UTF-8 string property. */
export function text(value: string): Uint8Array {
  return new TextEncoder().encode(`${value}\0`);
}

/** A string-list property ("a\0b\0"). */
export function textList(...values: string[]): Uint8Array {
  return new TextEncoder().encode(values.map((value) => `${value}\0`).join(""));
}

export interface PropLocation {
  /** Offset of the FDT_PROP token in the blob. */
  token: number;
  /** Offset of the property's length field. */
  length: number;
  /** Offset of its nameoff field. */
  nameOffset: number;
  /** Offset of its value. */
  value: number;
}

export interface BuiltDtb {
  bytes: Uint8Array;
  structOffset: number;
  structSize: number;
  stringsOffset: number;
  stringsSize: number;
  /** Property locations by "path:property", e.g. "/chosen:bootargs" or "/:#size-cells". */
  props: Map<string, PropLocation>;
}

export interface DtbLayout {
  /** Put the strings block before the structure block, so the structure ends the blob. */
  stringsFirst?: boolean;
  /** Memory reservation entries (address, size). */
  reserve?: Array<[bigint, bigint]>;
  /** Drop the final FDT_END token. */
  omitEnd?: boolean;
  /**
   * How property names go into the strings block: "shared" (default) once
   * each; "duplicate" once per property; "suffix" once each, as the tail of
   * a longer string ("x-reg"), so every nameoff points into a string's middle.
   */
  names?: "shared" | "duplicate" | "suffix";
}

export class Bytes {
  private data: number[] = [];
  get length(): number {
    return this.data.length;
  }
  u32(value: number): void {
    this.data.push((value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
  }
  raw(bytes: Uint8Array): void {
    for (const b of bytes) this.data.push(b);
  }
  align(to: number): void {
    while (this.data.length % to) this.data.push(0);
  }
  take(): Uint8Array {
    return Uint8Array.from(this.data);
  }
}

export function buildDtb(root: DtNode, layout: DtbLayout = {}): BuiltDtb {
  // Strings block: each property name once.
  const names = new Map<string, number>();
  const strings = new Bytes();
  const nameOffset = (name: string): number => {
    let at = layout.names === "duplicate" ? undefined : names.get(name);
    if (at === undefined) {
      if (layout.names === "suffix") strings.raw(new TextEncoder().encode("x-"));
      at = strings.length;
      names.set(name, at);
      strings.raw(text(name));
    }
    return at;
  };

  // Structure block, with property positions relative to its start.
  const structure = new Bytes();
  const relative = new Map<string, PropLocation>();
  const emit = (node: DtNode, path: string): void => {
    structure.u32(FDT_BEGIN_NODE);
    structure.raw(text(node.name));
    structure.align(4);
    if (node.nop) structure.u32(FDT_NOP);
    for (const [name, value] of node.props ?? []) {
      const token = structure.length;
      structure.u32(FDT_PROP);
      structure.u32(value.length);
      structure.u32(nameOffset(name));
      structure.raw(value);
      structure.align(4);
      relative.set(`${path}:${name}`, { token, length: token + 4, nameOffset: token + 8, value: token + 12 });
    }
    for (const child of node.children ?? []) emit(child, path === "/" ? `/${child.name}` : `${path}/${child.name}`);
    structure.u32(FDT_END_NODE);
  };
  emit(root, "/");
  if (!layout.omitEnd) structure.u32(FDT_END);

  const built = assembleDtb(structure.take(), strings.take(), layout);
  const props = new Map<string, PropLocation>();
  for (const [key, at] of relative) {
    props.set(key, {
      token: at.token + built.structOffset,
      length: at.length + built.structOffset,
      nameOffset: at.nameOffset + built.structOffset,
      value: at.value + built.structOffset,
    });
  }
  return { ...built, props };
}

/** Wraps a ready-made structure block and strings block in a header and reservation map. */
export function assembleDtb(structBytes: Uint8Array, stringBytes: Uint8Array, layout: DtbLayout = {}): BuiltDtb {
  const reserve = new Bytes();
  for (const [address, size] of layout.reserve ?? []) reserve.raw(cells64(address, size));
  reserve.raw(cells64(0n, 0n));
  const reserveOffset = HEADER_SIZE; // 8-aligned
  let structOffset: number;
  let stringsOffset: number;
  let total: number;
  if (layout.stringsFirst) {
    stringsOffset = reserveOffset + reserve.length;
    structOffset = (stringsOffset + stringBytes.length + 3) & ~3;
    if ((structOffset + structBytes.length) % 8) structOffset += 4; // the structure ends the blob exactly
    total = structOffset + structBytes.length;
  } else {
    structOffset = reserveOffset + reserve.length;
    stringsOffset = structOffset + structBytes.length;
    total = (stringsOffset + stringBytes.length + 7) & ~7;
  }

  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(HEADER.magic, FDT_MAGIC);
  view.setUint32(HEADER.totalSize, total);
  view.setUint32(HEADER.structOffset, structOffset);
  view.setUint32(HEADER.stringsOffset, stringsOffset);
  view.setUint32(HEADER.reserveOffset, reserveOffset);
  view.setUint32(HEADER.version, 17);
  view.setUint32(HEADER.lastCompatibleVersion, 16);
  view.setUint32(HEADER.bootCpu, 0);
  view.setUint32(HEADER.stringsSize, stringBytes.length);
  view.setUint32(HEADER.structSize, structBytes.length);
  bytes.set(reserve.take(), reserveOffset);
  bytes.set(structBytes, structOffset);
  bytes.set(stringBytes, stringsOffset);
  return { bytes, structOffset, structSize: structBytes.length, stringsOffset, stringsSize: stringBytes.length, props: new Map() };
}

/** QEMU-virt-like tree: /chosen with bootargs and initrd, one memory node, one PL011. */
export function virtTree(options: {
  bootargs?: string;
  memoryName?: string;
  memoryBase?: bigint;
  memorySize?: bigint;
  uartBase?: number;
  initrd?: [start: number, end: number] | null;
} = {}): DtNode {
  const memoryBase = options.memoryBase ?? 0x4000_0000n;
  const memorySize = options.memorySize ?? 0x0800_0000n;
  const uartBase = options.uartBase ?? 0x0900_0000;
  const initrd = options.initrd === undefined ? [0x4800_0000, 0x4810_0000] : options.initrd;
  const chosen: DtNode = {
    name: "chosen",
    props: [
      ["bootargs", text(options.bootargs ?? 'console=ttyAMA0 panic="disk on fire"')],
      ...(initrd ? ([["linux,initrd-start", cells(initrd[0])], ["linux,initrd-end", cells(initrd[1])]] as Array<[string, Uint8Array]>) : []),
      ["stdout-path", text(`/pl011@${uartBase.toString(16)}`)],
    ],
  };
  return {
    name: "",
    props: [
      ["#address-cells", cells(2)],
      ["#size-cells", cells(2)],
      ["compatible", text("linux,dummy-virt")],
    ],
    children: [
      chosen,
      {
        name: options.memoryName ?? `memory@${memoryBase.toString(16)}`,
        props: [["device_type", text("memory")], ["reg", cells64(memoryBase, memorySize)]],
      },
      {
        name: `pl011@${uartBase.toString(16)}`,
        nop: true,
        props: [
          ["compatible", textList("arm,pl011", "arm,primecell")],
          ["reg", cells64(BigInt(uartBase), 0x1000n)],
          ["clock-names", textList("uartclk", "apb_pclk")],
        ],
      },
      {
        name: "cpus",
        props: [["#address-cells", cells(1)], ["#size-cells", cells(0)]],
        children: [{ name: "cpu@0", props: [["device_type", text("cpu")], ["reg", cells(0)]] }],
      },
    ],
  };
}
