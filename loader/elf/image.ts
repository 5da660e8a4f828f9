// The module being loaded: its file, what the headers say, and the checks
// every later step relies on.
//
// checkImage() validates the file header and the program headers; after it
// returns "", every PT_LOAD lies inside the file and in ascending address
// order with no page shared between two segments, none is both writable and
// executable, the span is within MAX_APP_MODULE_BYTES, PT_DYNAMIC lies inside
// a loaded segment and PT_GNU_RELRO inside a writable one. The helpers below
// answer "where in the file is this address" and "is this range writable"
// from the validated headers alone, with overflow-safe arithmetic, so a
// caller can read the file at what they return without further checks.
//
// One module loads at a time: the state is one static ElfImage.

import { MAX_APP_MODULE_BYTES } from "../../kernel/params";
import {
  ElfHeader, ProgramHeader, HEADER_BYTES, PROGRAM_HEADER_BYTES, ELF_MAGIC, ELFCLASS64, ELFDATA2LSB, EV_CURRENT,
  ET_DYN, EM_X86_64, EM_AARCH64, PN_XNUM, PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_TLS, PT_GNU_STACK, PT_GNU_RELRO,
  PF_X, PF_W,
} from "./layout";
import { begin, append, decimal, hex, end, fail } from "./message";

export const PAGE: u64 = 4096;
/** The largest segment alignment honoured: app regions are 2 MiB aligned. */
const MAX_ALIGN: u64 = 0x20_0000;
/** Addresses a module may use before relocation (far below the 512 GiB of region space). */
const ADDRESS_LIMIT: u64 = 0x100_0000_0000;
const MAX_PROGRAM_HEADERS: u32 = 64;
/** fileOffsetOf's answer for a range no segment's file bytes hold. */
export const NOT_IN_FILE: u64 = u64.MAX_VALUE;

@unmanaged
export class ElfImage {
  file: usize;
  length: u64;
  machine: u16;
  programHeaders: usize;
  programHeaderCount: u32;
  /** The lowest and one past the highest page address of the PT_LOAD segments. */
  low: u64;
  high: u64;
  /** PT_DYNAMIC: file offset and entry bytes. */
  dynamicOffset: u64;
  dynamicBytes: u64;
  /** PT_GNU_RELRO, rounded inwards to pages ([0, 0) if none). */
  relroStart: u64;
  relroEnd: u64;
}

export const image = changetype<ElfImage>(memory.data(<i32>offsetof<ElfImage>()));

// @ts-ignore: decorator
@inline export function pageDown(value: u64): u64 {
  return value & ~(PAGE - 1);
}

/** Rounds up to a page; callers keep `value` below ADDRESS_LIMIT, so this cannot wrap. */
// @ts-ignore: decorator
@inline export function pageUp(value: u64): u64 {
  return (value + PAGE - 1) & ~(PAGE - 1);
}

/** Whether [offset, offset + size) lies inside the file. */
export function fits(offset: u64, size: u64): bool {
  return offset <= image.length && size <= image.length - offset;
}

export function programHeader(index: u32): ProgramHeader {
  return changetype<ProgramHeader>(image.programHeaders + <usize>index * <usize>PROGRAM_HEADER_BYTES);
}

/** Validates the headers of the file at `file` and records them; 0, or -ENOEXEC with why the module is refused. */
export function checkImage(file: usize, length: usize, machine: u16): i32 {
  image.file = file;
  image.length = <u64>length;
  image.machine = machine;
  image.programHeaderCount = 0;
  if (!fits(0, HEADER_BYTES)) return fail("not an ELF file (too short)");
  const header = changetype<ElfHeader>(file);
  if (header.magic != ELF_MAGIC) return fail("not an ELF file");
  if (header.fileClass != ELFCLASS64) return fail("not a 64-bit ELF file");
  if (header.dataEncoding != ELFDATA2LSB) return fail("not a little-endian ELF file");
  if (header.identVersion != <u8>EV_CURRENT || header.version != EV_CURRENT) return fail("unknown ELF version");
  if (header.type != ET_DYN) {
    begin("ELF type ");
    decimal(header.type);
    return end(" is not a shared object (link with -shared)");
  }
  if (header.machine != machine) {
    begin("ELF machine ");
    decimal(header.machine);
    return end(machine == EM_X86_64 ? " is not x86_64" : " is not aarch64");
  }
  if (<u64>header.headerBytes < HEADER_BYTES) return fail("the ELF header size is wrong");
  if (<u64>header.programHeaderBytes != PROGRAM_HEADER_BYTES) return fail("the program header size is wrong");
  const count = <u32>header.programHeaderCount;
  if (count == 0 || count == <u32>PN_XNUM || count > MAX_PROGRAM_HEADERS) {
    begin("the module has ");
    decimal(count);
    return end(" program headers (1 to 64 are accepted)");
  }
  if (!fits(header.programHeaders, <u64>count * PROGRAM_HEADER_BYTES)) return fail("the program headers lie outside the file");
  image.programHeaders = file + <usize>header.programHeaders;
  image.programHeaderCount = count;
  const error = checkLoadSegments();
  if (error < 0) return error;
  return checkOtherSegments();
}

function segmentError(index: u32, what: string): i32 {
  begin("segment ");
  decimal(index);
  return end(what);
}

function checkLoadSegments(): i32 {
  let previous: i32 = -1;
  let maxAlign: u64 = PAGE;
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type != PT_LOAD || segment.memoryBytes == 0) continue;
    if (segment.fileBytes > segment.memoryBytes) return segmentError(i, " has more file bytes than memory bytes");
    if (!fits(segment.offset, segment.fileBytes)) return segmentError(i, " lies outside the file");
    if (segment.vaddr >= ADDRESS_LIMIT || segment.memoryBytes > ADDRESS_LIMIT - segment.vaddr) {
      return segmentError(i, " lies outside the address space");
    }
    const align = segment.align;
    if (align < PAGE || align > MAX_ALIGN || (align & (align - 1)) != 0) {
      begin("segment ");
      decimal(i);
      append(" has alignment ");
      hex(align);
      return end(" (a power of two from 4 KiB to 2 MiB is needed)");
    }
    if (((segment.vaddr - segment.offset) & (align - 1)) != 0) return segmentError(i, " has an address not congruent to its file offset");
    if ((segment.flags & (PF_W | PF_X)) == (PF_W | PF_X)) return segmentError(i, " is both writable and executable");
    if (previous < 0) {
      image.low = pageDown(segment.vaddr);
    } else if (pageDown(segment.vaddr) < image.high) {
      begin("segment ");
      decimal(i);
      append(" overlaps segment ");
      decimal(<u64>previous);
      return end(" (loaded segments must be in address order and share no page)");
    }
    image.high = pageUp(segment.vaddr + segment.memoryBytes);
    if (align > maxAlign) maxAlign = align;
    previous = <i32>i;
  }
  if (previous < 0) return fail("the module has no loadable segment");
  if ((image.low & (maxAlign - 1)) != 0) return fail("the first loadable segment is not aligned as the others ask");
  const span = image.high - image.low;
  if (span > MAX_APP_MODULE_BYTES) {
    begin("the module spans ");
    hex(span);
    append(" bytes, more than the ");
    hex(MAX_APP_MODULE_BYTES);
    return end(" allowed");
  }
  return 0;
}

function checkOtherSegments(): i32 {
  let dynamic: i32 = -1;
  image.relroStart = image.relroEnd = 0;
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type == PT_INTERP) return fail("the module asks for an interpreter (PT_INTERP): link it with -shared");
    if (segment.type == PT_TLS) return fail("the module uses thread-local storage (PT_TLS), which apps cannot have");
    if (segment.type == PT_GNU_STACK && (segment.flags & PF_X) != 0) return fail("the module asks for an executable stack");
    if (segment.type == PT_DYNAMIC) {
      if (dynamic >= 0) return fail("the module has two PT_DYNAMIC segments");
      dynamic = <i32>i;
      if (!fits(segment.offset, segment.fileBytes) || fileOffsetOf(segment.vaddr, segment.fileBytes) != segment.offset) {
        return fail("PT_DYNAMIC is not inside a loaded segment");
      }
      image.dynamicOffset = segment.offset;
      image.dynamicBytes = segment.fileBytes;
    }
    if (segment.type == PT_GNU_RELRO && segment.memoryBytes != 0) {
      const error = checkRelro(segment);
      if (error < 0) return error;
    }
  }
  if (dynamic < 0) return fail("the module has no PT_DYNAMIC segment");
  return 0;
}

/**
 * PT_GNU_RELRO must start inside a writable segment and end by that
 * segment's last page (linkers extend it to the page end). It is rounded
 * down at the start only when it starts its segment (the bytes before it in
 * that page then belong to no segment), else up, so that no writable byte
 * becomes read-only; its end is rounded down.
 */
function checkRelro(relro: ProgramHeader): i32 {
  const holder = segmentHolding(relro.vaddr, 1, PF_W);
  if (holder < 0) return fail("PT_GNU_RELRO lies outside the writable segments");
  const segment = programHeader(<u32>holder);
  const limit = pageUp(segment.vaddr + segment.memoryBytes);
  if (relro.memoryBytes > limit - relro.vaddr) {
    return fail("PT_GNU_RELRO lies outside the writable segments");
  }
  image.relroStart = relro.vaddr == segment.vaddr ? pageDown(relro.vaddr) : pageUp(relro.vaddr);
  image.relroEnd = pageDown(relro.vaddr + relro.memoryBytes);
  if (image.relroEnd < image.relroStart) image.relroEnd = image.relroStart;
  return 0;
}

/** The file offset of the module's bytes [vaddr, vaddr + size), or NOT_IN_FILE if no segment's file part holds them all. */
export function fileOffsetOf(vaddr: u64, size: u64): u64 {
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type != PT_LOAD || segment.memoryBytes == 0 || vaddr < segment.vaddr) continue;
    const into = vaddr - segment.vaddr;
    if (into <= segment.fileBytes && size <= segment.fileBytes - into) return segment.offset + into;
  }
  return NOT_IN_FILE;
}

/** Whether [vaddr, vaddr + size) lies inside one writable segment. */
export function inWritable(vaddr: u64, size: u64): bool {
  return segmentHolding(vaddr, size, PF_W) >= 0;
}

/** Whether `vaddr` lies inside an executable segment. */
export function inExecutable(vaddr: u64): bool {
  return segmentHolding(vaddr, 1, PF_X) >= 0;
}

/** The index of the PT_LOAD with `flag` whose memory holds [vaddr, vaddr + size), or -1. */
function segmentHolding(vaddr: u64, size: u64, flag: u32): i32 {
  for (let i: u32 = 0; i < image.programHeaderCount; i++) {
    const segment = programHeader(i);
    if (segment.type != PT_LOAD || (segment.flags & flag) == 0 || vaddr < segment.vaddr) continue;
    const into = vaddr - segment.vaddr;
    if (into <= segment.memoryBytes && size <= segment.memoryBytes - into) return <i32>i;
  }
  return -1;
}
