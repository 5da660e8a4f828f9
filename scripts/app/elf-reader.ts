// A small reader of the ELF64 little-endian shared objects ld.lld writes:
// section sizes, the dynamic table, undefined dynamic symbols and
// relocation counts, for build-app's checks and report (no llvm-readelf
// needed).
//
//   Elf64_Ehdr: e_shoff @40 (u64), e_shentsize @58, e_shnum @60, e_shstrndx @62 (u16)
//   Elf64_Shdr (64 bytes): sh_name @0 (u32), sh_type @4, sh_addr @16, sh_offset @24,
//                          sh_size @32 (u64), sh_link @40 (u32), sh_entsize @56 (u64)
//   Elf64_Sym (24 bytes):  st_name @0 (u32), st_info @4, st_shndx @6 (u16)
//   Elf64_Dyn (16 bytes):  d_tag @0 (i64), d_val @8 (u64)

export interface ElfSection {
  name: string;
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

export interface ElfInfo {
  machine: number;
  type: number;
  sections: ElfSection[];
  /** Dynamic tags present (tag → value; the last one wins). */
  dynamic: Map<number, bigint>;
  undefinedSymbols: string[];
}

export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const DT_RELR = 36;
export const DT_HASH = 4;
export const DT_TEXTREL = 22;
const SHT_DYNSYM = 11;
const SHT_DYNAMIC = 6;

export class ElfFormatError extends Error {}

export function readElf(bytes: Uint8Array): ElfInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 64 || view.getUint32(0, false) !== 0x7f454c46) throw new ElfFormatError("not an ELF file");
  if (bytes[4] !== 2 || bytes[5] !== 1) throw new ElfFormatError("not a little-endian ELF64 file");
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const within = (offset: number, size: number) => {
    if (offset + size > bytes.length) throw new ElfFormatError("a section lies outside the file");
  };
  const shoff = u64(40);
  const shentsize = view.getUint16(58, true);
  const shnum = view.getUint16(60, true);
  const shstrndx = view.getUint16(62, true);
  within(shoff, shnum * shentsize);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const at = shoff + i * shentsize;
    return {
      nameIndex: view.getUint32(at, true), type: view.getUint32(at + 4, true), offset: u64(at + 24),
      size: u64(at + 32), link: view.getUint32(at + 40, true), entsize: u64(at + 56),
    };
  });
  const cString = (offset: number): string => {
    let end = offset;
    while (end < bytes.length && bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(offset, end));
  };
  const names = raw[shstrndx];
  const sections: ElfSection[] = raw.map((s) => ({
    name: names ? cString(names.offset + s.nameIndex) : "", type: s.type, offset: s.offset,
    size: s.size, link: s.link, entsize: s.entsize,
  }));

  const dynamic = new Map<number, bigint>();
  for (const section of sections.filter((s) => s.type === SHT_DYNAMIC)) {
    within(section.offset, section.size);
    for (let at = section.offset; at + 16 <= section.offset + section.size; at += 16) {
      const tag = Number(view.getBigInt64(at, true));
      if (tag === 0) break;
      dynamic.set(tag, view.getBigUint64(at + 8, true));
    }
  }

  const undefinedSymbols: string[] = [];
  for (const symtab of sections.filter((s) => s.type === SHT_DYNSYM)) {
    const strtab = sections[symtab.link];
    within(symtab.offset, symtab.size);
    for (let at = symtab.offset + 24; at + 24 <= symtab.offset + symtab.size; at += 24) {
      if (view.getUint16(at + 6, true) === 0) undefinedSymbols.push(cString(strtab.offset + view.getUint32(at, true)));
    }
  }
  return { machine: view.getUint16(18, true), type: view.getUint16(16, true), sections, dynamic, undefinedSymbols };
}

/** How many addresses a .relr.dyn section relocates (address words and bitmaps, 63 bits each). */
export function countRelr(bytes: Uint8Array, section: ElfSection): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let count = 0;
  for (let at = section.offset; at + 8 <= section.offset + section.size; at += 8) {
    const entry = view.getBigUint64(at, true);
    if ((entry & 1n) === 0n) count++;
    else for (let bits = entry >> 1n; bits !== 0n; bits >>= 1n) count += Number(bits & 1n);
  }
  return count;
}
