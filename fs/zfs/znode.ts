// ZPL znodes as ZPL versions 1 to 4 keep them: znode_phys_t is the bonus
// buffer (type 17) of the file's dnode. A short symbolic link's target
// follows it in the bonus buffer; a longer one is the object's data.
//
//   +0 atime[2]  +16 mtime[2]  +32 ctime[2]  +48 crtime[2]  (seconds, nanoseconds)
//   +64 gen  +72 mode  +80 size  +88 parent  +96 links  +104 xattr  +112 rdev
//   +120 flags  +128 uid  +136 gid  +144 zap  +152 pad[3]  +176 ACL (88)  = 264

import { le64 } from "./bytes";
import { Dnode } from "./dnode";

export const ZNODE_BONUS: u32 = 17;
export const ZNODE_SIZE: i32 = 264;

export const TYPE_FILE: u32 = 1;
export const TYPE_DIRECTORY: u32 = 2;
export const TYPE_SYMLINK: u32 = 3;

const S_IFMT: u64 = 0o170000;
const S_IFREG: u64 = 0o100000;
const S_IFDIR: u64 = 0o040000;
const S_IFLNK: u64 = 0o120000;

export class Znode {
  constructor(public dnode: Dnode) {}

  private field(at: i32): u64 {
    return le64(this.dnode.data, this.dnode.bonusAt + at);
  }

  /** Whether the dnode carries a znode this reader understands. */
  get valid(): bool {
    return this.dnode.bonusType == ZNODE_BONUS && this.dnode.bonusLength >= ZNODE_SIZE;
  }

  get mode(): u64 { return this.field(72); }
  get size(): u64 { return this.field(80); }
  get links(): u64 { return this.field(96); }
  get accessed(): i64 { return this.time(0); }
  get modified(): i64 { return this.time(16); }
  get changed(): i64 { return this.time(32); }

  /** TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, or 0 for the kinds the ABI has no type for (devices, FIFOs, sockets). */
  get type(): u32 {
    const format = this.mode & S_IFMT;
    if (format == S_IFREG) return TYPE_FILE;
    if (format == S_IFDIR) return TYPE_DIRECTORY;
    if (format == S_IFLNK) return TYPE_SYMLINK;
    return 0;
  }

  /** Where the link target starts within the dnode if it is inline in the bonus buffer, else -1. */
  get inlineTargetAt(): i32 {
    const size = this.size;
    return size + <u64>ZNODE_SIZE <= <u64>this.dnode.bonusLength ? this.dnode.bonusAt + ZNODE_SIZE : -1;
  }

  private time(at: i32): i64 {
    return <i64>this.field(at) * 1_000_000_000 + <i64>this.field(at + 8);
  }
}
