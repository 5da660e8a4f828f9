// statfs through the VFS (fs/vfs fstatfs): a ROFS reports its image's
// blocks and inodes with nothing free, read-only; a RAMFS reports the
// usable RAM and, free, exactly the pages an app may still take (free pages
// beyond the kernel's reserve, after malloc's free lists are given back),
// which its files' data takes from; a filesystem without statfs answers
// ENOSYS. The ZFS module's figures are checked against zfs-fuse in
// test/host/zfs/statfs.test.ts.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { VfsClient, ERRNO, VfsSpace } from "./client";
import { directory, writeImage } from "../../../scripts/image";

const harness = await Harness.withMemory(64);
const v = new VfsClient(harness);
const mm = harness.exports as unknown as { pagesFreeFrames(): number; pagesUsedFrames(): number; mmTrimFreeLists(): number };
const RESERVE_PAGES = (256 << 10) / 4096; // kernel/params.ts MEMORY_RESERVE_BYTES

function space(path: string): VfsSpace {
  const fd = v.open(path);
  expect(fd).toBeGreaterThanOrEqual(0);
  const answer = v.statfs(fd);
  expect(v.close(fd)).toBe(0);
  if (typeof answer === "number") throw new Error(`statfs ${path}: ${answer}`);
  return answer;
}

describe("statfs", () => {
  it("of a ROFS: its image's blocks and inodes, nothing free, read-only", () => {
    const root = directory(1);
    const sub = directory(1);
    sub.children.set("f.txt", { type: "file" as const, mode: 0o644, mtime: 1, data: new Uint8Array(10_000).fill(7) });
    root.children.set("sub", sub);
    root.children.set("tmp", directory(1));
    root.children.set("empty", { type: "file" as const, mode: 0o644, mtime: 1, data: new Uint8Array(0) });
    const { image } = writeImage(root, { blockShift: 12 });
    const rofs = v.rofs(image);
    expect(v.mountRoot(rofs)).toBe(0);
    expect(space("/sub/f.txt")).toEqual({
      blockSize: 4096, blocks: BigInt(Math.ceil(image.length / 4096)), freeBlocks: 0n, availableBlocks: 0n,
      files: 5n, freeFiles: 0n, readOnly: true, nameMax: 255,
    });
  });

  it("of a RAMFS: the usable RAM, and free exactly the pages an app may still take", () => {
    expect(v.mount("/tmp", v.ramfs())).toBe(0);
    const expected = (): bigint => {
      mm.mmTrimFreeLists();
      return BigInt(Math.max(0, mm.pagesFreeFrames() - RESERVE_PAGES));
    };
    const before = space("/tmp");
    expect(before.blockSize).toBe(4096);
    expect(before.blocks).toBe(BigInt(mm.pagesUsedFrames() + mm.pagesFreeFrames()));
    expect(before.readOnly).toBe(false);
    expect(before.freeBlocks).toBe(expected());
    expect(before.availableBlocks).toBe(before.freeBlocks);
    expect(before.files - before.freeFiles).toBe(1n); // the root

    expect(v.writeFile("/tmp/data", "x".repeat(1 << 20))).toBe(0);
    expect(v.mkdir("/tmp/d")).toBe(0);
    const after = space("/tmp/d");
    expect(after.freeBlocks).toBe(expected());
    expect(before.freeBlocks - after.freeBlocks).toBeGreaterThanOrEqual(256n); // 1 MiB of data
    expect(after.files - after.freeFiles).toBe(3n);
    expect(after.blocks).toBe(before.blocks);

    expect(v.unlink("/tmp/data")).toBe(0);
    expect(space("/tmp").freeBlocks).toBe(expected());
  });

  it("of a filesystem that cannot say: ENOSYS", () => {
    expect(v.mount("/sub", v.exampleFs())).toBe(0);
    const fd = v.open("/sub");
    expect(v.statfs(fd)).toBe(-ERRNO.ENOSYS);
    expect(v.close(fd)).toBe(0);
    expect(v.statfs(fd)).toBe(-ERRNO.EBADF);
  });
});
