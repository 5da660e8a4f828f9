// The module's settings, given by the kernel option fsopt=zfs.KEY=VALUE
// before the first mount (docs/modules.md, fs_option):
//
//   cache=SIZE   the block cache of each mounted volume, in bytes, or with a
//                K, M or G suffix (default 8M; 64K to 1G)

import { DEFAULT_CACHE_BYTES } from "./cache";

const MIN_CACHE: i64 = 64 << 10;
const MAX_CACHE: i64 = 1 << 30;

export let cacheBytes: i32 = DEFAULT_CACHE_BYTES;

/** Applies KEY=VALUE: 0, or false when the key is unknown or the value out of range. */
export function applySetting(key: string, value: string): bool {
  if (key != "cache") return false;
  const bytes = parseSize(value);
  if (bytes < MIN_CACHE || bytes > MAX_CACHE) return false;
  cacheBytes = <i32>bytes;
  return true;
}

/** "16M" → 16777216; -1 if it is not a size. */
function parseSize(text: string): i64 {
  if (text.length == 0) return -1;
  let shift = 0;
  let digits = text;
  const last = text.charCodeAt(text.length - 1);
  if (last == 0x4b || last == 0x4d || last == 0x47) {
    shift = last == 0x4b ? 10 : last == 0x4d ? 20 : 30;
    digits = text.substring(0, text.length - 1);
  }
  if (digits.length == 0 || digits.length > 10) return -1;
  let value: i64 = 0;
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    value = value * 10 + <i64>(c - 0x30);
  }
  return value << shift;
}
