// selftest=libc: the machine's copies and fills as the kernel uses them.
// memory.copy and memory.fill in kernel code become wasm2c's bounds-checked
// calls to memmove and memset (arch/common/libc.c, which apps import too):
// every source and destination offset 0-15 and every length 0-96 and some
// long ones (around the rep-string and zero-block thresholds, a page, 64 KiB
// + 3), copied between buffers and overlapping either way, and filled (with
// a pattern and with zeros), are checked byte for byte against a
// byte-at-a-time reference, with a margin each side that must stay
// untouched. One check per case; the summary line counts them.

import { beginSelfTest, check, endSelfTest } from "./check";

const LONG: StaticArray<u32> = [255, 256, 257, 319, 320, 321, 1000, 4095, 4096, 65539];
const MARGIN: usize = 64;

let source: usize = 0;
let target: usize = 0;
let reference: usize = 0;

function pattern(at: usize, length: usize, seed: u32): void {
  for (let i: usize = 0; i < length; i++) store<u8>(at + i, <u8>((<u32>i * 2654435761 + seed) >> 13));
}

function same(a: usize, b: usize, length: usize): bool {
  for (let i: usize = 0; i < length; i++) if (load<u8>(a + i) != load<u8>(b + i)) return false;
  return true;
}

/** The byte loop memmove must behave like: backwards when the destination lies above the source. */
function referenceMove(to: usize, from: usize, length: usize): void {
  if (to <= from) for (let i: usize = 0; i < length; i++) store<u8>(to + i, load<u8>(from + i));
  else for (let i = length; i > 0; i--) store<u8>(to + i - 1, load<u8>(from + i - 1));
}

function oneCase(from: usize, to: usize, length: usize): void {
  const span = length + 2 * MARGIN;
  // Between two buffers.
  pattern(source, span, 1);
  pattern(target, span, 2);
  memory.copy(reference, target, span);
  referenceMove(reference + MARGIN + to, source + MARGIN + from, length);
  memory.copy(target + MARGIN + to, source + MARGIN + from, length);
  check("copy", same(target, reference, span));
  // Within one buffer, the destination above the source, then below it.
  pattern(target, span, 3);
  memory.copy(reference, target, span);
  referenceMove(reference + MARGIN + 16 + to, reference + MARGIN + from, length);
  memory.copy(target + MARGIN + 16 + to, target + MARGIN + from, length);
  check("move up", same(target, reference, span));
  pattern(target, span, 4);
  memory.copy(reference, target, span);
  referenceMove(reference + MARGIN + to, reference + MARGIN + 16 + from, length);
  memory.copy(target + MARGIN + to, target + MARGIN + 16 + from, length);
  check("move down", same(target, reference, span));
  // A fill.
  pattern(target, span, 5);
  memory.copy(reference, target, span);
  for (let i: usize = 0; i < length; i++) store<u8>(reference + MARGIN + to + i, 0xa5);
  memory.fill(target + MARGIN + to, 0xa5, length);
  check("fill", same(target, reference, span));
  // A zero fill (aarch64 clears long ones by whole cache blocks).
  pattern(target, span, 6);
  memory.copy(reference, target, span);
  for (let i: usize = 0; i < length; i++) store<u8>(reference + MARGIN + to + i, 0);
  memory.fill(target + MARGIN + to, 0, length);
  check("zero fill", same(target, reference, span));
}

export function libcSelfTest(): bool {
  beginSelfTest();
  const bytes: usize = 65539 + 2 * MARGIN + 64;
  source = heap.alloc(bytes);
  target = heap.alloc(bytes);
  reference = heap.alloc(bytes);
  for (let from: usize = 0; from < 16; from++) {
    for (let to: usize = 0; to < 16; to++) {
      for (let length: usize = 0; length <= 96; length++) oneCase(from, to, length);
    }
  }
  for (let i = 0; i < LONG.length; i++) {
    for (let from: usize = 0; from < 16; from += 5) {
      for (let to: usize = 0; to < 16; to += 3) oneCase(from, to, <usize>LONG[i]);
    }
  }
  heap.free(source);
  heap.free(target);
  heap.free(reference);
  return endSelfTest("libc");
}
