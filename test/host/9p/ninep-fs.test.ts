// Guards fs/9p, the 9P2000.L client filesystem, through the VFS against a
// 9p server in Node over a temporary host directory (fake-server.ts,
// connected by server-link.ts): what the kernel does reaches the host byte
// for byte and what the host changes is seen; reads and writes split at
// msize; readdir cookies across batches; the host's errnos reach the caller;
// fids live exactly as long as vnodes (the session's count and the server's
// fid table agree, and fall back to the root's alone); read-only mounts; and
// replies broken in every way a server could break them fail the operation
// with EIO, leave no fid behind on either side and leak no kernel memory.

import { mkdtempSync, mkdirSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
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
