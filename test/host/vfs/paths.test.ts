// Guards fs/vfs/paths.ts, the path cache: a walk decided by fixed names
// alone (ROFS) is kept whole on its second walk in a row and answers the
// next walk of that path from that directory with the same vnodes; a first
// walk is not kept; walks through links, "." or "..",
// a RAMFS, or to a missing name are not kept; the same relative path from
// two directories stays two answers; a mount over a directory on a kept
// path changes what the path names at once, and so does its unmount; the
// cache's references never make an unmount EBUSY.

import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { VfsClient, ERRNO, VFS } from "./client";
import { directory, writeImage } from "../../../scripts/image";

const harness = await Harness.withMemory(128);
const v = new VfsClient(harness);

function file(text: string) {
  return { type: "file" as const, mode: 0o644, mtime: 1, data: new TextEncoder().encode(text) };
}

function imageTree() {
  const root = directory(1);
  for (const side of ["left", "right"]) {
    const top = directory(1);
    const inner = directory(1);
    inner.children.set("f.txt", file(`${side} file`));
    top.children.set("b", inner);
    root.children.set(side, top);
  }
  root.children.set("link", { type: "symlink" as const, mode: 0o777, mtime: 1, target: "left/b" });
  root.children.set("mnt", directory(1));
  const same = directory(1);
  for (const letter of ["x", "y"]) {
    const inner = directory(1);
    const innermost = directory(1);
    innermost.children.set(`${"c".repeat(10)}.txt`, file(`twin ${letter}`));
    inner.children.set("b".repeat(19), innermost);
    same.children.set(twinName(letter), inner);
  }
  root.children.set("same", same);
  return root;
}

/**
 * Twin directories under /same; their files' paths are 60 units long and
 * differ in unit 10 alone, which pathHash does not read (names stay short
 * enough for the name cache).
 */
function twinName(letter: string): string {
  return `aaaa${letter}${"a".repeat(14)}`;
}

function twinPath(letter: string): string {
  return `/same/${twinName(letter)}/${"b".repeat(19)}/${"c".repeat(10)}.txt`;
}

describe("the path cache (fs/vfs/paths.ts)", () => {
  it("keeps walks decided by fixed names, answers them alike, and forgets them when mounts change", () => {
    const rofs = v.rofs(writeImage(imageTree()).image);
    expect(rofs).toBeGreaterThanOrEqual(0);
    expect(v.mountRoot(rofs)).toBe(0);
    expect(v.keptPaths()).toBe(0);

    const stat = v.stat("/left/b/f.txt");
    expect(v.pathKept("/left/b/f.txt")).toBe(false); // a first walk: only the slot's candidate
    expect(v.stat("/left/b/f.txt")).toEqual(stat);
    expect(v.pathKept("/left/b/f.txt")).toBe(true);
    expect(v.keptPaths()).toBe(1);
    const lookups = v.pathLookups();
    expect(v.stat("/left/b/f.txt")).toEqual(stat);
    expect(v.readFile("/left/b/f.txt")).toBe("left file");
    expect(v.pathLookups()).toBe(lookups);
    expect(v.pathKept("left/b/f.txt")).toBe(false); // another path, though it names the same file

    // Not kept: links, "." and "..", missing names, a link at the end not followed.
    const notKept = ["/link/f.txt", "/left/./b/f.txt", "/right/../left/b/f.txt", "/left/b/none", "/link"];
    expect(v.readFile("/link/f.txt")).toBe("left file");
    expect(v.readFile("/left/./b/f.txt")).toBe("left file");
    expect(v.readFile("/right/../left/b/f.txt")).toBe("left file");
    expect(v.stat("/left/b/none")).toBe(-ERRNO.ENOENT);
    expect(v.readlink("/link")).toBe("left/b");
    for (const path of notKept) v.stat(path); // walked twice
    for (const path of notKept) expect(v.pathKept(path), path).toBe(false);

    // The same relative path from two directories: two entries, two answers.
    const left = v.open("/left", VFS.O_RDONLY | VFS.O_DIRECTORY);
    const right = v.open("/right", VFS.O_RDONLY | VFS.O_DIRECTORY);
    expect(left).toBeGreaterThanOrEqual(0);
    expect(right).toBeGreaterThanOrEqual(0);
    for (let round = 0; round < 2; round++) {
      for (const [fd, text] of [[left, "left file"], [right, "right file"]] as const) {
        const opened = v.open("b/f.txt", VFS.O_RDONLY, 0, fd);
        expect(opened).toBeGreaterThanOrEqual(0);
        expect(v.readText(opened, 100)).toBe(text);
        expect(v.close(opened)).toBe(0);
      }
    }
    expect(v.pathKept("b/f.txt", left)).toBe(true);
    expect(v.pathKept("b/f.txt", right)).toBe(true);
    expect(v.close(left)).toBe(0);
    expect(v.close(right)).toBe(0);

    // Twins alike in every word the hash reads share a slot; the full compare tells them apart.
    const twins = ["x", "y"].map(twinPath);
    expect(twins[0].length).toBe(60);
    for (const twin of twins) for (let round = 0; round < 2; round++) expect(v.readFile(twin)).toBe(`twin ${twin[10]}`);
    expect(twins.map((twin) => v.pathKept(twin))).toEqual([false, true]);
    expect(v.readFile(twins[0])).toBe("twin x");
    expect(v.readFile(twins[0])).toBe("twin x");
    expect(twins.map((twin) => v.pathKept(twin))).toEqual([true, false]);

    // A trailing slash is part of the path; a file with one is ENOTDIR and not kept.
    expect(v.stat("/left/b/")).toEqual(v.stat("/left/b"));
    expect(v.stat("/left/b/")).toEqual(v.stat("/left/b"));
    expect(v.stat("/left/b/f.txt/")).toBe(-ERRNO.ENOTDIR);
    expect(v.stat("/left/b/f.txt/")).toBe(-ERRNO.ENOTDIR);
    expect(v.pathKept("/left/b/")).toBe(true);
    expect(v.pathKept("/left/b/f.txt/")).toBe(false);

    // A RAMFS mounted over /left hides the ROFS's /left/b at once, and shows it again when unmounted.
    const ramfs = v.ramfs();
    expect(v.mount("/left", ramfs)).toBe(0);
    expect(v.keptPaths()).toBe(0);
    expect(v.stat("/left/b/f.txt")).toBe(-ERRNO.ENOENT);
    expect(v.mkdir("/left/b")).toBe(0);
    expect(v.writeFile("/left/b/f.txt", "ramfs file")).toBe(0);
    expect(v.readFile("/left/b/f.txt")).toBe("ramfs file");
    expect(v.readFile("/left/b/f.txt")).toBe("ramfs file");
    expect(v.pathKept("/left/b/f.txt")).toBe(false); // the RAMFS's names change: its walks are not kept
    expect(v.unlink("/left/b/f.txt")).toBe(0);
    expect(v.rmdir("/left/b")).toBe(0);
    expect(v.unmount("/left")).toBe(0);
    harness.exports.fsFree(ramfs);
    expect(v.readFile("/left/b/f.txt")).toBe("left file");

    // A ROFS mounted on /mnt: kept paths into it do not keep it busy.
    const inner = v.rofs(writeImage(imageTree()).image);
    expect(v.mount("/mnt", inner)).toBe(0);
    for (let round = 0; round < 2; round++) expect(v.readFile("/mnt/right/b/f.txt")).toBe("right file");
    expect(v.pathKept("/mnt/right/b/f.txt")).toBe(true);
    expect(v.unmount("/mnt")).toBe(0);
    expect(v.stat("/mnt/right/b/f.txt")).toBe(-ERRNO.ENOENT);

    expect(v.openDescriptors()).toBe(0);
    expect(v.unmount("/")).toBe(0);
    expect(v.keptPaths()).toBe(0);
    expect(v.keptNames()).toBe(0);
    expect(v.cachedVnodes()).toBe(0);
  });
});
