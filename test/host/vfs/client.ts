// The Node side of the harness's vfs part (vfs/harness.ts): the typings of
// its exports, the VFS's constants and errno values, and VfsClient, which
// wraps the exports with JS strings and byte arrays. Filesystems cross as
// handles; results are 0 / counts / descriptors, or -errno.

import type { Ptr } from "../core/client";
import type { Harness } from "../harness-client";

export interface VfsExports {
  ramfsCreate(): number;
  exampleFsCreate(): number;
  fsFree(handle: number): void;
  ramfsNodeCount(handle: number): number;
  ramfsPagesTaken(): bigint;
  ramfsSlotsCopied(): bigint;
  ramfsIndexMoves(): bigint;
  vfsMountRoot(handle: number): number;
  vfsMount(dirFd: number, path: Ptr, handle: number): number;
  vfsUnmount(dirFd: number, path: Ptr): number;
  vfsOpen(dirFd: number, path: Ptr, flags: number, mode: number, resolve: number): number;
  vfsClose(fd: number): number;
  vfsDup(fd: number): number;
  vfsDup2(fd: number, to: number): number;
  vfsRead(fd: number, buffer: number, length: number): bigint;
  vfsWrite(fd: number, buffer: number, length: number): bigint;
  vfsPread(fd: number, buffer: number, length: number, offset: bigint): bigint;
  vfsPwrite(fd: number, buffer: number, length: number, offset: bigint): bigint;
  vfsSeek(fd: number, offset: bigint, whence: number): bigint;
  vfsFstat(fd: number, out: number): number;
  vfsStatfs(fd: number, out: number): number;
  vfsStat(dirFd: number, path: Ptr, follow: number, out: number, resolve: number): number;
  vfsFtruncate(fd: number, size: bigint): number;
  vfsFsync(fd: number): number;
  vfsReaddir(fd: number, cookie: bigint): number;
  vfsEntryName(): Ptr;
  vfsEntryInode(): bigint;
  vfsEntryType(): number;
  vfsEntryNext(): bigint;
  vfsMkdir(dirFd: number, path: Ptr, mode: number, resolve: number): number;
  vfsRmdir(dirFd: number, path: Ptr, resolve: number): number;
  vfsUnlink(dirFd: number, path: Ptr, resolve: number): number;
  vfsRename(fromFd: number, fromPath: Ptr, toFd: number, toPath: Ptr, resolve: number): number;
  vfsSymlink(target: Ptr, dirFd: number, path: Ptr, resolve: number): number;
  vfsReadlink(dirFd: number, path: Ptr, resolve: number): number;
  vfsLinkText(): Ptr;
  vfsLink(fromFd: number, fromPath: Ptr, toFd: number, toPath: Ptr, resolve: number): number;
  vfsSetTimes(fd: number, accessed: bigint, modified: bigint): number;
  vfsTruncate(dirFd: number, path: Ptr, size: bigint, resolve: number): number;
  vfsOpenDescriptors(): number;
  vfsCachedVnodes(): number;
  vfsKeptNames(): number;
  rofsImageCreate(base: number, size: bigint): number;
  vfsPathLookups(): bigint;
}

/** fs/vfs/descriptors.ts, file-operations.ts, start.ts and node.ts constants (Linux numbering). */
export const VFS = {
  O_RDONLY: 0, O_WRONLY: 1, O_RDWR: 2, O_CREAT: 0o100, O_EXCL: 0o200, O_TRUNC: 0o1000, O_APPEND: 0o2000,
  O_DIRECTORY: 0o200000, O_NOFOLLOW: 0o400000,
  SEEK_SET: 0, SEEK_CUR: 1, SEEK_END: 2,
  AT_FDCWD: -100, RESOLVE_BENEATH: 0x08,
  TYPE_FILE: 1, TYPE_DIRECTORY: 2, TYPE_SYMLINK: 3,
  NAME_MAX: 255, PATH_MAX: 4096, MAX_SYMLINKS: 40, TIME_UNCHANGED: -(2n ** 63n),
} as const;

/** kernel/errno.ts values the VFS returns (negated). */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, EIO: 5, EBADF: 9, ENOMEM: 12, EACCES: 13, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENOTDIR: 20,
  EISDIR: 21, EINVAL: 22, EMFILE: 24, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, ENAMETOOLONG: 36,
  ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40, ENOTCAPABLE: 1000,
} as const;

export interface VfsStat {
  device: bigint; inode: bigint; type: number; mode: number; links: number; size: number; blocks: number;
  accessed: bigint; modified: bigint; changed: bigint;
}

/** What statfs reports (fs/vfs SpaceStat). */
export interface VfsSpace {
  blockSize: number;
  blocks: bigint;
  freeBlocks: bigint;
  availableBlocks: bigint;
  files: bigint;
  freeFiles: bigint;
  readOnly: boolean;
  nameMax: number;
}

export interface VfsEntry {
  name: string; inode: bigint; type: number; next: bigint;
}

/**
 * The VFS through the harness, with JS values. Needs a harness whose kernel
 * memory is set up (Harness.withMemory); takes one malloc'd I/O buffer of
 * `bufferSize` bytes (and 80 bytes for stat) at creation.
 */
export class VfsClient {
  readonly buffer: number;
  private readonly statOut: number;

  constructor(readonly harness: Harness, readonly bufferSize = 64 * 1024) {
    this.buffer = harness.exports.mmMalloc(bufferSize) >>> 0;
    this.statOut = harness.exports.mmMalloc(80) >>> 0;
    if (this.buffer === 0 || this.statOut === 0) throw new Error("VfsClient: no memory for its buffers");
  }

  private get e() {
    return this.harness.exports;
  }

  private s(text: string): Ptr {
    return this.harness.newString(text);
  }

  /** A fresh string from the kernel that the test now owns: read, then freed. */
  private taken(ptr: Ptr): string {
    const text = this.harness.string(ptr);
    this.e.rtFree(ptr);
    return text;
  }

  ramfs(): number {
    return this.e.ramfsCreate();
  }

  exampleFs(): number {
    return this.e.exampleFsCreate();
  }

  /** A ROFS handle over `image`, copied into kernel memory for good (the filesystem uses it in place). */
  rofs(image: Uint8Array): number {
    const base = this.harness.exports.__alloc(image.length) >>> 0;
    this.harness.bytes().set(image, base);
    return this.e.rofsImageCreate(base, BigInt(image.length));
  }

  keptNames(): number {
    return this.e.vfsKeptNames() >>> 0;
  }

  keptPaths(): number {
    return this.e.vfsKeptPaths() >>> 0;
  }

  /** Whether the path cache keeps `path` walked from `dirFd`. */
  pathKept(path: string, dirFd: number = VFS.AT_FDCWD): boolean {
    const result = this.e.vfsPathKept(dirFd, this.s(path));
    if (result < 0) throw new Error(`pathKept: bad descriptor ${dirFd}`);
    return result === 1;
  }

  mountRoot(handle: number): number {
    return this.e.vfsMountRoot(handle);
  }

  mount(path: string, handle: number, dirFd: number = VFS.AT_FDCWD): number {
    return this.e.vfsMount(dirFd, this.s(path), handle);
  }

  unmount(path: string, dirFd: number = VFS.AT_FDCWD): number {
    return this.e.vfsUnmount(dirFd, this.s(path));
  }

  open(path: string, flags: number = VFS.O_RDONLY, mode = 0o644, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsOpen(dirFd, this.s(path), flags, mode, resolve);
  }

  close(fd: number): number {
    return this.e.vfsClose(fd);
  }

  dup(fd: number): number {
    return this.e.vfsDup(fd);
  }

  dup2(fd: number, to: number): number {
    return this.e.vfsDup2(fd, to);
  }

  /** Writes `data` (in pieces of at most the buffer size) at the offset, or at `offset` with pwrite. Returns the total or -errno. */
  write(fd: number, data: Uint8Array | string, offset?: number): number {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    let done = 0;
    do {
      const piece = bytes.subarray(done, done + this.bufferSize);
      this.harness.write(this.buffer, piece);
      const got = Number(offset === undefined
        ? this.e.vfsWrite(fd, this.buffer, piece.length)
        : this.e.vfsPwrite(fd, this.buffer, piece.length, BigInt(offset + done)));
      if (got < 0) return got;
      done += got;
      if (got < piece.length) break;
    } while (done < bytes.length);
    return done;
  }

  /** Reads up to `length` bytes (at `offset` with pread): the bytes, or -errno. */
  read(fd: number, length: number, offset?: number): Uint8Array | number {
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const want = Math.min(length - done, this.bufferSize);
      const got = Number(offset === undefined
        ? this.e.vfsRead(fd, this.buffer, want)
        : this.e.vfsPread(fd, this.buffer, want, BigInt(offset + done)));
      if (got < 0) return got;
      out.set(this.harness.bytes().subarray(this.buffer, this.buffer + got), done);
      done += got;
      if (got < want) break;
    }
    return out.slice(0, done);
  }

  readText(fd: number, length = 1 << 20, offset?: number): string | number {
    const bytes = this.read(fd, length, offset);
    return typeof bytes === "number" ? bytes : new TextDecoder().decode(bytes);
  }

  seek(fd: number, offset: number | bigint, whence: number = VFS.SEEK_SET): number {
    return Number(this.e.vfsSeek(fd, BigInt(offset), whence));
  }

  private statFrom(result: number): VfsStat | number {
    if (result < 0) return result;
    const view = new DataView(this.harness.memory.buffer, this.statOut, 80);
    const field = (i: number) => view.getBigUint64(i * 8, true);
    return {
      device: field(0), inode: field(1), type: Number(field(2)), mode: Number(field(3)), links: Number(field(4)),
      size: Number(field(5)), blocks: Number(field(6)), accessed: view.getBigInt64(56, true),
      modified: view.getBigInt64(64, true), changed: view.getBigInt64(72, true),
    };
  }

  stat(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): VfsStat | number {
    return this.statFrom(this.e.vfsStat(dirFd, this.s(path), 1, this.statOut, resolve));
  }

  lstat(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): VfsStat | number {
    return this.statFrom(this.e.vfsStat(dirFd, this.s(path), 0, this.statOut, resolve));
  }

  fstat(fd: number): VfsStat | number {
    return this.statFrom(this.e.vfsFstat(fd, this.statOut));
  }

  statfs(fd: number): VfsSpace | number {
    const result = this.e.vfsStatfs(fd, this.statOut);
    if (result < 0) return result;
    const view = new DataView(this.harness.memory.buffer, this.statOut, 64);
    const field = (i: number) => view.getBigUint64(i * 8, true);
    return {
      blockSize: Number(field(0)), blocks: field(1), freeBlocks: field(2), availableBlocks: field(3), files: field(4),
      freeFiles: field(5), readOnly: field(6) === 1n, nameMax: Number(field(7)),
    };
  }

  ftruncate(fd: number, size: number | bigint): number {
    return this.e.vfsFtruncate(fd, BigInt(size));
  }

  truncate(path: string, size: number | bigint, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsTruncate(dirFd, this.s(path), BigInt(size), resolve);
  }

  fsync(fd: number): number {
    return this.e.vfsFsync(fd);
  }

  /** One readdir step: the entry, null at the end, or -errno. */
  readdirAt(fd: number, cookie: bigint): VfsEntry | null | number {
    const result = this.e.vfsReaddir(fd, cookie);
    if (result < 0) return result;
    if (result === 0) return null;
    return {
      name: this.taken(this.e.vfsEntryName()), inode: this.e.vfsEntryInode(),
      type: this.e.vfsEntryType(), next: this.e.vfsEntryNext(),
    };
  }

  /** Every entry of the directory `fd` names ("." and ".." included), or -errno. */
  readdirFd(fd: number): VfsEntry[] | number {
    const entries: VfsEntry[] = [];
    let cookie = 0n;
    for (;;) {
      const entry = this.readdirAt(fd, cookie);
      if (entry === null) return entries;
      if (typeof entry === "number") return entry;
      entries.push(entry);
      cookie = entry.next;
    }
  }

  /** The names in directory `path`, without "." and "..", sorted; or -errno. */
  list(path: string): string[] | number {
    const fd = this.open(path, VFS.O_RDONLY | VFS.O_DIRECTORY);
    if (fd < 0) return fd;
    const entries = this.readdirFd(fd);
    this.close(fd);
    if (typeof entries === "number") return entries;
    return entries.map((entry) => entry.name).filter((name) => name !== "." && name !== "..").sort();
  }

  mkdir(path: string, mode = 0o755, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsMkdir(dirFd, this.s(path), mode, resolve);
  }

  rmdir(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsRmdir(dirFd, this.s(path), resolve);
  }

  unlink(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsUnlink(dirFd, this.s(path), resolve);
  }

  rename(from: string, to: string, fromFd: number = VFS.AT_FDCWD, toFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsRename(fromFd, this.s(from), toFd, this.s(to), resolve);
  }

  symlink(target: string, path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsSymlink(this.s(target), dirFd, this.s(path), resolve);
  }

  link(from: string, to: string, fromFd: number = VFS.AT_FDCWD, toFd: number = VFS.AT_FDCWD, resolve = 0): number {
    return this.e.vfsLink(fromFd, this.s(from), toFd, this.s(to), resolve);
  }

  /** Sets a file's access and modification times (ns since the epoch; VFS.TIME_UNCHANGED leaves one). */
  setTimes(fd: number, accessed: bigint, modified: bigint): number {
    return this.e.vfsSetTimes(fd, accessed, modified);
  }

  readlink(path: string, dirFd: number = VFS.AT_FDCWD, resolve = 0): string | number {
    const result = this.e.vfsReadlink(dirFd, this.s(path), resolve);
    return result < 0 ? result : this.taken(this.e.vfsLinkText());
  }

  /** Creates (or truncates) `path` holding `data`; 0 or -errno. */
  writeFile(path: string, data: Uint8Array | string): number {
    const fd = this.open(path, VFS.O_WRONLY | VFS.O_CREAT | VFS.O_TRUNC);
    if (fd < 0) return fd;
    const written = this.write(fd, data);
    this.close(fd);
    return written < 0 ? written : 0;
  }

  /** The whole of `path` as text, or -errno. */
  readFile(path: string): string | number {
    const fd = this.open(path);
    if (fd < 0) return fd;
    const text = this.readText(fd, 1 << 22);
    this.close(fd);
    return text;
  }

  openDescriptors(): number {
    return this.e.vfsOpenDescriptors();
  }

  cachedVnodes(): number {
    return this.e.vfsCachedVnodes() >>> 0;
  }

  /** Filesystem lookups path walks have made since the harness started. */
  pathLookups(): number {
    return Number(this.e.vfsPathLookups());
  }
}
