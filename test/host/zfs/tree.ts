// Test support: the ZFS fixtures (gunzipped into a temporary directory) and
// their manifest, and a walk that holds what fs/zfs reads against what
// zfs-fuse showed when the pools were made (test/fixtures/zfs/make-pools.ts).

import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { ZfsError, ZfsModule } from "../../../scripts/zfs/host";
import type { ManifestEntry } from "../../fixtures/zfs/entry";

export type { ManifestEntry };

const FIXTURES = new URL("../../fixtures/zfs/", import.meta.url).pathname;


export interface PoolFixture {
  images: string[];
  datasets: Record<string, ManifestEntry[]>;
}

export const manifest: Record<string, PoolFixture> = JSON.parse(readFileSync(join(FIXTURES, "manifest.json"), "utf8"));

const unpacked: string[] = [];
/** Removes every directory unpackImages made (test files call it in afterAll; the runner at exit). */
export function removeUnpacked(): void {
  for (const directory of unpacked.splice(0)) rmSync(directory, { recursive: true, force: true });
}
process.once("exit", removeUnpacked);

/** The pool's images, uncompressed into a fresh temporary directory (see removeUnpacked); answers their paths. */
export function unpackImages(pool: string): string[] {
  const directory = mkdtempSync(join(tmpdir(), `zfs-${pool}-`));
  unpacked.push(directory);
  return manifest[pool].images.map((name) => {
    const path = join(directory, name.replace(/\.gz$/, ""));
    writeFileSync(path, gunzipSync(readFileSync(join(FIXTURES, name))));
    return path;
  });
}

/** What a walk found: differences from the manifest (wrong answers) and operations that failed with an errno. */
export interface WalkReport {
  wrong: string[];
  errors: string[];
}

/**
 * Walks the mounted dataset from its root and compares every listing,
 * attribute, file's bytes and link target with `expected`. A call that
 * answers -errno is recorded in `errors` (and the walk goes on elsewhere);
 * anything else that differs is `wrong`. Other exceptions (a trap) escape.
 */
export function compareTree(module: ZfsModule, volume: number, expected: ManifestEntry[]): WalkReport {
  const report: WalkReport = { wrong: [], errors: [] };
  const byPath = new Map(expected.map((entry) => [entry.path, entry]));
  const inodes = new Map<number, bigint>();
  const attempt = <T>(what: string, action: () => T): T | undefined => {
    try {
      return action();
    } catch (error) {
      if (error instanceof ZfsError) {
        report.errors.push(`${what}: ${error.message}`);
        return undefined;
      }
      throw error;
    }
  };
  const visit = (path: string, inode: bigint) => {
    const want = byPath.get(path)!;
    const got = attempt(`getattr ${path}`, () => module.getattr(volume, inode));
    if (got === undefined) return;
    const differ = (field: string, a: unknown, b: unknown) => {
      if (a !== b) report.wrong.push(`${path}: ${field} ${String(a)}, expected ${String(b)}`);
    };
    differ("type", got.type, want.type);
    differ("mode", got.mode.toString(8), want.mode.toString(8));
    differ("links", got.links, want.links);
    if (want.type !== "directory") differ("size", got.size, want.size);
    differ("mtime", got.modifiedNs / 1_000_000_000n, BigInt(want.mtimeNs) / 1_000_000_000n);
    if (path !== "/") {
      differ("inode", Number(inode), want.inode);
      const seen = inodes.get(want.inode);
      if (seen !== undefined && seen !== inode) report.wrong.push(`${path}: hard link to inode ${want.inode} answers ${inode}`);
      inodes.set(want.inode, inode);
    }
    if (got.type !== want.type) return;
    if (want.type === "file") {
      const data = attempt(`read ${path}`, () => module.readFile(volume, inode));
      if (data !== undefined) differ("sha256", createHash("sha256").update(data).digest("hex"), want.sha256);
    } else if (want.type === "symlink") {
      const target = attempt(`readlink ${path}`, () => module.readlink(volume, inode));
      if (target !== undefined) differ("target", target, want.target);
    } else {
      const entries = attempt(`readdir ${path}`, () => module.list(volume, inode));
      if (entries === undefined) return;
      const names = entries.map((entry) => entry.name).sort();
      differ("names", JSON.stringify(names), JSON.stringify(want.names));
      for (const entry of entries) {
        const child = path === "/" ? `/${entry.name}` : `${path}/${entry.name}`;
        if (!byPath.has(child)) continue;
        const looked = attempt(`lookup ${child}`, () => module.lookup(volume, inode, entry.name));
        if (looked === undefined) continue;
        differ(`${entry.name}: lookup inode`, looked, entry.inode);
        differ(`${entry.name}: entry type`, entry.type, byPath.get(child)!.type);
        visit(child, looked);
      }
    }
  };
  const root = attempt("root", () => module.root(volume));
  if (root !== undefined) visit("/", root);
  return report;
}
