// Native stack frames of an app.so: how far each function moves the stack
// pointer, read from the .stack_sizes section clang writes with
// -fstack-size-section, and the stack-clash check build-app makes with it.
//
// App code runs on a stack with an unmapped guard below it
// (kernel/params.ts APP_STACK_GUARD_BYTES, 32 KiB). On x86_64 clang probes
// every page of a large frame (-fstack-clash-protection), so no frame can
// step over the guard. clang 14 cannot probe on aarch64, so there every
// frame must be small enough that running out of stack always lands in the
// guard: the argument is in docs/build-app.md ("Stack clash").
//
//   .stack_sizes entry:  function address (u64, resolved by the linker), frame bytes (ULEB128)
//   Elf64_Sym (24 bytes): st_name @0 (u32), st_info @4 (type in the low 4 bits),
//                         st_shndx @6 (u16), st_value @8 (u64), st_size @16 (u64)

import type { Arch } from "../build/targets";
import type { ElfInfo } from "./elf-reader";

/** Largest native frame allowed where the compiler cannot probe: 2 x this + an interrupt frame < the 32 KiB guard. */
export const MAX_FRAME_BYTES = 15 << 10;

/** Frame limit build-app enforces for `arch`, or null where stack probes make any size safe. */
export function frameLimit(arch: Arch): number | null {
  return arch === "aarch64" ? MAX_FRAME_BYTES : null;
}

export interface Frames {
  /** Function name → frame bytes, for every function .stack_sizes lists. */
  sizes: Map<string, number>;
  /** Defined functions .stack_sizes does not list: clang leaves out those with dynamic stack allocation. */
  unlisted: string[];
}

const SHT_SYMTAB = 2;
const STT_FUNC = 2;

/** Reads every function's frame size from an app.so compiled with -fstack-size-section. */
export function readFrames(bytes: Uint8Array, elf: ElfInfo): Frames {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stackSizes = elf.sections.find((s) => s.name === ".stack_sizes");
  if (stackSizes === undefined) throw new Error("app.so has no .stack_sizes section (compiled without -fstack-size-section?)");
  const byAddress = new Map<bigint, number>();
  let at = stackSizes.offset;
  const end = stackSizes.offset + stackSizes.size;
  while (at + 8 < end) {
    const address = view.getBigUint64(at, true);
    at += 8;
    let size = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++];
      size += (byte & 0x7f) * scale;
      scale *= 128;
      if ((byte & 0x80) === 0) break;
    }
    byAddress.set(address, Math.max(size, byAddress.get(address) ?? 0));
  }

  const sizes = new Map<string, number>();
  const unlisted: string[] = [];
  for (const symtab of elf.sections.filter((s) => s.type === SHT_SYMTAB)) {
    const strtab = elf.sections[symtab.link];
    for (let sym = symtab.offset + 24; sym + 24 <= symtab.offset + symtab.size; sym += 24) {
      const defined = view.getUint16(sym + 6, true) !== 0;
      if ((bytes[sym + 4] & 0xf) !== STT_FUNC || !defined || view.getBigUint64(sym + 16, true) === 0n) continue;
      let nameEnd = strtab.offset + view.getUint32(sym, true);
      const nameStart = nameEnd;
      while (bytes[nameEnd] !== 0) nameEnd++;
      const name = new TextDecoder().decode(bytes.subarray(nameStart, nameEnd));
      const size = byAddress.get(view.getBigUint64(sym + 8, true));
      if (size === undefined) unlisted.push(name);
      else sizes.set(name, size);
    }
  }
  return { sizes, unlisted };
}

/** The function with the largest frame, or null for a module without functions. */
export function largestFrame(frames: Frames): { name: string; bytes: number } | null {
  let largest: { name: string; bytes: number } | null = null;
  for (const [name, bytes] of frames.sizes) if (largest === null || bytes > largest.bytes) largest = { name, bytes };
  return largest;
}

/**
 * Why `frames` cannot run safely on `arch` (one line naming the function), or
 * null. Where the compiler probes, every frame is fine.
 */
export function frameProblem(frames: Frames, arch: Arch): string | null {
  const limit = frameLimit(arch);
  if (limit === null) return null;
  if (frames.unlisted.length > 0) {
    return `needs a dynamically sized native stack frame in ${frames.unlisted[0]}, which Wisp cannot guard on ${arch}`;
  }
  const largest = largestFrame(frames);
  if (largest !== null && largest.bytes > limit) {
    return (
      `needs a ${largest.bytes}-byte native stack frame in ${largest.name}; on ${arch} Wisp guards ` +
      `frames of up to ${limit} bytes (no stack probes there: docs/build-app.md, "Stack clash")`
    );
  }
  return null;
}
