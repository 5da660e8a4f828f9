// A filesystem served by a module: the VFS's FileSystem and Vnode, each
// operation one module call (calls.ts). Names and data cross through the
// module's transfer buffer, copied in and out; whatever the module answers
// is checked before the kernel believes it (a count beyond what was asked,
// an errno out of range, a record that does not fit: EIO). Filesystem
// modules are read-only in ABI version 1.

import { Vnode, FileSystem, Stat, DirEntry, VnodeResult, TextResult, TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, NAME_MAX } from "../../fs/vfs/module";
import { EIO, ENAMETOOLONG } from "../../kernel/errno";
import { FsModule } from "./module";
import { call, OP_UNMOUNT, OP_LOOKUP, OP_GETATTR, OP_READ, OP_READDIR, OP_READLINK, OP_FORGET } from "./calls";

/** Bytes of the attribute record and of a directory entry's header (docs/modules.md). */
const ATTRIBUTES_BYTES: u32 = 64;
const ENTRY_HEADER_BYTES: u32 = 24;
/** The largest errno a module may answer; anything below -MAX_ERRNO is EIO. */
const MAX_ERRNO: i64 = 4095;

/** Scratch for records and names on their way in and out (a name is at most NAME_MAX bytes). */
const scratch = memory.data(512);

/** A module's answer as an errno or a non-negative value: out-of-range errors become -EIO. */
function checked(result: i64): i64 {
  return result < -MAX_ERRNO ? -(<i64>EIO) : result;
}

export class ModuleFileSystem extends FileSystem {
  top: ModuleVnode | null = null;

  constructor(public module: FsModule, public volume: i32, typeName: string) {
    super(typeName, true);
  }

  root(): Vnode {
    return this.top!;
  }

  unmount(): void {
    call(this.module, OP_UNMOUNT, <u64>this.volume);
    this.module.mounts--;
    const top = this.top;
    this.top = null;
    if (top !== null) heap.free(changetype<usize>(top));
  }

  /** Copies `name` (UTF-8) into the module's buffer; its length, or -ENAMETOOLONG. */
  putName(name: string): i32 {
    const length = <i32>String.UTF8.encodeUnsafe(changetype<usize>(name), name.length, scratch);
    if (length > NAME_MAX) return -ENAMETOOLONG;
    this.module.memory.copyOut(this.module.buffer, scratch, <u32>length);
    return length;
  }

  /** The type of `inode` from its attributes (TYPE_*), or -errno. */
  typeOf(inode: u64): i32 {
    const result = this.attributes(inode);
    if (result < 0) return result;
    const type = load<u32>(scratch);
    return type == TYPE_FILE || type == TYPE_DIRECTORY || type == TYPE_SYMLINK ? <i32>type : -EIO;
  }

  /** Asks for `inode`'s attribute record, leaving it in scratch; 0 or -errno. */
  attributes(inode: u64): i32 {
    const result = checked(call(this.module, OP_GETATTR, <u64>this.volume, inode, this.module.buffer));
    if (result < 0) return <i32>result;
    this.module.memory.copyIn(scratch, this.module.buffer, ATTRIBUTES_BYTES);
    return 0;
  }
}

export class ModuleVnode extends Vnode {
  lookup(name: string, out: VnodeResult): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    const length = fs.putName(name);
    if (length < 0) return length;
    const found = checked(call(fs.module, OP_LOOKUP, <u64>fs.volume, this.inode, fs.module.buffer, <u64>length));
    if (found < 0) return <i32>found;
    if (found == 0) return -EIO;
    const type = fs.typeOf(<u64>found);
    if (type < 0) return type;
    out.node = new ModuleVnode(fs, <u64>found, <u32>type);
    return 0;
  }

  readdir(cookie: u64, out: DirEntry): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    const module = fs.module;
    const capacity = min<u32>(module.bufferBytes, ENTRY_HEADER_BYTES + <u32>NAME_MAX);
    const result = checked(call(module, OP_READDIR, <u64>fs.volume, this.inode, cookie, module.buffer, <u64>capacity));
    if (result <= 0) return <i32>result;
    if (result != 1) return -EIO;
    module.memory.copyIn(scratch, module.buffer, ENTRY_HEADER_BYTES);
    const length = load<u32>(scratch, 20);
    const type = load<u32>(scratch, 16);
    if (length == 0 || length > <u32>NAME_MAX || ENTRY_HEADER_BYTES + length > capacity) return -EIO;
    if (type != TYPE_FILE && type != TYPE_DIRECTORY && type != TYPE_SYMLINK) return -EIO;
    out.next = load<u64>(scratch);
    out.inode = load<u64>(scratch, 8);
    out.type = type;
    module.memory.copyIn(scratch, module.buffer + ENTRY_HEADER_BYTES, length);
    out.name = String.UTF8.decodeUnsafe(scratch, length);
    return 1;
  }

  read(offset: u64, buffer: usize, length: usize): i64 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    const module = fs.module;
    let done: usize = 0;
    while (done < length) {
      const piece = <u32>min<usize>(length - done, <usize>module.bufferBytes);
      const got = checked(call(module, OP_READ, <u64>fs.volume, this.inode, offset + <u64>done, module.buffer, <u64>piece));
      if (got < 0) return done > 0 ? <i64>done : got;
      if (got > <i64>piece) return -EIO;
      module.memory.copyIn(buffer + done, module.buffer, <u32>got);
      done += <usize>got;
      if (got < <i64>piece) break;
    }
    return <i64>done;
  }

  getattr(out: Stat): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    const result = fs.attributes(this.inode);
    if (result < 0) return result;
    out.inode = this.inode;
    out.type = this.type;
    out.mode = load<u32>(scratch, 4) & 0o7777;
    out.links = <u32>min<u64>(load<u64>(scratch, 8), <u64>u32.MAX_VALUE);
    out.size = load<u64>(scratch, 16);
    out.blocks = load<u64>(scratch, 24);
    out.accessed = load<i64>(scratch, 32);
    out.modified = load<i64>(scratch, 40);
    out.changed = load<i64>(scratch, 48);
    return 0;
  }

  readlink(out: TextResult): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    const module = fs.module;
    const length = checked(call(module, OP_READLINK, <u64>fs.volume, this.inode, module.buffer, <u64>module.bufferBytes));
    if (length < 0) return <i32>length;
    if (length > <i64>module.bufferBytes) return -ENAMETOOLONG;
    const text = heap.alloc(<usize>max<i64>(length, 1));
    module.memory.copyIn(text, module.buffer, <u32>length);
    out.text = String.UTF8.decodeUnsafe(text, <usize>length);
    heap.free(text);
    return 0;
  }

  release(): void {
    const fs = changetype<ModuleFileSystem>(this.fs);
    call(fs.module, OP_FORGET, <u64>fs.volume, this.inode);
    if (fs.top !== this) heap.free(changetype<usize>(this));
  }
}
