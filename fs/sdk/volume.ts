// What a module implements: one Volume per mount. Every method answers 0 (or
// a count, an inode) on success and a negative errno on failure; the
// defaults refuse, so a volume overrides only what it supports.

import { ENOTDIR, EINVAL } from "./errno";

/** The attributes fs_getattr reports (docs/modules.md, "Attribute record"). */
export class Attributes {
  /** 1 regular file, 2 directory, 3 symbolic link. */
  type: u32 = 0;
  mode: u32 = 0;
  links: u64 = 1;
  size: u64 = 0;
  blocks: u64 = 0;
  accessed: i64 = 0;
  modified: i64 = 0;
  changed: i64 = 0;
}

/** One entry fs_readdir reports. */
export class DirectoryEntry {
  name: string = "";
  inode: i64 = 0;
  type: u32 = 0;
  /** The cookie that continues after this entry. */
  next: i64 = 0;
}

export abstract class Volume {
  /** Mounts what `source` names (fstab's SOURCE); 0 or -errno (log why first). */
  abstract mount(source: string, readOnly: bool): i32;
  /** The root directory's inode. */
  abstract root(): i64;
  /** Fills `out` for `inode`. */
  abstract getattr(inode: i64, out: Attributes): i32;

  /** The inode of `name` in `directory`. */
  lookup(directory: i64, name: string): i64 {
    return -ENOTDIR;
  }
  /** Copies up to `length` bytes at `offset` to `buffer`: the count, 0 at the end. */
  read(inode: i64, offset: i64, buffer: usize, length: i32): i32 {
    return -EINVAL;
  }
  /** The entry at `cookie` into `out`: 1, or 0 at the end. */
  readdir(directory: i64, cookie: i64, out: DirectoryEntry): i32 {
    return -ENOTDIR;
  }
  /** A symbolic link's target, or null for anything else (EINVAL). */
  readlink(inode: i64): string | null {
    return null;
  }
  /** The VFS holds `inode` no longer. */
  forget(inode: i64): void {}
  /** Gives back what the volume holds. */
  unmount(): i32 {
    return 0;
  }
}
