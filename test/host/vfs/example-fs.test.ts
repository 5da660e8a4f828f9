// Guards fs/example/hello.ts, the filesystem fs/README.md walks through, as
// the VFS uses it: mounted on a RAMFS directory and as the root, its files
// listed, read whole and in pieces and stat'ed; every change refused with
// EROFS by the VFS before the filesystem is asked; vnodes it makes on
// lookup freed by its release(), so many opens and closes leave memory
// where it was; unmount and a second mount.

import { afterEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { USE } from "../mm/client";
import { VfsClient, VFS, ERRNO } from "./client";

const harness = await Harness.withMemory(128);
const e = harness.exports;
const v = new VfsClient(harness);

const FILES: Record<string, string> = {
  "hello.txt": "Hello from Wisp!\n",
  "license.txt": "This text is served by fs/example.\n",
  colors: "red\ngreen\nblue\n",
};

afterEach(() => {
  for (let fd = 0; v.openDescriptors() > 0 && fd < 100; fd++) v.close(fd);
  v.unmount("/example");
  v.unmount("/");
});

function objectsInSlabs(): number {
  let objects = 0;
  for (let c = 0; c < (e.classCount() >>> 0); c++) objects += e.slabObjectsOf(c) >>> 0;
  return objects;
}

describe("the example filesystem", () => {
  it("serves its files when mounted on a RAMFS directory", () => {
    const root = v.ramfs();
    const hello = v.exampleFs();
    expect(v.mountRoot(root)).toBe(0);
    expect(v.mkdir("/example")).toBe(0);
    expect(v.mount("/example", hello)).toBe(0);
    expect(v.list("/example")).toEqual(Object.keys(FILES).sort());
    for (const [name, text] of Object.entries(FILES)) {
      expect(v.readFile(`/example/${name}`)).toBe(text);
      expect(v.stat(`/example/${name}`)).toMatchObject({ type: VFS.TYPE_FILE, size: text.length, mode: 0o444, links: 1 });
    }
    expect(v.stat("/example")).toMatchObject({ type: VFS.TYPE_DIRECTORY, inode: 1n, mode: 0o555 });
    expect(v.stat("/example/..")).toMatchObject({ inode: (v.stat("/") as { inode: bigint }).inode });
    expect(v.readFile("/example/missing")).toBe(-ERRNO.ENOENT);
    expect(v.stat("/example/hello.txt/x")).toBe(-ERRNO.ENOTDIR);

    const fd = v.open("/example/colors");
    expect(v.readText(fd, 4)).toBe("red\n");
    expect(v.readText(fd, 3, 10)).toBe("blu");
    expect(v.seek(fd, -5, VFS.SEEK_END)).toBe(10);
    expect(v.readText(fd, 100)).toBe("blue\n");
    expect(v.readText(fd, 100)).toBe("");
    expect(v.close(fd)).toBe(0);

    expect(v.unmount("/example")).toBe(0);
    expect(v.list("/example")).toEqual([]);
    e.fsFree(hello);
    expect(v.unmount("/")).toBe(0);
    e.fsFree(root);
  });

  it("is refused every change with EROFS, before the filesystem is asked", () => {
    const hello = v.exampleFs();
    expect(v.mountRoot(hello)).toBe(0);
    expect(v.open("/hello.txt", VFS.O_WRONLY)).toBe(-ERRNO.EROFS);
    expect(v.open("/hello.txt", VFS.O_RDWR | VFS.O_TRUNC)).toBe(-ERRNO.EROFS);
    expect(v.open("/new", VFS.O_WRONLY | VFS.O_CREAT)).toBe(-ERRNO.EROFS);
    expect(v.open("/hello.txt", VFS.O_WRONLY | VFS.O_CREAT | VFS.O_EXCL)).toBe(-ERRNO.EEXIST);
    expect(v.mkdir("/d")).toBe(-ERRNO.EROFS);
    expect(v.mkdir("/colors")).toBe(-ERRNO.EEXIST);
    expect(v.unlink("/colors")).toBe(-ERRNO.EROFS);
    expect(v.unlink("/none")).toBe(-ERRNO.ENOENT);
    expect(v.rmdir("/colors")).toBe(-ERRNO.ENOTDIR);
    expect(v.rename("/colors", "/colours")).toBe(-ERRNO.EROFS);
    expect(v.symlink("colors", "/link")).toBe(-ERRNO.EROFS);
    expect(v.truncate("/colors", 0)).toBe(-ERRNO.EROFS);
    expect(v.readlink("/colors")).toBe(-ERRNO.EINVAL);
    const fd = v.open("/colors");
    expect(v.write(fd, "x")).toBe(-ERRNO.EBADF);
    expect(v.ftruncate(fd, 0)).toBe(-ERRNO.EINVAL);
    expect(v.fsync(fd)).toBe(0);
    expect(v.close(fd)).toBe(0);
    expect(v.unmount("/")).toBe(0);
    e.fsFree(hello);
  });

  it("frees the vnodes it makes once the VFS lets go of them", () => {
    const hello = v.exampleFs();
    expect(v.mountRoot(hello)).toBe(0);
    expect(v.readFile("/hello.txt")).toBe(FILES["hello.txt"]); // scratch objects made on first use
    expect(v.list("/")).toHaveLength(3);
    const objects = objectsInSlabs();
    const large = e.pagesCount(USE.large);
    for (let round = 0; round < 200; round++) {
      const fds = Object.keys(FILES).map((name) => v.open(`/${name}`));
      const again = v.open("/colors"); // the cached vnode, not a second one
      expect(v.cachedVnodes()).toBe(4);
      for (const fd of [...fds, again]) expect(v.close(fd)).toBe(0);
      expect(v.cachedVnodes()).toBe(1);
    }
    expect(v.list("/")).toHaveLength(3);
    expect(objectsInSlabs()).toBe(objects);
    expect(e.pagesCount(USE.large)).toBe(large);
    expect(v.unmount("/")).toBe(0);
    e.fsFree(hello);
  });

  it("mounts again after an unmount", () => {
    const hello = v.exampleFs();
    for (let i = 0; i < 3; i++) {
      expect(v.mountRoot(hello)).toBe(0);
      expect(v.readFile("/license.txt")).toBe(FILES["license.txt"]);
      expect(v.unmount("/")).toBe(0);
    }
    e.fsFree(hello);
  });
});
