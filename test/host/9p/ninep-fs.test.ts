// Guards fs/9p, the 9P2000.L client filesystem, through the VFS against a
// 9p server in Node over a temporary host directory (fake-server.ts,
// connected by server-link.ts): what the kernel does reaches the host byte
// for byte and what the host changes is seen; reads and writes split at
// msize; readdir cookies across batches; the host's errnos reach the caller;
// fids live exactly as long as vnodes (the session's count and the server's
// fid table agree, and fall back to the root's alone); statfs; read-only mounts; and
// replies broken in every way a server could break them fail the operation
// with EIO, leave no fid behind on either side and leak no kernel memory.

import { mkdtempSync, mkdirSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, statfsSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness, HarnessExports } from "../harness-client";
import { USE } from "../mm/client";
import { VfsClient, VFS, ERRNO } from "../vfs/client";
import { Random, suiteSeed } from "../random";
import { FakeNinePServer } from "./fake-server";
import { linkServer, ServerLink } from "./server-link";

const harness = await Harness.withMemory(512);
const e = harness.exports;
const v = new VfsClient(harness, 2 << 20);
const CLASSES = e.classCount() >>> 0;
const TLOPEN = 12;
const TCLUNK = 120;

let host = "";
let link: ServerLink;
let handle = -1;

function memoryInUse(x: HarnessExports): { objects: number; large: number } {
  let objects = 0;
  for (let c = 0; c < CLASSES; c++) objects += x.slabObjectsOf(c) >>> 0;
  return { objects, large: x.pagesCount(USE.large) >>> 0 };
}

/** Mounts a 9p filesystem over a fresh server on `host` as the root; its handle. */
function mountNineP(readOnly = false): number {
  link = linkServer(harness, new FakeNinePServer(host));
  const made = e.ninepCreate(harness.newString("hosttag"), readOnly ? 1 : 0);
  expect(made, made < 0 ? harness.string(e.ninepFailureText()) : "").toBeGreaterThanOrEqual(0);
  expect(v.mountRoot(made)).toBe(0);
  return made;
}

function unmountNineP(): void {
  for (let fd = 0; v.openDescriptors() > 0 && fd < 5000; fd++) v.close(fd);
  expect(v.unmount("/")).toBe(0);
  e.fsFree(handle);
  handle = -1;
  expect(link.server.fidCount, "fids the server still holds").toBe(0);
  link.server.close();
}

function liveFids(): number {
  return e.ninepLiveFids(handle) >>> 0;
}

const hostFile = (name: string) => readFileSync(join(host, name), "utf8");

beforeEach(() => {
  host = mkdtempSync(join(tmpdir(), "wisp-9p-"));
});

afterEach(() => {
  if (handle >= 0) unmountNineP();
  rmSync(host, { recursive: true, force: true });
});

describe("9p: a host directory through the VFS", () => {
  it("agrees a 512 KiB msize and attaches to the directory", () => {
    handle = mountNineP();
    expect(e.ninepMsize(handle)).toBe(512 * 1024);
    expect(liveFids()).toBe(1);
    expect(link.server.fidCount).toBe(1);
  });

  it("makes, renames, links, truncates and deletes files on the host", () => {
    handle = mountNineP();
    expect(v.writeFile("/a.txt", "alpha\n")).toBe(0);
    expect(v.writeFile("/b.txt", "bravo\n")).toBe(0);
    expect(v.writeFile("/doomed.txt", "x")).toBe(0);
    expect(v.rename("/b.txt", "/a.txt")).toBe(0); // over an existing file
    expect(v.mkdir("/sub")).toBe(0);
    expect(v.rename("/a.txt", "/sub/moved.txt")).toBe(0);
    expect(v.link("/sub/moved.txt", "/linked.txt")).toBe(0);
    expect(v.symlink("sub/moved.txt", "/rel")).toBe(0);
    expect(v.unlink("/doomed.txt")).toBe(0);
    expect(v.writeFile("/t.txt", "truncate me")).toBe(0);
    expect(v.truncate("/t.txt", 3)).toBe(0);
    expect(v.mkdir("/gone")).toBe(0);
    expect(v.rmdir("/gone")).toBe(0);

    expect(readdirSync(host).sort()).toEqual(["linked.txt", "rel", "sub", "t.txt"]);
    expect(hostFile("sub/moved.txt")).toBe("bravo\n");
    expect(statSync(join(host, "linked.txt")).nlink).toBe(2);
    expect(readlinkSync(join(host, "rel"))).toBe("sub/moved.txt");
    expect(hostFile("t.txt")).toBe("tru");
    expect(v.readFile("/rel")).toBe("bravo\n");
    expect(v.readlink("/rel")).toBe("sub/moved.txt");
    const linked = v.stat("/linked.txt");
    if (typeof linked === "number") throw new Error(`stat: ${linked}`);
    expect(linked.links).toBe(2);
    expect(linked.inode).toBe(statSync(join(host, "linked.txt"), { bigint: true }).ino);
  });

  it("sees what the host changed, at once", () => {
    writeFileSync(join(host, "note.txt"), "first");
    handle = mountNineP();
    expect(v.readFile("/note.txt")).toBe("first");
    writeFileSync(join(host, "note.txt"), "second, longer");
    expect(v.readFile("/note.txt")).toBe("second, longer");
    const status = v.stat("/note.txt");
    if (typeof status === "number") throw new Error(`stat: ${status}`);
    expect(status.size).toBe(14);
    expect(status.modified).toBe(statSync(join(host, "note.txt"), { bigint: true }).mtimeNs);
    rmSync(join(host, "note.txt"));
    expect(v.open("/note.txt")).toBe(-ERRNO.ENOENT);
  });

  it("reads and writes more than one message holds, in msize pieces", () => {
    handle = mountNineP();
    const data = new Uint8Array(1536 * 1024).map((_, i) => (i * 7 + (i >> 12)) & 0xff);
    const fd = v.open("/big.bin", VFS.O_RDWR | VFS.O_CREAT);
    expect(v.write(fd, data)).toBe(data.length);
    expect(link.server.counts.get("Twrite")).toBe(4); // 512 KiB less the header per message
    expect(Buffer.compare(readFileSync(join(host, "big.bin")), Buffer.from(data))).toBe(0);
    const back = v.read(fd, data.length, 0);
    if (typeof back === "number") throw new Error(`read: ${back}`);
    expect(Buffer.compare(Buffer.from(back), Buffer.from(data))).toBe(0);
    expect(link.server.counts.get("Tread")).toBe(4);
    expect(v.close(fd)).toBe(0);
  });

  it("writes and reads past 4 GiB", () => {
    handle = mountNineP();
    const fd = v.open("/sparse.bin", VFS.O_RDWR | VFS.O_CREAT);
    const at = 5 * 2 ** 30;
    expect(v.write(fd, "tail", at)).toBe(4);
    expect(v.read(fd, 4, at)).toEqual(new TextEncoder().encode("tail"));
    expect(statSync(join(host, "sparse.bin")).size).toBe(at + 4);
    expect(v.close(fd)).toBe(0);
  });

  it("lists a directory larger than one batch, each entry once, and continues from any cookie", () => {
    const names = Array.from({ length: 400 }, (_, i) => `entry-${String(i).padStart(4, "0")}-${"x".repeat(40)}`);
    for (const name of names) writeFileSync(join(host, name), "");
    mkdirSync(join(host, "dir"));
    symlinkSync("dir", join(host, "link"));
    handle = mountNineP();
    const fd = v.open("/", VFS.O_RDONLY | VFS.O_DIRECTORY);
    const entries = v.readdirFd(fd);
    if (typeof entries === "number") throw new Error(`readdir: ${entries}`);
    expect(entries.map((entry) => entry.name)).toEqual([".", "..", ...[...names, "dir", "link"].sort()]);
    expect(entries.find((entry) => entry.name === "dir")!.type).toBe(VFS.TYPE_DIRECTORY);
    expect(entries.find((entry) => entry.name === "link")!.type).toBe(VFS.TYPE_SYMLINK);
    expect(entries.find((entry) => entry.name === names[0])!.type).toBe(VFS.TYPE_FILE);
    expect(link.server.counts.get("Treaddir")).toBeGreaterThan(2);
    const middle = entries[250];
    const next = v.readdirAt(fd, middle.next);
    if (next === null || typeof next === "number") throw new Error(`readdir at ${middle.next}: ${next}`);
    expect(next.name).toBe(entries[251].name);
    expect(v.close(fd)).toBe(0);
  });

  it("passes the host's errors on", () => {
    writeFileSync(join(host, "file"), "x");
    mkdirSync(join(host, "full"));
    writeFileSync(join(host, "full/inside"), "x");
    handle = mountNineP();
    expect(v.open("/missing")).toBe(-ERRNO.ENOENT);
    expect(v.mkdir("/full")).toBe(-ERRNO.EEXIST);
    expect(v.rmdir("/full")).toBe(-ERRNO.ENOTEMPTY);
    expect(v.open("/file/below")).toBe(-ERRNO.ENOTDIR);
    link.mutate = (_index, type, reply) => type === TLOPEN ? rlerror(reply, 13) : reply; // EACCES
    expect(v.open("/file", VFS.O_WRONLY)).toBe(-ERRNO.EACCES);
    link.mutate = (_index, type, reply) => type === 118 ? rlerror(reply, 28) : reply; // Twrite: ENOSPC
    const fd = v.open("/file", VFS.O_WRONLY);
    expect(v.write(fd, "more")).toBe(-ERRNO.ENOSPC);
    expect(v.close(fd)).toBe(0);
    link.mutate = undefined;
  });

  it("holds a fid per vnode and clunks it when the vnode goes", () => {
    for (let i = 0; i < 10; i++) writeFileSync(join(host, `f${i}`), `file ${i}`);
    handle = mountNineP();
    const fds = Array.from({ length: 10 }, (_, i) => v.open(`/f${i}`, i % 2 ? VFS.O_RDWR : VFS.O_RDONLY));
    for (const fd of fds) expect(fd).toBeGreaterThanOrEqual(0);
    expect(liveFids()).toBe(1 + 10 * 2); // the root, and per file its walked fid and an open one
    expect(link.server.fidCount).toBe(liveFids());
    for (const fd of fds) expect(v.close(fd)).toBe(0);
    expect(liveFids()).toBe(1);
    expect(link.server.fidCount).toBe(1);
    // Lookups of files already held, failed lookups, listings and renames leave nothing either.
    const fd = v.open("/f0");
    for (let i = 0; i < 5; i++) expect(v.stat("/f0")).not.toBeTypeOf("number");
    expect(v.stat("/nothing")).toBe(-ERRNO.ENOENT);
    expect(v.list("/")).toHaveLength(10);
    expect(v.rename("/f1", "/f2")).toBe(0);
    expect(v.close(fd)).toBe(0);
    expect(liveFids()).toBe(2); // the root, and the open fid it lists through (kept while the root is)
    expect(link.server.fidCount).toBe(2);
  });

  it("reports the host filesystem's size as statfs (Tstatfs)", () => {
    handle = mountNineP();
    const fd = v.open("/");
    const before = statfsSync(host, { bigint: true });
    const space = v.statfs(fd);
    const after = statfsSync(host, { bigint: true });
    expect(v.close(fd)).toBe(0);
    if (typeof space === "number") throw new Error(`statfs: ${space}`);
    expect([space.blockSize, space.blocks, space.files, space.nameMax, space.readOnly]).toEqual([Number(before.bsize), before.blocks, before.files, 255, false]);
    // Other processes write to the same host filesystem: the free counts lie between the two looks.
    const between = (value: bigint, a: bigint, b: bigint) => value >= (a < b ? a : b) && value <= (a < b ? b : a);
    expect(between(space.freeBlocks, before.bfree, after.bfree)).toBe(true);
    expect(between(space.availableBlocks, before.bavail, after.bavail)).toBe(true);
    expect(between(space.freeFiles, before.ffree, after.ffree)).toBe(true);
  });

  it("refuses every change on a read-only mount and still reads", () => {
    writeFileSync(join(host, "file"), "kept");
    handle = mountNineP(true);
    expect(v.readFile("/file")).toBe("kept");
    expect(v.open("/file", VFS.O_WRONLY)).toBe(-ERRNO.EROFS);
    expect(v.open("/new", VFS.O_WRONLY | VFS.O_CREAT)).toBe(-ERRNO.EROFS);
    expect(v.unlink("/file")).toBe(-ERRNO.EROFS);
    expect(v.mkdir("/dir")).toBe(-ERRNO.EROFS);
    expect(readdirSync(host)).toEqual(["file"]);
  });

  it("mounts one session per tag, and mounts again after the unmount", () => {
    handle = mountNineP();
    expect(e.ninepCreate(harness.newString("hosttag"), 0)).toBe(-ERRNO.EBUSY);
    expect(harness.string(e.ninepFailureText())).toBe("9p hosttag is in use (mounted already)");
    unmountNineP();
    handle = mountNineP();
    expect(liveFids()).toBe(1);
  });

  it("gives back every byte of kernel memory at unmount", () => {
    writeFileSync(join(host, "file"), "x");
    const before = memoryInUse(e);
    for (let round = 0; round < 3; round++) {
      handle = mountNineP();
      expect(v.writeFile("/new", "some bytes")).toBe(0);
      expect(v.list("/")).toHaveLength(2);
      expect(v.readFile("/file")).toBe("x");
      expect(v.unlink("/new")).toBe(0);
      unmountNineP();
    }
    expect(memoryInUse(e)).toEqual(before);
  });
});

/** A T-message laid out by hand: type, tag, then each field (n: u32, [n, 2]: u16, bigint: u64, string: len[2] + UTF-8). */
function message(type: number, tag: number, ...fields: Array<number | bigint | string | [number, 2]>): Uint8Array {
  const bytes: number[] = [0, 0, 0, 0, type, tag & 0xff, tag >> 8];
  const le = (value: bigint, width: number) => {
    for (let i = 0; i < width; i++) bytes.push(Number((value >> BigInt(8 * i)) & 0xffn));
  };
  for (const field of fields) {
    if (typeof field === "string") {
      const text = new TextEncoder().encode(field);
      le(BigInt(text.length), 2);
      bytes.push(...text);
    } else if (Array.isArray(field)) le(BigInt(field[0]), 2);
    else if (typeof field === "bigint") le(field, 8);
    else le(BigInt(field), 4);
  }
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(0, out.length, true);
  return out;
}

/** The requests of `type` sent so far. */
const sentOfType = (type: number) => link.sent.filter((bytes) => bytes[4] === type);

describe("9p: requests on the wire", () => {
  it("lays out every request as 9P2000.L says", () => {
    writeFileSync(join(host, "old"), "0123456789");
    handle = mountNineP();
    const [tversion, tattach] = link.sent;
    expect(tversion).toEqual(message(100, 0xffff, 512 * 1024, "9P2000.L"));
    expect(tattach).toEqual(message(104, 1, 0, 0xffffffff, "root", "", 0));

    expect(v.mkdir("/d", 0o750)).toBe(0); // walk "d" as fid 1 (ENOENT: 1 is free again), Tmkdir, walk "d" as fid 1, clunk 1
    expect(sentOfType(72)).toEqual([message(72, 1, 0, "d", 0o750, 0)]);
    expect(sentOfType(110).at(-1)).toEqual(message(110, 1, 0, 1, [1, 2], "d"));
    expect(sentOfType(120).at(-1)).toEqual(message(120, 1, 1));

    // walk "f" (ENOENT), clone the root as fid 1, Tlcreate makes it the open file, walk "f" as fid 2 (its vnode's)
    const fd = v.open("/f", VFS.O_RDWR | VFS.O_CREAT | VFS.O_EXCL, 0o640);
    expect(sentOfType(110).slice(-2)).toEqual([message(110, 1, 0, 1, [0, 2]), message(110, 1, 0, 2, [1, 2], "f")]);
    expect(sentOfType(14)).toEqual([message(14, 1, 1, "f", 0o200 | 2, 0o640, 0)]);
    expect(v.write(fd, "abc", 5 * 2 ** 30)).toBe(3);
    const twrite = Uint8Array.from([...message(118, 1, 1, 5n << 30n, 3), 97, 98, 99]);
    new DataView(twrite.buffer).setUint32(0, 26, true); // the size counts the data that follows the head
    expect(sentOfType(118)).toEqual([twrite]);
    expect(v.read(fd, 2, 1)).toEqual(new Uint8Array(2));
    expect(sentOfType(116)).toEqual([message(116, 1, 1, 1n, 2)]);
    expect(v.fsync(fd)).toBe(0);
    expect(sentOfType(50)).toEqual([message(50, 1, 1, 0)]);
    expect(v.ftruncate(fd, 7)).toBe(0);
    expect(sentOfType(26)).toEqual([message(26, 1, 1, 0x8, 0, 0, 0, 7n, 0n, 0n, 0n, 0n)]);
    expect(v.close(fd)).toBe(0);

    expect(v.symlink("target", "/s")).toBe(0);
    expect(sentOfType(16)).toEqual([message(16, 1, 0, "s", "target", 0)]);
    expect(v.readlink("/s")).toBe("target");
    expect(sentOfType(22).length).toBe(1);
    expect(v.link("/old", "/hard")).toBe(0);
    const oldFid = new DataView(sentOfType(70)[0].buffer).getUint32(11, true);
    expect(sentOfType(70)).toEqual([message(70, 1, 0, oldFid, "hard")]);
    expect(v.rename("/hard", "/moved")).toBe(0);
    expect(sentOfType(74)).toEqual([message(74, 1, 0, "hard", 0, "moved")]);
    expect(v.unlink("/moved")).toBe(0);
    expect(sentOfType(76)).toEqual([message(76, 1, 0, "moved", 0)]);
    expect(v.rmdir("/d")).toBe(0);
    expect(sentOfType(76).at(-1)).toEqual(message(76, 1, 0, "d", 0x200));
    expect(v.list("/")).toEqual(["f", "old", "s"]);
    const listFid = new DataView(sentOfType(12).at(-1)!.buffer).getUint32(7, true);
    expect(sentOfType(12).at(-1)).toEqual(message(12, 1, listFid, 0o200000));
    expect(sentOfType(40)[0]).toEqual(message(40, 1, listFid, 0n, 8192));
  });

  it("asks for 64 KiB when a server refuses 512 KiB", () => {
    link = linkServer(harness, new FakeNinePServer(host));
    link.mutate = (index, type, reply) => index === 0 && type === 100 ? rlerror(reply, 22) : reply;
    handle = e.ninepCreate(harness.newString("hosttag"), 0);
    expect(handle).toBeGreaterThanOrEqual(0);
    expect(v.mountRoot(handle)).toBe(0);
    expect(e.ninepMsize(handle)).toBe(64 * 1024);
    expect(sentOfType(100)).toEqual([message(100, 0xffff, 512 * 1024, "9P2000.L"), message(100, 0xffff, 64 * 1024, "9P2000.L")]);
  });
});

/** The reply turned into an Rlerror with `errno`, keeping its tag. */
function rlerror(reply: Uint8Array, errno: number): Uint8Array {
  const out = new Uint8Array(11);
  new DataView(out.buffer).setUint32(0, 11, true);
  out[4] = 7;
  out.set(reply.subarray(5, 7), 5);
  new DataView(out.buffer).setUint32(7, errno, true);
  return out;
}

describe("9p: a server that answers nonsense", () => {
  const KINDS = ["truncated", "longer", "size field", "tag", "type"] as const;

  function broken(random: Random, kind: (typeof KINDS)[number], reply: Uint8Array): Uint8Array {
    const out = Uint8Array.from(reply);
    const view = new DataView(out.buffer);
    switch (kind) {
      case "truncated": return out.subarray(0, random.int(0, out.length - 1));
      case "longer": return Uint8Array.from([...out, ...Array.from({ length: random.int(1, 16) }, () => random.int(0, 255))]);
      case "size field": view.setUint32(0, out.length + random.int(1, 1000) * (random.int(0, 1) ? 1 : -1), true); return out;
      case "tag": view.setUint16(5, view.getUint16(5, true) ^ random.int(1, 0xffff), true); return out;
      case "type": out[4] = [0, 6, 8, 99, 101, 255].filter((type) => type !== out[4])[random.int(0, 4)]; return out;
    }
  }

  /** Every kind of operation, each returning its result. */
  function script(): Array<[string, () => number]> {
    const result = (value: unknown) => (typeof value === "number" ? value : 0);
    let fd = -1;
    return [
      ["open for writing", () => (fd = v.open("/file", VFS.O_RDWR))],
      ["write", () => v.write(fd, "written")],
      ["read", () => result(v.read(fd, 7, 0))],
      ["fstat", () => result(v.fstat(fd))],
      ["close", () => v.close(fd)],
      ["create", () => v.writeFile("/new", "new")],
      ["mkdir", () => v.mkdir("/dir2")],
      ["list", () => result(v.list("/dir"))],
      ["symlink", () => v.symlink("file", "/sym")],
      ["readlink", () => result(v.readlink("/link"))],
      ["link", () => v.link("/file", "/hard")],
      ["rename", () => v.rename("/new", "/renamed")],
      ["truncate", () => v.truncate("/file", 2)],
      ["unlink", () => v.unlink("/hard")],
      ["rmdir", () => v.rmdir("/dir2")],
      ["stat", () => result(v.stat("/dir/inner"))],
    ];
  }

  it("fails the operation a broken reply answers with EIO, and leaks no fid and no memory", () => {
    const random = new Random(suiteSeed(), 9);
    const before = memoryInUse(e);
    for (let round = 0; round < 150; round++) {
      rmSync(host, { recursive: true, force: true });
      mkdirSync(join(host, "dir"), { recursive: true });
      writeFileSync(join(host, "file"), "content");
      writeFileSync(join(host, "dir/inner"), "inner");
      symlinkSync("file", join(host, "link"));
      handle = mountNineP();
      const kind = KINDS[random.int(0, KINDS.length - 1)];
      const target = link.requests + random.int(0, 60);
      let brokenType = -1;
      link.mutate = (index, type, reply) => {
        if (index !== target) return reply;
        brokenType = type;
        return broken(random, kind, reply);
      };
      for (const [name, run] of script()) {
        const seen = brokenType;
        const outcome = run();
        if (seen === -1 && brokenType !== -1 && brokenType !== TCLUNK) {
          expect(outcome, `round ${round}: ${name} answered by a reply broken (${kind}) in type ${brokenType}`).toBe(-ERRNO.EIO);
        }
        expect(link.server.fidCount, `round ${round} after ${name}: fids`).toBe(liveFids());
      }
      link.mutate = undefined;
      unmountNineP();
      const now = memoryInUse(e);
      expect(now, `round ${round}: memory after a reply broken (${kind}) in type ${brokenType}`).toEqual(before);
    }
  });
});
