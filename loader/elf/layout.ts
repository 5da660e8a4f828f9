// ELF64 structures as an app module stores them (little-endian), and the
// numbers the loader knows. Nothing here checks bounds: callers take a
// structure only at an offset validated against the file (image.ts).
//
// Every structure is an @unmanaged view over bytes of the file; the field
// order is the on-disk order, so offsetof<T>() is the on-disk size.

/** The file header, at offset 0 (64 bytes).
 *
 *   0 e_ident[16]: 7f 'E' 'L' 'F', class (2 = 64-bit), data (1 = LE), version (1), OS ABI, ...
 *  16 type u16   18 machine u16   20 version u32   24 entry u64   32 phoff u64   40 shoff u64
 *  48 flags u32  52 ehsize u16   54 phentsize u16 56 phnum u16   58 shentsize u16
 *  60 shnum u16  62 shstrndx u16
 */
@unmanaged
export class ElfHeader {
  magic: u32;
  fileClass: u8;
  dataEncoding: u8;
  identVersion: u8;
  osAbi: u8;
  identPadding: u64;
  type: u16;
  machine: u16;
  version: u32;
  entry: u64;
  programHeaders: u64;
  sectionHeaders: u64;
  flags: u32;
  headerBytes: u16;
  programHeaderBytes: u16;
  programHeaderCount: u16;
  sectionHeaderBytes: u16;
  sectionHeaderCount: u16;
  sectionNameIndex: u16;
}

/** A program header (56 bytes).
 *
 *   0 type u32   4 flags u32 (PF_*)   8 offset u64   16 vaddr u64   24 paddr u64
 *  32 filesz u64   40 memsz u64   48 align u64
 */
@unmanaged
export class ProgramHeader {
  type: u32;
  flags: u32;
  offset: u64;
  vaddr: u64;
  paddr: u64;
  fileBytes: u64;
  memoryBytes: u64;
  align: u64;
}

/** A section header (64 bytes); only used to find .symtab.
 *
 *   0 name u32   4 type u32   8 flags u64   16 addr u64   24 offset u64   32 size u64
 *  40 link u32  44 info u32  48 addralign u64   56 entsize u64
 */
@unmanaged
export class SectionHeader {
  name: u32;
  type: u32;
  flags: u64;
  addr: u64;
  offset: u64;
  size: u64;
  link: u32;
  info: u32;
  addressAlign: u64;
  entryBytes: u64;
}

/** A dynamic entry (16 bytes): 0 tag i64, 8 value u64 (DT_*). */
@unmanaged
export class DynamicEntry {
  tag: i64;
  value: u64;
}

/** A symbol (24 bytes).
 *
 *   0 name u32 (string table index)   4 info u8 (bind << 4 | type)   5 other u8
 *   6 shndx u16 (0: undefined)        8 value u64   16 size u64
 */
@unmanaged
export class ElfSymbol {
  name: u32;
  info: u8;
  other: u8;
  section: u16;
  value: u64;
  size: u64;
}

/** A relocation with addend (24 bytes): 0 offset u64, 8 info u64 (symbol << 32 | type), 16 addend i64. */
@unmanaged
export class Rela {
  offset: u64;
  info: u64;
  addend: i64;
}

/** The head of a DT_HASH table (8 bytes): 0 nbucket u32, 4 nchain u32 (one chain per symbol);
 *  bucket[nbucket] and chain[nchain], u32 each, follow it. */
@unmanaged
export class HashHeader {
  bucketCount: u32;
  chainCount: u32;
}

export const HEADER_BYTES: u64 = offsetof<ElfHeader>();
export const PROGRAM_HEADER_BYTES: u64 = offsetof<ProgramHeader>();
export const SECTION_HEADER_BYTES: u64 = offsetof<SectionHeader>();
export const DYNAMIC_ENTRY_BYTES: u64 = offsetof<DynamicEntry>();
export const SYMBOL_BYTES: u64 = offsetof<ElfSymbol>();
export const RELA_BYTES: u64 = offsetof<Rela>();
export const HASH_HEADER_BYTES: u64 = offsetof<HashHeader>();

export const ELF_MAGIC: u32 = 0x464c457f; // 7f 'E' 'L' 'F'
export const ELFCLASS64: u8 = 2;
export const ELFDATA2LSB: u8 = 1;
export const EV_CURRENT: u32 = 1;
export const ET_DYN: u16 = 3;
export const EM_X86_64: u16 = 62;
export const EM_AARCH64: u16 = 183;
/** e_phnum's escape to extended numbering. */
export const PN_XNUM: u16 = 0xffff;

export const PT_LOAD: u32 = 1;
export const PT_DYNAMIC: u32 = 2;
export const PT_INTERP: u32 = 3;
export const PT_TLS: u32 = 7;
export const PT_GNU_STACK: u32 = 0x6474e551;
export const PT_GNU_RELRO: u32 = 0x6474e552;
export const PF_X: u32 = 1;
export const PF_W: u32 = 2;

export const SHT_SYMTAB: u32 = 2;
export const SHT_STRTAB: u32 = 3;

export const DT_NULL: i64 = 0;
export const DT_PLTRELSZ: i64 = 2;
export const DT_HASH: i64 = 4;
export const DT_STRTAB: i64 = 5;
export const DT_SYMTAB: i64 = 6;
export const DT_RELA: i64 = 7;
export const DT_RELASZ: i64 = 8;
export const DT_RELAENT: i64 = 9;
export const DT_STRSZ: i64 = 10;
export const DT_SYMENT: i64 = 11;
export const DT_INIT: i64 = 12;
export const DT_REL: i64 = 17;
export const DT_RELSZ: i64 = 18;
export const DT_PLTREL: i64 = 20;
export const DT_TEXTREL: i64 = 22;
export const DT_JMPREL: i64 = 23;
export const DT_INIT_ARRAYSZ: i64 = 27;
export const DT_PREINIT_ARRAYSZ: i64 = 33;
export const DT_RELRSZ: i64 = 35;
export const DT_RELR: i64 = 36;
export const DT_RELRENT: i64 = 37;

export const STB_LOCAL: u8 = 0;
export const STB_WEAK: u8 = 2;
export const STT_FUNC: u8 = 2;
export const STT_TLS: u8 = 6;
export const STT_GNU_IFUNC: u8 = 10;
export const SHN_UNDEF: u16 = 0;
export const SHN_LORESERVE: u16 = 0xff00;
export const SHN_ABS: u16 = 0xfff1;

export const R_X86_64_NONE: u32 = 0;
export const R_X86_64_64: u32 = 1;
export const R_X86_64_GLOB_DAT: u32 = 6;
export const R_X86_64_JUMP_SLOT: u32 = 7;
export const R_X86_64_RELATIVE: u32 = 8;
export const R_AARCH64_NONE: u32 = 0;
export const R_AARCH64_ABS64: u32 = 257;
export const R_AARCH64_GLOB_DAT: u32 = 1025;
export const R_AARCH64_JUMP_SLOT: u32 = 1026;
export const R_AARCH64_RELATIVE: u32 = 1027;

// @ts-ignore: decorator
@inline export function symbolBinding(symbol: ElfSymbol): u8 {
  return symbol.info >> 4;
}

// @ts-ignore: decorator
@inline export function symbolType(symbol: ElfSymbol): u8 {
  return symbol.info & 0xf;
}
