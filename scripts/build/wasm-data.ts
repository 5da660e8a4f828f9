// Reads where a wasm module's active data segments lie: the kernel's static
// data, which the ELF image must be linked after (and which the host tests
// keep clear of when they lay out fake firmware); merges them into one; and
// has the linker put that one where the wasm module's memory expects it.

import { readFileSync, writeFileSync } from "node:fs";

function readLeb(bytes: Uint8Array, at: { pos: number }, signed: boolean): number {
  let result = 0n;
  let shift = 0n;
  let byte: number;
  do {
    if (at.pos >= bytes.length) throw new Error("truncated LEB128 in wasm module");
    byte = bytes[at.pos++];
    result |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
  } while (byte & 0x80);
  if (signed && byte & 0x40) result -= 1n << shift;
  return Number(result);
}

export interface DataSegment {
  offset: number;
  length: number;
}

/** The active data segments of a wasm module (passive ones have no address). */
export function dataSegments(wasm: Uint8Array): DataSegment[] {
  if (wasm.length < 8 || wasm[0] !== 0 || wasm[1] !== 0x61 || wasm[2] !== 0x73 || wasm[3] !== 0x6d) {
    throw new Error("not a wasm module");
  }
  const segments: DataSegment[] = [];
  const at = { pos: 8 };
  while (at.pos < wasm.length) {
    const id = wasm[at.pos++];
    const size = readLeb(wasm, at, false);
    const next = at.pos + size;
    if (id === 11) {
      const count = readLeb(wasm, at, false);
      for (let i = 0; i < count; i++) {
        const flags = readLeb(wasm, at, false);
        if (flags === 1) {
          const passiveLength = readLeb(wasm, at, false);
          at.pos += passiveLength;
          continue;
        }
        if (flags === 2) readLeb(wasm, at, false); // memory index
        if (wasm[at.pos++] !== 0x41) throw new Error("data segment offset is not an i32.const");
        const offset = readLeb(wasm, at, true) >>> 0;
        if (wasm[at.pos++] !== 0x0b) throw new Error("data segment offset expression is malformed");
        const length = readLeb(wasm, at, false);
        at.pos += length;
        segments.push({ offset, length });
      }
    }
    at.pos = next;
  }
  return segments;
}

/** The first address past every active data segment (0 if there are none). */
export function staticDataEnd(wasm: Uint8Array): number {
  return dataSegments(wasm).reduce((end, segment) => Math.max(end, segment.offset + segment.length), 0);
}

/** The lowest address of any active data segment (0 if there are none). */
export function staticDataStart(wasm: Uint8Array): number {
  const segments = dataSegments(wasm);
  return segments.length ? Math.min(...segments.map((segment) => segment.offset)) : 0;
}

function uleb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function sleb(value: number): number[] {
  const bytes: number[] = [];
  let more = true;
  let v = BigInt(value);
  while (more) {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if ((v === 0n && (byte & 0x40) === 0) || (v === -1n && (byte & 0x40) !== 0)) more = false;
    else byte |= 0x80;
    bytes.push(byte);
  }
  return bytes;
}

/**
 * The module with its active data segments merged into one, gaps filled
 * with zeros: the same initial memory, but one copy at instantiation instead
 * of one per segment (asc writes one segment per static object, and wasm2c
 * turns each into its own bounds-checked copy: about a thousand for the
 * kernel, which costs little to run but much to translate under TCG; and
 * one array is what linkStaticDataInPlace links in place).
 * Returns the module unchanged when it has passive segments, a second
 * memory, or fewer than two segments.
 */
export function mergeDataSegments(wasm: Uint8Array): Uint8Array {
  const segments: Array<{ offset: number; bytes: Uint8Array }> = [];
  const sections: Array<{ id: number; start: number; end: number; body: number }> = [];
  const at = { pos: 8 };
  while (at.pos < wasm.length) {
    const start = at.pos;
    const id = wasm[at.pos++];
    const size = readLeb(wasm, at, false);
    const body = at.pos;
    sections.push({ id, start, end: body + size, body });
    if (id === 11) {
      const count = readLeb(wasm, at, false);
      for (let i = 0; i < count; i++) {
        const flags = readLeb(wasm, at, false);
        if (flags !== 0) return wasm;
        if (wasm[at.pos++] !== 0x41) return wasm;
        const offset = readLeb(wasm, at, true) >>> 0;
        if (wasm[at.pos++] !== 0x0b) return wasm;
        const length = readLeb(wasm, at, false);
        segments.push({ offset, bytes: wasm.subarray(at.pos, at.pos + length) });
        at.pos += length;
      }
    }
    at.pos = body + size;
  }
  if (segments.length < 2) return wasm;
  // Started on a 16-byte boundary (zeros before the first byte, as memory starts anyway): the
  // x86_64 ABI aligns a C array of 16 bytes or more to 16, and linkStaticDataInPlace's array must
  // lie exactly where the segment does.
  const low = Math.min(...segments.map((segment) => segment.offset)) & ~15;
  const high = Math.max(...segments.map((segment) => segment.offset + segment.bytes.length));
  const merged = new Uint8Array(high - low);
  for (const segment of segments) merged.set(segment.bytes, segment.offset - low);
  const dataBody = [...uleb(1), 0x00, 0x41, ...sleb(low | 0), 0x0b, ...uleb(merged.length)];
  const parts: Uint8Array[] = [wasm.subarray(0, 8)];
  for (const section of sections) {
    if (section.id === 11) {
      parts.push(Uint8Array.from([11, ...uleb(dataBody.length + merged.length), ...dataBody]), merged);
    } else if (section.id === 12) {
      parts.push(Uint8Array.from([12, 1, 1]));
    } else {
      parts.push(wasm.subarray(section.start, section.end));
    }
  }
  return Uint8Array.from(Buffer.concat(parts));
}

/**
 * Links the static data in place instead of copying it at start: in
 * wasm2c's output `file` for the module `wasm` (one active segment, as
 * mergeDataSegments leaves it), the segment's bytes become the section
 * .wasm_data, which the linker script puts at the segment's address
 * (WASM_DATA, returned here), and the instance initialiser's copy of them
 * is dropped. The kernel's memory is physical memory from address 0, so
 * the loaded image already holds the initial memory.
 */
export function linkStaticDataInPlace(file: string, wasm: Uint8Array): number {
  const segments = dataSegments(wasm);
  if (segments.length !== 1) throw new Error(`the kernel has ${segments.length} data segments: expected them merged into one`);
  const [segment] = segments;
  let text = readFileSync(file, "utf8");
  const array = /static const u8 (data_segment_data_w2c_kernel_\w+)\[\] = \{/.exec(text);
  if (array === null) throw new Error(`wasm2c output changed: no data segment array in ${file}`);
  const name = array[1];
  const copy = `  LOAD_DATA((*instance->w2c_env_memory), ${segment.offset}u, ${name}, ${segment.length});\n`;
  if (!text.includes(copy)) throw new Error(`wasm2c output changed: no '${copy.trim()}' in ${file}`);
  text = text.replace(array[0], `__attribute__((section(".wasm_data"), aligned(1), used)) static u8 ${name}[] = {`);
  text = text.replace(copy, `  /* ${name} is linked at ${segment.offset}u (.wasm_data): nothing to copy. */\n`);
  writeFileSync(file, text);
  return segment.offset;
}
