// Image manifests: which host files go where in the image (the OSv
// usr.manifest idea).
//
//   # a comment (a line whose first non-blank character is #)
//   /bin/app.wasm: build/app.wasm       a file (a host symlink stays a symlink)
//   /data/**: assets/**                 a whole host tree, recursively
//   /lib/libc.so: ->libc.so.6           a symlink with the given target
//
// Host paths are relative to the manifest's folder (absolute ones are kept).
// Directories on the way to a path are implied. A path mapped twice is an
// error naming both lines. Attributes are normalised so that the image does
// not depend on the checkout: files get 0o755 if the host file is executable
// by anyone, else 0o644; directories 0o755; symlinks 0o777; every mtime is
// the fixed `mtime` option (default 0) unless `mtime: "keep"` asks for the
// host's.

import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, Stats } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { DirectoryNode, TreeNode, SYMLINK_MODE, directory } from "./tree";

export interface ManifestLine {
  /** 1-based line number in the manifest. */
  line: number;
  /** Guest path components ([] for the root of a tree mapped at "/**"). */
  guest: string[];
  kind: "file" | "tree" | "symlink";
  /** Host path as written (file and tree lines; for trees without the trailing "/**"). */
  host: string;
  /** Symlink lines: the target. */
  target: string;
}

/** A manifest that cannot be used; the message names the file and line. */
export class ManifestError extends Error {}

const NAME_BYTES_MAX = 255;

function guestComponents(path: string, where: string): string[] {
  if (!path.startsWith("/")) throw new ManifestError(`${where}: guest path '${path}' must start with '/'`);
  const components = path.split("/").slice(1);
  if (components.length === 1 && components[0] === "") return [];
  for (const component of components) {
    if (component === "" || component === "." || component === "..") {
      throw new ManifestError(`${where}: guest path '${path}' has an empty, '.' or '..' component`);
    }
    if (component.includes("\0") || Buffer.byteLength(component, "utf8") > NAME_BYTES_MAX) {
      throw new ManifestError(`${where}: guest path '${path}' has a component that is too long or holds NUL`);
    }
  }
  return components;
}

/** Parses a manifest's text; `name` is used in messages. */
export function parseManifest(text: string, name: string): ManifestLine[] {
  const lines: ManifestLine[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = index + 1;
    const where = `${name}:${line}`;
    const trimmed = raw.replace(/\r$/, "").trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const separator = trimmed.search(/:(\s|$)/);
    if (separator < 0) throw new ManifestError(`${where}: expected '/guest/path: host/path', got '${trimmed}'`);
    const guest = trimmed.slice(0, separator).trim();
    const host = trimmed.slice(separator + 1).trim();
    if (host === "") throw new ManifestError(`${where}: no host path after '${guest}:'`);
    if (host.startsWith("->")) {
      const target = host.slice(2).trim();
      if (target === "") throw new ManifestError(`${where}: a symlink needs a target after '->'`);
      const components = guestComponents(guest, where);
      if (components.length === 0) throw new ManifestError(`${where}: the root cannot be a symlink`);
      lines.push({ line, guest: components, kind: "symlink", host: "", target });
      return;
    }
    const guestTree = guest === "/**" || guest.endsWith("/**");
    const hostTree = host === "**" || host.endsWith("/**");
    if (guestTree !== hostTree) throw new ManifestError(`${where}: '**' must end both paths or neither ('/guest/**: host/**')`);
    if (guest.includes("*") && !guestTree) throw new ManifestError(`${where}: only a trailing '/**' is supported in '${guest}'`);
    if (guestTree) {
      const base = guest.slice(0, -3);
      const hostBase = host === "**" ? "." : host.slice(0, -3);
      if (base.includes("*") || hostBase.includes("*")) throw new ManifestError(`${where}: only a trailing '/**' is supported`);
      lines.push({ line, guest: guestComponents(base === "" ? "/" : base, where), kind: "tree", host: hostBase === "" ? "/" : hostBase, target: "" });
    } else {
      if (host.includes("*")) throw new ManifestError(`${where}: only a trailing '/**' is supported in '${host}'`);
      const components = guestComponents(guest, where);
      if (components.length === 0) throw new ManifestError(`${where}: the root can only be mapped as a tree ('/**: folder/**')`);
      lines.push({ line, guest: components, kind: "file", host, target: "" });
    }
  });
  return lines;
}

export interface TreeOptions {
  /** "keep" for the host files' mtimes, or fixed seconds since the epoch (default 0). */
  mtime?: "keep" | number;
}

/** Builds the image tree a manifest describes, reading the host files it names. */
export function manifestTree(manifestPath: string, options: TreeOptions = {}): DirectoryNode {
  const lines = parseManifest(readFileSync(manifestPath, "utf8"), manifestPath);
  return treeOf(lines, dirname(resolve(manifestPath)), manifestPath, options);
}

export function treeOf(lines: ManifestLine[], baseDirectory: string, name: string, options: TreeOptions = {}): DirectoryNode {
  const fixed = options.mtime === "keep" ? null : options.mtime ?? 0;
  const mtimeOf = (stats: Stats) => (fixed === null ? Math.max(0, Math.min(0xffff_ffff, Math.floor(stats.mtimeMs / 1000))) : fixed);
  const root = directory(fixed ?? 0);
  const origin = new Map<TreeNode, number>([[root, 0]]);

  const place = (components: string[], node: TreeNode, line: number, path: string) => {
    let parent = root;
    for (let i = 0; i < components.length - 1; i++) {
      let next = parent.children.get(components[i]);
      if (next === undefined) {
        next = directory(fixed ?? 0);
        parent.children.set(components[i], next);
        origin.set(next, line);
      } else if (next.type !== "directory") {
        throw new ManifestError(`${name}:${line}: '${path}' needs '${components.slice(0, i + 1).join("/")}' to be a directory, but line ${origin.get(next)} maps a ${next.type} there`);
      }
      parent = next;
    }
    const last = components[components.length - 1];
    const existing = parent.children.get(last);
    if (existing !== undefined) {
      if (existing.type === "directory" && node.type === "directory") return existing;
      throw new ManifestError(`${name}:${line}: '${path}' is already mapped by line ${origin.get(existing)}`);
    }
    parent.children.set(last, node);
    origin.set(node, line);
    return node;
  };

  const hostNode = (path: string, stats: Stats): TreeNode => {
    if (stats.isSymbolicLink()) return { type: "symlink", mode: SYMLINK_MODE, mtime: mtimeOf(stats), target: readlinkSync(path, "utf8") };
    if (stats.isFile()) return { type: "file", mode: stats.mode & 0o111 ? 0o755 : 0o644, mtime: mtimeOf(stats), data: new Uint8Array(readFileSync(path)) };
    if (stats.isDirectory()) return directory(mtimeOf(stats));
    throw new Error(`${path} is neither a file, a directory nor a symlink`);
  };

  const addTree = (guest: string[], host: string, line: number) => {
    for (const entry of readdirSync(host).sort()) {
      const hostPath = join(host, entry);
      const stats = lstatSync(hostPath);
      const components = [...guest, entry];
      const where = "/" + components.join("/");
      if (Buffer.byteLength(entry, "utf8") > NAME_BYTES_MAX) throw new ManifestError(`${name}:${line}: host name '${hostPath}' is longer than ${NAME_BYTES_MAX} bytes`);
      place(components, hostNode(hostPath, stats), line, where);
      if (stats.isDirectory()) addTree(components, hostPath, line);
    }
  };

  for (const entry of lines) {
    const where = "/" + entry.guest.join("/");
    if (entry.kind === "symlink") {
      place(entry.guest, { type: "symlink", mode: SYMLINK_MODE, mtime: fixed ?? 0, target: entry.target }, entry.line, where);
      continue;
    }
    const host = isAbsolute(entry.host) ? entry.host : join(baseDirectory, entry.host);
    let stats: Stats;
    try {
      stats = entry.kind === "tree" ? statSync(host) : lstatSync(host);
    } catch {
      throw new ManifestError(`${name}:${entry.line}: host path '${entry.host}' does not exist`);
    }
    if (entry.kind === "tree") {
      if (!stats.isDirectory()) throw new ManifestError(`${name}:${entry.line}: '${entry.host}' is not a directory (a tree needs one)`);
      if (entry.guest.length > 0) place(entry.guest, directory(mtimeOf(stats)), entry.line, where);
      addTree(entry.guest, host, entry.line);
    } else {
      if (stats.isDirectory()) throw new ManifestError(`${name}:${entry.line}: '${entry.host}' is a directory: map a tree with '${where}/**: ${entry.host}/**'`);
      place(entry.guest, hostNode(host, stats), entry.line, where);
    }
  }
  return root;
}
