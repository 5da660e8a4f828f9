// Per-architecture build facts: where the kernel's wasm static data starts
// (the kernel's memory is identity-mapped physical memory, so this is a
// physical address in RAM), the clang target, and the native sources.

import { UsageError } from "../cli/errors";

export type Arch = "x86_64" | "aarch64";
export const ARCHES: Arch[] = ["x86_64", "aarch64"];

export interface Target {
  arch: Arch;
  /** Physical address of the wasm static data; the ELF image is linked right after it. */
  memoryBase: number;
  clangTarget: string;
  /** Extra clang flags for generated and runtime C. */
  cflags: string[];
  /** Assembly sources of the boot stub and import list. */
  assembly: string[];
  linkerScript: string;
}

const COMMON_C = [
  "arch/common/kernel-instance.c", "arch/common/libc.c", "arch/common/math.c", "arch/common/app-runtime.c", "arch/common/module-runtime.c",
  "arch/common/crc32c.c",
];
export const commonC = COMMON_C;

export const TARGETS: Record<Arch, Target> = {
  x86_64: {
    arch: "x86_64",
    // 1 MiB: above the legacy BIOS area, where PVH loaders put kernels.
    memoryBase: 0x100000,
    clangTarget: "x86_64-unknown-none-elf",
    // No red zone: exceptions arrive on the running stack.
    cflags: ["-mno-red-zone"],
    assembly: ["arch/x86_64/boot.S", "arch/x86_64/traps.S", "arch/x86_64/imports.S", "arch/x86_64/context.S", "arch/x86_64/random.S", "arch/x86_64/app.S"],
    linkerScript: "arch/x86_64/kernel.ld",
  },
  aarch64: {
    arch: "aarch64",
    // RAM base + 1 MiB: QEMU virt puts the device tree (at most 1 MiB) at the RAM base. The
    // first 64 bytes hold the arm64 Image header (boot.S), so that the flat image starts there.
    memoryBase: 0x40100040,
    clangTarget: "aarch64-unknown-none-elf",
    cflags: [],
    assembly: ["arch/aarch64/boot.S", "arch/aarch64/vectors.S", "arch/aarch64/imports.S", "arch/aarch64/context.S", "arch/aarch64/random.S", "arch/aarch64/app.S"],
    linkerScript: "arch/aarch64/kernel.ld",
  },
};

export function parseArch(name: string): Arch {
  if (name === "x86_64" || name === "aarch64") return name;
  if (name === "x86-64" || name === "amd64" || name === "x64") return "x86_64";
  if (name === "arm64") return "aarch64";
  throw new UsageError(`unknown architecture '${name}' (expected x86_64 or aarch64)`);
}
