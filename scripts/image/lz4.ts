// LZ4 block compression on the host, through the lz4js package (the block
// format the kernel's fs/rofs/lz4.ts decodes; no frame headers).
//
// compressBlock returns the compressed bytes, or null when LZ4 found nothing
// to gain (lz4js reports that as length 0).

import lz4js from "lz4js";

interface Lz4js {
  compressBound(length: number): number;
  compressBlock(source: Uint8Array, destination: Uint8Array, sourceIndex: number, sourceLength: number, hashTable: Uint32Array): number;
}

const lz4 = lz4js as unknown as Lz4js;
const HASH_ENTRIES = 1 << 16;
const hashTable = new Uint32Array(HASH_ENTRIES);

export function compressBlock(data: Uint8Array): Uint8Array | null {
  const destination = new Uint8Array(lz4.compressBound(data.length));
  hashTable.fill(0);
  const length = lz4.compressBlock(data, destination, 0, data.length, hashTable);
  return length > 0 ? destination.subarray(0, length) : null;
}
