// The filesystem modules an image carries: one per filesystem type its
// mounts name that a module in fs/ serves (fs/TYPE/module.ts), built for the
// image's architecture (scripts/module). Types the kernel carries itself
// (ramfs, 9p) have no such folder and add nothing.

import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build/files";
import type { Arch } from "../build/targets";
import { buildModule, type BuildModuleResult } from "../module";

/** Where a filesystem type's module source is, if a module serves it. */
export function moduleSourceFor(type: string): string | null {
  const folder = join(ROOT, "fs", type);
  return /^[a-z0-9_-]{1,32}$/.test(type) && existsSync(join(folder, "module.ts")) ? folder : null;
}

/**
 * Builds the module of every distinct type `fstabLines` mount that a module
 * serves, and of every type in `wanted` (which must have one).
 */
export async function fileSystemModules(fstabLines: string[], wanted: string[], arch: Arch): Promise<BuildModuleResult[]> {
  for (const type of wanted) {
    if (moduleSourceFor(type) === null) throw new Error(`"filesystems": no module serves '${type}' (fs/${type}/module.ts)`);
  }
  const types = [...new Set([...fstabLines.map((line) => line.trim().split(/\s+/)[0]), ...wanted])];
  const built: BuildModuleResult[] = [];
  for (const type of types) {
    const source = moduleSourceFor(type);
    if (source !== null) built.push(await buildModule(source, { arch }));
  }
  return built;
}
