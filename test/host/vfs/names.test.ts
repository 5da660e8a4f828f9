// Guards fs/vfs/names.ts, the name cache for filesystems whose names never
// change (ROFS): a second walk of the same path asks the filesystem nothing,
// for names that exist and for names that do not (ENOENT is kept too), and
// finds the same vnodes; walks through a RAMFS mounted on a ROFS directory
// still ask the RAMFS every time (its names change) and see its changes at
// once; the cache's references never make an unmount EBUSY, and once the
// ROFS is unmounted nothing of it stays cached.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { VfsClient, ERRNO } from "./client";
import { directory, writeImage } from "../../../scripts/image";

const harness = await Harness.withMemory(128);
const v = new VfsClient(harness);

function imageTree() {
  const root = directory(1);
  const a = directory(1);
  const b = directory(1);
  b.children.set("deep.txt", { type: "file" as const, mode: 0o644, mtime: 1, data: new TextEncoder().encode("deep") });
  a.children.set("b", b);
  root.children.set("a", a);
  root.children.set("tmp", directory(1));
  return root;
}

describe("the name cache (fs/vfs/names.ts)", () => {
  it("answers a second walk through a ROFS without asking it, found and missing names alike", () => {
    const rofs = v.rofs(writeImage(imageTree()).image);
    expect(rofs).toBeGreaterThanOrEqual(0);
    expect(v.mountRoot(rofs)).toBe(0);
    const first = v.pathLookups();
    const stat = v.stat("/a/b/deep.txt");
    expect(v.pathLookups() - first).toBe(3);
    const again = v.pathLookups();
    expect(v.stat("/a/b/deep.txt")).toEqual(stat);
    expect(v.pathLookups() - again).toBe(0);
    const fd = v.open("/a/b/deep.txt");
    expect(v.readText(fd, 100)).toBe("deep");
    expect(v.close(fd)).toBe(0);
    expect(v.pathLookups() - again).toBe(0);

    const missing = v.pathLookups();
    expect(v.stat("/a/b/none")).toBe(-ERRNO.ENOENT);
    expect(v.pathLookups() - missing).toBe(1);
    expect(v.stat("/a/b/none")).toBe(-ERRNO.ENOENT);
    expect(v.open("/a/b/none")).toBe(-ERRNO.ENOENT);
    expect(v.pathLookups() - missing).toBe(1);
    expect(v.keptNames()).toBe(4); // a, b, deep.txt, none

    // A RAMFS on /tmp: asked every time, its changes seen at once.
    const ramfs = v.ramfs();
    expect(v.mount("/tmp", ramfs)).toBe(0);
    expect(v.stat("/tmp/new")).toBe(-ERRNO.ENOENT);
    expect(v.writeFile("/tmp/new", "fresh")).toBe(0);
    expect(v.readFile("/tmp/new")).toBe("fresh");
    const ramfsWalk = v.pathLookups();
    expect(v.readFile("/tmp/new")).toBe("fresh");
    expect(v.pathLookups() - ramfsWalk).toBe(1); // "tmp" from the cache, "new" from the RAMFS
    expect(v.unlink("/tmp/new")).toBe(0);
    expect(v.stat("/tmp/new")).toBe(-ERRNO.ENOENT);
    expect(v.unmount("/tmp")).toBe(0);
    harness.exports.fsFree(ramfs);

    expect(v.openDescriptors()).toBe(0);
    expect(v.unmount("/")).toBe(0);
    expect(v.keptNames()).toBe(0);
    expect(v.cachedVnodes()).toBe(0);
  });

  it("does not keep RAMFS names", () => {
    const ramfs = v.ramfs();
    expect(v.mountRoot(ramfs)).toBe(0);
    expect(v.mkdir("/d")).toBe(0);
    expect(v.writeFile("/d/f", "x")).toBe(0);
    const before = v.pathLookups();
    expect(v.readFile("/d/f")).toBe("x");
    expect(v.readFile("/d/f")).toBe("x");
    expect(v.pathLookups() - before).toBe(4);
    expect(v.keptNames()).toBe(0);
    expect(v.unlink("/d/f")).toBe(0);
    expect(v.rmdir("/d")).toBe(0);
    expect(v.unmount("/")).toBe(0);
    harness.exports.fsFree(ramfs);
    expect(v.cachedVnodes()).toBe(0);
  });
});
