// The app module loader's ELF part: the front door.
//
// An app module (app.so) is an ELF64 shared object for the kernel's own
// machine whose one entry is `void wisp_app_main(void* kernel)`.
// loadAppModule validates it (image.ts: headers and segments; dynamic.ts:
// the tables), maps it into an application region (mapping.ts), relocates
// it against the kernel's export table (relocate.ts, symbols.ts) and makes
// PT_GNU_RELRO read-only. docs/loader-elf.md says what is accepted and
// refused.
//
// Refusals are -ENOEXEC with the reason recorded (kernel/failure.ts);
// functionAt's non-empty names are strings the caller owns. A refused module leaves nothing mapped
// and no page taken. One load runs at a time (the state is static).

import { releaseRegion } from "../../kernel/mm/paging/index";
import { AppModule, CodeRange } from "./module";
import { PT_LOAD, PF_X } from "./layout";
import { image, checkImage, programHeader, PAGE } from "./image";
import { tables, readDynamic } from "./dynamic";
import { findEntry, findSectionSymbols, sectionSymbols, resolved, APP_ENTRY } from "./symbols";
import { reserveModuleRegion, mapSegments, protectRelro, forgetTranslations, region, bias } from "./mapping";
import { relocate } from "./relocate";
import { nameOfFunctionAt } from "./names";
import { fail } from "./message";

export { AppModule } from "./module";
export { APP_ENTRY, MODULE_ENTRY } from "./symbols";

/**
 * Validates the ELF image at kernel address `file` (length bytes; `inPlace`
 * says the bytes are page-aligned and stay valid while the module lives, so
 * read-only segments may be mapped from them without a copy), maps it,
 * relocates it against the export table at `exports` ({u64 name C string
 * address, u64 address} pairs ending with a zero name) for `machine`
 * (`elfMachine`, an EM_* number), and fills `module`, whose entry is the
 * function `entryName` (an app's wisp_app_main unless told). Returns 0, or -ENOEXEC
 * with the reason (kernel/failure.ts). Never reads outside [file, file + length).
 */
export function loadAppModule(
  file: usize, length: usize, inPlace: bool, exports: usize, elfMachine: u16, module: AppModule, entryName: string = APP_ENTRY,
): i32 {
  if (module.region != 0) return fail("the AppModule already holds a loaded module");
  const mapInPlace = inPlace && (file & <usize>(PAGE - 1)) == 0;
  forgetTranslations();
  let error = checkImage(file, length, elfMachine);
  if (error == 0) error = readDynamic();
  if (error == 0) error = findSectionSymbols();
  if (error == 0) error = findEntry(entryName);
  if (error < 0) return error;
  const entry = resolved;
  error = reserveModuleRegion();
  if (error < 0) return error;
  module.region = region;
  module.base = bias;
  module.span = image.high - image.low;
  error = mapSegments(mapInPlace);
  if (error == 0) error = relocate(exports);
  if (error == 0) error = protectRelro();
  if (error < 0) {
    unloadAppModule(module);
    return error;
  }
  module.entry = bias + entry;
  recordCode(module);
  recordSymbols(module, mapInPlace);
  return 0;
}

function recordCode(module: AppModule): void {
  let count: u32 = 0;
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type == PT_LOAD && (segment.flags & PF_X) != 0 && segment.memoryBytes != 0) count++;
  }
  module.codeRangeCount = count;
  module.codeRanges = count != 0 ? heap.alloc(<usize>count * offsetof<CodeRange>()) : 0;
  let next: u32 = 0;
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type != PT_LOAD || (segment.flags & PF_X) == 0 || segment.memoryBytes == 0) continue;
    const range = module.codeRange(next++);
    range.start = module.base + segment.vaddr;
    range.end = module.base + segment.vaddr + segment.memoryBytes;
  }
}

function recordSymbols(module: AppModule, inPlace: bool): void {
  module.symbolsInFile = inPlace && sectionSymbols.count != 0;
  if (module.symbolsInFile) {
    module.symbols = <u64>image.file + sectionSymbols.symbols;
    module.symbolCount = sectionSymbols.count;
    module.strings = <u64>image.file + sectionSymbols.strings;
    module.stringBytes = sectionSymbols.stringBytes;
  } else {
    module.symbols = module.base + tables.symbolsAddress;
    module.symbolCount = tables.symbolCount;
    module.strings = module.base + tables.stringsAddress;
    module.stringBytes = tables.stringBytes;
  }
}

/** Unmaps and frees everything loadAppModule allocated; the module can then be loaded into again. */
export function unloadAppModule(module: AppModule): void {
  forgetTranslations();
  if (module.region != 0) releaseRegion(module.region);
  if (module.codeRanges != 0) heap.free(module.codeRanges);
  module.region = module.base = module.span = module.entry = 0;
  module.codeRanges = 0;
  module.codeRangeCount = 0;
  module.symbolsInFile = false;
  module.symbols = module.symbolCount = module.strings = module.stringBytes = 0;
}

/** The name of the function whose code holds `address` (from .symtab if present, else .dynsym), or "". */
export function functionAt(module: AppModule, address: u64): string {
  if (module.region == 0) return "";
  return nameOfFunctionAt(module, address);
}

/** Whether `address` lies in the module's executable segment(s). */
export function inAppCode(module: AppModule, address: u64): bool {
  for (let i: u32 = 0; i < module.codeRangeCount; i++) {
    const range = module.codeRange(i);
    if (address >= range.start && address < range.end) return true;
  }
  return false;
}
