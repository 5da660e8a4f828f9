// Symbols of the module being loaded: resolving the ones relocations name,
// finding the entry, and locating .symtab for names after loading.
//
// A defined symbol resolves inside the module (load bias + value; SHN_ABS
// as is). An undefined one resolves against the kernel's export table,
// arch.appExports()'s format:
//
//   +--------------------------+--------------------------+
//   | u64 name (C string addr) | u64 address              |  ... ending with a zero name
//   +--------------------------+--------------------------+
//
// by exact name, with a binary search over the names sorted (findExport). An unknown name is refused, except for a weak symbol, which
// resolves to 0. Symbol names in the file are read only through indices
// below DT_STRSZ; the string table ends with a NUL (dynamic.ts), so every
// name ends inside it.

import {
  ElfSymbol, SectionHeader, SYMBOL_BYTES, SECTION_HEADER_BYTES, ElfHeader, SHN_UNDEF, SHN_ABS, SHN_LORESERVE,
  STB_WEAK, STT_FUNC, STT_TLS, STT_GNU_IFUNC, SHT_SYMTAB, SHT_STRTAB, symbolBinding, symbolType,
} from "./layout";
import { image, fits, inExecutable } from "./image";
import { tables } from "./dynamic";
import { begin, append, decimal, name, end, fail } from "./message";

/** The value resolveSymbol found. */
export let resolved: u64 = 0;

/** An app module's entry; a filesystem module's is MODULE_ENTRY (loader/modules). */
export const APP_ENTRY = "wisp_app_main";
export const MODULE_ENTRY = "wisp_module_entry";

export function symbolAt(index: u64): ElfSymbol {
  return changetype<ElfSymbol>(image.file + <usize>(tables.symbols + index * SYMBOL_BYTES));
}

/** The address in the file of a symbol's name; the caller checked symbol.name < tables.stringBytes. */
function nameAddress(symbol: ElfSymbol): usize {
  return image.file + <usize>tables.strings + <usize>symbol.name;
}

function symbolError(before: string, symbol: ElfSymbol, after: string): i32 {
  begin(before);
  name(nameAddress(symbol), <usize>(tables.stringBytes - <u64>symbol.name));
  return end(after);
}

/** Resolves symbol `index` of the dynamic symbol table into `resolved`, for a module loaded at `bias`; 0, or -ENOEXEC with why not (kernel/failure.ts). */
export function resolveSymbol(index: u64, bias: u64, exports: usize): i32 {
  resolved = 0;
  if (index == 0) return 0;
  if (index >= tables.symbolCount) {
    begin("a relocation names symbol ");
    decimal(index);
    append(" of ");
    decimal(tables.symbolCount);
    return end("");
  }
  const symbol = symbolAt(index);
  if (<u64>symbol.name >= tables.stringBytes) {
    begin("symbol ");
    decimal(index);
    return end(" has a name outside DT_STRTAB");
  }
  const type = symbolType(symbol);
  if (type == STT_GNU_IFUNC) return symbolError("symbol ", symbol, " is an indirect function (IFUNC), which is not supported");
  if (type == STT_TLS) return symbolError("symbol ", symbol, " is thread-local, which is not supported");
  if (symbol.section == SHN_UNDEF) {
    if (findExport(exports, nameAddress(symbol), <usize>(tables.stringBytes - <u64>symbol.name))) return 0;
    if (symbolBinding(symbol) == STB_WEAK) return 0;
    return symbolError("unknown import: ", symbol, "");
  }
  if (symbol.section == SHN_ABS) {
    resolved = symbol.value;
    return 0;
  }
  if (symbol.section >= SHN_LORESERVE) return symbolError("symbol ", symbol, " has a reserved section index");
  resolved = bias + symbol.value;
  return 0;
}

/** One entry of the export table (the diagram above). */
@unmanaged
class ExportEntry {
  name: u64;
  address: u64;
}

/** The entries of the export table useExports counted. */
let tableEntries: u32 = 0;

/** Counts the export table's entries once, before the lookups of one module's relocation. */
export function useExports(exports: usize): void {
  let count: u32 = 0;
  if (exports != 0) while (changetype<ExportEntry>(exports + <usize>count * offsetof<ExportEntry>()).name != 0) count++;
  tableEntries = count;
}

/**
 * Looks the NUL-terminated name at `wanted` up in the export table, which
 * the build sorts by name (scripts/build/app-exports.ts): a binary search
 * that never compares again the characters the wanted name is known to
 * share with both ends of the range (its names share long prefixes, such
 * as w2c_wasi__snapshot__preview1_). `room` bytes of the string table are
 * readable from `wanted` on. True (address in `resolved`) if found.
 */
function findExport(exports: usize, wanted: usize, room: usize): bool {
  if (exports == 0) return false;
  let low: u32 = 0;
  let high = tableEntries;
  let lowShared: usize = 0; // characters `wanted` shares with the entry before `low`
  let highShared: usize = 0; // ... and with the entry at `high`
  while (low < high) {
    const middle = (low + high) >> 1;
    const entry = changetype<ExportEntry>(exports + <usize>middle * offsetof<ExportEntry>());
    const start = min<usize>(lowShared, highShared);
    const order = compareNames(<usize>entry.name, wanted, start, room);
    if (order == 0) {
      resolved = entry.address;
      return true;
    }
    if (order < 0) {
      low = middle + 1;
      lowShared = shared;
    } else {
      high = middle;
      highShared = shared;
    }
  }
  return false;
}

/** How many characters the last compareNames found alike. */
let shared: usize = 0;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/**
 * The byte order of two NUL-terminated names known to agree on their first
 * `start` bytes: negative, 0 or positive, as strcmp. `a` is an export
 * table name, padded with NULs to whole words; `b` has `room` readable
 * bytes. Whole words are compared while both may be read: the first byte
 * that differs or ends `a` is the lowest one flagged in (a ^ b) | zeros(a).
 */
function compareNames(a: usize, b: usize, start: usize, room: usize): i32 {
  let i = start & ~7;
  while (i + 8 <= room) {
    const x = load<u64>(a + i);
    const flags = (x ^ load<u64>(b + i)) | ((x - ONES) & ~x & HIGHS);
    if (flags != 0) {
      i += <usize>(ctz<u64>(flags) >> 3);
      return byteOrder(a, b, i);
    }
    i += 8;
  }
  for (; ; i++) {
    const x = <i32>load<u8>(a + i);
    if (x != <i32>load<u8>(b + i) || x == 0) return byteOrder(a, b, i);
  }
  return 0;
}

/** The order of two names that agree before byte `i` and differ there, or both end there. */
function byteOrder(a: usize, b: usize, i: usize): i32 {
  shared = i;
  return <i32>load<u8>(a + i) - <i32>load<u8>(b + i);
}

/** The module address of the function `name` (defined, in an executable segment), into `resolved`; 0, or -ENOEXEC with why not (kernel/failure.ts). */
export function findEntry(name: string): i32 {
  for (let i: u64 = 1; i < tables.symbolCount; i++) {
    const symbol = symbolAt(i);
    if (<u64>symbol.name >= tables.stringBytes || !isEntryName(name, nameAddress(symbol), tables.stringBytes - <u64>symbol.name)) continue;
    if (symbol.section == SHN_UNDEF || symbol.section >= SHN_LORESERVE || symbolType(symbol) != STT_FUNC) break;
    if (!inExecutable(symbol.value)) break;
    resolved = symbol.value;
    return 0;
  }
  // Literals, not a concatenation: a refusal allocates nothing.
  return fail(name == APP_ENTRY ? "the module has no wisp_app_main entry" : "the module has no wisp_module_entry entry");
}

function isEntryName(name: string, address: usize, limit: u64): bool {
  const length = <u64>name.length;
  if (limit <= length) return false;
  for (let i = 0; i < name.length; i++) {
    if (<i32>load<u8>(address + <usize>i) != name.charCodeAt(i)) return false;
  }
  return load<u8>(address + <usize>length) == 0;
}

/** The .symtab section and its string table, as file offsets (count 0: none). */
@unmanaged
export class SectionSymbols {
  symbols: u64;
  count: u64;
  strings: u64;
  stringBytes: u64;
}

export const sectionSymbols = changetype<SectionSymbols>(memory.data(<i32>offsetof<SectionSymbols>()));

/** Finds .symtab through the section headers, if the module has them; 0, or -ENOEXEC with why they are malformed. */
export function findSectionSymbols(): i32 {
  sectionSymbols.count = 0;
  const header = changetype<ElfHeader>(image.file);
  const count = <u64>header.sectionHeaderCount;
  if (count == 0) return 0;
  if (<u64>header.sectionHeaderBytes != SECTION_HEADER_BYTES || !fits(header.sectionHeaders, count * SECTION_HEADER_BYTES)) {
    return fail("the section headers lie outside the file");
  }
  for (let i: u64 = 0; i < count; i++) {
    const section = sectionAt(i);
    if (section.type != SHT_SYMTAB) continue;
    if (section.entryBytes != SYMBOL_BYTES || section.size % SYMBOL_BYTES != 0 || !fits(section.offset, section.size)
      || <u64>section.link >= count) {
      return fail("the .symtab section is malformed or lies outside the file");
    }
    const strings = sectionAt(<u64>section.link);
    if (strings.type != SHT_STRTAB || strings.size == 0 || !fits(strings.offset, strings.size)
      || load<u8>(image.file + <usize>(strings.offset + strings.size - 1)) != 0) {
      return fail("the .symtab string table is malformed or lies outside the file");
    }
    sectionSymbols.symbols = section.offset;
    sectionSymbols.count = section.size / SYMBOL_BYTES;
    sectionSymbols.strings = strings.offset;
    sectionSymbols.stringBytes = strings.size;
    return 0;
  }
  return 0;
}

function sectionAt(index: u64): SectionHeader {
  const header = changetype<ElfHeader>(image.file);
  return changetype<SectionHeader>(image.file + <usize>(header.sectionHeaders + index * SECTION_HEADER_BYTES));
}
