// Booting the real kernel (kernel/main.ts, compiled as for a release build)
// in Node on the fake machine of test/host/fake-arch.ts.
//
// Guards the boot path end to end without QEMU: a boot stub's handoff and the
// firmware's structures are written into the kernel's memory, kmain runs, and
// the result is what the machine saw: serial output, the power-off status, or
// a trap. Memory plan (4 MiB):
//
//   0x010000  PVH start_info, module list, memory map, command line
//   0x020000  device tree blob
//   0x100000  the kernel's static data (asc memoryBase) ... staticEnd
//   imageStart = staticEnd rounded up to a page (where the build links the image)
//     text   [imageStart, +0x4000)      rodata [+0x4000, +0x6000)
//     data   [+0x6000, imageEnd), with the handoff (120 bytes) at +0x8000,
//            where the stubs' wisp_handoff lies in the real image's data
//   imageEnd   = imageStart + 64 KiB; the boot arena grows from here
//
// The default x86_64 memory map has usable RAM [0, 0x9fc00) and
// [1 MiB, 4 MiB); the default aarch64 tree has one memory node covering
// [0, 4 MiB), since the wasm memory is a window on physical memory from 0
// (QEMU virt's RAM starts at 1 GiB, but the host tests run one kernel wasm,
// built with x86_64's memoryBase of 1 MiB, for both architectures).
// Like firmware, the fake leaves its structures in usable RAM: the kernel
// copies what it needs before the page allocator hands those pages out.
// Only the handoff must stay readable, and it lies in the kernel image,
// which the page allocator never hands out.

import { wasmBytes, wasmModule, kernelTarget } from "./compile";
import { buildDtb, virtTree } from "./dtb";
import { FakeArch, FakeArchConfig, instantiateOnFake, PowerOff, Stuck } from "./fake-arch";
import { ARCH_AARCH64, ARCH_X86_64, E820, HANDOFF_FLAG_NX, HandoffSpec, MemoryMapEntry, PvhSpec, writeHandoff, writePvh } from "./firmware";
import { staticDataEnd } from "../../scripts/build/wasm-data";

export const MEMORY_PAGES = 64;
export const MEMORY_END = MEMORY_PAGES * 0x1_0000;
/** The fake image's text and rodata sizes (the handoff's text_end and rodata_end follow from them). */
export const TEXT_SIZE = 0x4000;
export const RODATA_SIZE = 0x2000;
/** Where the handoff lies inside the fake kernel image (in its data). */
export const HANDOFF_IN_IMAGE = 0x8000;
export const PVH_AT = 0x1_0000;
export const DTB_AT = 0x2_0000;
export const IMAGE_SIZE = 0x1_0000;
/** asconfig.json's memoryBase: where the kernel's static data begins. */
export const STATIC_BASE = 0x10_0000;
const PAGE = 0x1000;

export interface KernelExports extends Record<string, unknown> {
  kmain(handoff: number): void;
  cpuException(kind: number, code: bigint, ip: bigint, address: bigint): void;
  wasmTrap(kind: number): void;
  unsupportedImport(): void;
}

export interface BootScenario {
  arch?: "x86_64" | "aarch64";
  /** The kernel command line (PVH cmdline or /chosen bootargs). */
  cmdline?: string;
  fake?: FakeArchConfig;
  /** Overrides for the handoff the boot stub would write. */
  handoff?: Partial<HandoffSpec>;
  /** Overrides for the PVH start_info (x86_64). */
  pvh?: Partial<PvhSpec>;
  /** A device tree blob to hand over instead of the default one (aarch64). */
  dtb?: Uint8Array;
}

export interface BootLayout {
  staticEnd: number;
  imageStart: number;
  textEnd: number;
  rodataEnd: number;
  imageEnd: number;
}

/** How one call into the kernel ended. */
export interface Outcome {
  /** The powerOff status, or null if the kernel did not power off. */
  status: number | null;
  /** The wasm trap that ended the call, if any. */
  trap: WebAssembly.RuntimeError | null;
  /** True if the call returned normally (which kmain must never do). */
  returned: boolean;
  /** True if the kernel was stopped spinning on the counter (see Stuck). */
  stuck: boolean;
}

export interface BootResult extends Outcome {
  output: string;
  fake: FakeArch;
  memory: WebAssembly.Memory;
  exports: KernelExports;
  layout: BootLayout;
  /** Runs another kernel export on the same machine (e.g. cpuException after boot). */
  call(run: (exports: KernelExports) => void): Outcome;
}

/** Where the kernel's image goes, from its static data. */
export async function kernelLayout(arch: "x86_64" | "aarch64" = "x86_64"): Promise<BootLayout> {
  const staticEnd = staticDataEnd(await wasmBytes(kernelTarget(arch)));
  const imageStart = Math.ceil(staticEnd / PAGE) * PAGE;
  const textEnd = imageStart + TEXT_SIZE;
  return { staticEnd, imageStart, textEnd, rodataEnd: textEnd + RODATA_SIZE, imageEnd: imageStart + IMAGE_SIZE };
}

export function defaultMemoryMap(): MemoryMapEntry[] {
  return [
    { base: 0n, size: 0x9fc00n, type: E820.usable },
    { base: 0x9fc00n, size: 0x400n, type: E820.reserved },
    { base: 0xf0000n, size: 0x10000n, type: E820.reserved },
    { base: 0x10_0000n, size: BigInt(MEMORY_END - 0x10_0000), type: E820.usable },
  ];
}

/** The default aarch64 tree: QEMU virt's shape, with RAM covering the whole wasm memory. */
export function defaultAarch64Dtb(cmdline: string): Uint8Array {
  return buildDtb(virtTree({ bootargs: cmdline, memoryName: "memory@0", memoryBase: 0n, memorySize: BigInt(MEMORY_END), initrd: null })).bytes;
}

function runCall(run: () => void): Outcome {
  const outcome: Outcome = { status: null, trap: null, returned: false, stuck: false };
  try {
    run();
    outcome.returned = true;
  } catch (error) {
    if (error instanceof PowerOff) outcome.status = error.status;
    else if (error instanceof WebAssembly.RuntimeError) outcome.trap = error;
    else if (error instanceof Stuck) outcome.stuck = true;
    else throw error;
  }
  return outcome;
}

export async function bootKernel(scenario: BootScenario = {}): Promise<BootResult> {
  const arch = scenario.arch ?? "x86_64";
  const layout = await kernelLayout(arch);
  const fakeConfig: FakeArchConfig = arch === "aarch64" ? { counterFrequency: 62_500_000n, ...scenario.fake } : { ...scenario.fake };
  const { exports, memory, fake } = await instantiateOnFake<KernelExports>(await wasmModule(kernelTarget(arch)), fakeConfig, MEMORY_PAGES);
  const cmdline = scenario.cmdline ?? "";

  let firmwareInfo: number;
  if (arch === "x86_64") {
    firmwareInfo = writePvh(memory, PVH_AT, { cmdline, memmap: defaultMemoryMap(), ...scenario.pvh });
  } else {
    const blob = scenario.dtb ?? defaultAarch64Dtb(cmdline);
    if (DTB_AT + blob.length > STATIC_BASE) throw new Error("device tree too large for the boot layout");
    new Uint8Array(memory.buffer).set(blob, DTB_AT);
    firmwareInfo = DTB_AT;
  }
  const handoffAt = layout.imageStart + HANDOFF_IN_IMAGE;
  writeHandoff(memory, handoffAt, {
    arch: arch === "x86_64" ? ARCH_X86_64 : ARCH_AARCH64,
    firmwareInfo,
    imageStart: layout.imageStart,
    textEnd: layout.textEnd,
    rodataEnd: layout.rodataEnd,
    imageEnd: layout.imageEnd,
    flags: HANDOFF_FLAG_NX,
    stamps: [500n, 600n, 800n],
    ...scenario.handoff,
  });

  const outcome = runCall(() => exports.kmain(handoffAt));
  return {
    ...outcome,
    get output() {
      return fake.output();
    },
    fake,
    memory,
    exports,
    layout,
    call: (run) => runCall(() => run(exports)),
  };
}
