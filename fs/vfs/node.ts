// The filesystem module interface: what a filesystem implements for the VFS.
//
// A filesystem is a FileSystem (its root and whole-volume operations) and a
// Vnode subclass (one object per file, directory or symlink the VFS holds).
// Every operation has a default that refuses it with the right errno, so a
// filesystem overrides only what it supports: a read-only one never writes a
// refusal for write, mkdir or unlink. fs/README.md walks through writing one.
//
// Conventions:
//   - Errors are negative errno values (kernel/errno.ts); success is 0 or a
//     count. Byte counts are i64 so that any u32 length fits beside -errno.
//   - Buffers are kernel addresses (usize) with a length.
//   - Names given to a Vnode are single path components: never empty, never
//     "." or "..", without '/', at most NAME_MAX bytes (the VFS checks).
//   - A method that finds or makes a vnode stores it in `out.node`.
//   - The VFS keeps one Vnode per (filesystem, inode) while anything uses it
//     (the vnode cache) and calls release() when the last user lets go; a
//     filesystem may then drop what it cached for that inode.
//   - Lifetime: after release() the VFS never touches that object again, so
//     a filesystem that made it for the VFS may free it there. If lookup
//     hands back a new object for an inode the VFS already holds, the VFS
//     keeps its own and calls release() on the new one at once.
//   - String ownership (the kernel frees memory explicitly, docs/runtime.md):
//     strings handed to a vnode (names, symlink targets) are borrowed for the
//     call; keep a copy (ownedString in fs/vfs/strings.ts) to store one.
//     Strings a vnode hands back (DirEntry.name when readdir returns 1,
//     TextResult.text when readlink returns 0) become the caller's, who
//     frees them: hand back a fresh string, never one the filesystem keeps
//     or a literal.
//   - Locking: the VFS calls a filesystem with its one lock held, so a
//     filesystem needs no lock of its own for VFS calls (fs/README.md).

import { EISDIR, ENOTDIR, EROFS, EINVAL, ENOSYS } from "../../kernel/errno";

export const TYPE_FILE: u32 = 1;
export const TYPE_DIRECTORY: u32 = 2;
export const TYPE_SYMLINK: u32 = 3;

/** Longest name of one directory entry, in bytes (as POSIX NAME_MAX). */
export const NAME_MAX: i32 = 255;

/** A time setTimes leaves as it is (as UTIME_OMIT). */
export const TIME_UNCHANGED: i64 = i64.MIN_VALUE;

/** What stat reports. Times are nanoseconds since the Unix epoch. */
export class Stat {
  device: u64 = 0;
  inode: u64 = 0;
  type: u32 = 0;
  /** Permission bits (0o755...). */
  mode: u32 = 0;
  links: u32 = 1;
  size: u64 = 0;
  /** 512-byte blocks the file occupies. */
  blocks: u64 = 0;
  accessed: i64 = 0;
  modified: i64 = 0;
  changed: i64 = 0;
}

/**
 * What statfs reports of a mounted filesystem: counts of `blockSize`-byte
 * blocks and of files (inodes). Wisp keeps nothing back for a superuser,
 * but a filesystem may (9p passes on what the host says).
 */
export class SpaceStat {
  blockSize: u32 = 0;
  blocks: u64 = 0;
  freeBlocks: u64 = 0;
  /** Free blocks an unprivileged writer may take. */
  availableBlocks: u64 = 0;
  files: u64 = 0;
  freeFiles: u64 = 0;
  /** The longest name, in bytes. */
  nameMax: u32 = <u32>NAME_MAX;
  /** Mounted read-only (set by the VFS). */
  readOnly: bool = false;
}

/** One directory entry from readdir. */
export class DirEntry {
  name: string = "";
  inode: u64 = 0;
  type: u32 = 0;
  /** The cookie that continues the listing after this entry. */
  next: u64 = 0;
}

/** Where lookup, create, mkdir and symlink put the vnode they found or made. */
export class VnodeResult {
  node: Vnode | null = null;
}

/** Where readlink puts the link's target. */
export class TextResult {
  text: string = "";
}

export class Vnode {
  /** References held by the VFS (open files, the cache, the mount table). */
  references: i32 = 0;
  // Kept by the VFS (fs/vfs/cache.ts, mount.ts); a filesystem never touches them.
  /** The directory this directory was found in, while the VFS holds it (null for a root). */
  parent: Vnode | null = null;
  /** The next vnode in the same vnode-cache bucket. */
  cacheNext: Vnode | null = null;
  /** Something is mounted on this directory. */
  covered: bool = false;

  constructor(public fs: FileSystem, public inode: u64, public type: u32) {}

  // --- Directories ---

  /** Finds `name` in this directory: -ENOENT if it is not there. */
  lookup(name: string, out: VnodeResult): i32 {
    return -ENOTDIR;
  }
  /** Makes an empty file `name` (-EEXIST if the name exists). */
  create(name: string, mode: u32, out: VnodeResult): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  mkdir(name: string, mode: u32, out: VnodeResult): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  symlink(name: string, target: string, out: VnodeResult): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  /**
   * Makes `name` here a second name for `node` (a hard link; never a
   * directory, always on this filesystem: the VFS checked both, and that
   * `name` is free). Filesystems without hard links refuse with -EPERM.
   */
  link(name: string, node: Vnode): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  /** Removes the non-directory `name`. */
  unlink(name: string): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  /** Removes the empty directory `name` (-ENOTEMPTY otherwise). */
  rmdir(name: string): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  /**
   * Moves `name` to `toName` in `toDirectory` (a vnode of the same
   * filesystem), replacing what is there as POSIX rename does.
   */
  rename(name: string, toDirectory: Vnode, toName: string): i32 {
    return this.type == TYPE_DIRECTORY ? -EROFS : -ENOTDIR;
  }
  /**
   * Stores the entry at `cookie` (0 starts the listing) in `out`; returns
   * 1 for an entry, 0 at the end. Cookies stay valid while entries are
   * added or removed: no entry is listed twice and none present throughout
   * is missed.
   */
  readdir(cookie: u64, out: DirEntry): i32 {
    return -ENOTDIR;
  }

  // --- Files ---

  /**
   * A descriptor is being opened on this existing file or directory with
   * access `access` (O_RDONLY, O_WRONLY or O_RDWR): a filesystem that must
   * ask its server (9p) refuses here, with the server's errno, rather than
   * at the first read or write. A file `create` made is not opened again.
   */
  open(access: u32): i32 {
    return 0;
  }

  /** Reads up to `length` bytes at `offset` into `buffer`; returns the count (0 at the end). */
  read(offset: u64, buffer: usize, length: usize): i64 {
    return this.type == TYPE_DIRECTORY ? -EISDIR : -EINVAL;
  }
  /** Writes `length` bytes at `offset`, growing the file as needed; returns the count. */
  write(offset: u64, buffer: usize, length: usize): i64 {
    return this.type == TYPE_DIRECTORY ? -EISDIR : -EROFS;
  }
  /** Sets the file's size, dropping or zero-filling the tail. */
  truncate(size: u64): i32 {
    return this.type == TYPE_DIRECTORY ? -EISDIR : -EROFS;
  }
  /**
   * Where the whole file's bytes sit in memory, page-aligned and valid while
   * the filesystem stays mounted, when they can be used without a copy (an
   * app module on an in-memory image); 0 when they cannot, or -errno.
   */
  dataAddress(): i64 {
    return 0;
  }

  // --- Any vnode ---

  getattr(out: Stat): i32 {
    return -ENOSYS;
  }
  readlink(out: TextResult): i32 {
    return -EINVAL;
  }
  /**
   * Sets the access and modification times (nanoseconds since the epoch);
   * TIME_UNCHANGED leaves that one alone. The change time becomes now.
   */
  setTimes(accessed: i64, modified: i64): i32 {
    return -ENOSYS;
  }
  /** Makes this vnode's data durable. */
  fsync(): i32 {
    return 0;
  }
  /** The VFS dropped its last reference. */
  release(): void {}
}

export class FileSystem {
  /** A device number for stat, given by the VFS at mount. */
  device: u64 = 0;
  /**
   * Whether its names never change while it is mounted (a read-only image):
   * path walks may then keep what its lookups answered (fs/vfs/names.ts).
   */
  namesFixed: bool = false;

  constructor(public typeName: string, public readOnly: bool) {}

  /** The root directory's vnode. */
  root(): Vnode {
    return unreachable();
  }
  /** Makes everything written durable. */
  sync(): i32 {
    return 0;
  }
  /** Fills `out` with the filesystem's size and free space (statfs); 0 or -errno. */
  statfs(out: SpaceStat): i32 {
    return -ENOSYS;
  }
  /** Called when the filesystem is unmounted (nothing on it is open). */
  unmount(): void {}
  /**
   * The periodic sync (fs/vfs syncFileSystems): a filesystem that gathers
   * changes in memory (ZFS's transaction groups) writes them now. Most
   * write through at once and need nothing.
   */
  periodicSync(): void {}
  /**
   * The machine is powering off, whatever is still open: leave the
   * filesystem whole on its devices (a filesystem with its own on-disk
   * state syncs or closes it here). Nothing is called on it afterwards.
   */
  finish(): void {
    this.sync();
  }
}
