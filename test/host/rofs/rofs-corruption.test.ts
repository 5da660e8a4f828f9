// ROFS against corrupt images: every single-byte change and every truncation
// of a small image is refused at mount with a "rofs: ..." message, or mounts
// and reads back the original tree except for reads that fail with an errno;
// never a trap, a panic or a hang. Metadata changed behind a recomputed CRC
// (what a buggy or hostile writer could produce) must pass the same test:
// validation, not the checksum, is what protects the reader there.

import { beforeAll, describe, expect, it } from "vitest";
import CRC32C from "crc-32/crc32c";
import { crc32 as zlibCrc32 } from "node:zlib";

const crc32 = (bytes: Uint8Array): number => CRC32C.buf(bytes);
import { Harness } from "../harness-client";
import { RofsClient } from "./client";
import { Random } from "../random";
import { expectTree } from "./rofs-trees";
import { writeImage } from "../../../scripts/image/writer";
import { directory, DirectoryNode, TreeNode } from "../../../scripts/image/tree";
import * as L from "../../../fs/rofs/layout";

let harness: Harness;
let client: RofsClient;

beforeAll(async () => {
  harness = await Harness.withMemory(2048);
  client = new RofsClient(harness);
});

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** A small tree with every kind of record: nested directories, LZ4 and raw blocks, packed and aligned files, symlinks. */
function smallTree(): DirectoryNode {
  const random = new Random(7, 7);
  const root = directory(3);
  const lib = directory(4);
  const deep = directory(5);
  deep.children.set("leaf", { type: "file", mode: 0o600, mtime: 6, data: bytes("leaf\n") });
  lib.children.set("deep", deep);
  lib.children.set("text", { type: "file", mode: 0o644, mtime: 7, data: bytes("compress me please ".repeat(600)) });
  lib.children.set("so", { type: "symlink", mode: 0o777, mtime: 8, target: "../bin/app" });
  root.children.set("lib", lib);
  root.children.set("noise", { type: "file", mode: 0o755, mtime: 9, data: Uint8Array.from({ length: 5000 }, () => random.int(0, 255)) });
  root.children.set("empty", { type: "file", mode: 0o644, mtime: 10, data: new Uint8Array(0) });
  root.children.set("small", { type: "file", mode: 0o644, mtime: 11, data: bytes("hello, world\n") });
  return root;
}

/** Reads everything reachable; every call must return a value or -errno. Returns the nodes visited. */
function walkTolerant(handle: number, budget = { nodes: 200 }): void {
  if (--budget.nodes < 0) throw new Error("the walk did not end: the image made a loop");
  const stat = client.stat(handle);
  if (typeof stat === "number") return;
  if (stat.type === 3) client.readlink(handle);
  if (stat.type === 1) client.readAll(handle, stat.size, 3000);
  if (stat.type !== 2) return;
  const entries = client.readdir(handle);
  if (typeof entries === "number") return;
  for (const entry of entries) {
    const child = client.lookup(handle, entry.name);
    if (child >= 0) {
      walkTolerant(child, budget);
      client.release(child);
    }
  }
}

/** Expects the mounted image to hold `tree`, except that file reads may fail with EBADMSG. */
function expectTreeOrBadData(node: TreeNode, handle: number, random: Random): void {
  try {
    expectTree(client, handle, node, random);
  } catch (error) {
    if (!/read failed with -74/.test((error as Error).message)) throw error;
  }
}

function fixChecksums(image: Uint8Array): void {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const offset = Number(view.getBigUint64(L.SB_METADATA_OFFSET, true));
  const size = view.getUint32(L.SB_METADATA_SIZE, true);
  view.setUint32(L.SB_METADATA_CHECKSUM, crc32(image.subarray(offset, offset + size)) >>> 0, true);
  view.setUint32(L.SB_CHECKSUM, 0, true);
  view.setUint32(L.SB_CHECKSUM, crc32(image.subarray(0, L.SUPERBLOCK_SIZE)) >>> 0, true);
}

describe("ROFS corruption", () => {
  const tree = smallTree();
  const { image } = writeImage(tree, { blockShift: 12 });

  it("the sample image has compressed and uncompressed files", () => {
    expect(image.length).toBeLessThan(24 * 1024);
    expect(client.mount(image, true)).toBe("");
    expectTree(client, client.root(), tree, new Random(1, 1));
    client.unmount();
  });

  it("refuses or reads correctly every single-byte flip (in place)", () => {
    const random = new Random(2, 2);
    const messages = new Set<string>();
    for (let at = 0; at < image.length; at++) {
      const corrupt = image.slice();
      corrupt[at] ^= 0xff;
      const error = client.mount(corrupt, true);
      if (error !== "") {
        expect(error, `flip at ${at}`).toMatch(/^rofs: /);
        messages.add(error.replace(/\d+/g, "N"));
      } else {
        expectTreeOrBadData(tree, client.root(), random);
      }
      client.unmount();
    }
    expect([...messages].sort()).toEqual(
      ["rofs: bad magic (not a ROFS image)", "rofs: metadata checksum mismatch", "rofs: superblock checksum mismatch"].sort(),
    );
  });

  it("names a version 1 image (IEEE CRC-32 checksums) instead of calling it corrupt", () => {
    const old = image.slice();
    const view = new DataView(old.buffer, old.byteOffset, old.byteLength);
    view.setUint32(L.SB_VERSION, 1, true);
    const offset = Number(view.getBigUint64(L.SB_METADATA_OFFSET, true));
    view.setUint32(L.SB_METADATA_CHECKSUM, zlibCrc32(old.subarray(offset, offset + view.getUint32(L.SB_METADATA_SIZE, true))) >>> 0, true);
    view.setUint32(L.SB_CHECKSUM, 0, true);
    view.setUint32(L.SB_CHECKSUM, zlibCrc32(old.subarray(0, L.SUPERBLOCK_SIZE)) >>> 0, true);
    expect(client.mount(old, true)).toBe("rofs: version 1 image (CRC-32 checksums): this reader knows version 2; rebuild the image");
    client.unmount();
  });

  it("refuses or reads correctly flips through a disk-like device (every 7th byte)", () => {
    const random = new Random(3, 3);
    for (let at = 0; at < image.length; at += 7) {
      const corrupt = image.slice();
      corrupt[at] ^= 0x01 << (at % 8);
      const error = client.mount(corrupt, false);
      if (error !== "") expect(error, `flip at ${at}`).toMatch(/^rofs: /);
      else expectTreeOrBadData(tree, client.root(), random);
      client.unmount();
    }
  });

  it("refuses every truncation with a message naming the sizes", () => {
    for (let length = 0; length < image.length; length++) {
      for (const inMemory of [true, false]) {
        const error = client.mount(image.subarray(0, length), inMemory);
        expect(error, `truncated to ${length}`).toMatch(/^rofs: truncated image: needs \d+ bytes, device has \d+$/);
        client.unmount();
      }
    }
  });

  it("survives metadata changed behind a recomputed checksum (every byte, four ways)", () => {
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const metadataSize = view.getUint32(L.SB_METADATA_SIZE, true);
    const refusals = new Set<string>();
    let mounted = 0;
    for (let at = 0; at < L.SUPERBLOCK_SIZE + metadataSize; at++) {
      if (at >= L.SB_CHECKSUM && at < L.SB_CHECKSUM + 4) continue;
      if (at >= L.SB_METADATA_CHECKSUM && at < L.SB_METADATA_CHECKSUM + 4) continue;
      for (const change of [(b: number) => b ^ 0x01, (b: number) => b ^ 0x80, () => 0xff, () => 0]) {
        const corrupt = image.slice();
        corrupt[at] = change(corrupt[at]);
        if (corrupt[at] === image[at]) continue;
        fixChecksums(corrupt);
        for (const inMemory of [true, false]) {
          let error: string;
          try {
            error = client.mount(corrupt, inMemory);
            if (error === "") {
              mounted++;
              walkTolerant(client.root());
            }
          } catch (thrown) {
            throw new Error(`byte ${at} changed to ${corrupt[at]}: ${(thrown as Error).message}`);
          }
          if (error !== "") {
            expect(error).toMatch(/^rofs: /);
            refusals.add(error.replace(/\d+/g, "N"));
          }
          client.unmount();
        }
      }
    }
    // Validation caught many kinds of damage, and some harmless changes (mtimes, modes) mounted.
    expect(refusals.size).toBeGreaterThan(12);
    expect(mounted).toBeGreaterThan(0);
  });

  it("survives random garbage behind valid checksums", () => {
    const random = new Random(4, 4);
    const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
    const metadataSize = view.getUint32(L.SB_METADATA_SIZE, true);
    for (let round = 0; round < 3000; round++) {
      const corrupt = image.slice();
      const changes = random.int(1, 8);
      for (let i = 0; i < changes; i++) corrupt[random.int(8, L.SUPERBLOCK_SIZE + metadataSize - 1)] = random.int(0, 255);
      fixChecksums(corrupt);
      try {
        if (client.mount(corrupt, round % 2 === 0) === "") walkTolerant(client.root());
      } catch (thrown) {
        throw new Error(`${random.label} round ${round}: ${(thrown as Error).message}`);
      }
      client.unmount();
    }
  });
});
