// Writing pools (fs/zfs/write, `wisp zfs create`): a pool made from a folder
// reads back byte for byte through the module's reader; random operation
// sequences against a model (a plain in-memory tree) read back as the model
// says after every transaction group, each group on its own; the same seed
// and time give the same image; bad input is refused with the reason. With
// zfs-fuse: zdb finds the pools clean (checksums, no leaks), zpool imports
// them, and the mounted tree equals the source.

import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ZfsError, ZfsModule } from "../../../scripts/zfs/host";
import { createPoolImage } from "../../../scripts/zfs/create";
import { withZfsFuse, zfsFuseMissing } from "../../../scripts/zfs/daemon";
import { zdbCheck } from "../../../scripts/zfs/zdb";
import { removeUnpacked, unpackImages } from "./tree";

const WISP = new URL("../../../scripts/wisp.mjs", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "zfs-create-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
  removeUnpacked();
});

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/** Deterministic bytes for a test file. */
function pattern(length: number, seed: number): Buffer {
  const data = Buffer.alloc(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  return data;
}

/** A source folder with the kinds a tree holds: small, empty, multi-block and sparse-ish files, deep folders, a big directory, links. */
function makeSource(root: string): void {
  mkdirSync(join(root, "docs", "deep", "deeper"), { recursive: true });
  writeFileSync(join(root, "hello.txt"), "hello from wisp\n");
  writeFileSync(join(root, "empty"), "");
  writeFileSync(join(root, "docs", "one-block.bin"), pattern(131072, 1));
  writeFileSync(join(root, "docs", "odd.bin"), pattern(131073, 2));
  writeFileSync(join(root, "docs", "deep", "deeper", "big.bin"), pattern(3_000_017, 3));
  const zeros = Buffer.alloc(600_000);
  zeros.write("start", 0);
  zeros.write("end", 599_990);
  writeFileSync(join(root, "docs", "mostly-zeros.bin"), zeros);
  mkdirSync(join(root, "many"));
  for (let i = 0; i < 2500; i++) writeFileSync(join(root, "many", `entry-with-a-fairly-long-name-${String(i).padStart(5, "0")}`), `${i}\n`);
  writeFileSync(join(root, "docs", `${"n".repeat(255)}`), "longest name\n");
  symlinkSync("hello.txt", join(root, "short-link"));
  symlinkSync(`${"../".repeat(10)}${"t".repeat(200)}`, join(root, "docs", "long-link"));
  linkSync(join(root, "hello.txt"), join(root, "docs", "hard"));
  chmodSync(join(root, "docs", "odd.bin"), 0o4750);
  chmodSync(join(root, "docs", "deep"), 0o1777);
}

interface Entry {
  type: "file" | "directory" | "symlink";
  mode: number;
  size: number;
  digest?: string;
  target?: string;
  links: number;
}

const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/** Every entry under a host folder, by path. */
function hostTree(root: string): Map<string, Entry> {
  const tree = new Map<string, Entry>();
  const walk = (folder: string, prefix: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      const stat = lstatSync(path);
      const key = `${prefix}/${name}`;
      if (stat.isSymbolicLink()) tree.set(key, { type: "symlink", mode: 0o777, size: stat.size, target: readlinkSync(path), links: 1 });
      else if (stat.isDirectory()) {
        tree.set(key, { type: "directory", mode: stat.mode & 0o7777, size: 0, links: stat.nlink });
        walk(path, key);
      } else tree.set(key, { type: "file", mode: stat.mode & 0o7777, size: stat.size, digest: digest(readFileSync(path)), links: stat.nlink });
    }
  };
  walk(root, "");
  return tree;
}

/** Every entry of a volume, as the module's reader sees it. */
function moduleTree(module: ZfsModule, volume: number): Map<string, Entry> {
  const tree = new Map<string, Entry>();
  const walk = (directory: bigint, prefix: string) => {
    for (const entry of module.list(volume, directory).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const key = `${prefix}/${entry.name}`;
      const attributes = module.getattr(volume, entry.inode);
      if (entry.type === "symlink") tree.set(key, { type: "symlink", mode: 0o777, size: attributes.size, target: module.readlink(volume, entry.inode), links: 1 });
      else if (entry.type === "directory") {
        tree.set(key, { type: "directory", mode: attributes.mode, size: 0, links: attributes.links });
        walk(entry.inode, key);
      } else tree.set(key, { type: "file", mode: attributes.mode, size: attributes.size, digest: digest(module.readFile(volume, entry.inode)), links: attributes.links });
    }
  };
  walk(module.root(volume), "");
  return tree;
}

async function readBack(image: string, pool: string): Promise<Map<string, Entry>> {
  const module = await ZfsModule.open([image]);
  try {
    return moduleTree(module, module.mount(pool));
  } finally {
    module.close();
  }
}

const source = join(work, "source");
mkdirSync(source);
makeSource(source);
const fromFolder = join(work, "from-folder.img");
const gzipImage = join(work, "gzip.img");
const sectorImage = join(work, "sectors-4k.img");

describe("wisp zfs create", () => {
  it("makes a pool that reads back as the folder it was made from", async () => {
    const report = await createPoolImage(fromFolder, { size: 128 << 20, pool: "made", from: source, compression: "lzjb" });
    expect(report).toMatchObject({ files: 2507, directories: 4, symlinks: 2, hardLinks: 1, skipped: [] });
    expect(await readBack(fromFolder, "made")).toEqual(hostTree(source));
  });

  it("writes gzip blocks that read back as the folder, smaller than lzjb's", async () => {
    const report = await createPoolImage(gzipImage, { size: 128 << 20, pool: "gz", from: source, compression: "gzip" });
    expect(report).toMatchObject({ files: 2507, directories: 4, symlinks: 2, hardLinks: 1, skipped: [] });
    expect(await readBack(gzipImage, "gz")).toEqual(hostTree(source));
    const allocated = (image: string) => Number(execFileSync("du", ["-B1", image], { encoding: "utf8" }).split("\t")[0]);
    expect(allocated(gzipImage)).toBeLessThan(allocated(fromFolder));
  });

  it("makes a pool of 4 KiB sectors (ashift 12) that reads back as the folder", async () => {
    const report = await createPoolImage(sectorImage, { size: 160 << 20, pool: "a12", from: source, ashift: 12 });
    expect(report).toMatchObject({ files: 2507, directories: 4, symlinks: 2, hardLinks: 1, skipped: [] });
    expect(await readBack(sectorImage, "a12")).toEqual(hostTree(source));
  });

  it("gives the same bytes for the same seed and time", async () => {
    const make = async (image: string) => {
      const module = await ZfsModule.open([image], true);
      const volume = module.mkfs(0, "same", "seed=7,time=1800000000,compression=lzjb");
      const file = module.create(volume, module.root(volume), "a", S_IFREG | 0o644);
      module.write(volume, file, 0, pattern(200_000, 9));
      module.sync(volume);
      module.write(volume, file, 50_000, pattern(10, 4));
      module.unmount(volume);
      module.close();
      return digest(readFileSync(image));
    };
    const images = [join(work, "same-1.img"), join(work, "same-2.img")];
    for (const image of images) execFileSync("truncate", ["-s", "64M", image]);
    expect(await make(images[0])).toBe(await make(images[1]));
  });

  it("refuses bad input with the reason", async () => {
    const small = join(work, "small.img");
    await expect(createPoolImage(small, { size: 32 << 20, pool: "p" })).rejects.toThrow("a pool needs at least 64 MiB");
    await expect(createPoolImage(fromFolder, { size: 64 << 20, pool: "p" })).rejects.toThrow("exists (give --force to replace it)");
    const image = join(work, "bad.img");
    execFileSync("truncate", ["-s", "64M", image]);
    const module = await ZfsModule.open([image], true);
    expect(() => module.mkfs(0, "1pool", "")).toThrow(/EINVAL.*not a pool name/);
    expect(() => module.mkfs(0, "pool", "compression=gzip-0")).toThrow(/EINVAL.*compression=gzip-0/);
    expect(() => module.mkfs(0, "pool", "compression=lz4")).toThrow(/EINVAL.*compression=lz4/);
    expect(() => module.mkfs(3, "pool", "")).toThrow(/ENODEV/);
    const volume = module.mkfs(0, "pool", "");
    const root = module.root(volume);
    expect(() => module.create(volume, root, "x/y", S_IFREG | 0o644)).toThrow(/EINVAL/);
    expect(() => module.create(volume, root, "n".repeat(256), S_IFREG | 0o644)).toThrow(/ENAMETOOLONG/);
    const file = module.create(volume, root, "f", S_IFREG | 0o644);
    expect(() => module.create(volume, root, "f", S_IFREG | 0o644)).toThrow(/EEXIST/);
    expect(() => module.create(volume, file, "g", S_IFREG | 0o644)).toThrow(/ENOTDIR/);
    const folder = module.create(volume, root, "d", S_IFDIR | 0o755);
    module.create(volume, folder, "inside", S_IFREG | 0o644);
    expect(module.unlinkRaw(volume, root, "d", true)).toBe(-39);
    expect(module.unlinkRaw(volume, root, "d", false)).toBe(-21);
    expect(module.unlinkRaw(volume, root, "f", true)).toBe(-20);
    expect(module.renameRaw(volume, root, "d", folder, "loop")).toBe(-22);
    module.unmount(volume);
    module.close();
    const cli = spawnSync(process.execPath, [WISP, "zfs", "create", image, "--size", "64M", "--copies", "5"], { encoding: "utf8" });
    expect(cli.status).toBe(2);
    expect(cli.stderr).toContain("--copies takes 1, 2 or 3");
  });
});

type Node = { kind: "file"; data: Buffer; mode: number } | { kind: "dir"; entries: Map<string, Node>; mode: number } | { kind: "link"; target: string };

/** The model: a tree of plain objects; files are shared between names for hard links. */
function modelTree(root: Node & { kind: "dir" }): Map<string, Entry> {
  const tree = new Map<string, Entry>();
  const counts = new Map<Node, number>();
  const count = (dir: Node & { kind: "dir" }) => {
    for (const node of dir.entries.values()) {
      counts.set(node, (counts.get(node) ?? 0) + 1);
      if (node.kind === "dir") count(node);
    }
  };
  count(root);
  const walk = (dir: Node & { kind: "dir" }, prefix: string) => {
    for (const name of [...dir.entries.keys()].sort()) {
      const node = dir.entries.get(name)!;
      const key = `${prefix}/${name}`;
      if (node.kind === "link") tree.set(key, { type: "symlink", mode: 0o777, size: Buffer.byteLength(node.target), target: node.target, links: 1 });
      else if (node.kind === "dir") {
        const subdirectories = [...node.entries.values()].filter((child) => child.kind === "dir").length;
        tree.set(key, { type: "directory", mode: node.mode, size: 0, links: 2 + subdirectories });
        walk(node, key);
      } else tree.set(key, { type: "file", mode: node.mode, size: node.data.length, digest: digest(node.data), links: counts.get(node)! });
    }
  };
  walk(root, "");
  return tree;
}

const operation = fc.oneof(
  fc.record({ op: fc.constant("mkdir" as const), at: fc.nat(), name: fc.stringMatching(/^[a-z]{1,12}$/) }),
  fc.record({ op: fc.constant("create" as const), at: fc.nat(), name: fc.stringMatching(/^[a-z0-9._-]{1,60}$/).filter((name) => name !== "." && name !== "..") }),
  fc.record({ op: fc.constant("write" as const), at: fc.nat(), offset: fc.oneof(fc.nat(300_000), fc.nat(3_000_000)), length: fc.nat(150_000), seed: fc.nat() }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat(), size: fc.nat(400_000) }),
  fc.record({ op: fc.constant("unlink" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("rename" as const), at: fc.nat(), to: fc.nat(), name: fc.stringMatching(/^[a-z]{1,8}$/) }),
  fc.record({ op: fc.constant("link" as const), at: fc.nat(), to: fc.nat(), name: fc.stringMatching(/^[a-z]{1,8}$/) }),
  fc.record({ op: fc.constant("symlink" as const), at: fc.nat(), name: fc.stringMatching(/^[a-z]{1,8}$/), length: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ op: fc.constant("sync" as const) }),
  fc.record({ op: fc.constant("remount" as const) }),
);

const randomImages: string[] = [];

describe("random operations against a model", () => {
  it("read back as the model after every txg", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 10, maxLength: 80 }), async (operations) => {
        const image = join(work, `random-${run++}.img`);
        rmSync(image, { force: true });
        execFileSync("truncate", ["-s", "96M", image]);
        let module = await ZfsModule.open([image], true);
        let volume = module.mkfs(0, "rand", ["compression=lzjb", "checksum=sha256,copies=2", "compression=zle,checksum=fletcher2"][run % 3]);
        const root: Node & { kind: "dir" } = { kind: "dir", entries: new Map(), mode: 0o755 };
        const inodes = new Map<Node, bigint>([[root, module.root(volume)]]);
        const parents = new Map<Node, Node & { kind: "dir" }>();
        const all = (kind?: Node["kind"]) => {
          const found: Array<{ node: Node; parent: Node & { kind: "dir" }; name: string }> = [];
          const walk = (dir: Node & { kind: "dir" }) => {
            for (const [name, node] of dir.entries) {
              if (kind === undefined || node.kind === kind) found.push({ node, parent: dir, name });
              if (node.kind === "dir") walk(node);
            }
          };
          walk(root);
          return found;
        };
        const directories = () => [root, ...all("dir").map((item) => item.node as Node & { kind: "dir" })];
        const check = async () => expect(await readBack(image, "rand")).toEqual(modelTree(root));
        for (const step of operations) {
          if (step.op === "sync") {
            module.sync(volume);
            await check();
          } else if (step.op === "remount") {
            // Export, check, and open the pool for writing again: inodes stay the same.
            module.unmount(volume);
            module.close();
            await check();
            module = await ZfsModule.open([image], true);
            volume = module.mount("rand", true);
          } else if (step.op === "mkdir" || step.op === "create" || step.op === "symlink") {
            const dirs = directories();
            const parent = dirs[step.at % dirs.length];
            const exists = parent.entries.has(step.name);
            const target = step.op === "symlink" ? "t".repeat(step.length) : "";
            const call = () =>
              step.op === "symlink" ? module.symlink(volume, inodes.get(parent)!, step.name, Buffer.from(target))
                : module.create(volume, inodes.get(parent)!, step.name, step.op === "mkdir" ? S_IFDIR | 0o750 : S_IFREG | 0o640);
            if (exists) {
              expect(call).toThrow(/EEXIST/);
              continue;
            }
            const node: Node = step.op === "mkdir" ? { kind: "dir", entries: new Map(), mode: 0o750 }
              : step.op === "symlink" ? { kind: "link", target } : { kind: "file", data: Buffer.alloc(0), mode: 0o640 };
            inodes.set(node, call());
            parent.entries.set(step.name, node);
            if (node.kind === "dir") parents.set(node, parent);
          } else if (step.op === "write" || step.op === "truncate") {
            const files = all("file");
            if (files.length === 0) continue;
            const file = files[step.at % files.length].node as Node & { kind: "file" };
            if (step.op === "write") {
              const data = pattern(step.length, step.seed);
              module.write(volume, inodes.get(file)!, step.offset, data);
              const end = Math.max(file.data.length, step.offset + data.length);
              const grown = Buffer.alloc(end);
              file.data.copy(grown);
              data.copy(grown, step.offset);
              file.data = grown;
            } else {
              module.truncate(volume, inodes.get(file)!, step.size);
              const resized = Buffer.alloc(step.size);
              file.data.copy(resized, 0, 0, Math.min(step.size, file.data.length));
              file.data = resized;
            }
          } else if (step.op === "unlink") {
            const items = all();
            if (items.length === 0) continue;
            const { node, parent, name } = items[step.at % items.length];
            const isDir = node.kind === "dir";
            const answer = module.unlinkRaw(volume, inodes.get(parent)!, name, isDir);
            if (isDir && node.entries.size > 0) {
              expect(answer).toBe(-39);
              continue;
            }
            expect(answer).toBe(0);
            parent.entries.delete(name);
          } else if (step.op === "rename") {
            const items = all();
            if (items.length === 0) continue;
            const { node, parent, name } = items[step.at % items.length];
            const dirs = directories();
            const to = dirs[step.to % dirs.length];
            let inside = false;
            for (let at: Node | undefined = to; at !== undefined; at = parents.get(at)) if (at === node) inside = true;
            const answer = module.renameRaw(volume, inodes.get(parent)!, name, inodes.get(to)!, step.name);
            const existing = to.entries.get(step.name);
            if (inside) expect(answer).toBe(-22);
            else if (existing === node) expect(answer).toBe(0);
            else if (existing !== undefined && (existing.kind === "dir") !== (node.kind === "dir")) expect(answer).toBe(node.kind === "dir" ? -20 : -21);
            else if (existing !== undefined && existing.kind === "dir" && existing.entries.size > 0) expect(answer).toBe(-39);
            else {
              expect(answer).toBe(0);
              parent.entries.delete(name);
              to.entries.set(step.name, node);
              if (node.kind === "dir") parents.set(node, to);
            }
          } else if (step.op === "link") {
            const files = all("file");
            if (files.length === 0) continue;
            const file = files[step.at % files.length].node;
            const dirs = directories();
            const to = dirs[step.to % dirs.length];
            if (to.entries.has(step.name)) continue;
            module.link(volume, inodes.get(to)!, step.name, inodes.get(file)!);
            to.entries.set(step.name, file);
          }
        }
        module.unmount(volume);
        module.close();
        await check();
        randomImages.push(image);
      }),
      { numRuns: 20, seed: 20261205 },
    );
  }, 240_000);
});

describe("a full pool", () => {
  it("answers ENOSPC before it runs out, stays whole, and takes writes again after a removal", async () => {
    const image = join(work, "full.img");
    execFileSync("truncate", ["-s", "64M", image]);
    const module = await ZfsModule.open([image], true);
    const volume = module.mkfs(0, "full", "");
    const root = module.root(volume);
    const chunk = pattern(1 << 20, 5);
    const written: bigint[] = [];
    let refused = "";
    // statfs tells the truth: every write it left room for is taken, and the one refused asked for more than it had.
    const room = () => module.statfs(volume).blocksAvailable * 512n;
    const fresh = room();
    let roomAtRefusal = 0n;
    for (let i = 0; i < 100 && refused === ""; i++) {
      const file = module.create(volume, root, `f${i}`, S_IFREG | 0o644);
      const before = room();
      try {
        module.write(volume, file, 0, chunk);
        written.push(file);
      } catch (error) {
        refused = (error as Error).message;
        roomAtRefusal = before;
        module.unlink(volume, root, `f${i}`);
      }
    }
    expect(refused).toMatch(/ENOSPC/);
    expect(roomAtRefusal).toBeLessThan(BigInt(chunk.length + (128 << 10))); // the data and its first block's room
    // ZFS keeps 32 MiB of a small pool back (space.ts): about 28 MiB of this one is for files, some of it metadata.
    expect(fresh).toBeGreaterThan(27n << 20n);
    expect(written.length).toBeGreaterThan(Number(fresh >> 20n) - 4);
    module.sync(volume);
    module.unlink(volume, root, "f0");
    module.unlink(volume, root, "f1");
    module.sync(volume);
    // Freed space is allocatable two txgs later: the write that needs it has them written first.
    module.write(volume, module.create(volume, root, "again", S_IFREG | 0o644), 0, chunk);
    module.unmount(volume);
    module.close();
    const tree = await readBack(image, "full");
    expect(tree.size).toBe(written.length - 1);
    for (const [path, entry] of tree) expect(entry.digest, path).toBe(digest(chunk));
    fullImage = image;
  });
});

describe("many transaction groups", () => {
  it("keep the space maps condensed and the pool whole (1,000 txgs)", async () => {
    const image = join(work, "many-txgs.img");
    execFileSync("truncate", ["-s", "64M", image]);
    const module = await ZfsModule.open([image], true);
    const volume = module.mkfs(0, "many", "");
    const root = module.root(volume);
    for (let i = 0; i < 1000; i++) {
      module.write(volume, module.create(volume, root, `f${i}`, S_IFREG | 0o644), 0, pattern(3000, i));
      if (i >= 50) module.unlink(volume, root, `f${i - 50}`);
      module.sync(volume);
    }
    module.unmount(volume);
    module.close();
    const tree = await readBack(image, "many");
    expect([...tree.keys()]).toEqual(Array.from({ length: 50 }, (_, k) => `/f${950 + k}`).sort());
    manyImage = image;
  });
});

let manyImage = "";
const mirrorImages: string[] = [];
let fullImage = "";
const fixtureImages: Array<{ pool: string; image: string }> = [];

describe("pools zfs-fuse made, written", () => {
  for (const pool of ["plain", "lzjb", "gzip"]) {
    it(`${pool}: its root dataset takes new files, renames and removals, and keeps everything else`, async () => {
      const [image] = unpackImages(pool);
      const before = await readBack(image, pool);
      const module = await ZfsModule.open([image], true);
      const volume = module.mount(pool, true);
      const root = module.root(volume);
      const folder = module.create(volume, root, "from-wisp", S_IFDIR | 0o755);
      for (let i = 0; i < 300; i++) module.write(volume, module.create(volume, folder, `f${i}`, S_IFREG | 0o644), 0, pattern(i * 97, i));
      module.sync(volume);
      module.rename(volume, folder, "f1", root, "f1-moved");
      module.unlink(volume, folder, "f2");
      module.unmount(volume);
      module.close();
      const after = await readBack(image, pool);
      const expected = new Map(before);
      expected.set("/from-wisp", { type: "directory", mode: 0o755, size: 0, links: 2 });
      for (let i = 0; i < 300; i++) if (i !== 1 && i !== 2) expected.set(`/from-wisp/f${i}`, { type: "file", mode: 0o644, size: i * 97, digest: digest(pattern(i * 97, i)), links: 1 });
      expected.set("/f1-moved", { type: "file", mode: 0o644, size: 97, digest: digest(pattern(97, 1)), links: 1 });
      expect(after).toEqual(new Map([...expected.entries()].sort(([a], [b]) => (a < b ? -1 : 1))));
      fixtureImages.push({ pool, image });
    });
  }

  it("compresses new file data as the dataset's compression property says (gzip)", async () => {
    const [image] = unpackImages("gzip");
    // Deflate streams that start a sector: zlib's header 78 01 (what gzip-1 and this writer put first).
    const streams = () => {
      const bytes = readFileSync(image);
      let count = 0;
      for (let at = 0; at + 1 < bytes.length; at += 512) if (bytes[at] === 0x78 && bytes[at + 1] === 0x01) count++;
      return count;
    };
    const before = streams();
    const module = await ZfsModule.open([image], true);
    const volume = module.mount("gzip", true);
    const text = new TextEncoder().encode("compressible text, over and over; ".repeat(8000)); // 272,000 bytes: three 128 KiB blocks
    module.write(volume, module.create(volume, module.root(volume), "squeeze.txt", S_IFREG | 0o644), 0, text);
    module.unmount(volume);
    module.close();
    expect(streams() - before).toBe(3);
    expect((await readBack(image, "gzip")).get("/squeeze.txt")).toMatchObject({ size: text.length, digest: digest(text) });
  });

  it("writes a child dataset, and only one dataset of a pool at a time", async () => {
    const [image] = unpackImages("lzjb");
    const parent = await readBack(image, "lzjb");
    const module = await ZfsModule.open([image], true);
    const volume = module.mount("lzjb/child/grandchild", true);
    expect(() => module.mount("lzjb", true)).toThrow(/EBUSY.*already mounted for writing \(lzjb\/child\/grandchild\)/);
    const root = module.root(volume);
    for (let i = 0; i < 40; i++) module.write(volume, module.create(volume, root, `g${i}`, S_IFREG | 0o644), 0, pattern(i * 1001, i));
    module.unmount(volume);
    // The pool is free for writing again once the child is unmounted.
    module.unmount(module.mount("lzjb", true));
    module.close();
    const reader = await ZfsModule.open([image]);
    try {
      const child = reader.mount("lzjb/child/grandchild");
      for (let i = 0; i < 40; i++) expect(digest(reader.readFile(child, reader.lookup(child, reader.root(child), `g${i}`))), `g${i}`).toBe(digest(pattern(i * 1001, i)));
    } finally {
      reader.close();
    }
    expect(await readBack(image, "lzjb")).toEqual(parent);
    fixtureImages.push({ pool: "lzjb", image });
  });

  it("writes a mirror on every side: each side alone reads the changes", async () => {
    const twin = unpackImages("twin");
    const module = await ZfsModule.open(twin, true);
    const volume = module.mount("twin/child", true);
    const root = module.root(volume);
    for (let i = 0; i < 30; i++) module.write(volume, module.create(volume, root, `m${i}`, S_IFREG | 0o644), 0, pattern(i * 5003, i));
    module.unmount(volume);
    module.close();
    for (const side of twin) {
      const reader = await ZfsModule.open([side]);
      try {
        const child = reader.mount("twin/child");
        for (let i = 0; i < 30; i++) expect(digest(reader.readFile(child, reader.lookup(child, reader.root(child), `m${i}`))), `${side} m${i}`).toBe(digest(pattern(i * 5003, i)));
      } finally {
        reader.close();
      }
    }
    mirrorImages.push(...twin);
  });

  it("refuses to write what it cannot keep whole: a mirror with a side missing, a read-only open", async () => {
    const [half] = unpackImages("twin");
    const alone = await ZfsModule.open([half], true);
    expect(() => alone.mount("twin", true)).toThrow(/EROFS.*side of its mirror is missing/);
    alone.close();
    const [plain] = unpackImages("plain");
    const readOnly = await ZfsModule.open([plain]);
    expect(() => readOnly.mount("plain", true)).toThrow(/EROFS/);
    readOnly.close();
  });
});

describe.skipIf(zfsFuseMissing() !== null)("with zfs-fuse", () => {
  const zdbClean = (image: string, pool: string) => {
    const verdict = zdbCheck(image, pool);
    expect(verdict.clean, verdict.output).toBe(true);
  };

  it("zdb finds the pools clean, and zpool imports the folder's tree as it was", async () => {
    await withZfsFuse(() => {
      zdbClean(fromFolder, "made");
      zdbClean(gzipImage, "gz");
      zdbClean(sectorImage, "a12");
      expect(spawnSync("zdb", ["-e", "-p", work, "-C", "a12"], { encoding: "utf8" }).stdout).toMatch(/ashift: 12/);
      const mountpoint = join(work, "mnt");
      execFileSync("zpool", ["import", "-d", work, "-R", mountpoint, "made"]);
      try {
        expect(hostTree(join(mountpoint, "made"))).toEqual(hostTree(source));
      } finally {
        execFileSync("zpool", ["export", "made"]);
      }
      zdbClean(fromFolder, "made");
    });
  }, 120_000);

  it("zdb finds zfs-fuse's pools clean after wisp wrote them", async () => {
    expect(fixtureImages.length).toBe(4);
    await withZfsFuse(() => {
      for (const [index, { pool, image }] of fixtureImages.entries()) {
        const folder = join(work, `fixture-${pool}-${index}`);
        mkdirSync(folder);
        execFileSync("cp", ["--sparse=always", image, join(folder, "pool.img")]);
        zdbClean(join(folder, "pool.img"), pool);
      }
    });
  }, 120_000);

  it("a pool zfs-fuse makes on a 200 MiB image (4 KiB sectors, an intent log) takes Wisp's changes: zdb clean, zfs-fuse reads them", async () => {
    const folder = join(work, "fuse-4k");
    mkdirSync(folder);
    const image = join(folder, "pool.img");
    execFileSync("truncate", ["-s", "200M", image]);
    const mountpoint = join(folder, "mnt");
    await withZfsFuse(() => {
      execFileSync("zpool", ["create", "-m", mountpoint, "f4k", image], { stdio: "ignore" });
      execFileSync("cp", ["-a", source, join(mountpoint, "from-host")]);
      execFileSync("zpool", ["export", "f4k"]);
      expect(spawnSync("zdb", ["-e", "-p", folder, "-C", "f4k"], { encoding: "utf8" }).stdout).toMatch(/ashift: 12/);
    });
    const module = await ZfsModule.open([image], true);
    const volume = module.mount("f4k", true);
    const root = module.root(volume);
    const made = module.create(volume, root, "from-wisp", S_IFDIR | 0o755);
    for (let i = 0; i < 200; i++) module.write(volume, module.create(volume, made, `f${i}`, S_IFREG | 0o644), 0, pattern(i * 331, i));
    module.sync(volume);
    module.unlink(volume, made, "f7");
    module.rename(volume, made, "f8", root, "f8-moved");
    module.unmount(volume);
    module.close();
    await withZfsFuse(() => {
      zdbClean(image, "f4k");
      execFileSync("zpool", ["import", "-d", folder, "f4k"]);
      try {
        expect(hostTree(join(mountpoint, "from-host"))).toEqual(hostTree(source));
        const written = hostTree(join(mountpoint, "from-wisp"));
        expect(written.size).toBe(198);
        for (let i = 0; i < 200; i++) if (i !== 7 && i !== 8) expect(written.get(`/f${i}`)?.digest, `f${i}`).toBe(digest(pattern(i * 331, i)));
        expect(readFileSync(join(mountpoint, "f8-moved"))).toEqual(pattern(8 * 331, 8));
      } finally {
        execFileSync("zpool", ["export", "f4k"]);
      }
    });
  }, 180_000);

  it("a child with a quota under a parent with a reservation and lzjb: Wisp's writes keep every dataset's figures true", async () => {
    const folder = join(work, "fuse-child");
    mkdirSync(folder);
    const image = join(folder, "pool.img");
    execFileSync("truncate", ["-s", "100M", image]);
    const mountpoint = join(folder, "mnt");
    const figures = () => execFileSync("zfs", ["get", "-Hp", "-r", "-o", "name,property,value", "used,referenced,available,usedbychildren,usedbydataset,compressratio", "kid"], { encoding: "utf8" });
    const figure = (text: string, name: string, property: string) => BigInt(text.split("\n").find((line) => line.startsWith(`${name}\t${property}\t`))!.split("\t")[2].replace(/x$/, "").replace(".", ""));
    let before = "";
    await withZfsFuse(() => {
      execFileSync("zpool", ["create", "-m", mountpoint, "kid", image]);
      execFileSync("zfs", ["create", "-o", "reservation=20M", "-o", "compression=lzjb", "kid/a"]);
      execFileSync("zfs", ["create", "-o", "quota=30M", "kid/a/b"]);
      writeFileSync(join(mountpoint, "a", "b", "host.txt"), "from the host\n".repeat(1000));
      execFileSync("zpool", ["export", "kid"]);
      execFileSync("zpool", ["import", "-d", folder, "kid"]);
      before = figures();
      execFileSync("zpool", ["export", "kid"]);
    });
    const module = await ZfsModule.open([image], true);
    const volume = module.mount("kid/a/b", true);
    // statfs says what zfs-fuse said: the quota bounds it.
    expect(module.statfs(volume).blocksAvailable * 512n).toBe(figure(before, "kid/a/b", "available"));
    const root = module.root(volume);
    const text = new TextEncoder().encode("compressible, inherited lzjb; ".repeat(10_000));
    for (let i = 0; i < 20; i++) module.write(volume, module.create(volume, root, `w${i}`, S_IFREG | 0o644), 0, text);
    module.unmount(volume);
    module.close();
    await withZfsFuse(() => {
      zdbClean(image, "kid");
      execFileSync("zpool", ["import", "-d", folder, "kid"]);
      let exported = false;
      try {
        const after = figures();
        expect(readFileSync(join(mountpoint, "a", "b", "w7"))).toEqual(Buffer.from(text));
        // lzjb, inherited from kid/a: 20 files of 300,000 bytes take far less.
        expect(figure(after, "kid/a/b", "referenced") - figure(before, "kid/a/b", "referenced")).toBeLessThan(2_000_000n);
        expect(figure(after, "kid/a/b", "compressratio")).toBeGreaterThan(200n);
        // kid/a counts its child's change in full (zfs-fuse's own writes to kid/a itself, on import, are apart);
        // its reservation (20M) still covers it, so the root's use moved by the MOS's growth alone.
        expect(figure(after, "kid/a", "usedbychildren") - figure(before, "kid/a", "usedbychildren")).toBe(figure(after, "kid/a/b", "used") - figure(before, "kid/a/b", "used"));
        expect(figure(after, "kid", "used") - figure(before, "kid", "used")).toBeLessThan(1n << 20n);
        for (let i = 0; i < 20; i++) rmSync(join(mountpoint, "a", "b", `w${i}`));
        execFileSync("zpool", ["export", "kid"]);
        execFileSync("zpool", ["import", "-d", folder, "kid"]);
        // zfs-fuse freed Wisp's blocks by the figures Wisp wrote: the child is back where it was.
        const freed = figures();
        for (const property of ["used", "referenced", "usedbydataset"]) expect(figure(freed, "kid/a/b", property), property).toBe(figure(before, "kid/a/b", property));
        execFileSync("zpool", ["export", "kid"]);
        exported = true;
      } finally {
        if (!exported) execFileSync("zpool", ["export", "kid"]);
      }
      zdbClean(image, "kid");
    });
  }, 180_000);

  it("zfs-fuse takes the mirror Wisp wrote: both sides online, a scrub finds nothing to repair, zdb clean", async () => {
    expect(mirrorImages.length).toBe(2);
    const folder = join(work, "mirror");
    mkdirSync(folder);
    for (const [i, image] of mirrorImages.entries()) execFileSync("cp", ["--sparse=always", image, join(folder, `side-${i}.img`)]);
    await withZfsFuse(async () => {
      zdbClean(join(folder, "side-0.img"), "twin");
      execFileSync("zpool", ["import", "-d", folder, "-R", join(folder, "mnt"), "twin"]);
      try {
        execFileSync("zpool", ["scrub", "twin"]);
        let status = "";
        for (let i = 0; i < 100 && !/scrub (completed|repaired)/.test(status); i++) {
          await new Promise((done) => setTimeout(done, 100));
          status = execFileSync("zpool", ["status", "-v", "twin"], { encoding: "utf8" });
        }
        // Nothing to repair ("scrub repaired N" otherwise), no errors.
        expect(status).toMatch(/scrub: scrub completed after \S+ with 0 errors/);
        expect(status).toMatch(/errors: No known data errors/);
        expect(status.match(/side-[01]\.img\s+ONLINE\s+0\s+0\s+0/g)?.length, status).toBe(2);
      } finally {
        execFileSync("zpool", ["export", "twin"]);
      }
    });
  }, 120_000);

  it("zdb finds the pool of many txgs clean, its space maps condensed", async () => {
    expect(manyImage).not.toBe("");
    await withZfsFuse(() => {
      const folder = join(work, "zdb-many");
      mkdirSync(folder);
      execFileSync("cp", ["--sparse=always", manyImage, join(folder, "pool.img")]);
      zdbClean(join(folder, "pool.img"), "many");
      // The entries of each space map zdb lists: 1,000 txgs appended would give metaslab 0 (data and
      // a copy of the MOS every txg) 5,000 or more; condensed, none passes 16 KiB (2,048 entries) by much.
      const maps = spawnSync("zdb", ["-e", "-p", folder, "-mmmm", "many"], { encoding: "utf8" }).stdout;
      const perMap: number[] = [];
      for (const line of maps.split("\n")) {
        if (/^\s+metaslab\s+\d+\s+offset/.test(line)) perMap.push(0);
        else if (/^\s+\[\s*\d+\]/.test(line)) perMap[perMap.length - 1]++;
      }
      expect(Math.max(...perMap)).toBeGreaterThan(0);
      expect(Math.max(...perMap)).toBeLessThan(2300);
    });
  }, 120_000);

  it("zdb finds the pool that ran full clean", async () => {
    expect(fullImage).not.toBe("");
    await withZfsFuse(() => {
      const folder = join(work, "zdb-full");
      mkdirSync(folder);
      execFileSync("cp", ["--sparse=always", fullImage, join(folder, "pool.img")]);
      zdbClean(join(folder, "pool.img"), "full");
    });
  }, 120_000);

  it("zdb finds the randomly written pools clean", async () => {
    expect(randomImages.length).toBeGreaterThan(0);
    await withZfsFuse(() => {
      for (const image of randomImages.slice(0, 4)) {
        const folder = join(work, `zdb-${randomImages.indexOf(image)}`);
        mkdirSync(folder);
        execFileSync("cp", ["--sparse=always", image, join(folder, "pool.img")]);
        zdbClean(join(folder, "pool.img"), "rand");
      }
    });
  }, 120_000);
});
