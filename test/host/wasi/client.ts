// The Node side of test/host/wasi/harness.ts: a fake machine with kernel
// memory set up, a fresh tree per test (a RAMFS root holding /data and
// /outside, a ROFS image mounted at /ro), app memory on the fake arch, and
// typed calls of the WASI exports with helpers to lay out arguments in app
// memory and read results back.
//
// App memory plan (APP_BYTES, 256 KiB): results at 0x100.., paths and
// small structures from 0x1000, iovecs at 0x2000, data from 0x4000.

import { expect } from "vitest";
import { wasmModule } from "../compile";
import { instantiateOnFake, Loaded, APP_MEMORY_BASE, FakeArchConfig } from "../fake-arch";
import { writePvh } from "../firmware";
import { HEAP_END } from "../core/client";
import { MEMORY_PVH_AT, pcMemoryMap } from "../mm/client";
import { writeImage } from "../../../scripts/image/writer";
import { directory, DirectoryNode } from "../../../scripts/image/tree";

type Ptr = number;
type Fn = (...args: never[]) => unknown;

export const APP_BYTES = 256 * 1024;
export const RESULT = 0x100;
export const PATHS = 0x1000;
export const IOVS = 0x2000;
export const DATA = 0x4000;
/** An address past the end of app memory. */
export const OUTSIDE = APP_BYTES + 16;

/** WASI errno numbers the tests name. */
export const E = {
  SUCCESS: 0, "2BIG": 1, ACCES: 2, AGAIN: 6, BADF: 8, BADMSG: 9, BUSY: 10, DEADLK: 16, EXIST: 20, FAULT: 21,
  FBIG: 22, ILSEQ: 25, INVAL: 28, IO: 29, ISDIR: 31, LOOP: 32, MFILE: 33, NAMETOOLONG: 37, NOENT: 44, NOMEM: 48,
  NOSPC: 51, NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, NOTSUP: 58, PERM: 63, ROFS: 69, SPIPE: 70, SRCH: 71,
  TIMEDOUT: 73, XDEV: 75, NOTCAPABLE: 76, NOTSOCK: 57, ADDRNOTAVAIL: 4, AFNOSUPPORT: 5, NETDOWN: 38,
} as const;

export const FILETYPE = { unknown: 0, characterDevice: 2, directory: 3, regularFile: 4, symbolicLink: 7 } as const;
export const OFLAGS = { creat: 1, directory: 2, excl: 4, trunc: 8 } as const;
export const FDFLAGS = { append: 1, dsync: 2, nonblock: 4, rsync: 8, sync: 16 } as const;
export const LOOKUP_FOLLOW = 1;
export const FSTFLAGS = { atim: 1, atimNow: 2, mtim: 4, mtimNow: 8 } as const;
export const WHENCE = { set: 0, cur: 1, end: 2 } as const;

/** Rights bits (wasi_snapshot_preview1). */
export const R = {
  fdDatasync: 1n << 0n, fdRead: 1n << 1n, fdSeek: 1n << 2n, fdFdstatSetFlags: 1n << 3n, fdSync: 1n << 4n,
  fdTell: 1n << 5n, fdWrite: 1n << 6n, fdAdvise: 1n << 7n, fdAllocate: 1n << 8n, pathCreateDirectory: 1n << 9n,
  pathCreateFile: 1n << 10n, pathLinkSource: 1n << 11n, pathLinkTarget: 1n << 12n, pathOpen: 1n << 13n,
  fdReaddir: 1n << 14n, pathReadlink: 1n << 15n, pathRenameSource: 1n << 16n, pathRenameTarget: 1n << 17n,
  pathFilestatGet: 1n << 18n, pathFilestatSetSize: 1n << 19n, pathFilestatSetTimes: 1n << 20n,
  fdFilestatGet: 1n << 21n, fdFilestatSetSize: 1n << 22n, fdFilestatSetTimes: 1n << 23n, pathSymlink: 1n << 24n,
  pathRemoveDirectory: 1n << 25n, pathUnlinkFile: 1n << 26n, pollFdReadwrite: 1n << 27n,
} as const;
export const ALL_RIGHTS = (1n << 30n) - 1n;
/** What wasi-libc asks for when it opens a file for reading and writing. */
export const FILE_RW = R.fdRead | R.fdWrite | R.fdSeek | R.fdTell | R.fdFilestatGet | R.fdFilestatSetSize |
  R.fdFilestatSetTimes | R.fdFdstatSetFlags | R.fdSync | R.fdDatasync | R.fdAdvise | R.fdAllocate | R.pollFdReadwrite;
export const FILE_RO = R.fdRead | R.fdSeek | R.fdTell | R.fdFilestatGet | R.fdFdstatSetFlags | R.fdAdvise | R.pollFdReadwrite;

/** The preopens every test gets: fd 3 is /sandbox (RAMFS /data), fd 4 /fixtures (ROFS at /ro). */
export const SANDBOX = 3;
export const FIXTURES = 4;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The ROFS fixture tree mounted at /ro. */
export function fixtureTree(): DirectoryNode {
  const root = directory(1_700_000_000);
  const file = (text: string, mtime = 1_600_000_000) => ({ type: "file" as const, mode: 0o644, mtime, data: encoder.encode(text) });
  const link = (target: string) => ({ type: "symlink" as const, mode: 0o777, mtime: 5, target });
  root.children.set("hello.txt", file("Hello, ROFS!\n"));
  const sub = directory(7);
  sub.children.set("a.txt", file("aaa"));
  sub.children.set("up", link("../hello.txt"));
  root.children.set("sub", sub);
  root.children.set("link", link("hello.txt"));
  root.children.set("absolute", link("/hello.txt"));
  root.children.set("escape", link("../secret"));
  return root;
}

export interface WasiExports extends Record<string, Fn> {
  heapBase(): number;
  runtimeHeapInit(from: number, to: number): void;
  consoleUseSerial(): void;
  bootParsePvh(at: number): Ptr;
  mmInit(imageEnd: number): Ptr;
  mmMalloc(size: number): number;
  mmFree(address: number): void;
  pagesFree(): number;
  fsMountRamRoot(): number;
  fsMountRofs(path: Ptr, base: number, size: bigint): Ptr;
  fsUnmountAll(rofsPath: Ptr): number;
  fsMkdir(path: Ptr): number;
  vfsOpenDescriptors(): number;
  vfsCachedVnodes(): number;
  vfsPathLookups(): bigint;
  appAdopt(base: bigint, bytes: bigint): void;
  wasiAddArg(text: Ptr): void;
  wasiAddEnv(text: Ptr): void;
  wasiAddPreopen(guest: Ptr, kernel: Ptr): void;
  wasiConfigure(): Ptr;
  wasiReset(): void;
  wasiExitStatus(): number;
  wasiOpenCount(): number;
  wasiErrnoOf(linux: number): number;
}

export interface Setup {
  args?: string[];
  env?: string[];
  preopens?: Array<[guest: string, kernel: string]>;
}

export class WasiHarness {
  private rofsImage = 0;
  private mounted = false;

  private constructor(readonly loaded: Loaded<WasiExports>) {}

  static async create(config: FakeArchConfig = {}, memoryPages = 256): Promise<WasiHarness> {
    const loaded = await instantiateOnFake<WasiExports>(
      await wasmModule("test/host/wasi/harness.ts"),
      { counterFrequency: 1_000_000_000n, ...config },
      memoryPages,
    );
    const harness = new WasiHarness(loaded);
    const e = harness.e;
    const heapStart = (e.heapBase() + 7) & ~7;
    e.runtimeHeapInit(heapStart, HEAP_END);
    e.consoleUseSerial();
    const memmap = pcMemoryMap(loaded.memory.buffer.byteLength);
    const pvh = writePvh(loaded.memory, MEMORY_PVH_AT, { cmdline: null, memmap, modules: [] });
    const parseError = harness.string(e.bootParsePvh(pvh));
    if (parseError !== "") throw new Error(`PVH parse: ${parseError}`);
    const error = harness.string(e.mmInit(heapStart));
    if (error !== "") throw new Error(`initMemory: ${error}`);
    harness.fake.appMemory = new Uint8Array(APP_BYTES);
    e.appAdopt(APP_MEMORY_BASE, BigInt(APP_BYTES));
    return harness;
  }

  get e(): Loaded<WasiExports>["exports"] {
    return this.loaded.exports;
  }

  get fake() {
    return this.loaded.fake;
  }

  /** Calls the kernel export wasi_<name>; the errno it returned. */
  call(name: string, ...args: Array<number | bigint>): number {
    const fn = this.e[`wasi_${name}`] as unknown as (...a: Array<number | bigint>) => number;
    if (typeof fn !== "function") throw new Error(`no export wasi_${name}`);
    return fn(...args) >>> 0;
  }

  string(ptr: Ptr): string {
    return this.e.__getString(ptr);
  }

  s(text: string): Ptr {
    return this.e.__newString(text);
  }

  // --- The tree and WASI set-up ---

  /** A fresh tree (RAMFS root: /data, /outside, /secret; ROFS at /ro) and WASI configured over it. */
  setUp(setup: Setup = {}, tree: DirectoryNode = fixtureTree()): void {
    const e = this.e;
    expect(e.fsMountRamRoot()).toBe(0);
    this.mounted = true;
    expect(e.fsMkdir(this.s("/data"))).toBe(0);
    expect(e.fsMkdir(this.s("/ro"))).toBe(0);
    expect(e.fsMkdir(this.s("/outside"))).toBe(0);
    const { image } = writeImage(tree);
    this.rofsImage = e.mmMalloc(image.length) >>> 0;
    new Uint8Array(this.loaded.memory.buffer).set(image, this.rofsImage);
    expect(this.string(e.fsMountRofs(this.s("/ro"), this.rofsImage, BigInt(image.length)))).toBe("");
    this.fake.appMemory.fill(0);
    for (const arg of setup.args ?? []) e.wasiAddArg(this.s(arg));
    for (const item of setup.env ?? []) e.wasiAddEnv(this.s(item));
    for (const [guest, kernel] of setup.preopens ?? [["/sandbox", "/data"], ["/fixtures", "/ro"]]) {
      e.wasiAddPreopen(this.s(guest), this.s(kernel));
    }
    expect(this.string(e.wasiConfigure())).toBe("");
  }

  /**
   * Resets WASI and unmounts the tree (if setUp ran); checks nothing stayed
   * open and that the fake machine recorded nothing unexpected: above all no
   * copy to or from outside app memory (a range the WASI layer should have
   * refused with FAULT before copying). Every test file calls it after each
   * test; a test that means to cause such a copy takes it with refused().
   */
  tearDown(): void {
    const unexpected = this.refused();
    try {
      if (!this.mounted) return;
      this.mounted = false;
      const e = this.e;
      e.wasiReset();
      expect(e.wasiOpenCount(), "WASI descriptors left").toBe(0);
      expect(e.vfsOpenDescriptors(), "VFS descriptors left").toBe(0);
      expect(e.fsUnmountAll(this.s("/ro"))).toBe(0);
      if (this.rofsImage) e.mmFree(this.rofsImage);
      this.rofsImage = 0;
    } finally {
      expect(unexpected, "the fake machine recorded copies outside app memory (or other unexpected accesses)").toEqual([]);
    }
  }

  /** What the fake machine recorded as unexpected since the last call (or set-up), cleared: e.g. refused copies. */
  refused(): string[] {
    return this.fake.unexpected.splice(0);
  }

  // --- App memory ---

  get app(): Uint8Array {
    return this.fake.appMemory;
  }

  view(): DataView {
    return new DataView(this.app.buffer, this.app.byteOffset, this.app.byteLength);
  }

  put(address: number, data: Uint8Array | string): number {
    const bytes = typeof data === "string" ? encoder.encode(data) : data;
    this.app.set(bytes, address);
    return bytes.length;
  }

  bytes(address: number, length: number): Uint8Array {
    return this.app.slice(address, address + length);
  }

  text(address: number, length: number): string {
    return decoder.decode(this.bytes(address, length));
  }

  u8(address: number): number {
    return this.view().getUint8(address);
  }

  u16(address: number): number {
    return this.view().getUint16(address, true);
  }

  u32(address: number): number {
    return this.view().getUint32(address, true);
  }

  u64(address: number): bigint {
    return this.view().getBigUint64(address, true);
  }

  setU32(address: number, value: number): void {
    this.view().setUint32(address, value, true);
  }

  setU64(address: number, value: bigint): void {
    this.view().setBigUint64(address, value, true);
  }

  /** Writes iovecs at IOVS for [address, length] pairs; returns their count. */
  iovecs(pieces: Array<[number, number]>, at = IOVS): number {
    pieces.forEach(([address, length], i) => {
      this.setU32(at + i * 8, address);
      this.setU32(at + i * 8 + 4, length);
    });
    return pieces.length;
  }

  // --- Calls with the plumbing done ---

  /** path_open beneath `dirFd`; the new fd, or -errno. */
  open(
    path: string, options: { dirFd?: number; oflags?: number; rights?: bigint; inheriting?: bigint; fdflags?: number; follow?: boolean } = {},
  ): number {
    const length = this.put(PATHS, path);
    const errno = this.call(
      "path_open", options.dirFd ?? SANDBOX, options.follow === false ? 0 : LOOKUP_FOLLOW, PATHS, length, options.oflags ?? 0,
      options.rights ?? FILE_RW, options.inheriting ?? 0n, options.fdflags ?? 0, RESULT,
    );
    return errno === 0 ? this.u32(RESULT) : -errno;
  }

  /** fd_write of `data` in one iovec; bytes written, or -errno. */
  write(fd: number, data: string | Uint8Array): number {
    const length = this.put(DATA, data);
    const errno = this.call("fd_write", fd, IOVS, this.iovecs([[DATA, length]]), RESULT);
    return errno === 0 ? this.u32(RESULT) : -errno;
  }

  /** fd_read of up to `length` bytes; the text, or -errno. */
  read(fd: number, length: number): string | number {
    const errno = this.call("fd_read", fd, IOVS, this.iovecs([[DATA, length]]), RESULT);
    return errno === 0 ? this.text(DATA, this.u32(RESULT)) : -errno;
  }

  /** A path-only call (path_create_directory, path_unlink_file, ...) beneath `dirFd`. */
  pathCall(name: string, path: string, dirFd = SANDBOX): number {
    const length = this.put(PATHS, path);
    return this.call(name, dirFd, PATHS, length);
  }

  /** path_filestat_get; the filestat, or the errno. */
  pathStat(path: string, follow = true, dirFd = SANDBOX): Filestat | number {
    const length = this.put(PATHS, path);
    const errno = this.call("path_filestat_get", dirFd, follow ? LOOKUP_FOLLOW : 0, PATHS, length, RESULT);
    return errno === 0 ? this.filestat(RESULT) : errno;
  }

  /** fd_filestat_get; the filestat, or the errno. */
  fdStat(fd: number): Filestat | number {
    const errno = this.call("fd_filestat_get", fd, RESULT);
    return errno === 0 ? this.filestat(RESULT) : errno;
  }

  filestat(at: number): Filestat {
    return {
      dev: this.u64(at), ino: this.u64(at + 8), filetype: this.u8(at + 16), nlink: this.u64(at + 24),
      size: this.u64(at + 32), atim: this.u64(at + 40), mtim: this.u64(at + 48), ctim: this.u64(at + 56),
    };
  }

  /** Everything the console (stdout, stderr, kernel) printed since `from`. */
  console(from = 0): string {
    return decoder.decode(Uint8Array.from(this.fake.serialBytes.slice(from)));
  }
}

export interface Filestat {
  dev: bigint;
  ino: bigint;
  filetype: number;
  nlink: bigint;
  size: bigint;
  atim: bigint;
  mtim: bigint;
  ctim: bigint;
}
