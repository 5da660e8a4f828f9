// Guards loader/wasi/paths.ts over the VFS's RESOLVE_BENEATH walk: path_open
// (creat, excl, trunc, directory, follow, rights within the directory's
// inheriting ones, ROFS), creating and removing directories and files,
// rename, symlink/readlink with and without SYMLINK_FOLLOW, filestat by
// path, and confinement: absolute paths, "../" beyond the fd's directory
// and symbolic links leading out (relative or absolute) are NOTCAPABLE, at
// one filesystem lookup per path component.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  WasiHarness, E, RESULT, DATA, PATHS, OUTSIDE, APP_BYTES, SANDBOX, FIXTURES, OFLAGS, FSTFLAGS, FILETYPE,
  FILE_RW, FILE_RO, R, LOOKUP_FOLLOW,
} from "./client";

const harness = await WasiHarness.create();
const h = harness;

beforeEach(() => h.setUp());
afterEach(() => h.tearDown());

function create(path: string, content = "", dirFd = SANDBOX): void {
  const fd = h.open(path, { oflags: OFLAGS.creat, dirFd });
  expect(fd, `create ${path}`).toBeGreaterThanOrEqual(0);
  if (content) expect(h.write(fd, content)).toBe(content.length);
  expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
}

function readFile(path: string, dirFd = SANDBOX): string | number {
  const fd = h.open(path, { dirFd, rights: FILE_RO });
  if (fd < 0) return fd;
  const text = h.read(fd, 1000);
  expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
  return text;
}

function symlink(target: string, path: string, dirFd = SANDBOX): number {
  const targetLength = h.put(DATA, target);
  const length = h.put(PATHS, path);
  return h.call("path_symlink", DATA, targetLength, dirFd, PATHS, length);
}

function readlink(path: string, size = 100, dirFd = SANDBOX): string | number {
  const length = h.put(PATHS, path);
  const errno = h.call("path_readlink", dirFd, PATHS, length, DATA, size, RESULT);
  return errno === 0 ? h.text(DATA, h.u32(RESULT)) : -errno;
}

describe("path_open", () => {
  it("creates, opens, truncates and refuses an existing name with EXCL", () => {
    create("f", "content");
    expect(readFile("f")).toBe("content");
    expect(h.open("f", { oflags: OFLAGS.creat | OFLAGS.excl })).toBe(-E.EXIST);
    expect(h.open("missing")).toBe(-E.NOENT);
    const fd = h.open("f", { oflags: OFLAGS.trunc });
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
    expect(readFile("f")).toBe("");
  });

  it("opens directories with DIRECTORY and refuses files with it", () => {
    expect(h.pathCall("path_create_directory", "d")).toBe(E.SUCCESS);
    create("d/inner", "x");
    const dir = h.open("d", { oflags: OFLAGS.directory, rights: R.pathOpen | R.fdReaddir, inheriting: FILE_RW });
    expect(dir).toBeGreaterThanOrEqual(0);
    expect(h.call("fd_fdstat_get", dir, RESULT)).toBe(E.SUCCESS);
    expect(h.u8(RESULT)).toBe(FILETYPE.directory);
    expect(h.u64(RESULT + 8)).toBe(R.pathOpen | R.fdReaddir);
    expect(readFile("inner", dir)).toBe("x");
    expect(h.open("d/inner", { oflags: OFLAGS.directory })).toBe(-E.NOTDIR);
    expect(h.open("d", { rights: FILE_RW })).toBe(-E.ISDIR); // a directory opened for writing
  });

  it("refuses to open a directory with rights to write it, with DIRECTORY or without (ISDIR)", () => {
    expect(h.pathCall("path_create_directory", "d")).toBe(E.SUCCESS);
    expect(h.open("d", { oflags: OFLAGS.directory, rights: R.fdReaddir | R.fdWrite })).toBe(-E.ISDIR);
    expect(h.open("d", { rights: R.fdRead | R.fdWrite })).toBe(-E.ISDIR);
    expect(h.open("d", { oflags: OFLAGS.directory, rights: R.fdFilestatSetSize })).toBe(-E.ISDIR);
    const fd = h.open("d", { oflags: OFLAGS.directory, rights: R.fdReaddir | R.pathOpen });
    expect(fd).toBeGreaterThanOrEqual(0);
    expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
    expect(h.open(".", { oflags: OFLAGS.directory, rights: R.fdWrite })).toBe(-E.ISDIR);
  });

  it("keeps new rights within the directory's inheriting rights", () => {
    const dir = h.open(".", { oflags: OFLAGS.directory, rights: R.pathOpen, inheriting: R.fdRead });
    expect(h.open("f", { dirFd: dir, oflags: OFLAGS.creat })).toBe(-E.NOTCAPABLE); // no create right
    create("f", "abc");
    expect(h.open("f", { dirFd: dir, rights: FILE_RW })).toBe(-E.NOTCAPABLE);
    const fd = h.open("f", { dirFd: dir, rights: R.fdRead });
    expect(h.read(fd, 10)).toBe("abc");
    expect(h.write(fd, "x")).toBe(-E.NOTCAPABLE);
    expect(h.open("f", { dirFd: 1 })).toBe(-E.NOTDIR);
    expect(h.open("f", { dirFd: 55 })).toBe(-E.BADF);
    expect(h.open("f", { oflags: 16 })).toBe(-E.INVAL);
  });

  it("reads ROFS files and refuses to write them (ROFS)", () => {
    expect(readFile("hello.txt", FIXTURES)).toBe("Hello, ROFS!\n");
    expect(readFile("sub/a.txt", FIXTURES)).toBe("aaa");
    expect(h.open("hello.txt", { dirFd: FIXTURES, rights: FILE_RW })).toBe(-E.ROFS);
    expect(h.open("new", { dirFd: FIXTURES, oflags: OFLAGS.creat })).toBe(-E.ROFS);
    expect(h.pathCall("path_create_directory", "d", FIXTURES)).toBe(E.ROFS);
    expect(h.pathCall("path_unlink_file", "hello.txt", FIXTURES)).toBe(E.ROFS);
  });

  it("checks the path's bytes and the result pointer first", () => {
    const length = h.put(PATHS, "f");
    expect(h.call("path_open", SANDBOX, 0, PATHS, length, OFLAGS.creat, FILE_RW, 0n, 0, OUTSIDE)).toBe(E.FAULT);
    expect(h.call("path_open", SANDBOX, 0, APP_BYTES - 1, 2, OFLAGS.creat, FILE_RW, 0n, 0, RESULT)).toBe(E.FAULT);
    h.put(PATHS, Uint8Array.from([0x66, 0xff, 0x66]));
    expect(h.call("path_open", SANDBOX, 0, PATHS, 3, OFLAGS.creat, FILE_RW, 0n, 0, RESULT)).toBe(E.ILSEQ);
    h.put(PATHS, Uint8Array.from([0x66, 0x00, 0x66]));
    expect(h.call("path_open", SANDBOX, 0, PATHS, 3, OFLAGS.creat, FILE_RW, 0n, 0, RESULT)).toBe(E.ILSEQ);
    // An encoded surrogate, a value past U+10FFFF, an overlong "/", a sequence cut short.
    for (const bytes of [[0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x66, 0xe6, 0x97]]) {
      h.put(PATHS, Uint8Array.from(bytes));
      expect(h.call("path_open", SANDBOX, 0, PATHS, bytes.length, OFLAGS.creat, FILE_RW, 0n, 0, RESULT), bytes.join(" ")).toBe(E.ILSEQ);
    }
    expect(h.call("path_open", SANDBOX, 0, PATHS, 5000, OFLAGS.creat, FILE_RW, 0n, 0, RESULT)).toBe(E.NAMETOOLONG);
    expect(h.open("")).toBe(-E.NOENT);
    expect(h.e.wasiOpenCount()).toBe(5); // nothing was opened meanwhile
  });
});

describe("names", () => {
  it("creates and removes directories and files", () => {
    expect(h.pathCall("path_create_directory", "d")).toBe(E.SUCCESS);
    expect(h.pathCall("path_create_directory", "d")).toBe(E.EXIST);
    create("d/f");
    expect(h.pathCall("path_remove_directory", "d")).toBe(E.NOTEMPTY);
    expect(h.pathCall("path_unlink_file", "d")).toBe(E.ISDIR);
    expect(h.pathCall("path_remove_directory", "d/f")).toBe(E.NOTDIR);
    expect(h.pathCall("path_unlink_file", "d/f/")).toBe(E.NOTDIR);
    expect(h.pathCall("path_unlink_file", "d/f")).toBe(E.SUCCESS);
    expect(h.pathCall("path_unlink_file", "d/f")).toBe(E.NOENT);
    expect(h.pathCall("path_remove_directory", "d/.")).toBe(E.INVAL);
    expect(h.pathCall("path_remove_directory", "d/")).toBe(E.SUCCESS);
    expect(h.pathCall("path_create_directory", "a/b")).toBe(E.NOENT);
  });

  it("renames within and across directory fds", () => {
    create("a", "A");
    expect(h.pathCall("path_create_directory", "d")).toBe(E.SUCCESS);
    const dir = h.open("d", { oflags: OFLAGS.directory, rights: R.pathRenameTarget | R.pathOpen, inheriting: FILE_RO });
    const from = h.put(PATHS, "a");
    const to = h.put(PATHS + 100, "b");
    expect(h.call("path_rename", SANDBOX, PATHS, from, dir, PATHS + 100, to)).toBe(E.SUCCESS);
    expect(readFile("d/b")).toBe("A");
    expect(readFile("a")).toBe(-E.NOENT);
    expect(h.call("path_rename", dir, PATHS + 100, to, SANDBOX, PATHS, from)).toBe(E.NOTCAPABLE); // no source right
    expect(h.call("path_rename", SANDBOX, PATHS, from, SANDBOX, PATHS + 100, to)).toBe(E.NOENT);
    const outOf = h.put(PATHS + 200, "hello.txt");
    expect(h.call("path_rename", FIXTURES, PATHS + 200, outOf, SANDBOX, PATHS, from)).toBe(E.XDEV);
  });

  it("reports filestat by path, following links or not", () => {
    create("f", "12345");
    expect(symlink("f", "l")).toBe(E.SUCCESS);
    const file = h.pathStat("f") as { filetype: number; size: bigint; ino: bigint };
    expect([file.filetype, file.size]).toEqual([FILETYPE.regularFile, 5n]);
    const followed = h.pathStat("l") as { ino: bigint };
    expect(followed.ino).toBe(file.ino);
    const link = h.pathStat("l", false) as { filetype: number; size: bigint };
    expect([link.filetype, link.size]).toEqual([FILETYPE.symbolicLink, 1n]);
    const rofs = h.pathStat("hello.txt", true, FIXTURES) as { size: bigint; mtim: bigint; dev: bigint };
    expect(rofs.size).toBe(13n);
    expect(rofs.mtim).toBe(1_600_000_000n * 1_000_000_000n);
    expect(rofs.dev).not.toBe((h.pathStat("f") as { dev: bigint }).dev);
    expect(h.pathStat("missing")).toBe(E.NOENT);
    expect(h.call("path_filestat_get", SANDBOX, LOOKUP_FOLLOW, PATHS, 1, OUTSIDE)).toBe(E.FAULT);
  });

  it("sets times by path", () => {
    create("f");
    const length = h.put(PATHS, "f");
    expect(h.call("path_filestat_set_times", SANDBOX, LOOKUP_FOLLOW, PATHS, length, 5n, 6n, FSTFLAGS.atim | FSTFLAGS.mtim)).toBe(E.SUCCESS);
    const stat = h.pathStat("f") as { atim: bigint; mtim: bigint };
    expect([stat.atim, stat.mtim]).toEqual([5n, 6n]);
    expect(h.call("path_filestat_set_times", FIXTURES, 0, PATHS, length, 5n, 6n, FSTFLAGS.atim)).toBe(E.NOENT);
    const rofs = h.put(PATHS, "hello.txt");
    expect(h.call("path_filestat_set_times", FIXTURES, 0, PATHS, rofs, 5n, 6n, FSTFLAGS.atim)).toBe(E.ROFS);
  });

  it("path_link gives a file a second name that outlives the first", () => {
    create("f", "shared");
    const from = h.put(PATHS, "f");
    const to = h.put(PATHS + 100, "g");
    expect(h.call("path_link", SANDBOX, 0, PATHS, from, SANDBOX, PATHS + 100, to)).toBe(E.SUCCESS);
    const first = h.pathStat("f") as { ino: bigint; nlink: bigint };
    const second = h.pathStat("g") as { ino: bigint; nlink: bigint };
    expect(second.ino).toBe(first.ino);
    expect(second.nlink).toBe(2n);
    expect(h.call("path_link", SANDBOX, 0, PATHS, from, SANDBOX, PATHS + 100, to)).toBe(E.EXIST);
    expect(h.pathCall("path_unlink_file", "f")).toBe(E.SUCCESS);
    expect((h.pathStat("g") as { nlink: bigint }).nlink).toBe(1n);
    const fd = h.open("g");
    expect(h.read(fd, 16)).toBe("shared");
    expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
    h.put(PATHS, "f");
    h.put(PATHS + 100, "g2");
    expect(h.call("path_link", SANDBOX, 0, PATHS, from, SANDBOX, PATHS + 100, 2)).toBe(E.NOENT);
    h.pathCall("path_create_directory", "d");
    const dir = h.put(PATHS, "d");
    expect(h.call("path_link", SANDBOX, 0, PATHS, dir, SANDBOX, PATHS + 100, h.put(PATHS + 100, "d2"))).toBe(E.PERM);
    const rofs = h.put(PATHS, "hello.txt");
    expect(h.call("path_link", FIXTURES, 0, PATHS, rofs, SANDBOX, PATHS + 100, h.put(PATHS + 100, "h"))).toBe(E.XDEV);
  });
});

describe("symbolic links", () => {
  it("path_symlink and path_readlink, truncating to the buffer", () => {
    expect(symlink("some/target", "l")).toBe(E.SUCCESS);
    expect(symlink("x", "l")).toBe(E.EXIST);
    expect(readlink("l")).toBe("some/target");
    expect(readlink("l", 4)).toBe("some");
    expect(readlink("missing")).toBe(-E.NOENT);
    create("f");
    expect(readlink("f")).toBe(-E.INVAL);
    expect(readlink("link", 100, FIXTURES)).toBe("hello.txt");
    const length = h.put(PATHS, "l");
    expect(h.call("path_readlink", SANDBOX, PATHS, length, APP_BYTES - 2, 10, RESULT)).toBe(E.FAULT);
  });

  it("follows links in the middle always and at the end with SYMLINK_FOLLOW", () => {
    expect(h.pathCall("path_create_directory", "d")).toBe(E.SUCCESS);
    create("d/f", "through");
    expect(symlink("d", "dl")).toBe(E.SUCCESS);
    expect(symlink("d/f", "fl")).toBe(E.SUCCESS);
    expect(symlink("fl", "chain")).toBe(E.SUCCESS);
    expect(readFile("dl/f")).toBe("through");
    expect(readFile("chain")).toBe("through");
    expect(h.open("fl", { follow: false, rights: FILE_RO })).toBe(-E.LOOP);
    expect(readFile("dl/../d/f")).toBe("through"); // ".." after a link goes up from its target
    expect(readFile("sub/up", FIXTURES)).toBe("Hello, ROFS!\n");
    expect(symlink("loop2", "loop1")).toBe(E.SUCCESS);
    expect(symlink("loop1", "loop2")).toBe(E.SUCCESS);
    expect(readFile("loop1")).toBe(-E.LOOP);
    expect(symlink("nowhere", "dangling")).toBe(E.SUCCESS);
    create("dangling", "made"); // O_CREAT through a dangling link creates its target
    expect(readFile("nowhere")).toBe("made");
    expect(h.open("dangling", { oflags: OFLAGS.creat | OFLAGS.excl })).toBe(-E.EXIST);
  });
});

describe("confinement", () => {
  beforeEach(() => {
    // Something outside the sandbox to reach for: /outside/secret in the RAMFS root.
    const fd = h.open("x", { oflags: OFLAGS.creat }); // keep numbering stable
    expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
  });

  it("refuses absolute paths and .. beyond the directory", () => {
    expect(h.open("/etc")).toBe(-E.NOTCAPABLE);
    expect(h.open("..", { oflags: OFLAGS.directory })).toBe(-E.NOTCAPABLE);
    expect(h.open("../outside", { oflags: OFLAGS.directory })).toBe(-E.NOTCAPABLE);
    expect(h.pathStat("a/../../x")).toBe(E.NOENT); // "a" is missing: found before the escape
    expect(h.pathCall("path_create_directory", "a")).toBe(E.SUCCESS);
    expect(h.pathStat("a/../../x")).toBe(E.NOTCAPABLE);
    expect(typeof h.pathStat("a/../x")).toBe("object"); // down and up again stays inside
    expect(typeof h.pathStat("./a/./../x")).toBe("object");
    expect(h.pathCall("path_create_directory", "../escaped")).toBe(E.NOTCAPABLE);
    expect(h.pathStat("..", true, FIXTURES)).toBe(E.NOTCAPABLE);
  });

  it("treats each directory fd as its own root", () => {
    expect(h.pathCall("path_create_directory", "inner")).toBe(E.SUCCESS);
    const inner = h.open("inner", { oflags: OFLAGS.directory, rights: R.pathOpen | R.pathFilestatGet, inheriting: FILE_RO });
    expect(h.pathStat("../x", true, inner)).toBe(E.NOTCAPABLE);
    expect(typeof h.pathStat(".", true, inner)).toBe("object");
  });

  it("creates a symlink with an absolute target, and refuses only following it out", () => {
    expect(symlink("/etc/hosts", "absolute-link")).toBe(E.SUCCESS);
    expect(readlink("absolute-link")).toBe("/etc/hosts");
    expect(h.pathStat("absolute-link", false)).toMatchObject({ filetype: FILETYPE.symbolicLink, size: 10n });
    expect(readFile("absolute-link")).toBe(-E.NOTCAPABLE);
    expect(h.pathCall("path_unlink_file", "absolute-link")).toBe(E.SUCCESS);
  });

  it("refuses links that lead out, relative or absolute, and follows those that stay in", () => {
    expect(readFile("escape", FIXTURES)).toBe(-E.NOTCAPABLE);
    expect(readFile("absolute", FIXTURES)).toBe(-E.NOTCAPABLE);
    expect(readFile("link", FIXTURES)).toBe("Hello, ROFS!\n");
    expect(symlink("/outside", "abs")).toBe(E.SUCCESS); // stored as given...
    expect(readlink("abs")).toBe("/outside");
    expect(h.pathStat("abs")).toBe(E.NOTCAPABLE); // ...but never followed
    expect(typeof h.pathStat("abs", false)).toBe("object");
    expect(symlink("../outside", "up")).toBe(E.SUCCESS);
    expect(h.pathCall("path_create_directory", "up/made")).toBe(E.NOTCAPABLE);
    expect(h.e.fsMkdir(h.s("/outside/made"))).toBe(0); // the kernel's view is unaffected
  });

  it("costs one filesystem lookup per component (the VFS's own walk, confined)", () => {
    for (const dir of ["a", "a/b", "a/b/c", "a/b/c/d"]) expect(h.pathCall("path_create_directory", dir)).toBe(E.SUCCESS);
    create("a/b/c/d/f");
    const lookups = (call: () => unknown): number => {
      const before = h.e.vfsPathLookups();
      call();
      return Number(h.e.vfsPathLookups() - before);
    };
    expect(lookups(() => expect(typeof h.pathStat("a/b/c/d/f")).toBe("object"))).toBe(5);
    expect(lookups(() => expect(typeof h.pathStat("a/b/c/d/f", false)).toBe("object"))).toBe(5);
    let fd = -1;
    expect(lookups(() => (fd = h.open("a/b/c/d/f", { rights: FILE_RO })))).toBe(5);
    expect(h.call("fd_close", fd)).toBe(E.SUCCESS);
  });
});
