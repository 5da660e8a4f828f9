// ROFS images on the host: the front door for the CLI and other scripts.
//
//   writeImage(tree, options)         a tree -> image bytes (writer.ts)
//   manifestTree(path, options)       a manifest -> a tree (manifest.ts)
//   listImage(bytes) / extractImage   read with the kernel's own reader (kernel-reader.ts)

import { chmodSync, mkdirSync, readdirSync, existsSync, symlinkSync, utimesSync, writeFileSync, lutimesSync } from "node:fs";
import { join } from "node:path";
import { KernelReader, ImageEntry, walkImage } from "./kernel-reader";

export { writeImage } from "./writer";
export type { CompressPolicy, WriteOptions, ImageStats } from "./writer";
export { manifestTree, parseManifest, treeOf, ManifestError } from "./manifest";
export type { ManifestLine, TreeOptions } from "./manifest";
export type { TreeNode, DirectoryNode, FileNode, SymlinkNode } from "./tree";
export { directory } from "./tree";
export { KernelReader, walkImage } from "./kernel-reader";
export type { ImageEntry } from "./kernel-reader";

/** Every node of an image, depth first in entry order; throws the reader's message for a bad image. */
export async function listImage(image: Uint8Array, withData = false): Promise<Array<ImageEntry & { data?: Uint8Array }>> {
  const reader = await KernelReader.open(image);
  const entries: Array<ImageEntry & { data?: Uint8Array }> = [];
  walkImage(reader, (entry, handle) => {
    if (!withData || entry.type !== "file") return void entries.push(entry);
    try {
      entries.push({ ...entry, data: reader.readFile(handle, entry.size) });
    } catch (error) {
      throw new Error(`${entry.path}: ${(error as Error).message}`);
    }
  });
  return entries;
}

/**
 * Writes the image's tree under `directory` (created; it must be empty if it
 * exists). Every file is read, so a corrupt block fails the extraction.
 */
export async function extractImage(image: Uint8Array, directory: string): Promise<number> {
  if (existsSync(directory) && readdirSync(directory).length > 0) throw new Error(`${directory} exists and is not empty`);
  const entries = await listImage(image, true);
  mkdirSync(directory, { recursive: true });
  const directories: ImageEntry[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.path);
    if (entry.type === "directory") {
      mkdirSync(path, { recursive: true });
      directories.push(entry);
    } else if (entry.type === "symlink") {
      symlinkSync(entry.target!, path);
      lutimesSync(path, entry.mtimeSeconds, entry.mtimeSeconds);
    } else {
      writeFileSync(path, entry.data!, { mode: entry.mode });
      chmodSync(path, entry.mode);
      utimesSync(path, entry.mtimeSeconds, entry.mtimeSeconds);
    }
  }
  // Directories last, deepest first: writing into one changes its mtime.
  for (const entry of directories.reverse()) {
    const path = join(directory, entry.path);
    chmodSync(path, entry.mode);
    utimesSync(path, entry.mtimeSeconds, entry.mtimeSeconds);
  }
  return entries.length;
}
