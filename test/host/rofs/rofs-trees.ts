// Random trees for the ROFS host tests, and the check that a mounted image
// holds exactly a given tree.
//
// Trees mix what the format must get right: names of 1..255 UTF-8 bytes
// (ASCII, spaces, multi-byte characters, names that share prefixes), nested
// directories, empty files and files around the 4 KiB and block-size
// boundaries up to 300 KiB, compressible, incompressible and half-and-half
// data, symlinks, and arbitrary modes and mtimes.

import { expect } from "vitest";
import { Random } from "../random";
import type { RofsClient } from "./client";
import type { DirectoryNode, TreeNode } from "../../../scripts/image/tree";
import { sortedNames } from "../../../scripts/image/tree";

const NAME_PIECES = ["a", "b", "lib", "data", "x", "é", "ß", "日本", "🙂", " ", "-", "_", ".", "A", "0", "9", "zz"];
const TYPE = { file: 1, directory: 2, symlink: 3 } as const;

export function randomName(random: Random): string {
  if (random.bool(0.02)) return "n".repeat(255);
  let name = "";
  const pieces = random.int(1, 6);
  for (let i = 0; i < pieces; i++) name += random.pick(NAME_PIECES);
  if (name === "." || name === "..") name += "x";
  return name;
}

export function randomData(random: Random, size: number): Uint8Array {
  const data = new Uint8Array(size);
  const kind = random.int(0, 3);
  const text = new TextEncoder().encode(`line ${random.int(0, 99)} of something compressible\n`);
  for (let i = 0; i < size; i++) {
    const compressible = kind === 1 || (kind === 2 && (i >> 15) % 2 === 0);
    data[i] = kind === 3 ? 0 : compressible ? text[i % text.length] : random.int(0, 255);
  }
  return data;
}

export function randomSize(random: Random, max = 300 * 1024): number {
  const edges = [0, 1, 15, 16, 4095, 4096, 4097, 65535, 65536, 65537, 131072];
  if (random.bool(0.4)) return Math.min(max, random.pick(edges));
  return random.int(0, random.bool(0.8) ? 20_000 : max);
}

/** A random tree of at most `budget` file bytes in total. */
export function randomTree(random: Random, budget = 1_500_000, depth = 0): DirectoryNode {
  const root: DirectoryNode = { type: "directory", mode: random.int(0, 0o7777), mtime: random.u32(), children: new Map() };
  const count = random.int(0, depth === 0 ? 12 : 6);
  let spent = 0;
  for (let i = 0; i < count; i++) {
    const name = randomName(random);
    if (root.children.has(name)) continue;
    const kind = random.int(0, 9);
    let node: TreeNode;
    if (kind < 2 && depth < 4) {
      node = randomTree(random, Math.max(0, (budget - spent) >> 1), depth + 1);
    } else if (kind < 4) {
      const target = random.bool() ? "/" + randomName(random) + "/" + randomName(random) : randomName(random);
      node = { type: "symlink", mode: 0o777, mtime: random.u32(), target };
    } else {
      const size = Math.min(randomSize(random), Math.max(0, budget - spent));
      spent += size;
      node = { type: "file", mode: random.int(0, 0o7777), mtime: random.u32(), data: randomData(random, size) };
    }
    root.children.set(name, node);
  }
  return root;
}

/** Expects the mounted image under `handle` to hold exactly `node`; reads files in random chunks. */
export function expectTree(client: RofsClient, handle: number, node: TreeNode, random: Random, path = "/"): void {
  const stat = client.stat(handle);
  if (typeof stat === "number") throw new Error(`${path}: stat failed with ${stat}`);
  if (stat.type !== TYPE[node.type] || stat.mode !== node.mode || stat.mtimeNanoseconds !== BigInt(node.mtime) * 1_000_000_000n) {
    expect({ path, type: stat.type, mode: stat.mode, mtime: stat.mtimeNanoseconds }).toEqual({
      path, type: TYPE[node.type], mode: node.mode, mtime: BigInt(node.mtime) * 1_000_000_000n,
    });
  }
  if (node.type === "symlink") {
    expect(client.readlink(handle), path).toBe(node.target);
    return;
  }
  if (node.type === "file") {
    expect(stat.size, path).toBe(node.data.length);
    const chunk = random.pick([1 << 20, 4096, 65536, random.int(1, 70_000)]);
    const data = client.readAll(handle, node.data.length, chunk);
    if (typeof data === "number") throw new Error(`${path}: read failed with ${data}`);
    if (!Buffer.from(data).equals(Buffer.from(node.data))) throw new Error(`${path}: the data differs`);
    if (node.data.length > 0) {
      const offset = random.int(0, node.data.length - 1);
      const length = random.int(0, 100_000);
      const part = client.read(handle, offset, length);
      if (typeof part === "number") throw new Error(`${path}: read at ${offset} failed with ${part}`);
      if (!Buffer.from(part).equals(Buffer.from(node.data.subarray(offset, offset + length)))) throw new Error(`${path}: the data at ${offset} differs`);
    }
    const past = client.read(handle, node.data.length + random.int(0, 10), 10);
    if (typeof past === "number" || past.length !== 0) throw new Error(`${path}: a read past the end gave ${past}`);
    return;
  }
  const entries = client.readdir(handle);
  if (typeof entries === "number") throw new Error(`${path}: readdir failed with ${entries}`);
  const names = sortedNames(node);
  expect(entries.map((entry) => entry.name), path).toEqual(names);
  for (const entry of entries) {
    const child = node.children.get(entry.name)!;
    expect(entry.type, `${path} ${entry.name}`).toBe(TYPE[child.type]);
    const handleOfChild = client.lookup(handle, entry.name);
    expect(handleOfChild, `lookup ${path}${entry.name}`).toBeGreaterThanOrEqual(0);
    expectTree(client, handleOfChild, child, random, `${path}${entry.name}${child.type === "directory" ? "/" : ""}`);
    client.release(handleOfChild);
  }
}
