// Guards fs/ramfs and the VFS together against a model: random sequences of
// mkdir, create-and-write, pwrite through held descriptors (also after the
// file is unlinked), truncate, unlink, rmdir, rename and symlink over a
// small namespace, each result (0 or -errno) compared with what a plain JS
// tree says POSIX gives, and the whole tree (listings, types, sizes,
// contents) compared every few dozen steps and at the end. Every seed ends
// by removing everything, which must leave only the root node alive.
// WISP_TEST_SEED replays a failure.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { VfsClient, VFS, ERRNO } from "./client";
import { Random, suiteSeed } from "../random";

const SEEDS = 24;
const STEPS = 1500;
const CHECK_EVERY = 50;
const NAMES = ["a", "b", "c", "d", "e"];
/** Symbolic links point here: a directory that never exists, so following one is ENOENT. */
const LINK_TARGET = "/zz/none";

interface ModelFile { kind: "file"; data: Uint8Array; size: number }
interface ModelDir { kind: "dir"; children: Map<string, ModelNode> }
interface ModelLink { kind: "link" }
type ModelNode = ModelFile | ModelDir | ModelLink;

const newDir = (): ModelDir => ({ kind: "dir", children: new Map() });

function resize(file: ModelFile, size: number): void {
  if (size > file.data.length) {
    const bigger = new Uint8Array(Math.max(size, file.data.length * 2));
    bigger.set(file.data.subarray(0, file.size));
    file.data = bigger;
  } else if (size < file.size) {
    file.data.fill(0, size, file.size);
  }
  file.size = size;
}

function writeModel(file: ModelFile, offset: number, bytes: Uint8Array): void {
  if (offset + bytes.length > file.size) resize(file, offset + bytes.length);
  file.data.set(bytes, offset);
}

/** The model's resolution of an absolute path without "." or "..": [parent, name, node] or -errno. */
function resolve(root: ModelDir, path: string): { parent: ModelDir; name: string; node: ModelNode | undefined } | number {
  const parts = path.split("/").filter((part) => part !== "");
  let current: ModelNode = root;
  for (let i = 0; i < parts.length - 1; i++) {
    if (current.kind !== "dir") return -ERRNO.ENOTDIR;
    const next: ModelNode | undefined = current.children.get(parts[i]);
    if (next === undefined) return -ERRNO.ENOENT;
    if (next.kind === "link") return -ERRNO.ENOENT; // its target's directory never exists
    current = next;
  }
  if (current.kind !== "dir") return -ERRNO.ENOTDIR;
  const name = parts[parts.length - 1];
  return { parent: current, name, node: current.children.get(name) };
}

function randomPath(random: Random): string {
  const depth = random.int(1, 3);
  return "/" + Array.from({ length: depth }, () => random.pick(NAMES)).join("/");
}

function randomBytes(random: Random, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = random.u32() & 0xff;
  return bytes;
}

function randomOffset(random: Random): number {
  return random.pick([0, 1, 4095, 4096, 4097, 8191, 10_000]) + random.int(0, 3);
}

const harness = await Harness.withMemory(512);
const v = new VfsClient(harness);

class Run {
  readonly random: Random;
  readonly root = newDir();
  readonly open = new Map<number, ModelFile>();
  readonly fs: number;
  step = 0;

  constructor(seed: number, stream: number) {
    this.random = new Random(seed, stream);
    this.fs = v.ramfs();
    expect(v.mountRoot(this.fs)).toBe(0);
  }

  context(what: string): string {
    return `${this.random.label} step ${this.step}: ${what}`;
  }

  expectResult(got: number, want: number, what: string): void {
    if (got !== want) expect.fail(`${this.context(what)}: got ${got}, the model says ${want}`);
  }

  stepOnce(): void {
    const r = this.random;
    const choice = r.int(0, 99);
    if (choice < 15) this.mkdir(randomPath(r));
    else if (choice < 35) this.createAndWrite(randomPath(r));
    else if (choice < 45) this.writeHeld();
    else if (choice < 52) this.truncate(randomPath(r));
    else if (choice < 62) this.unlink(randomPath(r));
    else if (choice < 70) this.rmdir(randomPath(r));
    else if (choice < 85) this.rename(randomPath(r), randomPath(r));
    else if (choice < 90) this.symlink(randomPath(r));
    else if (choice < 95) this.closeHeld();
    else this.checkFile(randomPath(r));
  }

  mkdir(path: string): void {
    const at = resolve(this.root, path);
    let want = 0;
    if (typeof at === "number") want = at;
    else if (at.node !== undefined) want = -ERRNO.EEXIST;
    else at.parent.children.set(at.name, newDir());
    this.expectResult(v.mkdir(path), want, `mkdir ${path}`);
  }

  createAndWrite(path: string): void {
    const at = resolve(this.root, path);
    let want = 0;
    let file: ModelFile | undefined;
    if (typeof at === "number") want = at;
    else if (at.node === undefined) {
      file = { kind: "file", data: new Uint8Array(0), size: 0 };
      at.parent.children.set(at.name, file);
    } else if (at.node.kind === "dir") want = -ERRNO.EISDIR;
    else if (at.node.kind === "link") want = -ERRNO.ENOENT;
    else file = at.node;
    const fd = v.open(path, VFS.O_RDWR | VFS.O_CREAT);
    if (want < 0) return this.expectResult(fd, want, `open ${path}`);
    if (fd < 0) expect.fail(this.context(`open ${path} failed with ${fd}`));
    const offset = randomOffset(this.random);
    const bytes = randomBytes(this.random, this.random.int(0, 5000));
    this.expectResult(v.write(fd, bytes, offset), bytes.length, `pwrite ${path}`);
    writeModel(file!, offset, bytes);
    if (this.open.size < 6 && this.random.bool(0.3)) this.open.set(fd, file!);
    else this.expectResult(v.close(fd), 0, `close ${path}`);
  }

  heldDescriptor(): number | undefined {
    if (this.open.size === 0) return undefined;
    return this.random.pick([...this.open.keys()]);
  }

  writeHeld(): void {
    const fd = this.heldDescriptor();
    if (fd === undefined) return;
    const file = this.open.get(fd)!;
    const offset = randomOffset(this.random);
    const bytes = randomBytes(this.random, this.random.int(1, 3000));
    this.expectResult(v.write(fd, bytes, offset), bytes.length, `pwrite fd ${fd}`);
    writeModel(file, offset, bytes);
    const back = v.read(fd, file.size + 10, 0);
    if (typeof back === "number") expect.fail(this.context(`pread fd ${fd}: ${back}`));
    this.expectBytes(back, file, `fd ${fd}`);
  }

  closeHeld(): void {
    const fd = this.heldDescriptor();
    if (fd === undefined) return;
    this.open.delete(fd);
    this.expectResult(v.close(fd), 0, `close fd ${fd}`);
  }

  truncate(path: string): void {
    const at = resolve(this.root, path);
    const size = this.random.pick([0, 1, 4095, 4096, 5000, 9000]);
    let want = 0;
    if (typeof at === "number") want = at;
    else if (at.node === undefined || at.node.kind === "link") want = -ERRNO.ENOENT;
    else if (at.node.kind === "dir") want = -ERRNO.EISDIR;
    else resize(at.node, size);
    this.expectResult(v.truncate(path, size), want, `truncate ${path} ${size}`);
  }

  unlink(path: string): void {
    const at = resolve(this.root, path);
    let want = 0;
    if (typeof at === "number") want = at;
    else if (at.node === undefined) want = -ERRNO.ENOENT;
    else if (at.node.kind === "dir") want = -ERRNO.EISDIR;
    else at.parent.children.delete(at.name);
    this.expectResult(v.unlink(path), want, `unlink ${path}`);
  }

  rmdir(path: string): void {
    const at = resolve(this.root, path);
    let want = 0;
    if (typeof at === "number") want = at;
    else if (at.node === undefined) want = -ERRNO.ENOENT;
    else if (at.node.kind !== "dir") want = -ERRNO.ENOTDIR;
    else if (at.node.children.size !== 0) want = -ERRNO.ENOTEMPTY;
    else at.parent.children.delete(at.name);
    this.expectResult(v.rmdir(path), want, `rmdir ${path}`);
  }

  rename(from: string, to: string): void {
    const source = resolve(this.root, from);
    const target = resolve(this.root, to);
    let want = 0;
    // Both directories are found before either name is looked at (as Linux does).
    if (typeof source === "number") want = source;
    else if (typeof target === "number") want = target;
    else if (source.node === undefined) want = -ERRNO.ENOENT;
    else if (target.node === source.node) want = 0;
    else if (source.node.kind === "dir") {
      if (target.node !== undefined && target.node.kind !== "dir") want = -ERRNO.ENOTDIR;
      else if (to.startsWith(from + "/")) want = -ERRNO.EINVAL;
      else if (target.node !== undefined && target.node.kind === "dir" && target.node.children.size !== 0) want = -ERRNO.ENOTEMPTY;
    } else if (target.node !== undefined && target.node.kind === "dir") want = -ERRNO.EISDIR;
    if (want === 0 && typeof source !== "number" && typeof target !== "number" && target.node !== source.node) {
      source.parent.children.delete(source.name);
      target.parent.children.set(target.name, source.node!);
    }
    this.expectResult(v.rename(from, to), want, `rename ${from} ${to}`);
  }

  symlink(path: string): void {
    const at = resolve(this.root, path);
    let want = 0;
    if (typeof at === "number") want = at;
    else if (at.node !== undefined) want = -ERRNO.EEXIST;
    else at.parent.children.set(at.name, { kind: "link" });
    this.expectResult(v.symlink(LINK_TARGET, path), want, `symlink ${path}`);
  }

  expectBytes(got: Uint8Array, file: ModelFile, what: string): void {
    if (got.length !== file.size) expect.fail(this.context(`${what}: ${got.length} bytes, the model has ${file.size}`));
    for (let i = 0; i < file.size; i++) {
      if (got[i] !== file.data[i]) expect.fail(this.context(`${what}: byte ${i} is ${got[i]}, the model has ${file.data[i]}`));
    }
  }

  checkFile(path: string): void {
    const at = resolve(this.root, path);
    if (typeof at === "number" || at.node === undefined || at.node.kind !== "file") return;
    const fd = v.open(path);
    if (fd < 0) expect.fail(this.context(`open ${path}: ${fd}`));
    const back = v.read(fd, at.node.size + 10);
    v.close(fd);
    if (typeof back === "number") expect.fail(this.context(`read ${path}: ${back}`));
    this.expectBytes(back, at.node, path);
  }

  /** The whole tree against the model: every listing, type, size and file's contents. */
  checkTree(dir: ModelDir = this.root, path = ""): void {
    const listed = v.list(path === "" ? "/" : path);
    if (typeof listed === "number") expect.fail(this.context(`list ${path}: ${listed}`));
    const names = [...dir.children.keys()].sort();
    if (listed.join(",") !== names.join(",")) expect.fail(this.context(`list ${path || "/"}: [${listed}], the model has [${names}]`));
    for (const [name, node] of dir.children) {
      const child = `${path}/${name}`;
      const stat = v.lstat(child);
      if (typeof stat === "number") expect.fail(this.context(`lstat ${child}: ${stat}`));
      const type = node.kind === "dir" ? VFS.TYPE_DIRECTORY : node.kind === "file" ? VFS.TYPE_FILE : VFS.TYPE_SYMLINK;
      if (stat.type !== type) expect.fail(this.context(`${child} has type ${stat.type}, the model says ${type}`));
      if (node.kind === "dir") this.checkTree(node, child);
      else if (node.kind === "file") {
        if (stat.size !== node.size) expect.fail(this.context(`${child} has size ${stat.size}, the model says ${node.size}`));
        this.checkFile(child);
      } else if (v.readlink(child) !== LINK_TARGET) expect.fail(this.context(`${child}: wrong link target`));
    }
  }

  /** Closes everything and removes the whole tree through the VFS; then unmounts. */
  finish(): void {
    for (const fd of this.open.keys()) this.expectResult(v.close(fd), 0, `close fd ${fd}`);
    this.open.clear();
    const removeAll = (dir: ModelDir, path: string) => {
      for (const [name, node] of dir.children) {
        const child = `${path}/${name}`;
        if (node.kind === "dir") {
          removeAll(node, child);
          this.expectResult(v.rmdir(child), 0, `rmdir ${child}`);
        } else this.expectResult(v.unlink(child), 0, `unlink ${child}`);
      }
      dir.children.clear();
    };
    removeAll(this.root, "");
    expect(harness.exports.ramfsNodeCount(this.fs) >>> 0, this.context("nodes after removing everything")).toBe(1);
    expect(v.cachedVnodes(), this.context("vnodes cached")).toBe(1);
    expect(v.unmount("/")).toBe(0);
    harness.exports.fsFree(this.fs);
  }
}

describe("RAMFS against a model", () => {
  const seed = suiteSeed();
  for (let stream = 0; stream < SEEDS; stream++) {
    it(`random operations, stream ${stream}`, () => {
      const run = new Run(seed, stream);
      try {
        for (run.step = 0; run.step < STEPS; run.step++) {
          run.stepOnce();
          if (run.step % CHECK_EVERY === CHECK_EVERY - 1) run.checkTree();
        }
        run.checkTree();
        run.finish();
      } finally {
        // After a failure: leave the VFS empty for the next stream.
        for (let fd = 0; v.openDescriptors() > 0 && fd < 100; fd++) v.close(fd);
        v.unmount("/");
      }
    });
  }
});
