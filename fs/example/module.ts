// The example filesystem as a loadable module (docs/modules.md walks
// through it): a read-only directory of a few text files (files.ts), served
// through the SDK (fs/sdk). `wisp build-module fs/example` builds it as
// example.so; an image that mounts type `example` carries it as
// /lib/modules/example.so and the kernel loads it at that mount
// (modules/example-fs). hello.ts is the same filesystem built into the kernel.

import { serve, Volume, Attributes, DirectoryEntry, ENOENT, ENOTDIR, EISDIR, EINVAL } from "../sdk";
import { NAMES, CONTENTS } from "./files";
export * from "../sdk/exports";

/** The root is inode 1; file i is inode i + 2. */
const ROOT: i64 = 1;

class ExampleVolume extends Volume {
  mount(source: string, readOnly: bool): i32 {
    return source.length == 0 ? 0 : -EINVAL; // takes no source
  }

  root(): i64 {
    return ROOT;
  }

  lookup(directory: i64, name: string): i64 {
    if (directory != ROOT) return -ENOTDIR;
    for (let i = 0; i < NAMES.length; i++) {
      if (NAMES[i] == name) return <i64>i + 2;
    }
    return -ENOENT;
  }

  readdir(directory: i64, cookie: i64, out: DirectoryEntry): i32 {
    if (directory != ROOT) return -ENOTDIR;
    if (cookie < 0 || cookie >= <i64>NAMES.length) return 0;
    out.name = NAMES[<i32>cookie];
    out.inode = cookie + 2;
    out.type = 1;
    out.next = cookie + 1;
    return 1;
  }

  read(inode: i64, offset: i64, buffer: usize, length: i32): i32 {
    if (inode == ROOT) return -EISDIR;
    const file = this.file(inode);
    if (file < 0) return -ENOENT;
    const bytes = String.UTF8.encode(CONTENTS[file]);
    if (offset >= <i64>bytes.byteLength) return 0;
    const count = min<i32>(length, bytes.byteLength - <i32>offset);
    memory.copy(buffer, changetype<usize>(bytes) + <usize>offset, count);
    return count;
  }

  getattr(inode: i64, out: Attributes): i32 {
    const directory = inode == ROOT;
    const file = this.file(inode);
    if (!directory && file < 0) return -ENOENT;
    out.type = directory ? 2 : 1;
    out.mode = directory ? 0o555 : 0o444;
    out.links = directory ? 2 : 1;
    out.size = directory ? <u64>NAMES.length : <u64>String.UTF8.byteLength(CONTENTS[file]);
    out.blocks = (out.size + 511) / 512;
    return 0;
  }

  /** Which file `inode` is (an index into NAMES), or -1. */
  private file(inode: i64): i32 {
    return inode >= 2 && inode < <i64>NAMES.length + 2 ? <i32>(inode - 2) : -1;
  }
}

serve((): Volume => new ExampleVolume());
