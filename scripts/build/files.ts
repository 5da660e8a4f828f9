// Source discovery for the build: every AssemblyScript file the kernel can
// import, and the repository root.

import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** AssemblyScript source folders of the kernel (everything asc may read). */
const KERNEL_SOURCE_DIRS = ["kernel", "drivers", "fs", "loader", "modules"];

export function listFiles(dir: string, suffix: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    for (const name of readdirSync(path)) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(suffix)) found.push(full);
    }
  };
  try {
    walk(join(ROOT, dir));
  } catch {
    return [];
  }
  return found.map((file) => relative(ROOT, file));
}

export function kernelSources(): string[] {
  return [
    ...KERNEL_SOURCE_DIRS.flatMap((dir) => listFiles(dir, ".ts")),
    "arch/index.ts",
    "asconfig.json",
    "scripts/build/no-shadow-stack.mjs",
  ];
}
