// ROFS round trips: trees written by the host writer (scripts/image) and read
// back by the kernel's reader (fs/rofs, in the harness) byte for byte and
// attribute for attribute, in place and through a disk-like device, under
// every compression policy; lookups and errors; what a failing disk yields.

import { beforeAll, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { RofsClient } from "./client";
import { Random } from "../random";
import { expectTree, randomTree } from "./rofs-trees";
import { writeImage } from "../../../scripts/image/writer";
import { directory, DirectoryNode } from "../../../scripts/image/tree";

const ENOENT = -2;
const EIO = -5;
const ENOTDIR = -20;
const EISDIR = -21;
const EINVAL = -22;
const EBADMSG = -74;

let harness: Harness;
let client: RofsClient;

beforeAll(async () => {
  harness = await Harness.withMemory(1024);
  client = new RofsClient(harness);
});

function file(data: Uint8Array | string, mode = 0o644, mtime = 0) {
  return { type: "file" as const, mode, mtime, data: typeof data === "string" ? new TextEncoder().encode(data) : data };
}

function sampleTree(): DirectoryNode {
  const root = directory(1_700_000_000);
  const etc = directory(5);
  etc.children.set("hosts", file("127.0.0.1 localhost\n", 0o644, 7));
  etc.children.set("empty", file(""));
  root.children.set("etc", etc);
  root.children.set("big.txt", file("compressible text\n".repeat(20_000)));
  root.children.set("noise.bin", file(noise(200_000)));
  root.children.set("link", { type: "symlink", mode: 0o777, mtime: 9, target: "etc/hosts" });
  return root;
}

describe("ROFS round trips", () => {
  it("reads random trees back exactly, in place and through a device, for every policy", () => {
    for (let round = 0; round < 30; round++) {
      const random = new Random(undefined, round);
      const tree = randomTree(random);
      const policy = (["auto", "never", "always"] as const)[round % 3];
      const blockShift = round % 4 === 3 ? 12 : 16;
      const { image } = writeImage(tree, { compress: policy, blockShift });
      for (const inMemory of [true, false]) {
        const label = `${random.label} policy ${policy} block 2^${blockShift} ${inMemory ? "in memory" : "device"}`;
        expect(client.mount(image, inMemory), label).toBe("");
        expectTree(client, client.root(), tree, random);
        client.unmount();
      }
    }
  });

  it("marks compressed files and uses uncompressed ones in place", () => {
    const { image, stats } = writeImage(sampleTree());
    expect(stats.compressedFiles).toBe(1);
    expect(client.mount(image, true)).toBe("");
    const root = client.root();
    const big = client.lookup(root, "big.txt");
    const noise = client.lookup(root, "noise.bin");
    const bigStat = client.stat(big) as { compressed: boolean; storedBytes: number; size: number };
    expect(bigStat.compressed).toBe(true);
    expect(bigStat.storedBytes).toBeLessThan(bigStat.size / 4);
    expect((client.stat(noise) as { compressed: boolean }).compressed).toBe(false);
    // In place: the file's bytes sit 4 KiB-aligned inside the image, unchanged.
    const address = Number(harness.exports.rofsDataAddress(noise));
    expect((address - client.image) % 4096).toBe(0);
    expect(harness.bytes().slice(address, address + 200_000)).toEqual((sampleTree().children.get("noise.bin") as { data: Uint8Array }).data);
    expect(harness.exports.rofsDataAddress(big)).toBe(0n);
    client.unmount();
  });

  it("answers lookups and misuse with the right errors", () => {
    const { image } = writeImage(sampleTree());
    expect(client.mount(image, true)).toBe("");
    const root = client.root();
    expect(client.lookup(root, "missing")).toBe(ENOENT);
    expect(client.lookup(root, "etc2")).toBe(ENOENT);
    expect(client.lookup(root, "et")).toBe(ENOENT);
    expect(client.lookup(root, "x".repeat(300))).toBe(ENOENT);
    const etc = client.lookup(root, "etc");
    const hosts = client.lookup(etc, "hosts");
    expect(client.lookup(hosts, "x")).toBe(ENOTDIR);
    expect(client.readdir(hosts)).toBe(ENOTDIR);
    expect(client.read(etc, 0, 10)).toBe(EISDIR);
    expect(client.readlink(hosts)).toBe(EINVAL);
    const link = client.lookup(root, "link");
    expect(client.readlink(link)).toBe("etc/hosts");
    expect(client.read(link, 0, 10)).toBe(EINVAL);
    expect(client.readdir(root)).toEqual([
      { name: "big.txt", inode: 1, type: 1 }, { name: "etc", inode: 2, type: 2 },
      { name: "link", inode: 3, type: 3 }, { name: "noise.bin", inode: 4, type: 1 },
    ]);
    const rootStat = client.stat(root) as { mtimeNanoseconds: bigint; type: number };
    expect(rootStat).toMatchObject({ type: 2, mtimeNanoseconds: 1_700_000_000n * 1_000_000_000n });
    client.unmount();
  });

  it("reads small files packed on a disk a 64 KiB chunk per device request, not one request each", () => {
    const root = directory(1);
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 200; i++) {
      const data = noise(700 + i * 3, i + 1);
      files.set(`f${String(i).padStart(3, "0")}`, data);
      root.children.set(`f${String(i).padStart(3, "0")}`, file(data));
    }
    const { image } = writeImage(root, { compress: "never" });
    const dataBytes = [...files.values()].reduce((sum, data) => sum + data.length, 0);
    expect(client.mount(image, false)).toBe("");
    const before = harness.exports.rofsDeviceReads();
    for (const [name, data] of files) expect(client.read(client.lookup(client.root(), name), 0, data.length), name).toEqual(data);
    const requests = harness.exports.rofsDeviceReads() - before;
    // The files' bytes span at most this many chunks; each is read once (they are read in image order).
    expect(requests).toBeLessThanOrEqual(Math.ceil(dataBytes / 65536) + 1);
    // Read again, in the reverse order: the last chunks are still kept.
    const again = harness.exports.rofsDeviceReads();
    for (const name of [...files.keys()].reverse().slice(0, 20)) client.read(client.lookup(client.root(), name), 0, 100);
    expect(harness.exports.rofsDeviceReads() - again).toBe(0);
    client.unmount();
  });

  it("returns EIO from a failing disk and EBADMSG for a corrupt block, then recovers", () => {
    const tree = sampleTree();
    const { image } = writeImage(tree);
    expect(client.mount(image, false)).toBe("");
    const root = client.root();
    const noise = client.lookup(root, "noise.bin");
    const address = Number(harness.exports.rofsDataAddress(noise));
    expect(address).toBe(0); // not in place on a disk
    harness.exports.rofsFailSectors(0n, BigInt(image.length / 512));
    expect(client.read(noise, 0, 100)).toBe(EIO);
    const big = client.lookup(root, "big.txt");
    expect(client.read(big, 70_000, 100)).toBe(EIO);
    harness.exports.rofsFailSectors(0n, 0n);
    expect(client.read(noise, 0, 5)).toEqual((tree.children.get("noise.bin") as { data: Uint8Array }).data.slice(0, 5));
    client.unmount();

    // A data byte changed after the image was written: that block reads as EBADMSG, the rest reads.
    const corrupt = image.slice();
    const noiseOffset = findFileOffset(image, (tree.children.get("noise.bin") as { data: Uint8Array }).data);
    corrupt[noiseOffset + 70_000] ^= 0x40;
    for (const inMemory of [true, false]) {
      expect(client.mount(corrupt, inMemory)).toBe("");
      const node = client.lookup(client.root(), "noise.bin");
      expect(client.read(node, 0, 65536)).toHaveLength(65536);
      expect(client.read(node, 65536, 10)).toBe(EBADMSG);
      expect(client.read(node, 131072, 10)).toHaveLength(10);
      client.unmount();
    }
  });

  it("keeps a released vnode for the next lookup of its inode, a corrupt block still refused", () => {
    const tree = sampleTree();
    const { image } = writeImage(tree);
    const corrupt = image.slice();
    corrupt[findFileOffset(image, (tree.children.get("noise.bin") as { data: Uint8Array }).data) + 70_000] ^= 0x40;
    expect(client.mount(corrupt, true)).toBe("");
    const root = client.root();
    const first = client.lookup(root, "noise.bin");
    const object = client.address(first);
    expect(client.read(first, 0, 65536)).toHaveLength(65536);
    expect(client.read(first, 65536, 10)).toBe(EBADMSG);
    client.release(first);
    const again = client.lookup(root, "noise.bin");
    expect(client.address(again)).toBe(object); // the same vnode, its verified block remembered
    expect(client.read(again, 0, 10)).toHaveLength(10);
    expect(client.read(again, 65536, 10)).toBe(EBADMSG);
    client.release(again);
    const other = client.lookup(root, "big.txt");
    expect(client.address(other)).not.toBe(object);
    client.release(other);
    client.unmount();
  });

  it("reads a directory of many entries by binary search", () => {
    const root = directory();
    const names: string[] = [];
    for (let i = 0; i < 3000; i++) names.push(`file-${(i * 7919) % 3000}`);
    for (const name of names) root.children.set(name, file(name));
    const { image } = writeImage(root);
    expect(client.mount(image, true)).toBe("");
    const handle = client.root();
    for (const name of names.slice(0, 300)) {
      const node = client.lookup(handle, name);
      expect(new TextDecoder().decode(client.read(node, 0, 100) as Uint8Array)).toBe(name);
      client.release(node);
    }
    expect(client.lookup(handle, "file-3000")).toBe(ENOENT);
    expect(client.lookup(handle, "file-")).toBe(ENOENT);
    client.unmount();
  });
});

function noise(size: number, stream = 1): Uint8Array {
  const random = new Random(1, stream);
  return Uint8Array.from({ length: size }, () => random.int(0, 255));
}

function findFileOffset(image: Uint8Array, data: Uint8Array): number {
  const at = Buffer.from(image).indexOf(Buffer.from(data.subarray(0, 64)));
  if (at < 0) throw new Error("file data not found in the image");
  return at;
}
