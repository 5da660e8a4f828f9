// Everything `wisp run app.wasm` does before booting: compile the app
// (scripts/app, cached), and build the image the kernel runs it from:
//
//   /app.so               the app module (stored uncompressed: the kernel
//                         maps its read-only segments straight from the image)
//   /etc/app              the run manifest (loader/manifest.ts)
//   /.wisp/dirs/N/...     the host directory of the Nth --dir
//   /.wisp/mnt/N          where the kernel mounts a RAMFS copy of it, which
//                         the app sees at its guest path (writes stay in the
//                         guest: they never reach the host); a read-only
//                         --dir (HOST:GUEST,ro) is preopened at /.wisp/dirs/N
//                         itself, in the ROFS image, and has no mount point
//
// Images are named by the hash of their bytes under build/run/, so a repeated
// run writes nothing new.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { ROOT } from "../build/files";
import type { Arch } from "../build/targets";
import { buildApp, BuildAppResult } from "../app";
import { directory, DirectoryNode, treeOf, writeImage } from "../image";
import { UsageError } from "../cli/errors";
import { runManifestText } from "./manifest";

export interface MappedDirectory {
  host: string;
  guest: string;
  /** The app sees the image's own (ROFS) copy: every write fails with EROFS. */
  readOnly: boolean;
}

export interface AppImageRequest {
  wasm: string;
  arch: Arch;
  /** argv after argv[0] (the wasm file's name). */
  args: string[];
  env: string[];
  dirs: MappedDirectory[];
}

export interface AppImage {
  path: string;
  build: BuildAppResult;
  bytes: number;
}

/** Parses --dir HOST:GUEST[,ro] (GUEST defaults to HOST's absolute path). */
export function parseMappedDirectory(option: string): MappedDirectory {
  const readOnly = option.endsWith(",ro");
  const spec = readOnly ? option.slice(0, -3) : option;
  const colon = spec.lastIndexOf(":");
  const host = colon < 0 ? spec : spec.slice(0, colon);
  const guest = colon < 0 ? resolve(spec) : spec.slice(colon + 1);
  if (!host) throw new UsageError(`--dir ${spec}: no host directory`);
  if (!existsSync(host) || !statSync(host).isDirectory()) throw new UsageError(`--dir ${spec}: ${host} is not a directory`);
  if (!guest.startsWith("/")) throw new UsageError(`--dir ${spec}: the guest path must be absolute`);
  return { host: resolve(host), guest: guest.length > 1 ? guest.replace(/\/+$/, "") : guest, readOnly };
}

/** Parses --env K=V. */
export function parseEnvironment(spec: string): string {
  if (!/^[^=\s]+=/.test(spec)) throw new UsageError(`--env ${spec}: expected NAME=VALUE`);
  return spec;
}

/** The run manifest's text (loader/manifest.ts reads it). */
export function runManifest(request: AppImageRequest): string {
  return runManifestText({
    module: "/app.so",
    argv: [basename(request.wasm), ...request.args],
    env: request.env,
    preopens: request.dirs.map((dir, index) => dir.readOnly
      ? { guest: dir.guest, kernel: `/.wisp/dirs/${index}` }
      : { guest: dir.guest, kernel: `/.wisp/mnt/${index}`, overlayFrom: `/.wisp/dirs/${index}` }),
  });
}

/** The image's tree for an app module and a request. */
export function appTree(so: Uint8Array, request: AppImageRequest): DirectoryNode {
  const lines = request.dirs.map((dir, index) => ({
    line: index + 1, guest: [".wisp", "dirs", String(index)], kind: "tree" as const, host: dir.host, target: "",
  }));
  const root = lines.length ? treeOf(lines, ROOT, "--dir") : directory();
  root.children.set("app.so", { type: "file", mode: 0o755, mtime: 0, data: so });
  let etc = root.children.get("etc");
  if (etc === undefined) {
    etc = directory();
    root.children.set("etc", etc);
  }
  if (etc.type !== "directory") throw new UsageError("a mapped directory puts a non-directory at /etc");
  etc.children.set("app", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode(runManifest(request)) });
  if (request.dirs.length) {
    const wisp = root.children.get(".wisp") as DirectoryNode;
    const mounts = directory();
    wisp.children.set("mnt", mounts);
    request.dirs.forEach((dir, index) => {
      if (!dir.readOnly) mounts.children.set(String(index), directory());
    });
  }
  return root;
}

/** Compiles the app if needed and writes its image; returns where. */
export async function prepareAppImage(request: AppImageRequest): Promise<AppImage> {
  if (!existsSync(request.wasm)) throw new UsageError(`${request.wasm}: no such file`);
  const build = await buildApp(request.wasm, { arch: request.arch });
  const tree = appTree(new Uint8Array(readFileSync(build.soPath)), request);
  const { image } = writeImage(tree, { compress: "never" });
  const hash = createHash("sha256").update(image).digest("hex").slice(0, 16);
  const dir = join(ROOT, "build", "run");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `app-${hash}.rofs`);
  if (!existsSync(path)) writeFileSync(path, image);
  return { path, build, bytes: image.length };
}
