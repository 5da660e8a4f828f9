// Reads where a wasm module's active data segments lie: the kernel's static
// data, which the ELF image must be linked after (and which the host tests
// keep clear of when they lay out fake firmware).

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
