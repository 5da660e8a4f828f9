// Relocating the mapped module: RELR, then RELA (DT_RELA and DT_JMPREL).
//
// RELR packs relative relocations as a list of u64 entries:
//   even entry   an address: relocate the word there; the next word is
//                the start of the following bitmap's run;
//   odd entry    a bitmap: bit k (1..63) relocates the word k - 1 words
//                after the run start; the run start then moves 63 words on.
// A relative relocation adds the load bias to the word already there.
//
// RELA entries supported (anything else is refused, naming the type):
//   x86_64   NONE 0, 64 1 (S + A), GLOB_DAT 6 (S), JUMP_SLOT 7 (S), RELATIVE 8 (B + A)
//   aarch64  NONE 0, ABS64 257 (S + A), GLOB_DAT 1025 (S + A), JUMP_SLOT 1026 (S + A), RELATIVE 1027 (B + A)
// Every target is an 8-byte aligned word inside a writable segment (which
// holds PT_GNU_RELRO too). Words are written through the kernel's physical
// alias of the page (mapping.ts physicalOf), never at the module address.

import {
  Rela, RELA_BYTES, EM_X86_64, R_X86_64_NONE, R_X86_64_64, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT, R_X86_64_RELATIVE,
  R_AARCH64_NONE, R_AARCH64_ABS64, R_AARCH64_GLOB_DAT, R_AARCH64_JUMP_SLOT, R_AARCH64_RELATIVE,
} from "./layout";
import { image, inWritable } from "./image";
import { tables } from "./dynamic";
import { bias, physicalOf } from "./mapping";
import { resolveSymbol, resolved, useExports } from "./symbols";
import { begin, append, decimal, hex, end, fail } from "./message";

const RELR_BITMAP_WORDS: u64 = 63;

/** Applies every relocation of the module; 0, or -ENOEXEC with why it is refused. */
export function relocate(exports: usize): i32 {
  useExports(exports);
  let error = applyRelr();
  if (error < 0) return error;
  error = applyRela(tables.rela, tables.relaBytes, exports);
  if (error < 0) return error;
  return applyRela(tables.plt, tables.pltBytes, exports);
}

function targetError(address: u64): i32 {
  begin("a relocation at ");
  hex(address);
  return end((address & 7) != 0 ? " is not 8-byte aligned" : " lies outside the writable segments");
}

// @ts-ignore: decorator
@inline function validTarget(address: u64): bool {
  return (address & 7) == 0 && inWritable(address, 8);
}

function relocateRelative(address: u64): void {
  const word = physicalOf(address);
  store<u64>(word, load<u64>(word) + bias);
}

function applyRelr(): i32 {
  let next: u64 = 0;
  let started = false;
  const count = tables.relrBytes >> 3;
  for (let i: u64 = 0; i < count; i++) {
    const entry = load<u64>(image.file + <usize>(tables.relr + (i << 3)));
    if ((entry & 1) == 0) {
      if (!validTarget(entry)) return targetError(entry);
      relocateRelative(entry);
      next = entry + 8;
      started = true;
      continue;
    }
    if (!started) return fail("DT_RELR starts with a bitmap, not an address");
    let bits = entry >> 1;
    for (let word: u64 = 0; bits != 0; word++, bits >>= 1) {
      if ((bits & 1) == 0) continue;
      const address = next + (word << 3);
      if (!validTarget(address)) return targetError(address);
      relocateRelative(address);
    }
    next += RELR_BITMAP_WORDS << 3;
  }
  return 0;
}

function applyRela(table: u64, bytes: u64, exports: usize): i32 {
  const x86 = image.machine == EM_X86_64;
  for (let at: u64 = 0; at < bytes; at += RELA_BYTES) {
    const rela = changetype<Rela>(image.file + <usize>(table + at));
    const type = <u32>rela.info;
    if (type == (x86 ? R_X86_64_NONE : R_AARCH64_NONE)) continue;
    const isRelative = type == (x86 ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE);
    const isAbsolute = type == (x86 ? R_X86_64_64 : R_AARCH64_ABS64);
    const isSlot = type == (x86 ? R_X86_64_GLOB_DAT : R_AARCH64_GLOB_DAT) || type == (x86 ? R_X86_64_JUMP_SLOT : R_AARCH64_JUMP_SLOT);
    if (!isRelative && !isAbsolute && !isSlot) {
      begin("relocation type ");
      decimal(type);
      append(" at ");
      hex(rela.offset);
      return end(" is not supported");
    }
    if (!validTarget(rela.offset)) return targetError(rela.offset);
    let value: u64;
    if (isRelative) {
      value = bias + <u64>rela.addend;
    } else {
      const error = resolveSymbol(rela.info >> 32, bias, exports);
      if (error < 0) return error;
      // x86_64 GLOB_DAT and JUMP_SLOT are S; everything else here is S + A.
      value = isSlot && x86 ? resolved : resolved + <u64>rela.addend;
    }
    store<u64>(physicalOf(rela.offset), value);
  }
  return 0;
}
