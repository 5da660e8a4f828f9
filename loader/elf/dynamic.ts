// The dynamic section: where the symbol, string, hash and relocation tables
// are, checked against the file.
//
// readDynamic() walks PT_DYNAMIC up to DT_NULL and, on "", leaves in
// `tables` the file offset and size of every table the loader uses, each
// inside the file bytes of a loaded segment:
//   symbols      DT_SYMTAB, DT_HASH's nchain entries (the build links with
//                --hash-style=sysv; a module without DT_HASH is refused)
//   strings      DT_STRTAB, DT_STRSZ bytes, ending with a NUL
//   rela/plt     DT_RELA + DT_RELASZ, DT_JMPREL + DT_PLTRELSZ (DT_PLTREL RELA),
//                24-byte entries
//   relr         DT_RELR + DT_RELRSZ, 8-byte entries
// Refused outright: DT_REL relocations, text relocations, and initializers
// (DT_INIT, DT_INIT_ARRAY, DT_PREINIT_ARRAY), which nothing would run.

import {
  DynamicEntry, HashHeader, DYNAMIC_ENTRY_BYTES, HASH_HEADER_BYTES, SYMBOL_BYTES, RELA_BYTES, DT_NULL, DT_PLTRELSZ, DT_HASH, DT_STRTAB, DT_SYMTAB,
  DT_RELA, DT_RELASZ, DT_RELAENT, DT_STRSZ, DT_SYMENT, DT_INIT, DT_REL, DT_RELSZ, DT_PLTREL, DT_TEXTREL, DT_JMPREL,
  DT_INIT_ARRAYSZ, DT_PREINIT_ARRAYSZ, DT_RELRSZ, DT_RELR, DT_RELRENT,
} from "./layout";
import { image, fileOffsetOf, NOT_IN_FILE } from "./image";
import { fail } from "./message";

/** Where the tables are: file offsets and byte counts (0 bytes: no such table). */
@unmanaged
export class Tables {
  symbols: u64;
  symbolCount: u64;
  /** DT_SYMTAB and DT_STRTAB as module addresses, for symbol names after loading. */
  symbolsAddress: u64;
  strings: u64;
  stringBytes: u64;
  stringsAddress: u64;
  rela: u64;
  relaBytes: u64;
  plt: u64;
  pltBytes: u64;
  relr: u64;
  relrBytes: u64;
}

export const tables = changetype<Tables>(memory.data(<i32>offsetof<Tables>()));

/** Every DT_* tag the loader reads, by value (tags above 37 are not read). */
const TAG_COUNT: i32 = 38;
const values = memory.data(TAG_COUNT * 8);
const present = memory.data(TAG_COUNT);

// @ts-ignore: decorator
@inline function has(tag: i64): bool {
  return load<u8>(present + <usize>tag) != 0;
}

// @ts-ignore: decorator
@inline function value(tag: i64): u64 {
  return has(tag) ? load<u64>(values + (<usize>tag << 3)) : 0;
}

/** Reads PT_DYNAMIC into `tables`; 0, or -ENOEXEC with why the module is refused. */
export function readDynamic(): i32 {
  memory.fill(present, 0, TAG_COUNT);
  const count = image.dynamicBytes / DYNAMIC_ENTRY_BYTES;
  let ended = false;
  for (let i: u64 = 0; i < count; i++) {
    const entry = changetype<DynamicEntry>(image.file + <usize>(image.dynamicOffset + i * DYNAMIC_ENTRY_BYTES));
    if (entry.tag == DT_NULL) {
      ended = true;
      break;
    }
    if (entry.tag > 0 && entry.tag < <i64>TAG_COUNT) {
      store<u8>(present + <usize>entry.tag, 1);
      store<u64>(values + (<usize>entry.tag << 3), entry.value);
    }
  }
  if (!ended) return fail("the dynamic section has no DT_NULL end");
  if (has(DT_REL) || value(DT_RELSZ) != 0) return fail("the module has DT_REL relocations (only RELA and RELR are supported)");
  if (has(DT_TEXTREL)) return fail("the module has text relocations (DT_TEXTREL)");
  if (has(DT_INIT) || value(DT_INIT_ARRAYSZ) != 0 || value(DT_PREINIT_ARRAYSZ) != 0) {
    return fail("the module has initializers (DT_INIT, DT_INIT_ARRAY), which the loader does not run");
  }
  const error = readSymbolTables();
  if (error < 0) return error;
  return readRelocationTables();
}

function readSymbolTables(): i32 {
  if (!has(DT_HASH)) return fail("the module has no DT_HASH table (link with --hash-style=sysv)");
  if (!has(DT_SYMTAB) || !has(DT_STRTAB) || !has(DT_STRSZ)) return fail("the module has no DT_SYMTAB, DT_STRTAB or DT_STRSZ");
  if (has(DT_SYMENT) && value(DT_SYMENT) != SYMBOL_BYTES) return fail("DT_SYMENT is not 24");
  const hash = fileOffsetOf(value(DT_HASH), HASH_HEADER_BYTES);
  if (hash == NOT_IN_FILE) return fail("DT_HASH lies outside the file");
  const header = changetype<HashHeader>(image.file + <usize>hash);
  const buckets = <u64>header.bucketCount;
  const chains = <u64>header.chainCount;
  const hashBytes = HASH_HEADER_BYTES + (buckets + chains) * sizeof<u32>();
  if (fileOffsetOf(value(DT_HASH), hashBytes) == NOT_IN_FILE) return fail("DT_HASH lies outside the file");
  tables.symbolCount = chains;
  tables.symbolsAddress = value(DT_SYMTAB);
  tables.symbols = fileOffsetOf(value(DT_SYMTAB), chains * SYMBOL_BYTES);
  if (tables.symbols == NOT_IN_FILE) return fail("DT_SYMTAB lies outside the file");
  tables.stringBytes = value(DT_STRSZ);
  tables.stringsAddress = value(DT_STRTAB);
  tables.strings = fileOffsetOf(value(DT_STRTAB), tables.stringBytes);
  if (tables.strings == NOT_IN_FILE) return fail("DT_STRTAB lies outside the file");
  if (tables.stringBytes == 0 || load<u8>(image.file + <usize>(tables.strings + tables.stringBytes - 1)) != 0) {
    return fail("DT_STRTAB does not end with a NUL");
  }
  return 0;
}

function readRelocationTables(): i32 {
  tables.relaBytes = value(DT_RELASZ);
  if (tables.relaBytes != 0) {
    if (!has(DT_RELA)) return fail("DT_RELASZ without DT_RELA");
    if (value(DT_RELAENT) != RELA_BYTES || tables.relaBytes % RELA_BYTES != 0) return fail("DT_RELAENT or DT_RELASZ is not a multiple of 24");
    tables.rela = fileOffsetOf(value(DT_RELA), tables.relaBytes);
    if (tables.rela == NOT_IN_FILE) return fail("DT_RELA lies outside the file");
  }
  tables.pltBytes = value(DT_PLTRELSZ);
  if (tables.pltBytes != 0) {
    if (!has(DT_JMPREL)) return fail("DT_PLTRELSZ without DT_JMPREL");
    if (value(DT_PLTREL) != <u64>DT_RELA) return fail("DT_PLTREL is not DT_RELA");
    if (tables.pltBytes % RELA_BYTES != 0) return fail("DT_PLTRELSZ is not a multiple of 24");
    tables.plt = fileOffsetOf(value(DT_JMPREL), tables.pltBytes);
    if (tables.plt == NOT_IN_FILE) return fail("DT_JMPREL lies outside the file");
  }
  tables.relrBytes = value(DT_RELRSZ);
  if (tables.relrBytes != 0) {
    if (!has(DT_RELR)) return fail("DT_RELRSZ without DT_RELR");
    if (value(DT_RELRENT) != 8 || tables.relrBytes % 8 != 0) return fail("DT_RELRENT or DT_RELRSZ is not a multiple of 8");
    tables.relr = fileOffsetOf(value(DT_RELR), tables.relrBytes);
    if (tables.relr == NOT_IN_FILE) return fail("DT_RELR lies outside the file");
  }
  return 0;
}
