// Everything `wisp run app.wasm` does before booting: compile the app
// (scripts/app, cached), and build the image the kernel runs it from:
//
//   /app.so               the app module (stored uncompressed: the kernel
//                         maps its read-only segments straight from the image)
//   /etc/app              the run manifest (loader/manifest.ts)
//   /etc/fstab            a 9p mount per live --dir
//   /.wisp/mnt/N          where the Nth --dir is mounted; the app sees it at
//                         its guest path
//   /.wisp/dirs/N/...     the host directory of the Nth --dir, for :copy and
//                         :image only
//   /.wisp/fs/N           where the Nth --mount is mounted (mounts.ts), with
//   /lib/modules/TYPE.so  the filesystem module serving its type
//
// --dir HOST:GUEST shares HOST live: QEMU serves it over 9p (virtio-9p
// device with mount tag wispN, `9p wispN /.wisp/mnt/N` in the fstab), so the
// app's writes reach the host and the image does not grow with HOST. :ro
// shares it read-only (QEMU refuses writes too); :copy copies HOST into the
// image and the kernel fills a RAMFS from it at boot: the app may change
// that copy, but nothing reaches the host. :image copies HOST into the
// image and preopens that copy in place (ROFS: read-only, the fastest to
// read, no host involved at run time).
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
import { AppMount, mountFstab, mountModules, mountPoint } from "./mounts";

/** How a --dir reaches the app: shared live over 9p, the same read-only, a RAMFS copy, or the image's ROFS copy. */
export type DirectoryMode = "live" | "ro" | "copy" | "image";

/** The modes that copy the host directory into the image. */
const COPIED: ReadonlySet<DirectoryMode> = new Set(["copy", "image"]);

export interface MappedDirectory {
  host: string;
  guest: string;
  mode: DirectoryMode;
}

/** What QEMU must serve for an image's live directories (scripts/run/qemu.ts Share). */
export interface DirectoryShare {
  path: string;
  tag: string;
  readOnly: boolean;
}

export interface AppImageRequest {
  wasm: string;
  arch: Arch;
  /** argv after argv[0] (the wasm file's name). */
  args: string[];
  env: string[];
  dirs: MappedDirectory[];
  /** Filesystems served by modules (--mount), and modules given for them (--fs-module). */
  mounts?: AppMount[];
  fsModules?: string[];
}

export interface AppImage {
  path: string;
  build: BuildAppResult;
  bytes: number;
  /** The host directories QEMU must serve over 9p. */
  shares: DirectoryShare[];
}

/** Parses --dir HOST:GUEST[:ro|:copy|:image] (GUEST defaults to HOST's absolute path). */
export function parseMappedDirectory(option: string): MappedDirectory {
  const suffix = /:(ro|copy|image)$/.exec(option);
  const mode: DirectoryMode = suffix ? (suffix[1] as DirectoryMode) : "live";
  const spec = suffix ? option.slice(0, suffix.index) : option;
  if (/,ro$/.test(spec)) throw new UsageError(`--dir ${option}: read-only is HOST:GUEST:ro`);
  const colon = spec.lastIndexOf(":");
  const host = colon < 0 ? spec : spec.slice(0, colon);
  const guest = colon < 0 ? resolve(spec) : spec.slice(colon + 1);
  if (!host) throw new UsageError(`--dir ${option}: no host directory`);
  if (!existsSync(host)) throw new UsageError(`--dir ${option}: ${host} does not exist`);
  if (!statSync(host).isDirectory()) throw new UsageError(`--dir ${option}: ${host} is not a directory`);
  if (!guest.startsWith("/")) throw new UsageError(`--dir ${option}: the guest path must be absolute`);
  return { host: resolve(host), guest: guest.length > 1 ? guest.replace(/\/+$/, "") : guest, mode };
}

/** The mount tag of the Nth --dir's 9p device. */
export function directoryTag(index: number): string {
  return `wisp${index}`;
}

/** What QEMU serves for a request's live directories. */
export function directoryShares(request: AppImageRequest): DirectoryShare[] {
  return request.dirs.flatMap((dir, index) => COPIED.has(dir.mode) ? []
    : [{ path: dir.host, tag: directoryTag(index), readOnly: dir.mode === "ro" }]);
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
    preopens: [
      ...request.dirs.map((dir, index) => {
        if (dir.mode === "image") return { guest: dir.guest, kernel: `/.wisp/dirs/${index}` };
        if (dir.mode === "copy") return { guest: dir.guest, kernel: `/.wisp/mnt/${index}`, overlayFrom: `/.wisp/dirs/${index}` };
        return { guest: dir.guest, kernel: `/.wisp/mnt/${index}` };
      }),
      ...(request.mounts ?? []).map((mount, index) => ({ guest: mount.guest, kernel: mountPoint(index) })),
    ],
  });
}

/** The image's fstab: a 9p mount per live directory and the --mount lines ("" when there is none). */
export function directoryFstab(request: AppImageRequest): string {
  const lines = request.dirs.flatMap((dir, index) => COPIED.has(dir.mode) ? []
    : [`9p ${directoryTag(index)} /.wisp/mnt/${index}${dir.mode === "ro" ? " ro" : ""}`]);
  lines.push(...mountFstab(request.mounts ?? []));
  return lines.length ? `# The app's directories (wisp run --dir, --mount).\n${lines.join("\n")}\n` : "";
}

/** The image's tree for an app module, the filesystem modules its mounts need and a request. */
export function appTree(so: Uint8Array, request: AppImageRequest, fsModules: { name: string; so: Uint8Array }[] = []): DirectoryNode {
  const copies = request.dirs.flatMap((dir, index) => !COPIED.has(dir.mode) ? [] : [{
    line: index + 1, guest: [".wisp", "dirs", String(index)], kind: "tree" as const, host: dir.host, target: "",
  }]);
  const root = copies.length ? treeOf(copies, ROOT, "--dir") : directory();
  root.children.set("app.so", { type: "file", mode: 0o755, mtime: 0, data: so });
  const etc = directory();
  root.children.set("etc", etc);
  etc.children.set("app", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode(runManifest(request)) });
  const fstab = directoryFstab(request);
  if (fstab) etc.children.set("fstab", { type: "file", mode: 0o644, mtime: 0, data: new TextEncoder().encode(fstab) });
  const mounts = request.mounts ?? [];
  if (fsModules.length) {
    const modules = directory();
    root.children.set("lib", { ...directory(), children: new Map([["modules", modules]]) });
    for (const module of fsModules) modules.children.set(`${module.name}.so`, { type: "file", mode: 0o644, mtime: 0, data: module.so });
  }
  if (request.dirs.length || mounts.length) {
    let wisp = root.children.get(".wisp");
    if (wisp === undefined) {
      wisp = directory();
      root.children.set(".wisp", wisp);
    }
    const mnt = directory();
    (wisp as DirectoryNode).children.set("mnt", mnt);
    request.dirs.forEach((dir, index) => {
      if (dir.mode !== "image") mnt.children.set(String(index), directory());
    });
    const fs = directory();
    (wisp as DirectoryNode).children.set("fs", fs);
    mounts.forEach((_, index) => fs.children.set(String(index), directory()));
  }
  return root;
}

/** Compiles the app if needed and writes its image; returns where. */
export async function prepareAppImage(request: AppImageRequest): Promise<AppImage> {
  if (!existsSync(request.wasm)) throw new UsageError(`${request.wasm}: no such file`);
  const build = await buildApp(request.wasm, { arch: request.arch });
  const modules = await mountModules(request.mounts ?? [], request.fsModules ?? [], request.arch);
  const tree = appTree(new Uint8Array(readFileSync(build.soPath)), request,
    modules.map((module) => ({ name: module.name, so: new Uint8Array(readFileSync(module.soPath)) })));
  const { image } = writeImage(tree, { compress: "never" });
  const hash = createHash("sha256").update(image).digest("hex").slice(0, 16);
  const dir = join(ROOT, "build", "run");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `app-${hash}.rofs`);
  if (!existsSync(path)) writeFileSync(path, image);
  return { path, build, bytes: image.length, shares: directoryShares(request) };
}
