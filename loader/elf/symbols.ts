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
// then a terminator whose name is 0 and whose address is `bits`, then 2^bits
// u16 hash slots (scripts/build/app-exports.ts exportHashSlots). A name is
// looked up by its hash and compared in full (findExport). An unknown name
// is refused, except for a weak symbol, which resolves to 0. Symbol names
// in the file are read only through indices below DT_STRSZ; the string table
// ends with a NUL (dynamic.ts), so every name ends inside it.

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

/** Where the export table's hash slots are (0: no table), and its bits (exportHashSlots). */
let slots: usize = 0;
let slotBits: u32 = 0;

/** Finds the export table's hash slots once, before the lookups of one module's relocation. */
export function useExports(exports: usize): void {
  slots = 0;
  if (exports == 0) return;
  let count: usize = 0;
  while (changetype<ExportEntry>(exports + count * offsetof<ExportEntry>()).name != 0) count++;
  const terminator = changetype<ExportEntry>(exports + count * offsetof<ExportEntry>());
  slotBits = <u32>terminator.address;
  if (slotBits == 0 || slotBits > 16) return; // not a table the build wrote: nothing resolves
  slots = exports + (count + 1) * offsetof<ExportEntry>();
}

const NAME_HASH_FACTOR: u64 = 0x9e37_79b9_7f4a_7c15;

/**
 * The hash the build gives each export name (scripts/build/app-exports.ts
 * nameHash): the name's bytes as little-endian words, the last one padded
 * with zeros, folded in as h = (h ^ word) * NAME_HASH_FACTOR. `room` bytes
 * are readable from `at`; bytes past it count as a NUL.
 */
function hashName(at: usize, room: usize): u64 {
  let hash: u64 = 0;
  for (let i: usize = 0; ; i += 8) {
    let word: u64 = 0;
    if (i + 8 <= room) word = load<u64>(at + i);
    else for (let k: usize = 0; i + k < room && k < 8; k++) word |= <u64>load<u8>(at + i + k) << (<u64>k << 3);
    const zeros = (word - ONES) & ~word & HIGHS;
    if (zeros == 0) {
      hash = (hash ^ word) * NAME_HASH_FACTOR;
      continue;
    }
    const kept = ctz<u64>(zeros) & ~7; // bits of the bytes before the NUL
    if (kept != 0) hash = (hash ^ (word & ((<u64>1 << kept) - 1))) * NAME_HASH_FACTOR;
    return hash;
  }
  return hash;
}

/**
 * Looks the NUL-terminated name at `wanted` up in the export table by its
 * hash: from its slot to the next free one, each entry named there is
 * compared in full. `room` bytes of the string table are readable from
 * `wanted` on. True (address in `resolved`) if found.
 */
function findExport(exports: usize, wanted: usize, room: usize): bool {
  if (slots == 0) return false;
  const mask: u32 = (1 << slotBits) - 1;
  let slot = <u32>(hashName(wanted, room) >> (64 - <u64>slotBits));
  for (let probes: u32 = 0; probes <= mask; probes++) {
    const taken = <u32>load<u16>(slots + (<usize>slot << 1));
    if (taken == 0) return false;
    const entry = changetype<ExportEntry>(exports + <usize>(taken - 1) * offsetof<ExportEntry>());
    if (namesEqual(<usize>entry.name, wanted, room)) {
      resolved = entry.address;
      return true;
    }
    slot = (slot + 1) & mask;
  }
  return false;
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/**
 * Whether two NUL-terminated names are equal. `a` is an export table name,
 * padded with NULs to whole words; `b` has `room` readable bytes. Whole
 * words are compared while both may be read: the first byte that differs or
 * ends `a` is the lowest one flagged in (a ^ b) | zeros(a).
 */
function namesEqual(a: usize, b: usize, room: usize): bool {
  let i: usize = 0;
  while (i + 8 <= room) {
    const x = load<u64>(a + i);
    const flags = (x ^ load<u64>(b + i)) | ((x - ONES) & ~x & HIGHS);
    if (flags != 0) {
      i += <usize>(ctz<u64>(flags) >> 3);
      return load<u8>(a + i) == load<u8>(b + i);
    }
    i += 8;
  }
  for (; ; i++) {
    const x = load<u8>(a + i);
    if (x != load<u8>(b + i)) return false;
    if (x == 0) return true;
  }
  return false;
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
