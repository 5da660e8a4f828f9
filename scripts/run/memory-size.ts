// Guest memory sizes as users write them: 2M, 2MiB, 512K, 1G, or a plain
// number of MiB (QEMU's convention). Returned in KiB, which QEMU accepts. A
// size that cannot be read is a usage error (exit 2, before any build).

import { UsageError } from "../cli/errors";

const UNITS: Record<string, number> = { k: 1, kib: 1, kb: 1, m: 1024, mib: 1024, mb: 1024, g: 1 << 20, gib: 1 << 20, gb: 1 << 20 };
export const MIN_MEMORY_KIB = 1024;
export const MAX_MEMORY_KIB = 4 << 20; // the kernel addresses the low 4 GiB

export function parseMemorySize(text: string): number {
  const match = /^(\d+)\s*([a-zA-Z]*)$/.exec(text.trim());
  if (!match) throw new UsageError(`cannot read memory size '${text}' (try 64M or 2MiB)`);
  const unit = match[2].toLowerCase() || "m";
  const scale = UNITS[unit];
  if (scale === undefined) throw new UsageError(`unknown memory unit '${match[2]}' in '${text}' (use K, M or G)`);
  const kib = Number(match[1]) * scale;
  if (kib < MIN_MEMORY_KIB) throw new UsageError(`memory size ${text} is below the 1 MiB minimum`);
  if (kib > MAX_MEMORY_KIB) throw new UsageError(`memory size ${text} is above the 4 GiB the kernel can address`);
  return kib;
}
