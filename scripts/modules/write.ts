// Writing a module image to disk: the image and its .cmdline beside it.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ROOT } from "../build/files";
import type { CompressPolicy } from "../image";
import { buildModuleImage, ModuleImage } from "./image";

/** build/images/<a+b>.rofs for modules a,b. */
export function defaultImagePath(names: string[]): string {
  return join(ROOT, "build", "images", `${names.join("+")}.rofs`);
}

export function cmdlinePath(imagePath: string): string {
  return imagePath.replace(/\.rofs$/, "") + ".cmdline";
}

export function writeModuleImage(names: string[], output?: string, compress: CompressPolicy = "auto"): { path: string; image: ModuleImage } {
  const image = buildModuleImage(names, compress);
  const path = output ? resolve(output) : defaultImagePath(names);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, image.image);
  writeFileSync(cmdlinePath(path), image.cmdline + "\n");
  return { path, image };
}
