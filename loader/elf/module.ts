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

export class AppModule {
  /** The load bias: the module address of ELF address 0. */
  base: u64 = 0;
  /** The region reserved for the module, 0 when nothing is loaded, and its usable size. */
  region: u64 = 0;
  span: u64 = 0;
  /** The address of wisp_app_main, native `void wisp_app_main(void* kernel)`. */
  entry: u64 = 0;
  /** Executable segments as [start, end) module address pairs: a heap block of codeRangeCount * 16 bytes. */
  codeRanges: usize = 0;
  codeRangeCount: u32 = 0;
  /** Symbol table for names: kernel addresses into the file when symbolsInFile, else module addresses. */
  symbolsInFile: bool = false;
  symbols: u64 = 0;
  symbolCount: u64 = 0;
  strings: u64 = 0;
  stringBytes: u64 = 0;
}
