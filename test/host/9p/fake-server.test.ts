// Guards the fake 9P2000.L server (fake-server.ts) the 9p client's host
// tests talk to: T-messages built here byte by byte against a temporary
// directory, replies checked field by field (and byte for byte where short):
// version negotiation, attach, walks, attributes, creating, reading and
// writing (past 4 GiB too), directory listings across calls, the tree
// operations, readOnly refusals, and malformed messages answered with
// Rlerror, never an exception.

import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeNinePServer, type FakeServerOptions } from "./fake-server";

const NOTAG = 0xffff;
const NOFID = 0xffff_ffff;
const E = {
  ENOENT: 2, EIO: 5, EBADF: 9, EEXIST: 17, ENOTDIR: 20, EINVAL: 22, EROFS: 30, ENOTEMPTY: 39, ELOOP: 40, EPROTO: 71,
  EOPNOTSUPP: 95,
};
const T = {
  statfs: 8, lopen: 12, lcreate: 14, symlink: 16, mknod: 18, readlink: 22, getattr: 24, setattr: 26, readdir: 40,
  fsync: 50, link: 70, mkdir: 72, renameat: 74, unlinkat: 76, version: 100, auth: 102, attach: 104, flush: 108,
  walk: 110, read: 116, write: 118, clunk: 120, remove: 122,
};
const O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0x40, O_TRUNC = 0x200;
const AT_REMOVEDIR = 0x200;

// --- encoding requests ---

const u8 = (value: number) => [value & 0xff];
const u16 = (value: number) => [value & 0xff, (value >>> 8) & 0xff];
const u32 = (value: number) => [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
const u64 = (value: bigint | number) =>
  Array.from({ length: 8 }, (_, i) => Number((BigInt(value) >> BigInt(8 * i)) & 0xffn));
const str = (text: string) => {
  const bytes = [...new TextEncoder().encode(text)];
  return [...u16(bytes.length), ...bytes];
};

/** size[4] type[1] tag[2] then the fields, little-endian. */
function message(type: number, tag: number, ...fields: number[][]): Uint8Array {
  const body = fields.flat();
  return new Uint8Array([...u32(7 + body.length), type, ...u16(tag), ...body]);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

// --- decoding replies ---

interface Qid {
  type: number;
  version: number;
  path: bigint;
}

class Reply {
  readonly type: number;
  readonly tag: number;
  private at = 7;
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(this.view.getUint32(0, true), "size field").toBe(bytes.length);
    this.type = bytes[4];
    this.tag = this.view.getUint16(5, true);
  }

  /** The errno of an Rlerror, 0 for any other reply. */
  get errno(): number {
    return this.type === 7 ? this.view.getUint32(7, true) : 0;
  }

  u8(): number {
    return this.view.getUint8((this.at += 1) - 1);
  }
  u16(): number {
    return this.view.getUint16((this.at += 2) - 2, true);
  }
  u32(): number {
    return this.view.getUint32((this.at += 4) - 4, true);
  }
  u64(): bigint {
    return this.view.getBigUint64((this.at += 8) - 8, true);
  }
  string(): string {
    const length = this.u16();
    this.at += length;
    return new TextDecoder().decode(this.bytes.subarray(this.at - length, this.at));
  }
  qid(): Qid {
    return { type: this.u8(), version: this.u32(), path: this.u64() };
  }
  data(count: number): Uint8Array {
    this.at += count;
    return this.bytes.slice(this.at - count, this.at);
  }
  /** Bytes not yet read. */
  get left(): number {
    return this.bytes.length - this.at;
  }

  /** Every byte read. */
  done(): void {
    expect(this.at).toBe(this.bytes.length);
  }
}

let dir = "";
let server: FakeNinePServer;
let tag = 1;

beforeEach(() => {
  dir = fs.mkdtempSync(join(tmpdir(), "wisp-fake9p-"));
});

afterEach(() => {
  server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Sends one T-message; the reply must carry its tag and be its R-message or an Rlerror. */
function send(type: number, ...fields: number[][]): Reply {
  const reply = new Reply(server.handle(message(type, ++tag & 0x7fff, ...fields)));
  expect(reply.tag).toBe(tag & 0x7fff);
  expect([type + 1, 7]).toContain(reply.type);
  return reply;
}

/** Sends one T-message that must succeed. */
function ok(type: number, ...fields: number[][]): Reply {
  const reply = send(type, ...fields);
  expect(reply.errno, `T-message ${type} failed`).toBe(0);
  return reply;
}

/** Sends one T-message that must fail with `errno`. */
function fails(errno: number, type: number, ...fields: number[][]): void {
  const reply = send(type, ...fields);
  expect(reply.type).toBe(7);
  expect(reply.errno).toBe(errno);
  expect(reply.bytes.length).toBe(11);
}

/** A server over the temporary directory, version agreed and fid 0 attached to the root. */
function start(options?: FakeServerOptions): void {
  server = new FakeNinePServer(dir, options);
  ok(T.version, u32(512 * 1024), str("9P2000.L"));
  ok(T.attach, u32(0), u32(NOFID), str("root"), str(""), u32(0));
}

const ino = (path: string) => fs.lstatSync(join(dir, path), { bigint: true }).ino;

function walk(fid: number, newFid: number, ...names: string[]): Reply {
  return send(T.walk, u32(fid), u32(newFid), u16(names.length), ...names.map(str));
}

function getattr(fid: number) {
  const r = ok(T.getattr, u32(fid), u64(0x7ffn));
  const attr = {
    valid: r.u64(), qid: r.qid(), mode: r.u32(), uid: r.u32(), gid: r.u32(), nlink: r.u64(), rdev: r.u64(),
    size: r.u64(), blksize: r.u64(), blocks: r.u64(), atime: [r.u64(), r.u64()], mtime: [r.u64(), r.u64()],
    ctime: [r.u64(), r.u64()], btime: [r.u64(), r.u64()], gen: r.u64(), dataVersion: r.u64(),
  };
  r.done();
  return attr;
}

/** Walks fid 0 to `path` as `fid` and opens it with `flags`. */
function open(fid: number, flags: number, ...path: string[]): Reply {
  expect(walk(0, fid, ...path).errno).toBe(0);
  return ok(T.lopen, u32(fid), u32(flags));
}

function read(fid: number, offset: bigint | number, count: number): Uint8Array {
  const r = ok(T.read, u32(fid), u64(offset), u32(count));
  const data = r.data(r.u32());
  r.done();
  return data;
}

function write(fid: number, offset: bigint | number, text: string): number {
  const data = [...new TextEncoder().encode(text)];
  return ok(T.write, u32(fid), u64(offset), u32(data.length), data).u32();
}

interface Entry {
  qid: Qid;
  offset: bigint;
  type: number;
  name: string;
}

function readdir(fid: number, offset: bigint, count: number): Entry[] {
  const r = ok(T.readdir, u32(fid), u64(offset), u32(count));
  const bytes = r.u32();
  expect(bytes).toBeLessThanOrEqual(count);
  expect(r.bytes.length).toBe(11 + bytes);
  const entries: Entry[] = [];
  while (r.left > 0) {
    entries.push({ qid: r.qid(), offset: r.u64(), type: r.u8(), name: r.string() });
  }
  r.done();
  return entries;
}

describe("the fake 9P2000.L server: session", () => {
  it("agrees on msize and 9P2000.L, byte for byte, and answers 'unknown' to anything else", () => {
    server = new FakeNinePServer(dir, { msizeMax: 8192 });
    // size 21 | Rversion 101 | NOTAG | msize 4096 | "9P2000.L"
    const agreed = server.handle(message(T.version, NOTAG, u32(4096), str("9P2000.L")));
    expect(hex(agreed)).toBe("15000000" + "65" + "ffff" + "00100000" + "0800" + Buffer.from("9P2000.L").toString("hex"));
    const capped = new Reply(server.handle(message(T.version, NOTAG, u32(1 << 20), str("9P2000.L"))));
    expect([capped.type, capped.u32(), capped.string()]).toEqual([101, 8192, "9P2000.L"]);
    const other = new Reply(server.handle(message(T.version, NOTAG, u32(8192), str("9P2000.u"))));
    expect([other.type, other.u32(), other.string()]).toEqual([101, 8192, "unknown"]);
    // and with no 9P2000.L agreed, nothing else is served
    fails(E.EPROTO, T.attach, u32(0), u32(NOFID), str(""), str(""), u32(0));
  });

  it("serves nothing before Tversion, and nothing larger than msize", () => {
    server = new FakeNinePServer(dir, { msizeMax: 4096 });
    fails(E.EPROTO, T.attach, u32(0), u32(NOFID), str(""), str(""), u32(0));
    ok(T.version, u32(512 * 1024), str("9P2000.L"));
    ok(T.attach, u32(0), u32(NOFID), str(""), str(""), u32(0));
    fails(E.EPROTO, T.walk, u32(0), u32(1), u16(1), str("x".repeat(4096)));
  });

  it("attaches the root as a directory qid carrying its inode, once per fid", () => {
    start();
    const r = ok(T.attach, u32(5), u32(NOFID), str("root"), str(""), u32(0));
    expect(r.bytes.length).toBe(7 + 13);
    expect(r.qid()).toEqual({ type: 0x80, version: 0, path: ino("") });
    expect(server.fidCount).toBe(2);
    fails(E.EBADF, T.attach, u32(5), u32(NOFID), str("root"), str(""), u32(0));
    fails(E.EBADF, T.attach, u32(6), u32(7), str("root"), str(""), u32(0)); // no such afid
    fails(E.EOPNOTSUPP, T.auth, u32(7), str("root"), str(""), u32(0));
    expect(server.fids()).toEqual(new Map([[0, "/"], [5, "/"]]));
  });

  it("drops every fid at a new Tversion, and answers Tflush", () => {
    start();
    expect(server.fidCount).toBe(1);
    ok(T.version, u32(8192), str("9P2000.L"));
    expect(server.fidCount).toBe(0);
    const flushed = send(T.flush, u16(3));
    expect([flushed.type, flushed.bytes.length]).toEqual([109, 7]);
  });

  it("counts the T-messages it handles by name", () => {
    start();
    walk(0, 1);
    walk(0, 2, "missing");
    expect(server.counts.get("Tversion")).toBe(1);
    expect(server.counts.get("Tattach")).toBe(1);
    expect(server.counts.get("Twalk")).toBe(2);
    expect(server.counts.get("Tread")).toBeUndefined();
  });
});

describe("the fake 9P2000.L server: walking", () => {
  beforeEach(() => {
    fs.mkdirSync(join(dir, "a/b"), { recursive: true });
    fs.writeFileSync(join(dir, "a/b/c"), "hello");
  });

  it("clones a fid with no names, into a new fid or onto itself", () => {
    start();
    const r = walk(0, 1);
    expect(hex(r.bytes)).toBe("09000000" + "6f" + hex(new Uint8Array(u16(tag))) + "0000");
    expect(server.fids()).toEqual(new Map([[0, "/"], [1, "/"]]));
    expect(walk(1, 1).errno).toBe(0);
    expect(server.fidCount).toBe(2);
    expect(walk(0, 1).errno).toBe(E.EBADF); // newfid in use
    expect(walk(9, 10).errno).toBe(E.EBADF); // no such fid
  });

  it("walks several names, one qid each", () => {
    start();
    const r = walk(0, 1, "a", "b", "c");
    expect(r.u16()).toBe(3);
    expect([r.qid(), r.qid(), r.qid()]).toEqual([
      { type: 0x80, version: 0, path: ino("a") },
      { type: 0x80, version: 0, path: ino("a/b") },
      { type: 0, version: 0, path: ino("a/b/c") },
    ]);
    r.done();
    expect(server.fids().get(1)).toBe("/a/b/c");
    expect(walk(1, 1, "..").errno).toBe(E.ENOTDIR); // not from a file
  });

  it("answers the qids walked so far and makes no newfid when a later name is missing", () => {
    start();
    const r = walk(0, 1, "a", "nope", "c");
    expect(r.u16()).toBe(1);
    expect(r.qid().path).toBe(ino("a"));
    r.done();
    expect(server.fidCount).toBe(1);
    expect(walk(0, 1, "nope").errno).toBe(E.ENOENT);
    expect(walk(0, 0, "a", "nope").u16()).toBe(1);
    expect(server.fids().get(0)).toBe("/"); // a partial walk onto itself leaves the fid where it was
  });

  it("stays at the root walking '..', and refuses names that are not names", () => {
    start();
    const r = walk(0, 1, "..", "..", "a", "..", "..");
    expect(r.u16()).toBe(5);
    const root = ino("");
    expect([r.qid().path, r.qid().path, r.qid().path, r.qid().path, r.qid().path]).toEqual([root, root, ino("a"), root, root]);
    expect(server.fids().get(1)).toBe("/");
    for (const name of ["a/b", ".", "", "a\0"]) expect(walk(0, 2, name).errno, JSON.stringify(name)).toBe(E.EINVAL);
    expect(walk(0, 2, ...Array.from({ length: 17 }, () => "..")).errno).toBe(E.EINVAL);
    expect(server.fidCount).toBe(2);
  });

  it("does not walk from an open fid", () => {
    start();
    open(1, O_RDONLY, "a");
    expect(walk(1, 2, "b").errno).toBe(E.EBADF);
    fails(E.EBADF, T.lopen, u32(1), u32(O_RDONLY));
  });
});

describe("the fake 9P2000.L server: files", () => {
  it("gets the attributes of a file", () => {
    fs.writeFileSync(join(dir, "f"), "x".repeat(5000));
    fs.chmodSync(join(dir, "f"), 0o640);
    fs.utimesSync(join(dir, "f"), 1_700_000_000, 1_795_437_296.5);
    start();
    walk(0, 1, "f");
    const attr = getattr(1);
    const host = fs.lstatSync(join(dir, "f"), { bigint: true });
    expect(attr.valid).toBe(0x7ffn);
    expect(attr.qid).toEqual({ type: 0, version: 0, path: host.ino });
    expect(attr.mode).toBe(0o100640);
    expect([attr.uid, attr.gid]).toEqual([Number(host.uid), Number(host.gid)]);
    expect([attr.nlink, attr.size, attr.blocks]).toEqual([1n, 5000n, host.blocks]);
    expect(attr.mtime).toEqual([1_795_437_296n, 500_000_000n]);
    expect(attr.atime).toEqual([1_700_000_000n, 0n]);
    const root = getattr(0);
    expect(root.mode & 0o170000).toBe(0o040000);
    expect(root.qid.type).toBe(0x80);
  });

  it("creates a file, writes it and reads it back", () => {
    start();
    walk(0, 1);
    const created = ok(T.lcreate, u32(1), str("new"), u32(O_RDWR | O_CREAT), u32(0o600), u32(0));
    expect(created.bytes.length).toBe(7 + 13 + 4);
    expect(created.qid()).toEqual({ type: 0, version: 0, path: ino("new") });
    expect(created.u32()).toBe(0); // iounit
    expect(server.fids().get(1)).toBe("/new");
    expect(write(1, 0, "hello, world")).toBe(12);
    expect(write(1, 7, "there")).toBe(5);
    expect(new TextDecoder().decode(read(1, 0, 100))).toBe("hello, there");
    expect(new TextDecoder().decode(read(1, 7, 3))).toBe("the");
    expect(read(1, 100, 10).length).toBe(0);
    expect(fs.readFileSync(join(dir, "new"), "utf8")).toBe("hello, there");
    expect(fs.statSync(join(dir, "new")).mode & 0o777).toBe(0o600);
  });

  it("refuses an existing name with O_EXCL, and I/O the fid is not open for", () => {
    fs.writeFileSync(join(dir, "f"), "data");
    start();
    walk(0, 1);
    fails(E.EEXIST, T.lcreate, u32(1), str("f"), u32(O_RDWR | O_CREAT | 0x80), u32(0o600), u32(0));
    fails(E.EINVAL, T.lcreate, u32(1), str("a/b"), u32(O_RDWR | O_CREAT), u32(0o600), u32(0));
    walk(0, 2, "f");
    fails(E.EBADF, T.read, u32(2), u64(0), u32(10)); // not open
    open(3, O_RDONLY, "f");
    fails(E.EBADF, T.write, u32(3), u64(0), u32(1), u8(0x41));
    open(4, O_WRONLY | O_TRUNC, "f");
    fails(E.EBADF, T.read, u32(4), u64(0), u32(10));
    expect(fs.statSync(join(dir, "f")).size).toBe(0);
  });

  it("clamps a read to what fits in msize", () => {
    fs.writeFileSync(join(dir, "big"), Buffer.alloc(10_000, 7));
    server = new FakeNinePServer(dir, { msizeMax: 4096 });
    ok(T.version, u32(8192), str("9P2000.L"));
    ok(T.attach, u32(0), u32(NOFID), str(""), str(""), u32(0));
    open(1, O_RDONLY, "big");
    const r = send(T.read, u32(1), u64(0), u32(10_000));
    expect(r.bytes.length).toBe(4096);
    expect(r.u32()).toBe(4096 - 11);
    expect(r.data(4096 - 11).every((byte) => byte === 7)).toBe(true);
  });

  it("writes at 5 GiB into a sparse file and reads it back", () => {
    start();
    walk(0, 1);
    ok(T.lcreate, u32(1), str("sparse"), u32(O_RDWR | O_CREAT), u32(0o600), u32(0));
    const at = 5n << 30n;
    expect(write(1, at, "far away")).toBe(8);
    expect(new TextDecoder().decode(read(1, at, 100))).toBe("far away");
    expect(read(1, at - 4n, 6)).toEqual(new Uint8Array([0, 0, 0, 0, 0x66, 0x61]));
    expect(fs.statSync(join(dir, "sparse")).size).toBe(Number(at) + 8);
    expect(getattr(1).size).toBe(at + 8n);
  });

  it("sets size, mode and times", () => {
    fs.writeFileSync(join(dir, "f"), "0123456789");
    start();
    walk(0, 1, "f");
    const setattr = (valid: number, mode: number, size: bigint, atime: [number, number], mtime: [number, number]) =>
      send(T.setattr, u32(1), u32(valid), u32(mode), u32(0), u32(0), u64(size), u64(atime[0]), u64(atime[1]), u64(mtime[0]), u64(mtime[1]));
    const r = setattr(0x1 | 0x8, 0o100604, 4n, [0, 0], [0, 0]);
    expect([r.type, r.bytes.length]).toEqual([27, 7]);
    expect(fs.readFileSync(join(dir, "f"), "utf8")).toBe("0123");
    expect(fs.statSync(join(dir, "f")).mode & 0o7777).toBe(0o604);
    const before = getattr(1).atime;
    expect(setattr(0x20 | 0x100, 0, 0n, [0, 0], [1_600_000_000, 500_000_000]).errno).toBe(0);
    let attr = getattr(1);
    expect(attr.mtime).toEqual([1_600_000_000n, 500_000_000n]);
    expect(attr.atime[0]).toBe(before[0]); // untouched
    expect(setattr(0x10, 0, 0n, [12, 0], [0, 0]).errno).toBe(0); // ATIME without ATIME_SET: now
    attr = getattr(1);
    expect(Number(attr.atime[0])).toBeGreaterThan(Date.now() / 1000 - 60);
    expect(attr.mtime).toEqual([1_600_000_000n, 500_000_000n]);
  });

  it("syncs an open file, and refuses to sync one not open", () => {
    start();
    walk(0, 1);
    ok(T.lcreate, u32(1), str("f"), u32(O_WRONLY | O_CREAT), u32(0o644), u32(0));
    write(1, 0, "data");
    expect(ok(T.fsync, u32(1), u32(0)).bytes.length).toBe(7);
    expect(ok(T.fsync, u32(1), u32(1)).type).toBe(51);
    fails(E.EBADF, T.fsync, u32(0), u32(0));
  });

  it("answers statfs from the host filesystem", () => {
    start();
    const r = ok(T.statfs, u32(0));
    const host = fs.statfsSync(dir, { bigint: true });
    const answer = {
      type: r.u32(), bsize: r.u32(), blocks: r.u64(), bfree: r.u64(), bavail: r.u64(), files: r.u64(), ffree: r.u64(),
      fsid: r.u64(), namelen: r.u32(),
    };
    r.done();
    expect(answer.bsize).toBe(Number(host.bsize));
    expect(answer.blocks).toBe(host.blocks);
    expect(answer.files).toBe(host.files);
    expect(answer.namelen).toBe(255);
  });
});

describe("the fake 9P2000.L server: directories and the tree", () => {
  it("lists a directory with stable cookies across calls", () => {
    for (const name of ["delta", "alpha", "charlie", "bravo"]) fs.writeFileSync(join(dir, name), name);
    fs.mkdirSync(join(dir, "echo"));
    fs.symlinkSync("alpha", join(dir, "foxtrot"));
    start();
    open(1, O_RDONLY);
    const first = readdir(1, 0n, 24 + 1 + 24 + 2 + 24 + 5 + 10); // ".", "..", "alpha", and not room for "bravo"
    expect(first.map((entry) => entry.name)).toEqual([".", "..", "alpha"]);
    expect(first.map((entry) => entry.offset)).toEqual([1n, 2n, 3n]);
    expect(first[0]).toEqual({ qid: { type: 0x80, version: 0, path: ino("") }, offset: 1n, type: 4, name: "." });
    expect(first[1].qid.path).toBe(ino("")); // ".." of the root is the root
    expect(first[2]).toEqual({ qid: { type: 0, version: 0, path: ino("alpha") }, offset: 3n, type: 8, name: "alpha" });
    const rest = readdir(1, first[2].offset, 8192);
    expect(rest.map((entry) => [entry.name, entry.type, entry.offset])).toEqual([
      ["bravo", 8, 4n], ["charlie", 8, 5n], ["delta", 8, 6n], ["echo", 4, 7n], ["foxtrot", 10, 8n],
    ]);
    expect(rest[3].qid.type).toBe(0x80);
    expect(rest[4].qid.type).toBe(0x02);
    expect(readdir(1, 8n, 8192)).toEqual([]);
    expect(readdir(1, 3n, 8192).map((entry) => entry.name)[0]).toBe("bravo"); // again from the same cookie
    fails(E.EINVAL, T.readdir, u32(1), u64(0), u32(10)); // not even one entry fits
    walk(0, 2);
    fails(E.EBADF, T.readdir, u32(2), u64(0), u32(8192)); // not open
  });

  it("makes and removes directories and files", () => {
    start();
    const made = ok(T.mkdir, u32(0), str("d"), u32(0o750), u32(0));
    expect(made.qid()).toEqual({ type: 0x80, version: 0, path: ino("d") });
    made.done();
    expect(fs.statSync(join(dir, "d")).mode & 0o777).toBe(0o750);
    fails(E.EEXIST, T.mkdir, u32(0), str("d"), u32(0o750), u32(0));
    fs.writeFileSync(join(dir, "d/f"), "x");
    walk(0, 1, "d");
    fails(E.ENOTEMPTY, T.unlinkat, u32(0), str("d"), u32(AT_REMOVEDIR));
    expect(ok(T.unlinkat, u32(1), str("f"), u32(0)).bytes.length).toBe(7);
    expect(fs.existsSync(join(dir, "d/f"))).toBe(false);
    fails(E.ENOENT, T.unlinkat, u32(1), str("f"), u32(0));
    ok(T.unlinkat, u32(0), str("d"), u32(AT_REMOVEDIR));
    expect(fs.existsSync(join(dir, "d"))).toBe(false);
    fails(E.EINVAL, T.unlinkat, u32(0), str(".."), u32(AT_REMOVEDIR));
    fails(E.EINVAL, T.mkdir, u32(0), str("."), u32(0o755), u32(0));
  });

  it("removes a file through Tremove, and clunks the fid either way", () => {
    fs.writeFileSync(join(dir, "f"), "x");
    start();
    walk(0, 1, "f");
    ok(T.remove, u32(1));
    expect(fs.existsSync(join(dir, "f"))).toBe(false);
    expect(server.fidCount).toBe(1);
    walk(0, 2);
    fails(16 /* EBUSY */, T.remove, u32(2)); // not the root
    expect(server.fidCount).toBe(1);
    expect(fs.existsSync(dir)).toBe(true);
  });

  it("renames over an existing file, carrying fids along", () => {
    fs.writeFileSync(join(dir, "old"), "old contents");
    fs.writeFileSync(join(dir, "target"), "target contents");
    fs.mkdirSync(join(dir, "sub"));
    start();
    walk(0, 1, "old");
    const moved = ino("old");
    walk(0, 2, "sub");
    expect(ok(T.renameat, u32(0), str("old"), u32(0), str("target")).bytes.length).toBe(7);
    expect(fs.existsSync(join(dir, "old"))).toBe(false);
    expect(fs.readFileSync(join(dir, "target"), "utf8")).toBe("old contents");
    expect(ino("target")).toBe(moved);
    expect(server.fids().get(1)).toBe("/target");
    ok(T.renameat, u32(0), str("target"), u32(2), str("inside"));
    expect(server.fids().get(1)).toBe("/sub/inside");
    expect(getattr(1).qid.path).toBe(moved);
    fails(E.ENOENT, T.renameat, u32(0), str("old"), u32(0), str("x"));
  });

  it("makes and reads symlinks, and never opens one", () => {
    start();
    const made = ok(T.symlink, u32(0), str("link"), str("../outside"), u32(0));
    expect(made.qid()).toEqual({ type: 0x02, version: 0, path: ino("link") });
    expect(fs.readlinkSync(join(dir, "link"))).toBe("../outside");
    const r = walk(0, 1, "link");
    expect(r.u16()).toBe(1);
    expect(r.qid().type).toBe(0x02);
    const target = ok(T.readlink, u32(1));
    expect(target.string()).toBe("../outside");
    target.done();
    expect(getattr(1).mode & 0o170000).toBe(0o120000);
    fails(E.ELOOP, T.lopen, u32(1), u32(O_RDONLY));
    fails(E.EINVAL, T.readlink, u32(0));
    expect(walk(1, 2, "x").errno).toBe(E.ENOTDIR);
  });

  it("links a second name to a file", () => {
    fs.writeFileSync(join(dir, "f"), "x");
    start();
    walk(0, 1, "f");
    expect(ok(T.link, u32(0), u32(1), str("g")).bytes.length).toBe(7);
    expect(ino("g")).toBe(ino("f"));
    expect(getattr(1).nlink).toBe(2n);
    fails(E.EEXIST, T.link, u32(0), u32(1), str("g"));
  });

  it("clunks fids, and refuses to clunk one it does not hold", () => {
    fs.writeFileSync(join(dir, "f"), "x");
    start();
    open(1, O_RDONLY, "f");
    walk(0, 2);
    expect(server.fidCount).toBe(3);
    expect(hex(ok(T.clunk, u32(1)).bytes)).toBe("07000000" + "79" + hex(new Uint8Array(u16(tag))));
    expect(server.fidCount).toBe(2);
    ok(T.clunk, u32(2));
    expect(server.fidCount).toBe(1);
    fails(E.EBADF, T.clunk, u32(2));
    fails(E.EBADF, T.getattr, u32(2), u64(0x7ff));
  });

  it.skipIf(!fs.existsSync("/proc/self/fd"))("closes host files at Tclunk and at close()", () => {
    const openFds = () => fs.readdirSync("/proc/self/fd").length;
    fs.writeFileSync(join(dir, "f"), "x");
    start();
    const before = openFds();
    open(1, O_RDONLY, "f");
    open(2, O_RDONLY);
    open(3, O_RDWR, "f");
    expect(openFds()).toBe(before + 3);
    ok(T.clunk, u32(3));
    expect(openFds()).toBe(before + 2);
    server.close();
    expect(openFds()).toBe(before);
    expect(server.fidCount).toBe(0);
  });

  it("answers EOPNOTSUPP to Tmknod", () => {
    start();
    fails(E.EOPNOTSUPP, T.mknod, u32(0), str("dev"), u32(0o20644), u32(1), u32(3), u32(0));
  });
});

describe("the fake 9P2000.L server: read-only and malformed", () => {
  it("refuses every change when read-only", () => {
    fs.writeFileSync(join(dir, "f"), "data");
    fs.mkdirSync(join(dir, "d"));
    start({ readOnly: true });
    walk(0, 1, "f");
    walk(0, 2);
    fails(E.EROFS, T.lopen, u32(1), u32(O_RDWR));
    fails(E.EROFS, T.lopen, u32(1), u32(O_RDONLY | O_TRUNC));
    fails(E.EROFS, T.lcreate, u32(2), str("g"), u32(O_RDWR | O_CREAT), u32(0o644), u32(0));
    fails(E.EROFS, T.mkdir, u32(0), str("e"), u32(0o755), u32(0));
    fails(E.EROFS, T.symlink, u32(0), str("l"), str("f"), u32(0));
    fails(E.EROFS, T.link, u32(0), u32(1), str("g"));
    fails(E.EROFS, T.renameat, u32(0), str("f"), u32(0), str("g"));
    fails(E.EROFS, T.unlinkat, u32(0), str("f"), u32(0));
    fails(E.EROFS, T.unlinkat, u32(0), str("d"), u32(AT_REMOVEDIR));
    fails(E.EROFS, T.setattr, u32(1), u32(0x8), u32(0), u32(0), u32(0), u64(0), u64(0), u64(0), u64(0), u64(0));
    fails(E.EROFS, T.remove, u32(1));
    expect(server.fidCount).toBe(2); // Tremove clunked fid 1 all the same
    open(3, O_RDONLY, "f");
    expect(new TextDecoder().decode(read(3, 0, 10))).toBe("data");
    fails(E.EROFS, T.write, u32(3), u64(0), u32(1), u8(0x41));
    expect(fs.readFileSync(join(dir, "f"), "utf8")).toBe("data");
    expect(fs.readdirSync(dir).sort()).toEqual(["d", "f"]);
  });

  it("answers malformed messages with Rlerror, never throwing", () => {
    start();
    const good = message(T.walk, 9, u32(0), u32(1), u16(1), str("nope"));
    for (let length = 0; length < good.length; length++) {
      const cut = good.slice(0, length);
      if (length >= 4) new DataView(cut.buffer).setUint32(0, length, true); // consistent size field, short fields
      const reply = new Reply(server.handle(cut));
      expect([reply.type, reply.errno], `${length} bytes`).toEqual([7, E.EIO]);
      expect(reply.tag).toBe(length >= 7 ? 9 : NOTAG);
    }
    const lying = good.slice();
    new DataView(lying.buffer).setUint32(0, good.length + 1, true);
    expect(new Reply(server.handle(lying)).errno).toBe(E.EIO);
    const longer = new Uint8Array([...good, 0]);
    new DataView(longer.buffer).setUint32(0, longer.length, true);
    expect(new Reply(server.handle(longer)).errno).toBe(E.EIO);
    expect(new Reply(server.handle(message(T.write, 9, u32(0), u64(0), u32(10), [1, 2, 3]))).errno).toBe(E.EIO);
    expect(new Reply(server.handle(message(T.walk, 9, u32(0), u32(1), u16(1), u16(2), [0xff, 0xfe]))).errno).toBe(E.EINVAL);
    expect(new Reply(server.handle(message(112 /* 9P2000 Topen */, 9, u32(0), u8(0)))).errno).toBe(E.EOPNOTSUPP);
    expect(new Reply(server.handle(message(T.walk + 1, 9, u16(0)))).errno).toBe(E.EOPNOTSUPP);
    expect(server.fidCount).toBe(1);
  });

  it("survives random bytes", () => {
    start({ readOnly: true });
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    const types = Object.values(T);
    for (let i = 0; i < 2000; i++) {
      const body = Array.from({ length: random() % 40 }, random);
      const type = types[random() % types.length];
      if (type === T.version || type === T.remove || type === T.clunk) continue;
      const reply = new Reply(server.handle(message(type, 9, body)));
      expect([type + 1, 7]).toContain(reply.type);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
