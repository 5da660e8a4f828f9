// Guards fs/ramfs through the VFS (fs/vfs/file-operations.ts,
// name-operations.ts, descriptors.ts): the POSIX behaviour of every
// operation and its errors. Reads and writes at any offset, holes and the
// space past a shrink reading as zeros, seek past the end and write, O_APPEND
// (also through a dup), O_TRUNC, O_EXCL, O_DIRECTORY, access modes (EBADF),
// dup/dup2 sharing offsets and closing what they replace, lowest-free
// descriptors and EMFILE, truncate and ftruncate, unlink of an open file
// (readable until closed, then gone), rmdir and unlink errors, rename
// replacing files and empty directories and refusing the rest, readdir
// cookies that survive changes to the directory, and stat's fields (times
// are 0 in the host tests, which run without the time layer).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { VfsClient, VFS, ERRNO } from "./client";

const harness = await Harness.withMemory(256);
const v = new VfsClient(harness);
let rootFs = -1;

beforeEach(() => {
  rootFs = v.ramfs();
  expect(v.mountRoot(rootFs)).toBe(0);
});

afterEach(() => {
  const open = v.openDescriptors();
  for (let fd = 0; v.openDescriptors() > 0 && fd < 5000; fd++) v.close(fd);
  expect(v.unmount("/")).toBe(0);
  expect(harness.exports.ramfsNodeCount(rootFs), "nodes left after unmount").toBe(0);
  harness.exports.fsFree(rootFs);
  expect(open, "descriptors the test left open").toBe(0);
});

const bytes = (...values: number[]) => Uint8Array.from(values);
const nodes = () => harness.exports.ramfsNodeCount(rootFs) >>> 0;

function openOk(path: string, flags: number, mode = 0o644): number {
  const fd = v.open(path, flags, mode);
  expect(fd, `open ${path}`).toBeGreaterThanOrEqual(0);
  return fd;
}

function statOk(path: string) {
  const stat = v.stat(path);
  if (typeof stat === "number") throw new Error(`stat ${path}: ${stat}`);
  return stat;
}

describe("reading and writing", () => {
  it("writes and reads at the offset, which both move", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    expect(v.write(fd, "hello ")).toBe(6);
    expect(v.write(fd, "world")).toBe(5);
    expect(v.seek(fd, 0)).toBe(0);
    expect(v.readText(fd, 5)).toBe("hello");
    expect(v.readText(fd, 100)).toBe(" world");
    expect(v.readText(fd, 100)).toBe(""); // at the end
    expect(v.seek(fd, 0, VFS.SEEK_CUR)).toBe(11);
    expect(v.close(fd)).toBe(0);
  });

  it("pread and pwrite leave the offset alone", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    expect(v.write(fd, "abcdef")).toBe(6);
    expect(v.write(fd, "XY", 2)).toBe(2);
    expect(v.readText(fd, 3, 1)).toBe("bXY");
    expect(v.seek(fd, 0, VFS.SEEK_CUR)).toBe(6);
    expect(v.readText(fd, 10, 100)).toBe("");
    expect(Number(harness.exports.vfsPread(fd, v.buffer, 1, -1n))).toBe(-ERRNO.EINVAL);
    expect(Number(harness.exports.vfsPwrite(fd, v.buffer, 1, -1n))).toBe(-ERRNO.EINVAL);
    expect(v.close(fd)).toBe(0);
  });

  it("reads holes and the gap after a seek past the end as zeros", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    expect(v.seek(fd, 10_000)).toBe(10_000);
    expect(v.write(fd, "end")).toBe(3);
    expect(statOk("/f").size).toBe(10_003);
    const data = v.read(fd, 20_000, 0) as Uint8Array;
    expect(data.length).toBe(10_003);
    expect(data.subarray(0, 10_000).every((b) => b === 0)).toBe(true);
    expect(new TextDecoder().decode(data.subarray(10_000))).toBe("end");
    // A write far out leaves the pages between unallocated.
    expect(v.write(fd, "z", 50 * 4096)).toBe(1);
    expect(statOk("/f").blocks).toBe(2 * 8); // pages 2 and 50: 0 and 1 are holes
    expect((v.read(fd, 4096, 49 * 4096) as Uint8Array).every((b) => b === 0)).toBe(true);
    expect(v.close(fd)).toBe(0);
  });

  it("writes across page boundaries at odd offsets", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    const data = Uint8Array.from({ length: 20_000 }, (_, i) => (i * 7 + 3) & 0xff);
    expect(v.write(fd, data, 4093)).toBe(20_000);
    expect(v.read(fd, 20_000, 4093)).toEqual(data);
    expect(v.write(fd, bytes(1, 2, 3), 8190)).toBe(3);
    const again = v.read(fd, 6, 8188) as Uint8Array;
    expect(Array.from(again)).toEqual([data[8188 - 4093], data[8189 - 4093], 1, 2, 3, data[8193 - 4093]]);
    expect(v.close(fd)).toBe(0);
  });

  it("O_APPEND writes at the end, whoever else wrote", () => {
    const appender = openOk("/log", VFS.O_WRONLY | VFS.O_CREAT | VFS.O_APPEND);
    const other = openOk("/log", VFS.O_RDWR);
    expect(v.write(appender, "one,")).toBe(4);
    expect(v.write(other, "ONE,TWO,")).toBe(8);
    expect(v.write(appender, "three")).toBe(5);
    expect(v.readFile("/log")).toBe("ONE,TWO,three");
    expect(v.seek(appender, 0)).toBe(0); // seek is allowed; the next write still goes to the end
    expect(v.write(appender, "!")).toBe(1);
    expect(v.readFile("/log")).toBe("ONE,TWO,three!");
    // pwrite writes where it is told.
    expect(v.write(appender, "o", 0)).toBe(1);
    expect(v.readFile("/log")).toBe("oNE,TWO,three!");
    expect(v.close(appender)).toBe(0);
    expect(v.close(other)).toBe(0);
  });

  it("seeks from the start, the offset and the end, and refuses negative results", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    expect(v.write(fd, "0123456789")).toBe(10);
    expect(v.seek(fd, -3, VFS.SEEK_END)).toBe(7);
    expect(v.readText(fd, 10)).toBe("789");
    expect(v.seek(fd, -5, VFS.SEEK_CUR)).toBe(5);
    expect(v.seek(fd, -6, VFS.SEEK_CUR)).toBe(-ERRNO.EINVAL);
    expect(v.seek(fd, -11, VFS.SEEK_END)).toBe(-ERRNO.EINVAL);
    expect(v.seek(fd, -1)).toBe(-ERRNO.EINVAL);
    expect(v.seek(fd, 0, 3)).toBe(-ERRNO.EINVAL);
    expect(v.seek(fd, 0, VFS.SEEK_CUR)).toBe(5); // failed seeks leave it
    expect(v.seek(fd, 0x7fff_ffff_ffff_ffffn)).toBe(Number(0x7fff_ffff_ffff_ffffn));
    expect(v.seek(fd, 1, VFS.SEEK_CUR)).toBe(-ERRNO.EINVAL);
    expect(v.write(fd, "x")).toBe(-ERRNO.EINVAL);
    expect(v.seek(999, 0)).toBe(-ERRNO.EBADF);
    expect(v.close(fd)).toBe(0);
  });

  it("refuses what the access mode does not allow", () => {
    expect(v.writeFile("/f", "data")).toBe(0);
    const reader = openOk("/f", VFS.O_RDONLY);
    const writer = openOk("/f", VFS.O_WRONLY);
    expect(v.write(reader, "x")).toBe(-ERRNO.EBADF);
    expect(v.write(reader, "x", 0)).toBe(-ERRNO.EBADF);
    expect(v.read(writer, 1)).toBe(-ERRNO.EBADF);
    expect(v.read(writer, 1, 0)).toBe(-ERRNO.EBADF);
    expect(v.ftruncate(reader, 0)).toBe(-ERRNO.EINVAL);
    expect(v.open("/f", 3)).toBe(-ERRNO.EINVAL);
    expect(v.read(999, 1)).toBe(-ERRNO.EBADF);
    expect(v.close(999)).toBe(-ERRNO.EBADF);
    expect(v.close(-1)).toBe(-ERRNO.EBADF);
    expect(v.close(reader)).toBe(0);
    expect(v.close(reader)).toBe(-ERRNO.EBADF);
    expect(v.close(writer)).toBe(0);
  });
});

describe("open flags", () => {
  it("O_CREAT makes a file with the mode given; O_EXCL refuses one that exists", () => {
    const fd = openOk("/new", VFS.O_WRONLY | VFS.O_CREAT | VFS.O_EXCL, 0o600);
    expect(v.close(fd)).toBe(0);
    expect(statOk("/new")).toMatchObject({ type: VFS.TYPE_FILE, mode: 0o600, size: 0, links: 1 });
    expect(v.open("/new", VFS.O_WRONLY | VFS.O_CREAT | VFS.O_EXCL)).toBe(-ERRNO.EEXIST);
    const again = openOk("/new", VFS.O_WRONLY | VFS.O_CREAT);
    expect(v.close(again)).toBe(0);
    expect(v.open("/missing")).toBe(-ERRNO.ENOENT);
    expect(v.open("/missing/x", VFS.O_CREAT | VFS.O_WRONLY)).toBe(-ERRNO.ENOENT);
  });

  it("O_TRUNC empties a file opened for writing", () => {
    expect(v.writeFile("/f", "long contents")).toBe(0);
    const reader = openOk("/f", VFS.O_RDONLY | VFS.O_TRUNC);
    expect(v.close(reader)).toBe(0);
    expect(v.readFile("/f")).toBe("long contents");
    const writer = openOk("/f", VFS.O_WRONLY | VFS.O_TRUNC);
    expect(v.close(writer)).toBe(0);
    expect(statOk("/f")).toMatchObject({ size: 0, blocks: 0 });
  });

  it("directories open read-only, and O_DIRECTORY wants one", () => {
    expect(v.mkdir("/d")).toBe(0);
    expect(v.writeFile("/f", "x")).toBe(0);
    expect(v.open("/d", VFS.O_WRONLY)).toBe(-ERRNO.EISDIR);
    expect(v.open("/d", VFS.O_RDWR)).toBe(-ERRNO.EISDIR);
    expect(v.open("/d", VFS.O_RDONLY | VFS.O_CREAT)).toBe(-ERRNO.EISDIR);
    expect(v.open("/f", VFS.O_RDONLY | VFS.O_DIRECTORY)).toBe(-ERRNO.ENOTDIR);
    const dir = openOk("/d", VFS.O_RDONLY);
    expect(v.read(dir, 10)).toBe(-ERRNO.EISDIR);
    expect(v.ftruncate(dir, 0)).toBe(-ERRNO.EISDIR);
    expect(v.close(dir)).toBe(0);
    const file = openOk("/f", VFS.O_RDONLY);
    expect(v.readdirAt(file, 0n)).toBe(-ERRNO.ENOTDIR);
    expect(v.close(file)).toBe(0);
  });
});

describe("descriptors", () => {
  it("hands out the lowest free number", () => {
    const fds = [0, 1, 2, 3].map(() => openOk("/f", VFS.O_RDWR | VFS.O_CREAT));
    expect(fds).toEqual([0, 1, 2, 3]);
    expect(v.close(1)).toBe(0);
    expect(openOk("/f", VFS.O_RDONLY)).toBe(1);
    for (const fd of fds) expect(v.close(fd)).toBe(0);
  });

  it("dup shares the offset; closing one leaves the other open", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    const copy = v.dup(fd);
    expect(copy).toBe(fd + 1);
    expect(v.write(fd, "abc")).toBe(3);
    expect(v.write(copy, "def")).toBe(3);
    expect(v.seek(copy, 0, VFS.SEEK_CUR)).toBe(6);
    expect(v.close(fd)).toBe(0);
    expect(v.seek(copy, 0)).toBe(0);
    expect(v.readText(copy, 10)).toBe("abcdef");
    expect(v.close(copy)).toBe(0);
    expect(v.dup(copy)).toBe(-ERRNO.EBADF);
  });

  it("dup2 closes what the target named, keeps flags, and maps a descriptor onto itself", () => {
    expect(v.writeFile("/one", "1")).toBe(0);
    expect(v.writeFile("/two", "2")).toBe(0);
    const one = openOk("/one", VFS.O_RDONLY);
    const two = openOk("/two", VFS.O_WRONLY | VFS.O_APPEND);
    expect(v.dup2(two, two)).toBe(two);
    expect(v.dup2(two, one)).toBe(one);
    expect(v.write(one, "+")).toBe(1); // now /two, appending
    expect(v.readFile("/two")).toBe("2+");
    expect(v.dup2(999, one)).toBe(-ERRNO.EBADF);
    expect(v.dup2(one, -1)).toBe(-ERRNO.EBADF);
    // Far descriptors are allowed; the lowest free stays the lowest.
    expect(v.dup2(one, 100)).toBe(100);
    expect(v.dup(one)).toBe(2);
    // fd_renumber: dup2, then close the old number.
    expect(v.dup2(100, 50)).toBe(50);
    expect(v.close(100)).toBe(0);
    expect(v.write(50, "!")).toBe(1);
    expect(v.readFile("/two")).toBe("2+!");
    for (const fd of [one, two, 2, 50]) expect(v.close(fd)).toBe(0);
  });

  it("refuses more than MAX_DESCRIPTORS with EMFILE", () => {
    expect(v.writeFile("/f", "x")).toBe(0);
    const fds: number[] = [];
    for (;;) {
      const fd = v.open("/f");
      if (fd < 0) {
        expect(fd).toBe(-ERRNO.EMFILE);
        break;
      }
      fds.push(fd);
    }
    expect(fds.length).toBe(4096);
    expect(v.dup(fds[0])).toBe(-ERRNO.EMFILE);
    expect(v.dup2(fds[0], 4096)).toBe(-ERRNO.EBADF);
    for (const fd of fds) expect(v.close(fd)).toBe(0);
  });
});

describe("truncate", () => {
  it("shrinks and grows; the regrown part reads as zeros", () => {
    const fd = openOk("/f", VFS.O_RDWR | VFS.O_CREAT);
    const data = Uint8Array.from({ length: 10_000 }, () => 0xaa);
    expect(v.write(fd, data)).toBe(10_000);
    expect(v.ftruncate(fd, 5000)).toBe(0);
    expect(statOk("/f")).toMatchObject({ size: 5000, blocks: 16 });
    expect(v.truncate("/f", 12_000)).toBe(0);
    const back = v.read(fd, 20_000, 0) as Uint8Array;
    expect(back.length).toBe(12_000);
    expect(back.subarray(0, 5000).every((b) => b === 0xaa)).toBe(true);
    expect(back.subarray(5000).every((b) => b === 0)).toBe(true);
    expect(v.ftruncate(fd, 0)).toBe(0);
    expect(statOk("/f")).toMatchObject({ size: 0, blocks: 0 });
    expect(v.ftruncate(fd, -1)).toBe(-ERRNO.EINVAL);
    expect(v.close(fd)).toBe(0);
  });

  it("refuses directories, missing files and negative sizes", () => {
    expect(v.mkdir("/d")).toBe(0);
    expect(v.truncate("/d", 0)).toBe(-ERRNO.EISDIR);
    expect(v.truncate("/none", 0)).toBe(-ERRNO.ENOENT);
    expect(v.writeFile("/f", "x")).toBe(0);
    expect(v.truncate("/f", -1)).toBe(-ERRNO.EINVAL);
    expect(v.symlink("/f", "/l")).toBe(0);
    expect(v.truncate("/l", 0)).toBe(0); // follows the link
    expect(statOk("/f").size).toBe(0);
  });

  it("refuses sizes past the largest file (EFBIG)", () => {
    expect(v.writeFile("/f", "x")).toBe(0);
    expect(v.truncate("/f", 1n << 42n)).toBe(0);
    expect(statOk("/f").size).toBe(2 ** 42);
    expect(v.truncate("/f", (1n << 42n) + 1n)).toBe(-ERRNO.EFBIG);
    const fd = openOk("/f", VFS.O_WRONLY);
    expect(v.write(fd, "x", 2 ** 42)).toBe(-ERRNO.EFBIG);
    // Within the limit, but the chunk index would not fit in memory: ENOSPC, and nothing changed.
    expect(v.write(fd, "x", 2 ** 42 - 10)).toBe(-ERRNO.ENOSPC);
    expect(v.write(fd, "x", 2 ** 38)).toBe(-ERRNO.ENOSPC);
    expect(statOk("/f")).toMatchObject({ size: 2 ** 42, blocks: 8 });
    expect(v.close(fd)).toBe(0);
  });
});

describe("removing", () => {
  it("unlink of an open file: still readable and writable until the last close", () => {
    expect(v.writeFile("/f", "kept")).toBe(0);
    const before = nodes();
    const fd = openOk("/f", VFS.O_RDWR);
    const copy = v.dup(fd);
    expect(v.unlink("/f")).toBe(0);
    expect(v.stat("/f")).toBe(-ERRNO.ENOENT);
    expect(v.list("/")).toEqual([]);
    expect(v.fstat(fd)).toMatchObject({ links: 0, size: 4 });
    expect(v.write(fd, "!", 4)).toBe(1);
    expect(v.readText(copy, 10, 0)).toBe("kept!");
    expect(nodes()).toBe(before);
    expect(v.close(fd)).toBe(0);
    expect(nodes()).toBe(before);
    expect(v.close(copy)).toBe(0);
    expect(nodes()).toBe(before - 1);
  });

  it("unlink and rmdir refuse the wrong kind and missing names", () => {
    expect(v.mkdir("/d")).toBe(0);
    expect(v.writeFile("/d/f", "x")).toBe(0);
    expect(v.unlink("/d")).toBe(-ERRNO.EISDIR);
    expect(v.rmdir("/d/f")).toBe(-ERRNO.ENOTDIR);
    expect(v.rmdir("/d")).toBe(-ERRNO.ENOTEMPTY);
    expect(v.unlink("/d/none")).toBe(-ERRNO.ENOENT);
    expect(v.rmdir("/none")).toBe(-ERRNO.ENOENT);
    expect(v.unlink("/d/f")).toBe(0);
    expect(v.rmdir("/d")).toBe(0);
    expect(v.stat("/d")).toBe(-ERRNO.ENOENT);
  });

  it("mkdir refuses names that exist and missing parents", () => {
    expect(v.mkdir("/d")).toBe(0);
    expect(v.mkdir("/d")).toBe(-ERRNO.EEXIST);
    expect(v.writeFile("/f", "x")).toBe(0);
    expect(v.mkdir("/f")).toBe(-ERRNO.EEXIST);
    expect(v.symlink("/nowhere", "/l")).toBe(0);
    expect(v.mkdir("/l")).toBe(-ERRNO.EEXIST);
    expect(v.mkdir("/x/y")).toBe(-ERRNO.ENOENT);
  });
});

describe("rename", () => {
  it("moves a file, replacing a file at the destination (open replaced file lives on)", () => {
    expect(v.mkdir("/d")).toBe(0);
    expect(v.writeFile("/a", "A")).toBe(0);
    expect(v.writeFile("/d/b", "B")).toBe(0);
    const inodeA = statOk("/a").inode;
    const openB = openOk("/d/b", VFS.O_RDONLY);
    expect(v.rename("/a", "/d/b")).toBe(0);
    expect(v.stat("/a")).toBe(-ERRNO.ENOENT);
    expect(v.readFile("/d/b")).toBe("A");
    expect(statOk("/d/b").inode).toBe(inodeA);
    expect(v.readText(openB, 10)).toBe("B");
    expect(v.close(openB)).toBe(0);
    expect(v.list("/")).toEqual(["d"]);
  });

  it("moves a directory, over an empty one but never a full one or a file", () => {
    for (const dir of ["/x", "/x/sub", "/empty", "/full", "/full/f"]) {
      expect(dir.endsWith("/f") ? v.writeFile(dir, "f") : v.mkdir(dir)).toBe(0);
    }
    expect(v.writeFile("/file", "f")).toBe(0);
    expect(v.rename("/x", "/full")).toBe(-ERRNO.ENOTEMPTY);
    expect(v.rename("/x", "/file")).toBe(-ERRNO.ENOTDIR);
    expect(v.rename("/file", "/empty")).toBe(-ERRNO.EISDIR);
    expect(statOk("/").links).toBe(5); // 2 + x, empty, full
    expect(v.rename("/x", "/empty")).toBe(0);
    expect(v.list("/")).toEqual(["empty", "file", "full"]);
    expect(v.list("/empty")).toEqual(["sub"]);
    expect(statOk("/").links).toBe(4);
    expect(v.rename("/empty", "/full/moved")).toBe(0);
    expect(statOk("/full").links).toBe(3);
    expect(v.stat("/full/moved/sub")).toMatchObject({ type: VFS.TYPE_DIRECTORY });
  });

  it("refuses to move a directory into itself (EINVAL)", () => {
    for (const dir of ["/p", "/p/q", "/p/q/r"]) expect(v.mkdir(dir)).toBe(0);
    expect(v.rename("/p", "/p/q/r/p")).toBe(-ERRNO.EINVAL);
    expect(v.rename("/p", "/p/inside")).toBe(-ERRNO.EINVAL);
    expect(v.rename("/p/q", "/p/q/r/s")).toBe(-ERRNO.EINVAL);
    // Held open (so cached) or not, the answer is the same.
    const fd = openOk("/p/q/r", VFS.O_DIRECTORY);
    expect(v.rename("/p", "s", undefined, fd)).toBe(-ERRNO.EINVAL);
    expect(v.close(fd)).toBe(0);
    expect(v.rename("/p/q/r", "/r")).toBe(0);
    expect(v.rename("/p", "/r/p")).toBe(0);
    expect(v.stat("/r/p/q")).toMatchObject({ type: VFS.TYPE_DIRECTORY });
  });

  it("renaming onto itself or another name of the same node changes nothing", () => {
    expect(v.writeFile("/f", "x")).toBe(0);
    expect(v.rename("/f", "/f")).toBe(0);
    expect(v.rename("/f", "/./f")).toBe(0);
    expect(v.readFile("/f")).toBe("x");
    expect(v.rename("/none", "/g")).toBe(-ERRNO.ENOENT);
    expect(v.rename("/f", "/none/g")).toBe(-ERRNO.ENOENT);
    expect(v.rename("/f", "/g/")).toBe(-ERRNO.ENOTDIR);
    expect(v.rename("/", "/g")).toBe(-ERRNO.EBUSY);
    expect(v.rename("/f", "/")).toBe(-ERRNO.EBUSY);
    expect(v.rename("/.", "/g")).toBe(-ERRNO.EINVAL);
  });

  it("keeps an open directory's .. right after it moves", () => {
    for (const dir of ["/from", "/to", "/from/d"]) expect(v.mkdir(dir)).toBe(0);
    const fd = openOk("/from/d", VFS.O_DIRECTORY);
    expect(v.rename("/from/d", "/to/d")).toBe(0);
    expect(v.stat("..", fd)).toMatchObject({ inode: statOk("/to").inode });
    expect(v.close(fd)).toBe(0);
  });
});

describe("readdir", () => {
  it("lists ., .. and every entry once, with inode and type", () => {
    expect(v.mkdir("/d")).toBe(0);
    expect(v.writeFile("/d/f", "x")).toBe(0);
    expect(v.mkdir("/d/sub")).toBe(0);
    expect(v.symlink("f", "/d/l")).toBe(0);
    const fd = openOk("/d", VFS.O_DIRECTORY);
    const entries = v.readdirFd(fd);
    expect(v.close(fd)).toBe(0);
    if (typeof entries === "number") throw new Error(`readdir: ${entries}`);
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect([...byName.keys()].sort()).toEqual([".", "..", "f", "l", "sub"]);
    expect(byName.get(".")!.inode).toBe(statOk("/d").inode);
    expect(byName.get("..")!.inode).toBe(statOk("/").inode);
    expect(byName.get("f")).toMatchObject({ type: VFS.TYPE_FILE, inode: statOk("/d/f").inode });
    expect(byName.get("sub")!.type).toBe(VFS.TYPE_DIRECTORY);
    expect(byName.get("l")!.type).toBe(VFS.TYPE_SYMLINK);
  });

  it("resumes from a cookie however the directory changed meanwhile", () => {
    expect(v.mkdir("/d")).toBe(0);
    const names = Array.from({ length: 300 }, (_, i) => `n${i}`);
    for (const name of names) expect(v.writeFile(`/d/${name}`, "")).toBe(0);
    const fd = openOk("/d", VFS.O_DIRECTORY);
    const seen = new Map<string, number>();
    let cookie = 0n;
    let step = 0;
    const removed = new Set<string>();
    for (;;) {
      const entry = v.readdirAt(fd, cookie);
      if (typeof entry === "number") throw new Error(`readdir: ${entry}`);
      if (entry === null) break;
      seen.set(entry.name, (seen.get(entry.name) ?? 0) + 1);
      cookie = entry.next;
      step++;
      // Churn: remove an unseen and a seen name, add new ones.
      if (step % 3 === 0) {
        const victim = names[(step * 7) % names.length];
        if (!removed.has(victim) && v.unlink(`/d/${victim}`) === 0) removed.add(victim);
        expect(v.writeFile(`/d/new${step}`, "")).toBe(0);
      }
    }
    expect(v.close(fd)).toBe(0);
    for (const [name, count] of seen) expect(count, `${name} listed`).toBe(1);
    for (const name of names) if (!removed.has(name)) expect(seen.has(name), `${name} present throughout`).toBe(true);
  });
});

describe("stat", () => {
  it("reports type, mode, links, size, blocks, distinct inodes and zero times", () => {
    expect(v.mkdir("/d", 0o700)).toBe(0);
    expect(v.mkdir("/d/e")).toBe(0);
    expect(v.writeFile("/d/f", "12345")).toBe(0);
    expect(v.symlink("/d/f", "/l")).toBe(0);
    expect(statOk("/d")).toMatchObject({ type: VFS.TYPE_DIRECTORY, mode: 0o700, links: 3 });
    expect(statOk("/d/f")).toMatchObject({ type: VFS.TYPE_FILE, size: 5, blocks: 8, links: 1, accessed: 0n, modified: 0n, changed: 0n });
    expect(v.lstat("/l")).toMatchObject({ type: VFS.TYPE_SYMLINK, size: 4, links: 1 }); // "/d/f"
    const inodes = ["/", "/d", "/d/e", "/d/f"].map((path) => statOk(path).inode);
    expect(new Set(inodes).size).toBe(4);
    const fd = openOk("/d/f", VFS.O_RDONLY);
    expect(v.fstat(fd)).toMatchObject({ inode: statOk("/d/f").inode, size: 5 });
    expect(v.fsync(fd)).toBe(0);
    expect(v.close(fd)).toBe(0);
    expect(v.fstat(fd)).toBe(-ERRNO.EBADF);
    expect(v.fsync(fd)).toBe(-ERRNO.EBADF);
  });
});
