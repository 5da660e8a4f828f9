// Guards fs/vfs path resolution (path.ts) and mounts (mount.ts, mounting.ts)
// over RAMFS: "." and "..", ".." across a mount point back to the parent
// mount and never above the root, repeated and trailing slashes, relative
// paths from a directory descriptor (openat), absolute and relative
// symbolic links in the middle and at the end, the 40-link limit (ELOOP),
// O_NOFOLLOW, NAME_MAX and PATH_MAX (ENAMETOOLONG), the empty path (ENOENT),
// ENOTDIR for a file used as a directory, mount and unmount (EBUSY while in
// use, EXDEV across filesystems), the vnode cache letting go of every
// vnode once nothing holds it, and resolution beneath a directory
// (RESOLVE_BENEATH: no escape by "..", by relative or absolute links, or
// through a mount point; loops still ELOOP; one lookup per component).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { VfsClient, VFS, ERRNO } from "./client";

const harness = await Harness.withMemory(128);
const v = new VfsClient(harness);
let rootFs = -1;

/** A fresh root RAMFS with /a/b/c (dirs), /a/file ("data"), /mnt (empty dir). */
beforeEach(() => {
  if (rootFs >= 0) {
    expect(v.openDescriptors(), "a test left descriptors open").toBe(0);
    expect(v.unmount("/")).toBe(0);
    harness.exports.fsFree(rootFs);
  }
  expect(v.cachedVnodes(), "vnodes cached with nothing mounted").toBe(0);
  rootFs = v.ramfs();
  expect(v.mountRoot(rootFs)).toBe(0);
  for (const dir of ["/a", "/a/b", "/a/b/c", "/mnt"]) expect(v.mkdir(dir)).toBe(0);
  expect(v.writeFile("/a/file", "data")).toBe(0);
});

const inodeOf = (path: string, dirFd?: number) => {
  const stat = v.stat(path, dirFd);
  if (typeof stat === "number") return stat;
  return stat.inode;
};

describe("dots and slashes", () => {
  it("resolves . and .. within one filesystem", () => {
    const c = inodeOf("/a/b/c");
    expect(inodeOf("/a/./b/./c")).toBe(c);
    expect(inodeOf("/a/b/c/../c")).toBe(c);
    expect(inodeOf("/a/b/c/../../b/c/.")).toBe(c);
    expect(inodeOf("/a/b/c/..")).toBe(inodeOf("/a/b"));
    expect(inodeOf(".")).toBe(inodeOf("/"));
  });

  it("never goes above the root", () => {
    const root = inodeOf("/");
    expect(inodeOf("/..")).toBe(root);
    expect(inodeOf("/../../..")).toBe(root);
    expect(inodeOf("..")).toBe(root);
    expect(inodeOf("/../a/..")).toBe(root);
  });

  it("treats repeated slashes as one", () => {
    expect(inodeOf("//a///b//c")).toBe(inodeOf("/a/b/c"));
    expect(inodeOf("///")).toBe(inodeOf("/"));
    expect(v.readFile("//a//file")).toBe("data");
  });

  it("requires a directory before a trailing slash", () => {
    expect(inodeOf("/a/b/")).toBe(inodeOf("/a/b"));
    expect(inodeOf("/a/b//")).toBe(inodeOf("/a/b"));
    expect(v.stat("/a/file/")).toBe(-ERRNO.ENOTDIR);
    expect(v.open("/a/file/")).toBe(-ERRNO.ENOTDIR);
    expect(v.unlink("/a/file/")).toBe(-ERRNO.ENOTDIR);
    expect(v.open("/a/new/", VFS.O_CREAT | VFS.O_WRONLY)).toBe(-ERRNO.EISDIR);
    expect(v.mkdir("/a/made/")).toBe(0);
    expect(v.rmdir("/a/made/")).toBe(0);
  });

  it("refuses a file used as a directory", () => {
    expect(v.stat("/a/file/x")).toBe(-ERRNO.ENOTDIR);
    expect(v.stat("/a/file/.")).toBe(-ERRNO.ENOTDIR);
    expect(v.stat("/a/file/..")).toBe(-ERRNO.ENOTDIR);
    expect(v.mkdir("/a/file/x")).toBe(-ERRNO.ENOTDIR);
    expect(v.stat("/a/missing/x")).toBe(-ERRNO.ENOENT);
  });

  it("refuses the empty path, and too long names and paths", () => {
    expect(v.stat("")).toBe(-ERRNO.ENOENT);
    expect(v.open("", VFS.O_CREAT | VFS.O_WRONLY)).toBe(-ERRNO.ENOENT);
    const longest = "n".repeat(VFS.NAME_MAX);
    expect(v.writeFile(`/a/${longest}`, "x")).toBe(0);
    expect(v.readFile(`/a/${longest}`)).toBe("x");
    expect(v.writeFile(`/a/${longest}n`, "x")).toBe(-ERRNO.ENAMETOOLONG);
    expect(v.stat(`/a/${longest}n/x`)).toBe(-ERRNO.ENAMETOOLONG);
    // NAME_MAX counts UTF-8 bytes: 128 two-byte characters are too long, 127 fit.
    expect(v.mkdir(`/a/${"é".repeat(128)}`)).toBe(-ERRNO.ENAMETOOLONG);
    expect(v.mkdir(`/a/${"é".repeat(127)}`)).toBe(0);
    const dots = "/." .repeat(VFS.PATH_MAX / 2); // exactly PATH_MAX bytes
    expect(inodeOf(dots)).toBe(inodeOf("/"));
    expect(v.stat(dots + "/")).toBe(-ERRNO.ENAMETOOLONG);
    expect(v.unlink(`/a/${longest}`)).toBe(0);
    expect(v.rmdir(`/a/${"é".repeat(127)}`)).toBe(0);
  });

  it("reports the special endings of rmdir, unlink and mkdir", () => {
    expect(v.rmdir("/a/b/c/.")).toBe(-ERRNO.EINVAL);
    expect(v.rmdir("/a/b/c/..")).toBe(-ERRNO.ENOTEMPTY);
    expect(v.rmdir("/")).toBe(-ERRNO.EBUSY);
    expect(v.unlink("/")).toBe(-ERRNO.EISDIR);
    expect(v.unlink("/a/b")).toBe(-ERRNO.EISDIR);
    expect(v.rmdir("/a/file")).toBe(-ERRNO.ENOTDIR);
    expect(v.mkdir("/")).toBe(-ERRNO.EEXIST);
    expect(v.mkdir("/a/.")).toBe(-ERRNO.EEXIST);
    expect(v.mkdir("/a/file")).toBe(-ERRNO.EEXIST);
  });
});

describe("relative paths from a directory descriptor", () => {
  it("starts from the directory, and absolute paths ignore it", () => {
    const b = v.open("/a/b", VFS.O_RDONLY | VFS.O_DIRECTORY);
    expect(b).toBeGreaterThanOrEqual(0);
    expect(inodeOf("c", b)).toBe(inodeOf("/a/b/c"));
    expect(inodeOf("..", b)).toBe(inodeOf("/a"));
    expect(inodeOf("../file", b)).toBe(inodeOf("/a/file"));
    expect(inodeOf("/mnt", b)).toBe(inodeOf("/mnt"));
    expect(inodeOf("/mnt", 999)).toBe(inodeOf("/mnt"));
    expect(v.mkdir("d", 0o755, b)).toBe(0);
    expect(v.stat("/a/b/d")).toMatchObject({ type: VFS.TYPE_DIRECTORY });
    expect(v.rmdir("d", b)).toBe(0);
    expect(v.close(b)).toBe(0);
  });

  it("needs a descriptor that names a directory", () => {
    const file = v.open("/a/file");
    expect(v.stat("x", file)).toBe(-ERRNO.ENOTDIR);
    expect(v.stat("x", 999)).toBe(-ERRNO.EBADF);
    expect(v.stat("x", -1)).toBe(-ERRNO.EBADF);
    expect(v.close(file)).toBe(0);
  });

  it("keeps a removed directory usable as a base: .. still leads up", () => {
    const c = v.open("/a/b/c", VFS.O_DIRECTORY);
    expect(v.rmdir("/a/b/c")).toBe(0);
    expect(v.open("x", VFS.O_CREAT | VFS.O_WRONLY, 0o644, c)).toBe(-ERRNO.ENOENT);
    expect(inodeOf("..", c)).toBe(inodeOf("/a/b"));
    expect(v.stat(".", c)).toMatchObject({ links: 0 });
    expect(v.close(c)).toBe(0);
  });
});

describe("symbolic links", () => {
  it("follows absolute and relative links in the middle and at the end", () => {
    expect(v.symlink("/a/b", "/abs")).toBe(0);
    expect(v.symlink("b/c", "/a/rel")).toBe(0);
    expect(v.symlink("../file", "/a/b/up")).toBe(0);
    expect(inodeOf("/abs/c")).toBe(inodeOf("/a/b/c"));
    expect(inodeOf("/a/rel")).toBe(inodeOf("/a/b/c"));
    expect(inodeOf("/a/rel/..")).toBe(inodeOf("/a/b"));
    expect(v.readFile("/a/b/up")).toBe("data");
    expect(v.readFile("/abs/up")).toBe("data");
    expect(v.readFile("/abs/../file")).toBe("data");
    expect(v.lstat("/abs")).toMatchObject({ type: VFS.TYPE_SYMLINK, size: 4 });
    expect(v.stat("/abs")).toMatchObject({ type: VFS.TYPE_DIRECTORY });
    expect(v.readlink("/a/rel")).toBe("b/c");
    expect(v.readlink("/a/file")).toBe(-ERRNO.EINVAL);
    expect(v.readlink("/a/none")).toBe(-ERRNO.ENOENT);
  });

  it("follows a final link before a trailing slash even for lstat", () => {
    expect(v.symlink("/a/b", "/dirlink")).toBe(0);
    expect(v.symlink("/a/file", "/filelink")).toBe(0);
    expect(v.lstat("/dirlink/")).toMatchObject({ type: VFS.TYPE_DIRECTORY });
    expect(v.lstat("/filelink/")).toBe(-ERRNO.ENOTDIR);
  });

  it("allows 40 links in a walk and refuses the 41st with ELOOP", () => {
    expect(v.symlink("/a/file", "/l0")).toBe(0);
    for (let i = 1; i <= 40; i++) expect(v.symlink(`l${i - 1}`, `/l${i}`)).toBe(0);
    expect(v.readFile("/l39")).toBe("data"); // 40 links
    expect(v.readFile("/l40")).toBe(-ERRNO.ELOOP); // 41
    expect(v.lstat("/l40")).toMatchObject({ type: VFS.TYPE_SYMLINK });
  });

  it("reports loops as ELOOP", () => {
    expect(v.symlink("self", "/self")).toBe(0);
    expect(v.symlink("/pong", "/ping")).toBe(0);
    expect(v.symlink("ping", "/pong")).toBe(0);
    expect(v.stat("/self")).toBe(-ERRNO.ELOOP);
    expect(v.stat("/ping/x")).toBe(-ERRNO.ELOOP);
    expect(v.open("/pong", VFS.O_CREAT | VFS.O_WRONLY)).toBe(-ERRNO.ELOOP);
    expect(v.symlink(".", "/a/dot")).toBe(0);
    expect(inodeOf("/a/dot/dot/dot/dot/b")).toBe(inodeOf("/a/b"));
  });

  it("dangling links: ENOENT to read, O_CREAT makes the target, O_EXCL refuses", () => {
    expect(v.symlink("/a/target", "/dangling")).toBe(0);
    expect(v.stat("/dangling")).toBe(-ERRNO.ENOENT);
    expect(v.open("/dangling", VFS.O_CREAT | VFS.O_EXCL | VFS.O_WRONLY)).toBe(-ERRNO.EEXIST);
    const fd = v.open("/dangling", VFS.O_CREAT | VFS.O_WRONLY);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(v.write(fd, "made")).toBe(4);
    expect(v.close(fd)).toBe(0);
    expect(v.readFile("/a/target")).toBe("made");
  });

  it("does not follow a final link for O_NOFOLLOW, unlink, rename, lstat and readlink", () => {
    expect(v.symlink("/a/file", "/link")).toBe(0);
    expect(v.open("/link", VFS.O_RDONLY | VFS.O_NOFOLLOW)).toBe(-ERRNO.ELOOP);
    expect(v.rename("/link", "/link2")).toBe(0);
    expect(v.readlink("/link2")).toBe("/a/file");
    expect(v.unlink("/link2")).toBe(0);
    expect(v.readFile("/a/file")).toBe("data");
  });

  it("refuses an empty target and names that exist", () => {
    expect(v.symlink("", "/empty")).toBe(-ERRNO.ENOENT);
    expect(v.symlink("x", "/a/file")).toBe(-ERRNO.EEXIST);
    expect(v.symlink("x", "/a")).toBe(-ERRNO.EEXIST);
    expect(v.symlink("x".repeat(VFS.PATH_MAX + 1), "/long")).toBe(-ERRNO.ENAMETOOLONG);
  });
});

describe("mounts", () => {
  let second = -1;
  beforeEach(() => {
    second = v.ramfs();
  });

  it("shows the mounted root at the mount point and hides what was under it", () => {
    expect(v.writeFile("/mnt/under", "hidden")).toBe(0);
    expect(v.mount("/mnt", second)).toBe(0);
    expect(v.list("/mnt")).toEqual([]);
    expect(v.writeFile("/mnt/over", "seen")).toBe(0);
    expect(v.list("/mnt")).toEqual(["over"]);
    const mounted = v.stat("/mnt");
    const root = v.stat("/");
    if (typeof mounted === "number" || typeof root === "number") throw new Error("stat failed");
    expect(mounted.device).not.toBe(root.device);
    expect(v.unlink("/mnt/over")).toBe(0);
    expect(v.unmount("/mnt")).toBe(0);
    expect(v.list("/mnt")).toEqual(["under"]);
    expect(v.unlink("/mnt/under")).toBe(0);
    harness.exports.fsFree(second);
  });

  it("crosses back to the parent mount on ..", () => {
    expect(v.mount("/mnt", second)).toBe(0);
    expect(v.mkdir("/mnt/inner")).toBe(0);
    expect(inodeOf("/mnt/..")).toBe(inodeOf("/"));
    expect(inodeOf("/mnt/inner/../../a")).toBe(inodeOf("/a"));
    expect(v.symlink("../a/file", "/mnt/back")).toBe(0);
    expect(v.readFile("/mnt/back")).toBe("data");
    const inner = v.open("/mnt/inner", VFS.O_DIRECTORY);
    expect(inodeOf("../../../a/b", inner)).toBe(inodeOf("/a/b"));
    expect(v.close(inner)).toBe(0);
    const mnt = v.open("/mnt", VFS.O_DIRECTORY);
    const entries = v.readdirFd(mnt);
    expect(v.close(mnt)).toBe(0);
    if (typeof entries === "number") throw new Error("readdir failed");
    expect(entries.find((entry) => entry.name === "..")?.inode).toBe(inodeOf("/"));
    expect(entries.find((entry) => entry.name === ".")?.inode).toBe(inodeOf("/mnt"));
    expect(v.rmdir("/mnt/inner")).toBe(0);
    expect(v.unlink("/mnt/back")).toBe(0);
    expect(v.unmount("/mnt")).toBe(0);
    harness.exports.fsFree(second);
  });

  it("stacks mounts, and refuses to remove or rename mount points", () => {
    expect(v.mount("/mnt", second)).toBe(0);
    expect(v.mount("/mnt", second)).toBe(-ERRNO.EBUSY); // a filesystem mounts once
    const third = v.ramfs();
    expect(v.mount("/mnt", third)).toBe(0); // on the root of the second
    expect(v.writeFile("/mnt/top", "3")).toBe(0);
    expect(v.rmdir("/mnt")).toBe(-ERRNO.EBUSY);
    expect(v.rename("/mnt", "/elsewhere")).toBe(-ERRNO.EBUSY);
    expect(v.rename("/a/b", "/mnt")).toBe(-ERRNO.EBUSY);
    expect(v.unmount("/mnt")).toBe(0); // the third, /mnt/top with it
    expect(v.stat("/mnt/top")).toBe(-ERRNO.ENOENT);
    expect(v.unmount("/mnt")).toBe(0); // the second
    expect(v.unmount("/mnt")).toBe(-ERRNO.EINVAL); // a plain directory now
    harness.exports.fsFree(second);
    harness.exports.fsFree(third);
  });

  it("refuses unmount while a file or a directory descriptor is open, or another mount sits on it", () => {
    expect(v.mount("/mnt", second)).toBe(0);
    expect(v.mkdir("/mnt/d")).toBe(0);
    const fd = v.open("/mnt/d", VFS.O_DIRECTORY);
    expect(v.unmount("/mnt")).toBe(-ERRNO.EBUSY);
    expect(v.close(fd)).toBe(0);
    const third = v.ramfs();
    expect(v.mount("/mnt/d", third)).toBe(0);
    expect(v.unmount("/mnt")).toBe(-ERRNO.EBUSY);
    expect(v.unmount("/mnt/d")).toBe(0);
    expect(v.unmount("/")).toBe(-ERRNO.EBUSY);
    expect(v.unmount("/mnt")).toBe(0);
    expect(v.unmount("/a")).toBe(-ERRNO.EINVAL);
    expect(v.mount("/", third)).toBe(-ERRNO.EBUSY);
    expect(v.mountRoot(third)).toBe(-ERRNO.EBUSY);
    expect(v.mount("/a/file", third)).toBe(-ERRNO.ENOTDIR);
    expect(v.mount("/nowhere", third)).toBe(-ERRNO.ENOENT);
    harness.exports.fsFree(second);
    harness.exports.fsFree(third);
  });

  it("refuses renames across filesystems with EXDEV", () => {
    expect(v.mount("/mnt", second)).toBe(0);
    expect(v.rename("/a/file", "/mnt/file")).toBe(-ERRNO.EXDEV);
    expect(v.rename("/a/b", "/mnt/b")).toBe(-ERRNO.EXDEV);
    expect(v.unmount("/mnt")).toBe(0);
    harness.exports.fsFree(second);
  });

  it("mounts through a symbolic link and relative to a descriptor", () => {
    expect(v.symlink("/mnt", "/via")).toBe(0);
    expect(v.mount("/via", second)).toBe(0);
    expect(v.writeFile("/mnt/x", "1")).toBe(0);
    expect(v.readFile("/via/x")).toBe("1");
    expect(v.unlink("/via/x")).toBe(0);
    expect(v.unmount("/via")).toBe(0);
    const a = v.open("/a", VFS.O_DIRECTORY);
    expect(v.mount("b", second, a)).toBe(0);
    expect(v.list("/a/b")).toEqual([]);
    expect(v.unmount("b", a)).toBe(0);
    expect(v.close(a)).toBe(0);
    expect(v.list("/a/b")).toEqual(["c"]);
    harness.exports.fsFree(second);
  });
});

describe("the vnode cache", () => {
  it("holds only what is in use: the root, open files and their directories", () => {
    expect(v.cachedVnodes()).toBe(1); // the root, held by its mount
    const fd = v.open("/a/b/c", VFS.O_DIRECTORY);
    expect(v.cachedVnodes()).toBe(4); // c holds b holds a holds the root
    const again = v.open("/a/b/c/../c/.", VFS.O_DIRECTORY);
    expect(v.cachedVnodes()).toBe(4);
    const f = v.open("/a/file");
    expect(v.cachedVnodes()).toBe(5);
    for (const open of [fd, again, f]) expect(v.close(open)).toBe(0);
    expect(v.cachedVnodes()).toBe(1);
  });

  it("gives one vnode per inode: two opens share it", () => {
    const one = v.open("/a/file", VFS.O_RDWR);
    const two = v.open("/a/../a/file");
    expect(v.write(one, "DATA")).toBe(4);
    expect(v.readText(two)).toBe("DATA");
    expect(v.close(one)).toBe(0);
    expect(v.close(two)).toBe(0);
  });
});

describe("resolving beneath a directory (RESOLVE_BENEATH)", () => {
  const BENEATH = VFS.RESOLVE_BENEATH;
  let b = -1;
  beforeEach(() => {
    b = v.open("/a/b", VFS.O_RDONLY | VFS.O_DIRECTORY);
    expect(b).toBeGreaterThanOrEqual(0);
  });
  afterEach(() => expect(v.close(b)).toBe(0));

  const inodeBeneath = (path: string, dirFd = b) => {
    const stat = v.stat(path, dirFd, BENEATH);
    return typeof stat === "number" ? stat : stat.inode;
  };

  it("refuses absolute paths and .. above the directory, and allows .. below it", () => {
    expect(v.stat("/a", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("..", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("../file", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("c/../..", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("./c/./../../b", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE); // leaving and coming back is leaving
    expect(v.stat("missing/../..", b, BENEATH)).toBe(-ERRNO.ENOENT); // found before the escape
    expect(inodeBeneath("c/..")).toBe(inodeOf("/a/b"));
    expect(inodeBeneath("c/../c/.")).toBe(inodeOf("/a/b/c"));
    expect(v.mkdir("../escaped", 0o755, b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("/a/escaped")).toBe(-ERRNO.ENOENT);
    expect(inodeOf("..", b)).toBe(inodeOf("/a")); // the same paths without the flag leave
    expect(v.stat("..", VFS.AT_FDCWD, BENEATH)).toBe(-ERRNO.ENOTCAPABLE); // AT_FDCWD: beneath the root
    expect(inodeBeneath("a/b", VFS.AT_FDCWD)).toBe(inodeOf("/a/b"));
    expect(v.stat("x", 999, BENEATH)).toBe(-ERRNO.EBADF);
  });

  it("keeps missing last components, errors on the way and the special endings", () => {
    expect(v.mkdir("new", 0o755, b, BENEATH)).toBe(0);
    const fd = v.open("c/made", VFS.O_CREAT | VFS.O_WRONLY, 0o644, b, BENEATH);
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(v.close(fd)).toBe(0);
    expect(v.stat("x/y", b, BENEATH)).toBe(-ERRNO.ENOENT);
    expect(v.stat("c/made/x", b, BENEATH)).toBe(-ERRNO.ENOTDIR);
    expect(v.stat("c/made/..", b, BENEATH)).toBe(-ERRNO.ENOTDIR);
    expect(v.rmdir("c/.", b, BENEATH)).toBe(-ERRNO.EINVAL);
    // A path ending in ".." names a directory reached below the start, and ends as "." does.
    expect(v.rmdir("c/..", b, BENEATH)).toBe(-ERRNO.EINVAL);
    expect(v.rmdir("c/..", b)).toBe(-ERRNO.ENOTEMPTY);
    expect(v.unlink("c/..", b, BENEATH)).toBe(-ERRNO.EISDIR);
    expect(v.mkdir("c/..", 0o755, b, BENEATH)).toBe(-ERRNO.EEXIST);
    expect(v.rmdir(".", b, BENEATH)).toBe(-ERRNO.EINVAL);
    expect(v.rmdir("new/", b, BENEATH)).toBe(0);
    expect(v.rename("c/made", "../made", b, b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.rename("c/made", "made", b, b, BENEATH)).toBe(0);
    expect(v.unlink("made", b, BENEATH)).toBe(0);
  });

  it("follows relative links that stay inside and refuses those that lead out", () => {
    expect(v.symlink("c", "/a/b/in")).toBe(0);
    expect(v.symlink("../file", "/a/b/up")).toBe(0);
    expect(v.symlink("c/../../b/c", "/a/b/round")).toBe(0);
    expect(v.symlink("../in", "/a/b/c/sibling")).toBe(0);
    expect(inodeBeneath("in")).toBe(inodeOf("/a/b/c"));
    expect(inodeBeneath("in/..")).toBe(inodeOf("/a/b")); // ".." after a link goes up from its target
    expect(inodeBeneath("c/sibling")).toBe(inodeOf("/a/b/c"));
    expect(v.stat("up", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.open("up", VFS.O_RDONLY, 0, b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("round", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("in/../up", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.lstat("up", b, BENEATH)).toMatchObject({ type: VFS.TYPE_SYMLINK }); // not followed: fine
    expect(v.readlink("up", b, BENEATH)).toBe("../file");
    const c = v.open("/a/b/c", VFS.O_DIRECTORY);
    expect(v.stat("sibling", c, BENEATH)).toBe(-ERRNO.ENOTCAPABLE); // from c, the same link leads out
    expect(v.close(c)).toBe(0);
    expect(v.readFile("/a/b/up")).toBe("data"); // the kernel's own walks are unaffected
    for (const link of ["in", "up", "round", "c/sibling"]) expect(v.unlink(link, b, BENEATH)).toBe(0);
  });

  it("refuses absolute link targets, even those that point inside", () => {
    expect(v.symlink("/a/b/c", "/a/b/abs")).toBe(0);
    expect(v.symlink("/a/b/made", "/a/b/dangling")).toBe(0);
    expect(v.stat("abs", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("abs/x", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.lstat("abs/", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE); // a trailing slash follows
    expect(v.open("dangling", VFS.O_CREAT | VFS.O_WRONLY, 0o644, b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("/a/b/made")).toBe(-ERRNO.ENOENT);
    expect(inodeOf("abs", b)).toBe(inodeOf("/a/b/c"));
    expect(v.unlink("abs", b, BENEATH)).toBe(0);
    expect(v.unlink("dangling", b, BENEATH)).toBe(0);
  });

  it("ends loops and chains longer than 40 links with ELOOP", () => {
    expect(v.symlink("loop2", "/a/b/loop1")).toBe(0);
    expect(v.symlink("loop1", "/a/b/loop2")).toBe(0);
    expect(v.stat("loop1", b, BENEATH)).toBe(-ERRNO.ELOOP);
    expect(v.symlink("c", "/a/b/l0")).toBe(0);
    for (let i = 1; i <= 40; i++) expect(v.symlink(`l${i - 1}`, `/a/b/l${i}`)).toBe(0);
    expect(inodeBeneath("l39")).toBe(inodeOf("/a/b/c")); // 40 links
    expect(v.stat("l40", b, BENEATH)).toBe(-ERRNO.ELOOP); // 41
    for (let i = 0; i <= 40; i++) expect(v.unlink(`l${i}`, b)).toBe(0);
    expect(v.unlink("loop1", b)).toBe(0);
    expect(v.unlink("loop2", b)).toBe(0);
  });

  it("crosses mount points inside, and climbs from a mount's root only as far as the start", () => {
    const second = v.ramfs();
    expect(v.mount("/a/b/c", second)).toBe(0);
    expect(v.mkdir("/a/b/c/inner")).toBe(0);
    expect(v.writeFile("/a/b/c/inner/f", "in")).toBe(0);
    expect(v.symlink("../..", "/a/b/c/inner/top")).toBe(0);
    const fd = v.open("c/inner/f", VFS.O_RDONLY, 0, b, BENEATH);
    expect(v.readText(fd)).toBe("in");
    expect(v.close(fd)).toBe(0);
    expect(inodeBeneath("c/..")).toBe(inodeOf("/a/b"));
    expect(inodeBeneath("c/inner/../../c")).toBe(inodeOf("/a/b/c"));
    expect(inodeBeneath("c/inner/top")).toBe(inodeOf("/a/b")); // up through the mount by a link
    expect(v.stat("c/../..", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("c/inner/top/..", b, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    const root = v.open("/a/b/c", VFS.O_DIRECTORY); // the mount's root
    expect(v.stat("..", root, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("inner/../..", root, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(v.stat("inner/top", root, BENEATH)).toBe(-ERRNO.ENOTCAPABLE);
    expect(inodeOf("..", root)).toBe(inodeOf("/a/b")); // without the flag, ".." crosses up
    expect(v.close(root)).toBe(0);
    expect(v.unlink("c/inner/top", b, BENEATH)).toBe(0);
    expect(v.unlink("c/inner/f", b, BENEATH)).toBe(0);
    expect(v.rmdir("c/inner", b, BENEATH)).toBe(0);
    expect(v.unmount("/a/b/c")).toBe(0);
    harness.exports.fsFree(second);
  });

  it("costs what the plain walk costs: one lookup per component", () => {
    for (const dir of ["c/d", "c/d/e", "c/d/e/g"]) expect(v.mkdir(dir, 0o755, b)).toBe(0);
    expect(v.writeFile("/a/b/c/d/e/g/f", "deep")).toBe(0);
    for (const resolve of [0, BENEATH]) {
      const before = v.pathLookups();
      expect(v.stat("c/d/e/g/f", b, resolve)).toMatchObject({ type: VFS.TYPE_FILE });
      expect(v.pathLookups() - before).toBe(5);
    }
    expect(v.unlink("c/d/e/g/f", b)).toBe(0);
    for (const dir of ["c/d/e/g", "c/d/e", "c/d"]) expect(v.rmdir(dir, b)).toBe(0);
  });
});
