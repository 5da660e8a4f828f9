// Writing a module image to disk: the image and its .cmdline beside it.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ROOT } from "../build/files";
import type { CompressPolicy } from "../image";
import type { Arch } from "../build/targets";
import { buildModuleImage, ModuleImage } from "./image";

/** build/images/<a+b>.rofs for modules a,b; build/images/<a+b>.<arch>.rofs when the image runs an app. */
export function defaultImagePath(names: string[], arch?: Arch): string {
  return join(ROOT, "build", "images", `${names.join("+")}${arch ? `.${arch}` : ""}.rofs`);
}

export function cmdlinePath(imagePath: string): string {
  return imagePath.replace(/\.rofs$/, "") + ".cmdline";
}

export async function writeModuleImage(names: string[], arch: Arch, output?: string, compress: CompressPolicy = "auto"): Promise<{ path: string; image: ModuleImage }> {
  const image = await buildModuleImage(names, arch, compress);
  const path = output ? resolve(output) : defaultImagePath(names, image.app !== null ? arch : undefined);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, image.image);
  writeFileSync(cmdlinePath(path), image.cmdline + "\n");
  return { path, image };
}
