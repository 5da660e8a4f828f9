// The boot handoff as the kernel reads it. The layout is fixed by
// arch/common/include/handoff.h, which the boot stubs fill:
//
//   0 magic 'WISP'   4 arch   8 firmwareInfo   16 imageStart   24 textEnd
//  32 rodataEnd     40 imageEnd   48 stampCount   52 flags
//  56 stamps[8] (u64 counter readings)
//
// The class below names the fixed fields (offsetof<Handoff>() is 56); the
// stamps array follows them, read through stamp(i).
//
// The image is [imageStart, textEnd) text, [textEnd, rodataEnd) rodata,
// [rodataEnd, imageEnd) data and bss; the page tables map each part W^X.

export const HANDOFF_MAGIC: u32 = 0x50534957;
export const ARCH_X86_64: u32 = 1;
export const ARCH_AARCH64: u32 = 2;
export const HANDOFF_MAX_STAMPS: u32 = 8;
/** Non-executable mappings are enforced (x86_64: the stub turned EFER.NXE on; always set on aarch64). */
export const HANDOFF_FLAG_NX: u32 = 1;

/** Names of the stamps the stubs take before the kernel runs, by index. */
export const HANDOFF_STAMP_NAMES: StaticArray<string> = ["first-instruction", "paging-on", "runtime-ready"];

@unmanaged
export class Handoff {
  magic: u32;
  arch: u32;
  /** PVH start_info (x86_64) or device tree blob (aarch64), a physical address. */
  firmwareInfo: u64;
  imageStart: u64;
  textEnd: u64;
  rodataEnd: u64;
  imageEnd: u64;
  stampCount: u32;
  /** HANDOFF_FLAG_* */
  flags: u32;

  /** Stamp `index` (below stampCount) from the u64 array after the fixed fields. */
  stamp(index: u32): u64 {
    return load<u64>(changetype<usize>(this) + offsetof<Handoff>() + <usize>index * sizeof<u64>());
  }

  static at(address: usize): Handoff {
    return changetype<Handoff>(address);
  }

  /** True if the stub of architecture `arch` (ARCH_*, what this kernel was built for) filled it sensibly. */
  isValid(arch: u32): bool {
    return this.magic == HANDOFF_MAGIC
      && this.arch == arch
      && this.stampCount <= HANDOFF_MAX_STAMPS
      && this.imageStart <= this.textEnd && this.textEnd <= this.rodataEnd && this.rodataEnd <= this.imageEnd
      && this.imageEnd > this.imageStart;
  }
}
