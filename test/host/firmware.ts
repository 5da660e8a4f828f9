// Writers for what firmware and the boot stub leave in memory before kmain:
// the PVH start_info (x86_64) and the Wisp boot handoff.
//
// Guards the layouts the kernel reads (kernel/boot/pvh.ts and
// kernel/boot/handoff.ts, arch/common/include/handoff.h) with a second,
// independent statement of them, little-endian as on both machines:
//
//   start_info: 0 magic 0x336ec578, 4 version, 8 flags, 12 nr_modules,
//     16 modlist_paddr, 24 cmdline_paddr, 32 rsdp_paddr, 40 memmap_paddr,
//     48 memmap_entries; modules are 32 bytes (paddr, size, cmdline, reserved),
//     memory map entries 24 bytes (addr, size, type, reserved).
//   handoff: 0 magic 'WISP', 4 arch, 8 firmware_info, 16 image_start,
//     24 text_end, 32 rodata_end, 40 image_end, 48 stamp_count, 52 flags,
//     56 stamps[8]; 120 bytes.

export const PVH_MAGIC = 0x336ec578;
export const HANDOFF_MAGIC = 0x50534957;
export const HANDOFF_SIZE = 120;
export const ARCH_X86_64 = 1;
export const ARCH_AARCH64 = 2;
/** Handoff flag: the CPU enforces no-execute mappings. */
export const HANDOFF_FLAG_NX = 0x1;

/** e820 numbering, as PVH memory maps use. */
export const E820 = { usable: 1, reserved: 2, acpi: 3, nvs: 4, unusable: 5 } as const;

export interface MemoryMapEntry {
  base: bigint;
  size: bigint;
  type: number;
}

export interface PvhSpec {
  magic?: number;
  version?: number;
  /** The command line; null leaves cmdline_paddr 0. Strings are written as UTF-8. */
  cmdline?: string | Uint8Array | null;
  memmap?: MemoryMapEntry[];
  /** Overrides memmap_entries (default: memmap.length). */
  memmapEntries?: number;
  /** Overrides memmap_paddr (default: where the map was written). */
  memmapAddress?: number;
  modules?: Array<{ base: bigint; size: bigint }>;
}

/** Offsets inside the area writePvh fills, from its base. */
export const PVH_AREA = { startInfo: 0x0, modules: 0x100, memmap: 0x200, cmdline: 0x1000, size: 0x4000 } as const;

/** Writes a start_info and what it points to in [base, base + PVH_AREA.size); returns the start_info address. */
export function writePvh(memory: WebAssembly.Memory, base: number, spec: PvhSpec): number {
  const bytes = new Uint8Array(memory.buffer);
  const view = new DataView(memory.buffer);
  bytes.fill(0, base, base + PVH_AREA.size);
  const startInfo = base + PVH_AREA.startInfo;
  const modules = base + PVH_AREA.modules;
  const memmap = base + PVH_AREA.memmap;
  const cmdline = base + PVH_AREA.cmdline;

  view.setUint32(startInfo + 0, spec.magic ?? PVH_MAGIC, true);
  view.setUint32(startInfo + 4, spec.version ?? 1, true);
  view.setUint32(startInfo + 8, 0, true);
  const moduleList = spec.modules ?? [];
  view.setUint32(startInfo + 12, moduleList.length, true);
  view.setBigUint64(startInfo + 16, moduleList.length ? BigInt(modules) : 0n, true);
  moduleList.forEach((module, i) => {
    view.setBigUint64(modules + i * 32, module.base, true);
    view.setBigUint64(modules + i * 32 + 8, module.size, true);
  });

  if (spec.cmdline === null || spec.cmdline === undefined) {
    view.setBigUint64(startInfo + 24, 0n, true);
  } else {
    const encoded = typeof spec.cmdline === "string" ? new TextEncoder().encode(spec.cmdline) : spec.cmdline;
    if (encoded.length + 1 > PVH_AREA.size - PVH_AREA.cmdline) throw new Error("command line too long for the PVH area");
    bytes.set(encoded, cmdline);
    bytes[cmdline + encoded.length] = 0;
    view.setBigUint64(startInfo + 24, BigInt(cmdline), true);
  }

  const map = spec.memmap ?? [];
  if (map.length * 24 > PVH_AREA.cmdline - PVH_AREA.memmap) throw new Error("memory map too long for the PVH area");
  map.forEach((entry, i) => {
    view.setBigUint64(memmap + i * 24, entry.base, true);
    view.setBigUint64(memmap + i * 24 + 8, entry.size, true);
    view.setUint32(memmap + i * 24 + 16, entry.type, true);
  });
  view.setBigUint64(startInfo + 40, BigInt(spec.memmapAddress ?? memmap), true);
  view.setUint32(startInfo + 48, spec.memmapEntries ?? map.length, true);
  return startInfo;
}

export interface HandoffSpec {
  magic?: number;
  arch: number;
  firmwareInfo: number;
  imageStart: number;
  /** End of the image's text, start of its rodata (page aligned). */
  textEnd: number;
  /** End of the image's rodata, start of its data and bss (page aligned). */
  rodataEnd: number;
  imageEnd: number;
  /** HANDOFF_FLAG_* (default: none). */
  flags?: number;
  /** Counter readings the stub took (first instruction, paging on, runtime ready). */
  stamps?: bigint[];
  /** Overrides stamp_count (default: stamps.length). */
  stampCount?: number;
}

export function writeHandoff(memory: WebAssembly.Memory, at: number, spec: HandoffSpec): number {
  const view = new DataView(memory.buffer);
  new Uint8Array(memory.buffer).fill(0, at, at + HANDOFF_SIZE);
  const stamps = spec.stamps ?? [];
  view.setUint32(at + 0, spec.magic ?? HANDOFF_MAGIC, true);
  view.setUint32(at + 4, spec.arch, true);
  view.setBigUint64(at + 8, BigInt(spec.firmwareInfo), true);
  view.setBigUint64(at + 16, BigInt(spec.imageStart), true);
  view.setBigUint64(at + 24, BigInt(spec.textEnd), true);
  view.setBigUint64(at + 32, BigInt(spec.rodataEnd), true);
  view.setBigUint64(at + 40, BigInt(spec.imageEnd), true);
  view.setUint32(at + 48, spec.stampCount ?? stamps.length, true);
  view.setUint32(at + 52, spec.flags ?? 0, true);
  stamps.forEach((stamp, i) => view.setBigUint64(at + 56 + i * 8, stamp, true));
  return at;
}
