// An image from modules: `wisp build --image a,b`.
//
// The named modules and their requirements (resolveModules) each contribute
// their files manifest, kernel command-line options and mounts. Files from
// all modules are merged into one tree (two modules placing different
// things at the same path is an error naming both); the mounts become the
// image's /etc/fstab, and each mount point becomes a directory. The result
// is a ROFS image (scripts/image) and the command line to boot it with.
// A module with an app adds /app.so and /etc/app (app.ts), built for the
// image's architecture; app images are therefore per architecture. A mount
// of a filesystem type served by a filesystem module (fs/TYPE/module.ts,
// docs/modules.md) adds /lib/modules/TYPE.so, built for the architecture
// too: an image that mounts no such type carries none.

import { readFileSync } from "node:fs";
import type { Arch } from "../build/targets";
import { moduleApp } from "./app";
import { fileSystemModules } from "./filesystem-modules";
import { directory, parseManifest, treeOf, writeImage } from "../image";
import type { DirectoryNode, TreeNode } from "../image";
import type { CompressPolicy, ImageStats } from "../image";
import { Module, resolveModules } from ".";

export interface ModuleImage {
  image: Uint8Array;
  stats: ImageStats;
  modules: string[];
  /** The modules' kernel options, in module order. */
  cmdline: string;
  /** The module whose app the image runs, or null. */
  app: string | null;
}

/** Adds `from` into `into`; `owners` remembers which module placed each path. */
function merge(into: DirectoryNode, from: DirectoryNode, module: string, path: string, owners: Map<string, string>): void {
  for (const [name, node] of from.children) {
    const childPath = path === "/" ? `/${name}` : `${path}/${name}`;
    const existing = into.children.get(name);
    if (existing === undefined) {
      into.children.set(name, node);
      owners.set(childPath, module);
    } else if (existing.type === "directory" && node.type === "directory") {
      merge(existing, node, module, childPath, owners);
    } else {
      throw new Error(`modules '${owners.get(childPath)}' and '${module}' both place ${childPath} in the image`);
    }
  }
}

/** Makes the directories of `path` in `root` (a mount point, /etc) and returns the last. */
function makeDirectory(root: DirectoryNode, path: string, module: string): DirectoryNode {
  let node: TreeNode = root;
  for (const part of path.split("/").filter(Boolean)) {
    if (node.type !== "directory") throw new Error(`module '${module}': mount point ${path} is not a directory in the image`);
    let next: TreeNode | undefined = node.children.get(part);
    if (next === undefined) {
      next = directory();
      node.children.set(part, next);
    }
    node = next;
  }
  if (node.type !== "directory") throw new Error(`module '${module}': mount point ${path} is not a directory in the image`);
  return node;
}

/** A mount line is `TYPE /PATH`: TYPE a filesystem the kernel registers by name (it refuses one it lacks at boot). */
/** A mount line's path, checked: `TYPE /PATH`, `TYPE SOURCE /PATH` or `TYPE SOURCE /PATH ro|rw` (fs/root.ts). */
function checkMount(line: string, module: Module): string {
  const fields = line.trim().split(/\s+/);
  const path = fields.length === 2 ? fields[1] : fields[2];
  const options = fields.length === 4 ? fields[3] : "rw";
  if (fields.length < 2 || fields.length > 4 || !/^[a-z0-9_-]+$/.test(fields[0]) || !path.startsWith("/") || !/^(ro|rw)$/.test(options)) {
    throw new Error(`module '${module.name}': mount '${line}' is not 'TYPE [SOURCE] /PATH [ro|rw]' (e.g. 'ramfs /tmp', '9p TAG /mnt')`);
  }
  return path;
}

export async function buildModuleImage(names: string[], arch: Arch, compress: CompressPolicy = "auto"): Promise<ModuleImage> {
  const modules = resolveModules(names);
  const root = directory();
  const owners = new Map<string, string>();
  const fstab: string[] = [];
  for (const module of modules) {
    if (module.files !== null) {
      const lines = parseManifest(readFileSync(module.files, "utf8"), module.files);
      merge(root, treeOf(lines, module.dir, module.files), module.name, "/", owners);
    }
    for (const line of module.mounts) {
      makeDirectory(root, checkMount(line, module), module.name);
      fstab.push(`${line.trim()}  # ${module.name}`);
    }
  }
  const carried = await fileSystemModules(fstab, modules.flatMap((module) => module.filesystems), arch);
  for (const module of carried) {
    const lib = makeDirectory(makeDirectory(root, "/lib", "(image)"), "/modules", "(image)");
    if (lib.children.has(`${module.name}.so`)) throw new Error(`module '${owners.get(`/lib/modules/${module.name}.so`)}' places /lib/modules/${module.name}.so, where the ${module.name} filesystem module goes`);
    lib.children.set(`${module.name}.so`, { type: "file", mode: 0o644, mtime: 0, data: new Uint8Array(readFileSync(module.soPath)) });
  }
  const app = await moduleApp(modules, arch);
  if (app !== null) {
    if (root.children.has("app.so")) throw new Error(`module '${owners.get("/app.so")}' places /app.so, where the image's app goes`);
    root.children.set("app.so", { type: "file", mode: 0o755, mtime: 0, data: new Uint8Array(readFileSync(app.soPath)) });
    const etc = makeDirectory(root, "/etc", "(image)");
    if (etc.children.has("app")) throw new Error(`module '${owners.get("/etc/app") ?? owners.get("/etc")}' places /etc/app, the run manifest`);
    etc.children.set("app", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode(app.manifest) });
  }
  if (fstab.length > 0) {
    const etc = makeDirectory(root, "/etc", "(image)");
    if (etc.children.has("fstab")) throw new Error(`module '${owners.get("/etc/fstab") ?? owners.get("/etc")}' places /etc/fstab, which the image's mounts write`);
    etc.children.set("fstab", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode(`# Mounts, from the image's modules.\n${fstab.join("\n")}\n`) });
  }
  // Modules of code (the app, filesystem modules) stay uncompressed whatever the policy: the kernel maps them in place.
  const carriesCode = app !== null || carried.length > 0;
  const { image, stats } = writeImage(root, { compress: carriesCode && compress === "auto" ? "never" : compress });
  return {
    image,
    stats,
    modules: modules.map((module) => module.name),
    cmdline: modules.map((module) => module.cmdline).filter(Boolean).join(" "),
    app: app?.module ?? null,
  };
}
