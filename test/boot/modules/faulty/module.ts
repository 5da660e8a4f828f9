// A filesystem module with bugs on purpose, for the boot test of module
// isolation (test/boot/fs-modules.test.ts): one file, "x", whose read goes
// wrong in the way the mount's source names:
//
//   trap     executes `unreachable` (a wasm trap)
//   oob      loads from far past the module's memory (a fault in its guard)
//   stack    recurses without end (its native stack runs into the guard)
//   abort    fails an assertion (AssemblyScript's abort: logged, then a trap)
//   fine     reads "fine\n"
//
// Reading "x" must end the read with EIO and a report naming the module,
// never harm the kernel or the app.

import { serve, Volume, Attributes, DirectoryEntry, ENOENT, ENOTDIR, EINVAL } from "../../../../fs/sdk";
export * from "../../../../fs/sdk/exports";

const ROOT: i64 = 1;
const FILE: i64 = 2;
const TEXT = "fine\n";

function recurse(depth: i32): i32 {
  const local = new StaticArray<i32>(64);
  local[depth & 63] = depth;
  return recurse(depth + 1) + local[(depth + 1) & 63];
}

class FaultyVolume extends Volume {
  kind: string = "";

  mount(source: string, readOnly: bool): i32 {
    this.kind = source;
    return source == "trap" || source == "oob" || source == "stack" || source == "abort" || source == "fine" ? 0 : -EINVAL;
  }

  root(): i64 {
    return ROOT;
  }

  lookup(directory: i64, name: string): i64 {
    if (directory != ROOT) return -ENOTDIR;
    return name == "x" ? FILE : -ENOENT;
  }

  readdir(directory: i64, cookie: i64, out: DirectoryEntry): i32 {
    if (directory != ROOT) return -ENOTDIR;
    if (cookie != 0) return 0;
    out.name = "x";
    out.inode = FILE;
    out.type = 1;
    out.next = 1;
    return 1;
  }

  getattr(inode: i64, out: Attributes): i32 {
    out.type = inode == ROOT ? 2 : 1;
    out.mode = inode == ROOT ? 0o555 : 0o444;
    out.links = 1;
    out.size = inode == ROOT ? 1 : <u64>TEXT.length;
    return 0;
  }

  read(inode: i64, offset: i64, buffer: usize, length: i32): i32 {
    if (this.kind == "trap") unreachable();
    if (this.kind == "oob") return <i32>load<u8>(<usize>0xffff_fff0);
    if (this.kind == "stack") return recurse(0);
    assert(this.kind != "abort", "the faulty module's assertion");
    if (offset >= <i64>TEXT.length) return 0;
    const count = min<i32>(length, TEXT.length - <i32>offset);
    for (let i = 0; i < count; i++) store<u8>(buffer + <usize>i, <u8>TEXT.charCodeAt(<i32>offset + i));
    return count;
  }
}

serve((): Volume => new FaultyVolume());
