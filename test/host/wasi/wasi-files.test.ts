// Guards loader/wasi/files.ts and fds.ts: fd_read/fd_write (iovecs, the
// console streams, FAULT with nothing done), pread/pwrite, seek/tell,
// fdstat and its flags (APPEND) and rights, filestat, set_size, set_times,
// allocate, renumber (dup2 semantics), close, the preopen queries and
// fd_readdir (cookies, resuming from every one, a truncated last entry).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  WasiHarness, E, RESULT, DATA, IOVS, OUTSIDE, APP_BYTES, SANDBOX, FIXTURES, OFLAGS, FDFLAGS, FSTFLAGS, WHENCE,
  FILETYPE, FILE_RW, FILE_RO, R, ALL_RIGHTS,
} from "./client";

const harness = await WasiHarness.create();
const h = harness;

beforeEach(() => h.setUp({ args: ["files"] }));
afterEach(() => h.tearDown());

function create(path: string, content = ""): number {
  const fd = h.open(path, { oflags: OFLAGS.creat });
  expect(fd, `create ${path}`).toBeGreaterThanOrEqual(0);
  if (content) expect(h.write(fd, content)).toBe(Buffer.byteLength(content));
  return fd;
}

describe("reading and writing", () => {
  it("writes and reads back through several iovecs", () => {
    const fd = create("f");
    h.put(DATA, "hello");
    h.put(DATA + 100, ", ");
    h.put(DATA + 200, "world");
    const count = h.iovecs([[DATA, 5], [DATA + 100, 2], [DATA + 200, 0], [DATA + 200, 5]]);
    expect(h.call("fd_write", fd, IOVS, count, RESULT)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(12);
    expect(h.call("fd_seek", fd, 0n, WHENCE.set, RESULT)).toBe(E.SUCCESS);
    const reads = h.iovecs([[DATA + 1000, 3], [DATA + 2000, 100]]);
    expect(h.call("fd_read", fd, IOVS, reads, RESULT)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(12);
    expect(h.text(DATA + 1000, 3) + h.text(DATA + 2000, 9)).toBe("hello, world");
    expect(h.read(fd, 10)).toBe(""); // at the end
  });

  it("moves large transfers through the bounce buffer", () => {
    const fd = create("big");
    const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 0xff);
    expect(h.write(fd, data)).toBe(100_000);
    h.app.fill(0, DATA, DATA + 100_000);
    expect(h.call("fd_pread", fd, IOVS, h.iovecs([[DATA, 100_000]]), 0n, RESULT)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(100_000);
    expect(Buffer.from(h.bytes(DATA, 100_000)).equals(Buffer.from(data))).toBe(true);
  });

  it("sends stdout and stderr to the console, and stdin is at its end", () => {
    const before = h.fake.serialBytes.length;
    expect(h.write(1, "out\n")).toBe(4);
    expect(h.write(2, "err\n")).toBe(4);
    expect(h.console(before)).toBe("out\nerr\n");
    expect(h.read(0, 10)).toBe("");
    expect(h.write(0, "x")).toBe(-E.NOTCAPABLE);
    expect(h.read(1, 10)).toBe(-E.NOTCAPABLE);
  });

  it("answers FAULT and does nothing for iovecs or buffers outside app memory", () => {
    const fd = create("f", "content");
    const before = h.fake.serialBytes.length;
    expect(h.call("fd_write", 1, APP_BYTES - 4, 1, RESULT)).toBe(E.FAULT); // the iovec array
    h.iovecs([[DATA, 4], [APP_BYTES - 2, 4]]);
    expect(h.call("fd_write", 1, IOVS, 2, RESULT)).toBe(E.FAULT); // the second buffer
    expect(h.call("fd_write", 1, IOVS, 1, OUTSIDE)).toBe(E.FAULT); // the count
    expect(h.console(before)).toBe("");
    h.iovecs([[0xffff_fff0, 0x20]]);
    expect(h.call("fd_read", fd, IOVS, 1, RESULT)).toBe(E.FAULT);
    expect(h.call("fd_tell", fd, RESULT)).toBe(E.SUCCESS);
    expect(h.u64(RESULT)).toBe(7n); // the read did not happen
    expect(h.call("fd_write", 1, IOVS, 5000, RESULT)).toBe(E.INVAL); // more than IOV_MAX
  });

  it("a read whose data lands on its own iovec array is not told done for bytes it never stored", () => {
    // The file's first 8 bytes are an iovec pointing outside app memory; the
    // read's first iovec lands them on the second iovec. The second must still
    // be the one the app passed and the kernel checked.
    const content = new Uint8Array(16);
    const view = new DataView(content.buffer);
    view.setUint32(0, 0xffff_fff0, true);
    view.setUint32(4, 100, true);
    content.set(new TextEncoder().encode("ABCDEFGH"), 8);
    const fd = h.open("overlap", { oflags: OFLAGS.creat });
    expect(h.write(fd, content)).toBe(16);
    expect(h.call("fd_seek", fd, 0n, WHENCE.set, RESULT)).toBe(E.SUCCESS);
    h.iovecs([[IOVS + 8, 8], [DATA, 4]]);
    h.put(DATA, "....");
    expect(h.call("fd_read", fd, IOVS, 2, RESULT)).toBe(E.SUCCESS);
    expect(h.u32(RESULT)).toBe(12);
    expect(h.text(DATA, 4)).toBe("ABCD");
    expect(h.u32(IOVS + 8)).toBe(0xffff_fff0); // the data did land on the array
    expect(h.call("fd_tell", fd, RESULT)).toBe(E.SUCCESS);
    expect(h.u64(RESULT)).toBe(12n);
  });

  it("pread and pwrite leave the offset alone; streams cannot seek", () => {
    const fd = create("f", "abcdef");
    h.put(DATA, "XY");
    expect(h.call("fd_pwrite", fd, IOVS, h.iovecs([[DATA, 2]]), 2n, RESULT)).toBe(E.SUCCESS);
    expect(h.call("fd_pread", fd, IOVS, h.iovecs([[DATA, 10]]), 1n, RESULT)).toBe(E.SUCCESS);
    expect(h.text(DATA, h.u32(RESULT))).toBe("bXYef");
    expect(h.call("fd_tell", fd, RESULT)).toBe(E.SUCCESS);
    expect(h.u64(RESULT)).toBe(6n);
    expect(h.call("fd_pread", fd, IOVS, 1, 1n << 63n, RESULT)).toBe(E.INVAL);
    expect(h.call("fd_pwrite", 1, IOVS, 1, 0n, RESULT)).toBe(E.SPIPE);
    expect(h.call("fd_seek", 1, 0n, WHENCE.cur, RESULT)).toBe(E.SPIPE);
  });

  it("seeks from the start, the current offset and the end", () => {
    const fd = create("f", "0123456789");
    expect(h.call("fd_seek", fd, -3n, WHENCE.end, RESULT)).toBe(E.SUCCESS);
    expect(h.u64(RESULT)).toBe(7n);
    expect(h.read(fd, 2)).toBe("78");
    expect(h.call("fd_seek", fd, -5n, WHENCE.cur, RESULT)).toBe(E.SUCCESS);
    expect(h.u64(RESULT)).toBe(4n);
    expect(h.call("fd_seek", fd, -1n, WHENCE.set, RESULT)).toBe(E.INVAL);
    expect(h.call("fd_seek", fd, 0n, 3, RESULT)).toBe(E.INVAL);
    expect(h.call("fd_seek", SANDBOX, 0n, WHENCE.set, RESULT)).toBe(E.NOTCAPABLE);
    expect(h.call("fd_seek", 99, 0n, WHENCE.set, RESULT)).toBe(E.BADF);
  });
});

describe("descriptor state", () => {
  it("fd_fdstat_get reports type, flags and rights byte for byte", () => {
    h.app.fill(0xee, RESULT, RESULT + 32);
    expect(h.call("fd_fdstat_get", 1, RESULT)).toBe(E.SUCCESS);
    expect([h.u8(RESULT), h.u8(RESULT + 1), h.u16(RESULT + 2), h.u32(RESULT + 4)]).toEqual([FILETYPE.characterDevice, 0, 0, 0]);
    expect(h.u64(RESULT + 8) & (R.fdSeek | R.fdTell)).toBe(0n); // so libc's isatty says yes
    expect(h.u64(RESULT + 8) & R.fdWrite).toBe(R.fdWrite);
    expect(h.u8(RESULT + 24), "nothing past 24 bytes").toBe(0xee);
    expect(h.call("fd_fdstat_get", SANDBOX, RESULT)).toBe(E.SUCCESS);
    expect(h.u8(RESULT)).toBe(FILETYPE.directory);
    expect(h.u64(RESULT + 16)).toBe(ALL_RIGHTS & ~((1n << 28n) | (1n << 29n)));
    const fd = h.open("f", { oflags: OFLAGS.creat, fdflags: FDFLAGS.append });
    expect(h.call("fd_fdstat_get", fd, RESULT)).toBe(E.SUCCESS);
    expect([h.u8(RESULT), h.u16(RESULT + 2)]).toEqual([FILETYPE.regularFile, FDFLAGS.append]);
    expect(h.u64(RESULT + 8)).toBe(FILE_RW);
    expect(h.u64(RESULT + 16)).toBe(0n);
    expect(h.call("fd_fdstat_get", 77, RESULT)).toBe(E.BADF);
    expect(h.call("fd_fdstat_get", fd, OUTSIDE)).toBe(E.FAULT);
  });

  it("APPEND sends writes to the end, and can be turned off and on", () => {
    const fd = create("log", "one ");
    expect(h.call("fd_seek", fd, 0n, WHENCE.set, RESULT)).toBe(E.SUCCESS);
    expect(h.call("fd_fdstat_set_flags", fd, FDFLAGS.append)).toBe(E.SUCCESS);
    expect(h.write(fd, "two ")).toBe(4);
    expect(h.call("fd_fdstat_set_flags", fd, 0)).toBe(E.SUCCESS);
    expect(h.call("fd_seek", fd, 0n, WHENCE.set, RESULT)).toBe(E.SUCCESS);
    expect(h.write(fd, "ONE")).toBe(3);
    expect(h.call("fd_pread", fd, IOVS, h.iovecs([[DATA, 50]]), 0n, RESULT)).toBe(E.SUCCESS);
    expect(h.text(DATA, h.u32(RESULT))).toBe("ONE two ");
    expect(h.call("fd_fdstat_set_flags", fd, 64)).toBe(E.INVAL);
  });

  it("rights only shrink, and a missing right is NOTCAPABLE", () => {
    const fd = create("f", "data");
    expect(h.call("fd_fdstat_set_rights", fd, R.fdRead | R.fdSeek, 0n)).toBe(E.SUCCESS);
    expect(h.write(fd, "x")).toBe(-E.NOTCAPABLE);
    expect(h.call("fd_tell", fd, RESULT)).toBe(E.SUCCESS); // seek covers tell
    expect(h.call("fd_fdstat_set_rights", fd, R.fdRead | R.fdWrite, 0n)).toBe(E.NOTCAPABLE);
    expect(h.call("fd_filestat_get", fd, RESULT)).toBe(E.NOTCAPABLE);
    expect(h.call("fd_fdstat_set_rights", SANDBOX, ALL_RIGHTS, 0n)).toBe(E.NOTCAPABLE);
  });

  it("fd_filestat_get, set_size and allocate", () => {
    const fd = create("f", "12345");
    const stat = h.fdStat(fd);
    if (typeof stat === "number") throw new Error(`errno ${stat}`);
    expect(stat.filetype).toBe(FILETYPE.regularFile);
    expect(stat.size).toBe(5n);
    expect(stat.nlink).toBe(1n);
    expect(stat.ino).toBeGreaterThan(0n);
    expect(h.call("fd_filestat_set_size", fd, 2n)).toBe(E.SUCCESS);
    expect((h.fdStat(fd) as { size: bigint }).size).toBe(2n);
    expect(h.call("fd_allocate", fd, 10n, 10n)).toBe(E.SUCCESS);
    expect((h.fdStat(fd) as { size: bigint }).size).toBe(20n);
    expect(h.call("fd_allocate", fd, 0n, 5n)).toBe(E.SUCCESS); // never shrinks
    expect((h.fdStat(fd) as { size: bigint }).size).toBe(20n);
    expect(h.call("fd_filestat_set_size", fd, 1n << 63n)).toBe(E.FBIG);
    expect(h.call("fd_advise", fd, 0n, 100n, 4)).toBe(E.SUCCESS);
    expect(h.call("fd_advise", fd, 0n, 100n, 6)).toBe(E.INVAL);
    expect(h.call("fd_sync", fd)).toBe(E.SUCCESS);
    expect(h.call("fd_datasync", fd)).toBe(E.SUCCESS);
    const stdout = h.fdStat(1);
    expect(typeof stdout === "number" ? stdout : stdout.filetype).toBe(FILETYPE.characterDevice);
  });

  it("fd_filestat_set_times sets given times, now, or leaves them", () => {
    const fd = create("f");
    expect(h.call("fd_filestat_set_times", fd, 111n, 222n, FSTFLAGS.atim | FSTFLAGS.mtim)).toBe(E.SUCCESS);
    let stat = h.fdStat(fd) as { atim: bigint; mtim: bigint };
    expect([stat.atim, stat.mtim]).toEqual([111n, 222n]);
    expect(h.call("fd_filestat_set_times", fd, 0n, 333n, FSTFLAGS.mtim)).toBe(E.SUCCESS);
    stat = h.fdStat(fd) as { atim: bigint; mtim: bigint };
    expect([stat.atim, stat.mtim]).toEqual([111n, 333n]);
    expect(h.call("fd_filestat_set_times", fd, 0n, 0n, FSTFLAGS.atimNow)).toBe(E.SUCCESS);
    stat = h.fdStat(fd) as { atim: bigint; mtim: bigint };
    const fakeRtc = 1_795_437_296n * 1_000_000_000n; // 2026-11-23 12:34:56, the fake CMOS clock
    expect(stat.atim).toBeGreaterThanOrEqual(fakeRtc);
    expect(stat.atim).toBeLessThan(fakeRtc + 60n * 1_000_000_000n);
    expect(stat.mtim).toBe(333n);
    expect(h.call("fd_filestat_set_times", fd, 1n, 0n, FSTFLAGS.atim | FSTFLAGS.atimNow)).toBe(E.INVAL);
    expect(h.call("fd_filestat_set_times", fd, 1n, 0n, 16)).toBe(E.INVAL);
  });
});

describe("closing and renumbering", () => {
  it("fd_renumber closes the target and moves the source (dup2 semantics)", () => {
    const a = create("a", "AAA");
    const b = create("b", "BBB");
    expect(h.call("fd_seek", a, 1n, WHENCE.set, RESULT)).toBe(E.SUCCESS);
    const open = h.e.vfsOpenDescriptors();
    expect(h.call("fd_renumber", a, b)).toBe(E.SUCCESS);
    expect(h.e.vfsOpenDescriptors(), "the target's file was closed").toBe(open - 1);
    expect(h.read(b, 10)).toBe("AA"); // b is a now, offset and all
    expect(h.read(a, 10)).toBe(-E.BADF);
    expect(h.call("fd_close", a)).toBe(E.BADF);
    expect(h.call("fd_renumber", b, 90)).toBe(E.BADF);
    expect(h.call("fd_renumber", 90, b)).toBe(E.BADF);
    expect(h.call("fd_renumber", b, b)).toBe(E.SUCCESS);
    expect(h.call("fd_close", b)).toBe(E.SUCCESS);
    expect(h.call("fd_close", b)).toBe(E.BADF);
  });

  it("renumbering onto stdout redirects it; new fds take the lowest free number", () => {
    const fd = create("out");
    expect(h.call("fd_renumber", fd, 1)).toBe(E.SUCCESS);
    const before = h.fake.serialBytes.length;
    expect(h.write(1, "to the file")).toBe(11);
    expect(h.console(before)).toBe("");
    expect(h.open("out")).toBe(fd); // the number fd_renumber freed
    expect(h.read(fd, 100)).toBe("to the file");
  });
});

describe("preopens", () => {
  it("fd_prestat_get and fd_prestat_dir_name give each preopen's name", () => {
    for (const [fd, name] of [[SANDBOX, "/sandbox"], [FIXTURES, "/fixtures"]] as const) {
      h.app.fill(0xee, RESULT, RESULT + 16);
      expect(h.call("fd_prestat_get", fd, RESULT)).toBe(E.SUCCESS);
      expect([h.u8(RESULT), h.u8(RESULT + 1), h.u16(RESULT + 2), h.u32(RESULT + 4)]).toEqual([0, 0, 0, name.length]);
      h.app.fill(0xee, DATA, DATA + 32);
      expect(h.call("fd_prestat_dir_name", fd, DATA, name.length)).toBe(E.SUCCESS);
      expect(h.text(DATA, name.length)).toBe(name);
      expect(h.u8(DATA + name.length), "no NUL").toBe(0xee);
      expect(h.call("fd_prestat_dir_name", fd, DATA, name.length - 1)).toBe(E.NAMETOOLONG);
    }
    expect(h.call("fd_prestat_get", 1, RESULT)).toBe(E.BADF);
    expect(h.call("fd_prestat_get", 5, RESULT)).toBe(E.BADF);
    expect(h.call("fd_prestat_dir_name", SANDBOX, APP_BYTES - 2, 20)).toBe(E.FAULT);
  });
});

describe("fd_readdir", () => {
  interface Entry { next: bigint; ino: bigint; type: number; name: string }

  function parse(used: number): Entry[] {
    const entries: Entry[] = [];
    for (let at = DATA; at + 24 <= DATA + used;) {
      const length = h.u32(at + 16);
      if (at + 24 + length > DATA + used) break; // the truncated last one
      entries.push({ next: h.u64(at), ino: h.u64(at + 8), type: h.u8(at + 20), name: h.text(at + 24, length) });
      at += 24 + length;
    }
    return entries;
  }

  function listing(fd: number, cookie = 0n, size = 4096): { entries: Entry[]; used: number } {
    expect(h.call("fd_readdir", fd, DATA, size, cookie, RESULT)).toBe(E.SUCCESS);
    const used = h.u32(RESULT);
    return { entries: parse(used), used };
  }

  it("lists . and .. first, then every entry with its type, and resumes from every cookie", () => {
    // Names of one- to four-byte UTF-8 characters (the last two become surrogate pairs in the kernel's strings).
    const names = ["file-a", "dir-b", "ünïcödé", "x".repeat(200), "日本語", "😀 and 𝄞"];
    create(names[0], "a");
    expect(h.pathCall("path_create_directory", names[1])).toBe(E.SUCCESS);
    for (const name of names.slice(2)) create(name);
    const dir = h.open(".", { oflags: OFLAGS.directory, rights: R.fdReaddir });
    const { entries } = listing(dir);
    expect(entries.map((e) => e.name)).toEqual([".", "..", ...names]);
    expect(entries.map((e) => e.type)).toEqual([3, 3, 4, 3, 4, 4, 4, 4]);
    for (let i = 0; i < entries.length; i++) {
      const rest = listing(dir, i === 0 ? 0n : entries[i - 1].next).entries;
      expect(rest.map((e) => e.name), `from cookie ${i}`).toEqual(entries.slice(i).map((e) => e.name));
    }
    expect(listing(dir, entries[entries.length - 1].next).used).toBe(0);
  });

  it("cuts the last entry off at the end of a small buffer (bufused == buf_len)", () => {
    create("aaaaaaaa");
    const dir = h.open(".", { oflags: OFLAGS.directory, rights: R.fdReaddir });
    const full = listing(dir).used; // ".", "..", "aaaaaaaa": 25 + 26 + 32
    expect(full).toBe(83);
    for (const size of [1, 24, 25, 30, 51, 60, 82]) {
      h.app.fill(0xee, DATA, DATA + 100);
      expect(h.call("fd_readdir", dir, DATA, size, 0n, RESULT)).toBe(E.SUCCESS);
      expect(h.u32(RESULT), `size ${size}`).toBe(size);
      expect(h.u8(DATA + size), "nothing past the buffer").toBe(0xee);
    }
    expect(h.call("fd_readdir", dir, APP_BYTES - 10, 100, 0n, RESULT)).toBe(E.FAULT);
    const file = create("f");
    expect(h.call("fd_readdir", file, DATA, 100, 0n, RESULT)).toBe(E.NOTDIR);
  });

  it("lists a ROFS directory", () => {
    const { entries } = listing(FIXTURES);
    expect(entries.map((e) => e.name).sort()).toEqual([".", "..", "absolute", "escape", "hello.txt", "link", "sub"]);
    expect(entries.find((e) => e.name === "link")?.type).toBe(FILETYPE.symbolicLink);
  });
});
