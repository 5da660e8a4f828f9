// What the kernel keeps of a loaded app module (loader/elf/index.ts fills it).
//
//   region                     base + ELF address            region + span
//   | guard | segments, each with its own permissions ... | guard |
//
// The region (kernel/mm/paging reserveRegion) holds everything the module
// took: pages copied or zeroed for it were committed in the region, and
// pages mapped from the file are the file's; releaseRegion returns the
// former and unmaps the latter. The caller allocates an AppModule, passes it
// to loadAppModule, and after unloadAppModule may reuse or free it.
//
// The executable segments are kept apart, for the instruction cache and for
// telling app faults from kernel ones, as a heap table of CodeRange entries:
//
//   codeRanges  0 +-----------+-----------+
//                 | start u64 | end u64   |  entry 0: [start, end)
//              16 +-----------+-----------+
//                 | start u64 | end u64   |  entry 1 ... (codeRangeCount entries)
//              32 +-----------+-----------+

@unmanaged
export class CodeRange {
  start: u64;
  end: u64;
}

export class AppModule {
  /** The load bias: the module address of ELF address 0. */
  base: u64 = 0;
  /** The region reserved for the module, 0 when nothing is loaded, and its usable size. */
  region: u64 = 0;
  span: u64 = 0;
  /** The address of wisp_app_main, native `void wisp_app_main(void* kernel)`. */
  entry: u64 = 0;
  /** Executable segments as [start, end) module addresses: a heap block of codeRangeCount CodeRange entries. */
  codeRanges: usize = 0;
  codeRangeCount: u32 = 0;
  /** Symbol table for names: kernel addresses into the file when symbolsInFile, else module addresses. */
  symbolsInFile: bool = false;
  symbols: u64 = 0;
  symbolCount: u64 = 0;
  strings: u64 = 0;
  stringBytes: u64 = 0;

  /** Entry `index` (below codeRangeCount) of the code range table. */
  codeRange(index: u32): CodeRange {
    return changetype<CodeRange>(this.codeRanges + <usize>index * offsetof<CodeRange>());
  }
}
