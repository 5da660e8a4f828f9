// Hand-made ELF64 shared objects for the loader's tests, laid out the way
// ld.lld lays out `-shared -z now -z relro --pack-dyn-relocs=relr
// --hash-style=sysv -z max-page-size=4096` output:
//
//   segment 0  r--  ELF header, program headers, .dynsym, .hash, .dynstr,
//                   .rela.dyn, .relr.dyn, .rela.plt, .rodata
//   segment 1  r-x  .text: wisp_app_main, helper_fn, static_fn (the last only in .symtab)
//   segment 2  rw-  .dynamic, .got, .got.plt          (PT_GNU_RELRO, to its page end)
//   segment 3  rw-  .data, .bss
//   then .symtab, .strtab and the section headers (not loaded), unless left out.
//
// Each segment's file offset and address agree modulo 4 KiB, and each starts
// on a new page of addresses. In `pageAligned` form every segment starts on
// a page of the file too and the code is `codePages` whole pages, so a
// loader can map it from the file without a copy.
//
// The module carries one relocation of every supported kind, and the
// builder returns what each relocated word must hold once loaded at some
// bias against some export table (`expectations`), plus the file offsets of
// fields the tests corrupt on purpose.

export type Machine = "x86_64" | "aarch64";

export const EM = { x86_64: 62, aarch64: 183 } as const;
export const R = {
  x86_64: { none: 0, abs64: 1, globDat: 6, jumpSlot: 7, relative: 8 },
  aarch64: { none: 0, abs64: 257, globDat: 1025, jumpSlot: 1026, relative: 1027 },
} as const;
export const PF = { x: 1, w: 2, r: 4 } as const;
export const PT = { load: 1, dynamic: 2, interp: 3, tls: 7, gnuStack: 0x6474e551, gnuRelro: 0x6474e552 } as const;
export const DT = {
  null: 0, pltrelsz: 2, hash: 4, strtab: 5, symtab: 6, rela: 7, relasz: 8, relaent: 9, strsz: 10, syment: 11,
  init: 12, rel: 17, pltrel: 20, textrel: 22, jmprel: 23, flags: 30, relrsz: 35, relr: 36, relrent: 37,
} as const;
export const PAGE = 0x1000;

/** The names the module imports; a test's export table gives them addresses. */
export const IMPORTS = { memcpy: "memcpy", fdWrite: "w2c_wasi__snapshot__preview1_fd_write", weak: "optional_hook" } as const;

export interface BuildOptions {
  machine?: Machine;
  pageAligned?: boolean;
  /** Whole pages of code in pageAligned form (default 2). */
  codePages?: number;
  /** Leave out .symtab, .strtab and the section headers. */
  stripped?: boolean;
  /** Leave DT_HASH out of the dynamic section. */
  noHash?: boolean;
}

/** What a relocated word must hold: bias + value, an import's address + addend, or a plain value. */
export type Expected =
  | { vaddr: number; kind: "relative"; value: bigint }
  | { vaddr: number; kind: "import"; name: string; addend: bigint }
  | { vaddr: number; kind: "absolute"; value: bigint };

export interface Segment { offset: number; vaddr: number; fileBytes: number; memoryBytes: number; flags: number }

export interface BuiltModule {
  bytes: Uint8Array;
  machine: Machine;
  segments: Segment[];
  /** ELF addresses of the functions. */
  functions: { wisp_app_main: number; helper_fn: number; static_fn: number };
  functionBytes: number;
  expectations: Expected[];
  /** PT_GNU_RELRO as pages: [start, end). */
  relro: { start: number; end: number };
  /** File offsets of fields tests corrupt. */
  at: { programHeaders: number; firstRelaInfo: number; firstPltInfo: number; dynamic: number; dynamicCount: number; relr: number };
}

class Bytes {
  readonly data: number[] = [];
  get length(): number {
    return this.data.length;
  }
  align(to: number): void {
    while (this.data.length % to) this.data.push(0);
  }
  padTo(length: number): void {
    while (this.data.length < length) this.data.push(0);
  }
  u8(value: number): void {
    this.data.push(value & 0xff);
  }
  u16(value: number): void {
    this.u8(value);
    this.u8(value >>> 8);
  }
  u32(value: number): void {
    this.u16(value & 0xffff);
    this.u16(value >>> 16);
  }
  u64(value: number | bigint): void {
    const big = BigInt.asUintN(64, BigInt(value));
    this.u32(Number(big & 0xffff_ffffn));
    this.u32(Number(big >> 32n));
  }
  raw(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.data.push(bytes[i]);
  }
  setU32(at: number, value: number): void {
    for (let i = 0; i < 4; i++) this.data[at + i] = (value >>> (8 * i)) & 0xff;
  }
  setU64(at: number, value: number | bigint): void {
    const big = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 8; i++) this.data[at + i] = Number((big >> BigInt(8 * i)) & 0xffn);
  }
}

/** The System V ELF hash of a symbol name. */
export function elfHash(name: string): number {
  let h = 0;
  for (const byte of new TextEncoder().encode(name)) {
    h = ((h << 4) + byte) >>> 0;
    const g = h & 0xf000_0000;
    if (g) h ^= g >>> 24;
    h &= ~g >>> 0;
  }
  return h >>> 0;
}

/** Packs sorted, 8-aligned addresses as RELR entries. */
export function encodeRelr(addresses: number[]): bigint[] {
  const entries: bigint[] = [];
  let i = 0;
  while (i < addresses.length) {
    entries.push(BigInt(addresses[i]));
    let next = addresses[i] + 8;
    i++;
    for (;;) {
      let bitmap = 0n;
      while (i < addresses.length && addresses[i] - next < 63 * 8) {
        bitmap |= 1n << BigInt((addresses[i] - next) / 8);
        i++;
      }
      if (bitmap === 0n) break;
      entries.push((bitmap << 1n) | 1n);
      next += 63 * 8;
    }
  }
  return entries;
}

interface Sym { name: string; info: number; section: number; value: number; size: number }
const STB = { local: 0, global: 1, weak: 2 };
const STT = { notype: 0, object: 1, func: 2 };
const info = (bind: number, type: number) => (bind << 4) | type;

/** Builds the module; see the head comment for its layout. */
export function buildModule(options: BuildOptions = {}): BuiltModule {
  const machine = options.machine ?? "x86_64";
  const r = R[machine];
  const pageAligned = options.pageAligned ?? false;
  const codeBytes = pageAligned ? (options.codePages ?? 2) * PAGE : 48;
  const functionBytes = 16;
  const phdrCount = 7;
  const dataWords = 210;
  const bssBytes = 64;
  const names = { main: "wisp_app_main", helper: "helper_fn", counter: "counter" };

  // --- Addresses first: everything but the segment contents' values depends only on sizes. ---
  const out = new Bytes();
  out.padTo(64 + phdrCount * 56);
  out.align(8);
  const dynsymAt = out.length;
  const dynamicSymbols: Sym[] = [
    { name: "", info: 0, section: 0, value: 0, size: 0 },
    { name: names.main, info: info(STB.global, STT.func), section: 2, value: 0, size: functionBytes },
    { name: names.helper, info: info(STB.global, STT.func), section: 2, value: 0, size: functionBytes },
    { name: names.counter, info: info(STB.global, STT.object), section: 4, value: 0, size: 8 },
    { name: IMPORTS.memcpy, info: info(STB.global, STT.notype), section: 0, value: 0, size: 0 },
    { name: IMPORTS.fdWrite, info: info(STB.global, STT.notype), section: 0, value: 0, size: 0 },
    { name: IMPORTS.weak, info: info(STB.weak, STT.notype), section: 0, value: 0, size: 0 },
  ];
  const symbolIndex = (name: string) => dynamicSymbols.findIndex((symbol) => symbol.name === name);
  out.padTo(dynsymAt + dynamicSymbols.length * 24);
  const hashAt = out.length;
  const buckets = 3;
  out.padTo(hashAt + 4 * (2 + buckets + dynamicSymbols.length));
  const dynstrAt = out.length;
  const dynstr = new Bytes();
  dynstr.u8(0);
  const nameOffsets = new Map<string, number>([["", 0]]);
  for (const symbol of dynamicSymbols.slice(1)) {
    nameOffsets.set(symbol.name, dynstr.length);
    dynstr.raw(new TextEncoder().encode(symbol.name));
    dynstr.u8(0);
  }
  out.padTo(dynstrAt + dynstr.length);
  out.align(8);
  const relaAt = out.length;
  const relaCount = 5;
  out.padTo(relaAt + relaCount * 24);
  const relrAt = out.length;
  // RELR'd words of .data: an address, a bitmap, a second bitmap, then a far pair needing a new address.
  const relrWords = [0, 1, 2, 5, 40, 70, 200, 201];
  const relrCount = 5; // [address 0, bitmap (1 2 5 40), bitmap (70), address 200, bitmap (201)]
  out.padTo(relrAt + relrCount * 8);
  const pltAt = out.length;
  const pltCount = 2;
  out.padTo(pltAt + pltCount * 24);
  const rodataAt = out.length;
  const rodata = new TextEncoder().encode("rodata: hello\0");
  out.padTo(rodataAt + rodata.length);
  const roEnd = out.length;

  const nextVaddr = (previousEnd: number, offset: number) => Math.ceil(previousEnd / PAGE) * PAGE + (offset % PAGE);
  // Segment 1: code.
  if (pageAligned) out.padTo(Math.ceil(out.length / PAGE) * PAGE);
  else out.align(16);
  const textOffset = out.length;
  const textVaddr = nextVaddr(roEnd, textOffset);
  out.padTo(textOffset + codeBytes);
  // Segment 2: .dynamic, .got, .got.plt.
  if (pageAligned) out.padTo(Math.ceil(out.length / PAGE) * PAGE);
  else out.align(8);
  const relroOffset = out.length;
  const relroVaddr = nextVaddr(textVaddr + codeBytes, relroOffset);
  const dynamicEntries: Array<[number, number | bigint]> = [];
  const dynamicCount = 17;
  const dynamicAt = out.length;
  out.padTo(dynamicAt + dynamicCount * 16);
  const gotAt = out.length;
  out.padTo(gotAt + 2 * 8);
  const gotPltAt = out.length;
  out.padTo(gotPltAt + 2 * 8);
  const relroBytes = out.length - relroOffset;
  // Segment 3: .data, .bss.
  if (pageAligned) out.padTo(Math.ceil(out.length / PAGE) * PAGE);
  const dataOffset = out.length;
  const dataVaddr = nextVaddr(relroVaddr + relroBytes, dataOffset);
  out.padTo(dataOffset + dataWords * 8);

  const vaddrOf = (offset: number, segmentOffset: number, segmentVaddr: number) => segmentVaddr + (offset - segmentOffset);
  const gotVaddr = vaddrOf(gotAt, relroOffset, relroVaddr);
  const gotPltVaddr = vaddrOf(gotPltAt, relroOffset, relroVaddr);
  const dynamicVaddr = vaddrOf(dynamicAt, relroOffset, relroVaddr);
  const dataWord = (index: number) => dataVaddr + index * 8;
  const functions = { wisp_app_main: textVaddr, helper_fn: textVaddr + functionBytes, static_fn: textVaddr + 2 * functionBytes };
  dynamicSymbols[1].value = functions.wisp_app_main;
  dynamicSymbols[2].value = functions.helper_fn;
  const counterVaddr = dataWord(dataWords - 1);
  dynamicSymbols[3].value = counterVaddr;

  // --- Contents. ---
  const segments: Segment[] = [
    { offset: 0, vaddr: 0, fileBytes: roEnd, memoryBytes: roEnd, flags: PF.r },
    { offset: textOffset, vaddr: textVaddr, fileBytes: codeBytes, memoryBytes: codeBytes, flags: PF.r | PF.x },
    { offset: relroOffset, vaddr: relroVaddr, fileBytes: relroBytes, memoryBytes: relroBytes, flags: PF.r | PF.w },
    { offset: dataOffset, vaddr: dataVaddr, fileBytes: dataWords * 8, memoryBytes: dataWords * 8 + bssBytes, flags: PF.r | PF.w },
  ];
  const relroEnd = Math.ceil((relroVaddr + relroBytes) / PAGE) * PAGE;

  // Code: returns, padded with traps.
  const ret = machine === "x86_64" ? [0xc3] : [0xc0, 0x03, 0x5f, 0xd6];
  const pad = machine === "x86_64" ? [0xcc] : [0x00, 0x00, 0x20, 0xd4];
  for (let at = 0; at < codeBytes; at += ret.length) {
    const bytes = at % functionBytes === 0 ? ret : pad;
    for (let i = 0; i < bytes.length; i++) out.data[textOffset + at + i] = bytes[i];
  }

  // Symbols, hash, strings.
  dynamicSymbols.forEach((symbol, index) => writeSymbol(out, dynsymAt + index * 24, symbol, nameOffsets.get(symbol.name)!));
  const hash = new Bytes();
  hash.u32(buckets);
  hash.u32(dynamicSymbols.length);
  const bucketHeads = new Array<number>(buckets).fill(0);
  const chains = new Array<number>(dynamicSymbols.length).fill(0);
  for (let index = dynamicSymbols.length - 1; index >= 1; index--) {
    const bucket = elfHash(dynamicSymbols[index].name) % buckets;
    chains[index] = bucketHeads[bucket];
    bucketHeads[bucket] = index;
  }
  bucketHeads.forEach((head) => hash.u32(head));
  chains.forEach((chain) => hash.u32(chain));
  hash.data.forEach((byte, i) => (out.data[hashAt + i] = byte));
  dynstr.data.forEach((byte, i) => (out.data[dynstrAt + i] = byte));
  rodata.forEach((byte, i) => (out.data[rodataAt + i] = byte));

  // Relocations and what they must produce.
  const expectations: Expected[] = [];
  const relr = encodeRelr(relrWords.map(dataWord));
  if (relr.length !== relrCount) throw new Error(`RELR packed into ${relr.length} entries, not ${relrCount}`);
  relr.forEach((entry, i) => out.setU64(relrAt + i * 8, entry));
  relrWords.forEach((word, i) => {
    const implicit = i % 2 ? functions.helper_fn : rodataAt + i; // the addend the word holds in the file
    out.setU64(dataOffset + word * 8, implicit);
    expectations.push({ vaddr: dataWord(word), kind: "relative", value: BigInt(implicit) });
  });
  const rela: Array<[number, number, number, bigint]> = [
    [dataWord(3), 0, r.relative, BigInt(rodataAt)],
    [gotVaddr, symbolIndex(names.counter), r.globDat, 0n],
    [gotVaddr + 8, symbolIndex(IMPORTS.memcpy), r.globDat, 0n],
    [dataWord(4), symbolIndex(names.counter), r.abs64, 8n],
    [dataWord(6), 0, r.none, 0n],
  ];
  expectations.push({ vaddr: dataWord(3), kind: "relative", value: BigInt(rodataAt) });
  expectations.push({ vaddr: gotVaddr, kind: "relative", value: BigInt(counterVaddr) });
  expectations.push({ vaddr: gotVaddr + 8, kind: "import", name: IMPORTS.memcpy, addend: 0n });
  expectations.push({ vaddr: dataWord(4), kind: "relative", value: BigInt(counterVaddr) + 8n });
  expectations.push({ vaddr: dataWord(6), kind: "absolute", value: 0n });
  rela.forEach((entry, i) => writeRela(out, relaAt + i * 24, ...entry));
  const plt: Array<[number, number, number, bigint]> = [
    [gotPltVaddr, symbolIndex(IMPORTS.fdWrite), r.jumpSlot, 0n],
    [gotPltVaddr + 8, symbolIndex(IMPORTS.weak), r.jumpSlot, 0n],
  ];
  expectations.push({ vaddr: gotPltVaddr, kind: "import", name: IMPORTS.fdWrite, addend: 0n });
  expectations.push({ vaddr: gotPltVaddr + 8, kind: "absolute", value: 0n });
  plt.forEach((entry, i) => writeRela(out, pltAt + i * 24, ...entry));

  // Dynamic section.
  dynamicEntries.push(
    [DT.flags, 8], // DF_BIND_NOW
    [DT.rela, relaAt], [DT.relasz, relaCount * 24], [DT.relaent, 24],
    [DT.relr, relrAt], [DT.relrsz, relrCount * 8], [DT.relrent, 8],
    [DT.jmprel, pltAt], [DT.pltrelsz, pltCount * 24], [DT.pltrel, DT.rela],
    [DT.symtab, dynsymAt], [DT.syment, 24], [DT.strtab, dynstrAt], [DT.strsz, dynstr.length],
  );
  if (!options.noHash) dynamicEntries.push([DT.hash, hashAt]);
  dynamicEntries.push([DT.null, 0]);
  dynamicEntries.forEach(([tag, value], i) => {
    out.setU64(dynamicAt + i * 16, tag);
    out.setU64(dynamicAt + i * 16 + 8, value);
  });

  // Program headers.
  const phdrs: Array<[number, number, number, number, number, number, number]> = [
    ...segments.map((s): [number, number, number, number, number, number, number] => [PT.load, s.flags, s.offset, s.vaddr, s.fileBytes, s.memoryBytes, PAGE]),
    [PT.dynamic, PF.r | PF.w, dynamicAt, dynamicVaddr, dynamicCount * 16, dynamicCount * 16, 8],
    [PT.gnuRelro, PF.r, relroOffset, relroVaddr, relroBytes, relroEnd - relroVaddr, 1],
    [PT.gnuStack, PF.r | PF.w, 0, 0, 0, 0, 0],
  ];
  phdrs.forEach((p, i) => writeProgramHeader(out, 64 + i * 56, ...p));

  // .symtab, .strtab, section headers.
  let sectionHeaders = 0;
  if (!options.stripped) {
    const strtab = new Bytes();
    strtab.u8(0);
    const symtab: Sym[] = [
      { name: "", info: 0, section: 0, value: 0, size: 0 },
      { name: "static_fn", info: info(STB.local, STT.func), section: 2, value: functions.static_fn, size: functionBytes },
      ...dynamicSymbols.slice(1),
    ];
    const offsets = symtab.map((symbol) => {
      if (symbol.name === "") return 0;
      const at = strtab.length;
      strtab.raw(new TextEncoder().encode(symbol.name));
      strtab.u8(0);
      return at;
    });
    out.align(8);
    const symtabAt = out.length;
    symtab.forEach((symbol, i) => {
      out.padTo(symtabAt + (i + 1) * 24);
      writeSymbol(out, symtabAt + i * 24, symbol, offsets[i]);
    });
    const strtabAt = out.length;
    out.raw(strtab.data);
    out.align(8);
    sectionHeaders = out.length;
    out.padTo(sectionHeaders + 3 * 64);
    writeSectionHeader(out, sectionHeaders + 64, 2, symtabAt, symtab.length * 24, 2, 24);
    writeSectionHeader(out, sectionHeaders + 128, 3, strtabAt, strtab.length, 0, 0);
  }

  // ELF header.
  const header = new Bytes();
  header.raw([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  header.u64(0);
  header.u16(3); // ET_DYN
  header.u16(EM[machine]);
  header.u32(1);
  header.u64(0); // entry
  header.u64(64);
  header.u64(sectionHeaders);
  header.u32(0);
  header.u16(64);
  header.u16(56);
  header.u16(phdrCount);
  header.u16(options.stripped ? 0 : 64);
  header.u16(options.stripped ? 0 : 3);
  header.u16(0);
  header.data.forEach((byte, i) => (out.data[i] = byte));

  return {
    bytes: Uint8Array.from(out.data),
    machine,
    segments,
    functions,
    functionBytes,
    expectations,
    relro: { start: Math.floor(relroVaddr / PAGE) * PAGE, end: relroEnd },
    at: { programHeaders: 64, firstRelaInfo: relaAt + 8, firstPltInfo: pltAt + 8, dynamic: dynamicAt, dynamicCount: dynamicEntries.length, relr: relrAt },
  };
}

function writeSymbol(out: Bytes, at: number, symbol: Sym, name: number): void {
  out.setU32(at, name);
  out.data[at + 4] = symbol.info;
  out.data[at + 5] = 0;
  out.data[at + 6] = symbol.section & 0xff;
  out.data[at + 7] = symbol.section >>> 8;
  out.setU64(at + 8, symbol.value);
  out.setU64(at + 16, symbol.size);
}

function writeRela(out: Bytes, at: number, offset: number, symbol: number, type: number, addend: bigint): void {
  out.setU64(at, offset);
  out.setU64(at + 8, (BigInt(symbol) << 32n) | BigInt(type));
  out.setU64(at + 16, addend);
}

function writeProgramHeader(out: Bytes, at: number, type: number, flags: number, offset: number, vaddr: number, fileBytes: number, memoryBytes: number, align: number): void {
  out.setU32(at, type);
  out.setU32(at + 4, flags);
  out.setU64(at + 8, offset);
  out.setU64(at + 16, vaddr);
  out.setU64(at + 24, vaddr);
  out.setU64(at + 32, fileBytes);
  out.setU64(at + 40, memoryBytes);
  out.setU64(at + 48, align);
}

function writeSectionHeader(out: Bytes, at: number, type: number, offset: number, size: number, link: number, entryBytes: number): void {
  out.setU32(at + 4, type);
  out.setU64(at + 24, offset);
  out.setU64(at + 32, size);
  out.setU32(at + 40, link);
  out.setU64(at + 56, entryBytes);
}
