// A block pointer's compression function, by the number it stores:
// off, lzjb, gzip-1..9 and zle are read; "empty", lz4 and anything newer
// are refused by name.

import { lzjbDecompress } from "./lzjb";
import { zleDecompress } from "./zle";
import { zlibInflate } from "./inflate";

export const COMPRESS_OFF: u32 = 2;
const COMPRESS_LZJB: u32 = 3;
const COMPRESS_GZIP_1: u32 = 5;
const COMPRESS_GZIP_9: u32 = 13;
const COMPRESS_ZLE: u32 = 14;

/** Whether this reader can expand blocks compressed with `kind`. */
export function compressionKnown(kind: u32): bool {
  return kind == COMPRESS_OFF || kind == COMPRESS_LZJB || (kind >= COMPRESS_GZIP_1 && kind <= COMPRESS_GZIP_9) || kind == COMPRESS_ZLE;
}

export function compressionName(kind: u32): string {
  if (kind == 4) return "empty";
  if (kind == 15) return "lz4";
  if (kind == 16) return "zstd";
  return "compression #" + kind.toString();
}

/** Expands `source[0, sourceLength)` into `target[0, targetLength)` (a known `kind`); false if the data is bad. */
export function decompress(kind: u32, source: Uint8Array, sourceLength: i32, target: Uint8Array, targetLength: i32): bool {
  if (kind == COMPRESS_LZJB) return lzjbDecompress(source, sourceLength, target, targetLength);
  if (kind == COMPRESS_ZLE) return zleDecompress(source, sourceLength, target, targetLength);
  if (kind >= COMPRESS_GZIP_1 && kind <= COMPRESS_GZIP_9) return zlibInflate(source, sourceLength, target, targetLength);
  return false;
}
