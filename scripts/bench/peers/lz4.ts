// LZ4 streams as Linux compresses its kernel, decoded with the lz4js package.
//
// Two container formats start with a magic number:
//   frame   0x184d2204: what the lz4 tool writes by default; lz4js reads it whole.
//   legacy  0x184c2102: what Linux's build writes (`lz4 -l`): after the magic,
//           blocks of [u32 compressed length][LZ4 block], each at most 8 MiB
//           once decoded. Another magic may follow (concatenated streams).
// Linux appends the decoded size as a u32 after the stream (size_append in
// scripts/Makefile.lib); when exactly 4 bytes are left over they must match.

import lz4js from "lz4js";

interface Lz4js {
  decompress(source: Uint8Array, maxSize?: number): Uint8Array;
  decompressBlock(source: Uint8Array, destination: Uint8Array, sourceIndex: number, sourceLength: number, destinationIndex: number): number;
}

const lz4 = lz4js as unknown as Lz4js;
export const LZ4_FRAME_MAGIC = 0x184d2204;
export const LZ4_LEGACY_MAGIC = 0x184c2102;
const LEGACY_BLOCK_BYTES = 8 << 20;

function magicOf(data: Uint8Array): number {
  return data.length < 4 ? -1 : new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
}

export function isLz4(data: Uint8Array): boolean {
  const magic = magicOf(data);
  return magic === LZ4_FRAME_MAGIC || magic === LZ4_LEGACY_MAGIC;
}

/** The decoded bytes of an LZ4 frame or legacy stream. */
export function decompressLz4(data: Uint8Array): Uint8Array {
  if (magicOf(data) === LZ4_FRAME_MAGIC) return lz4.decompress(data);
  if (magicOf(data) !== LZ4_LEGACY_MAGIC) throw new Error("not an LZ4 stream (no frame or legacy magic)");
  return decompressLegacy(data);
}

function decompressLegacy(data: Uint8Array): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const scratch = new Uint8Array(LEGACY_BLOCK_BYTES);
  const blocks: Uint8Array[] = [];
  let at = 0;
  while (at + 4 <= data.length) {
    const length = view.getUint32(at, true);
    if (length === LZ4_LEGACY_MAGIC) {
      at += 4;
      continue;
    }
    if (at + 4 + length > data.length) break;
    const decoded = lz4.decompressBlock(data, scratch, at + 4, length, 0);
    if (decoded > LEGACY_BLOCK_BYTES) throw new Error(`an LZ4 legacy block at byte ${at} decodes to more than 8 MiB`);
    blocks.push(scratch.slice(0, decoded));
    at += 4 + length;
  }
  const total = blocks.reduce((sum, block) => sum + block.length, 0);
  const left = data.length - at;
  if (left === 4 && view.getUint32(at, true) !== total) {
    throw new Error(`the LZ4 stream decodes to ${total} bytes but its trailer says ${view.getUint32(at, true)}`);
  }
  if (left !== 0 && left !== 4) throw new Error(`the LZ4 stream ends with ${left} bytes that are not a block`);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const block of blocks) {
    out.set(block, offset);
    offset += block.length;
  }
  return out;
}
