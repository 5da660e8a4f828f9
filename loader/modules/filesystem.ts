// A filesystem served by a module: the VFS's FileSystem and Vnode, each
// operation one module call (calls.ts). Names and data cross through the
// module's transfer buffer, copied in and out; whatever the module answers
// is checked before the kernel believes it (a count beyond what was asked,
// an errno out of range, a record that does not fit: EIO). A volume the
// module mounted for writing takes changes through the optional writing
// exports (a module without them answers ENOSYS, which becomes EROFS);
// fsync and sync write a transaction group, and finish() (at power-off)
// unmounts, so the module leaves its volume whole.

import { Vnode, FileSystem, Stat, SpaceStat, DirEntry, VnodeResult, TextResult, TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, NAME_MAX, TIME_UNCHANGED } from "../../fs/vfs/module";
import { EIO, ENAMETOOLONG, ENOSYS, EROFS } from "../../kernel/errno";
import { FsModule } from "./module";
import {
  call, OP_UNMOUNT, OP_LOOKUP, OP_GETATTR, OP_READ, OP_READDIR, OP_READLINK, OP_FORGET,
  OP_CREATE, OP_SYMLINK, OP_LINK, OP_UNLINK, OP_RENAME, OP_WRITE, OP_TRUNCATE, OP_SETATTR, OP_SYNC, OP_STATFS,
} from "./calls";

/** Bytes of the attribute record, of a directory entry's header and of the statfs record (docs/modules.md). */
const ATTRIBUTES_BYTES: u32 = 64;
const STATFS_BYTES: u32 = 48;
const ENTRY_HEADER_BYTES: u32 = 24;
/** The largest errno a module may answer; anything below -MAX_ERRNO is EIO. */
const MAX_ERRNO: i64 = 4095;

/** Scratch for records and names on their way in and out (a name is at most NAME_MAX bytes). */
const scratch = memory.data(512);

const S_IFREG: u32 = 0o100000;
const S_IFDIR: u32 = 0o040000;
/** fs_unlink's flag: the name must be an empty directory. */
const UNLINK_DIRECTORY: u64 = 1;
const SETATTR_RECORD: u32 = 32;
const SET_ACCESS_TIME: u32 = 8;
const SET_MODIFY_TIME: u32 = 16;

/** A module's answer as an errno or a non-negative value: out-of-range errors become -EIO. */
function checked(result: i64): i64 {
  return result < -MAX_ERRNO ? -(<i64>EIO) : result;
}

/** A writing call's answer: a module without the export (ENOSYS) cannot write. */
function changed(result: i64): i64 {
  const answer = checked(result);
  return answer == -(<i64>ENOSYS) ? -(<i64>EROFS) : answer;
}

export class ModuleFileSystem extends FileSystem {
  top: ModuleVnode | null = null;

  constructor(public module: FsModule, public volume: i32, typeName: string, readOnly: bool) {
    super(typeName, readOnly);
  }

  /** Writes everything changed (a transaction group, for ZFS). */
  sync(): i32 {
    if (this.readOnly) return 0;
    return <i32>changed(call(this.module, OP_SYNC, <u64>this.volume));
  }

  root(): Vnode {
    return this.top!;
  }

  /** The module's statfs record, believed only if its counts are consistent (-ENOSYS from a module without fs_statfs). */
  statfs(out: SpaceStat): i32 {
    const result = checked(call(this.module, OP_STATFS, <u64>this.volume, this.module.buffer));
    if (result < 0) return <i32>result;
    this.module.memory.copyIn(scratch, this.module.buffer, STATFS_BYTES);
    const blockSize = load<u32>(scratch);
    const blocks = load<u64>(scratch, 8);
    const free = load<u64>(scratch, 16);
    const available = load<u64>(scratch, 24);
    const files = load<u64>(scratch, 32);
    const freeFiles = load<u64>(scratch, 40);
    if (blockSize == 0 || (blockSize & (blockSize - 1)) != 0 || free > blocks || available > free || freeFiles > files) return -EIO;
    out.blockSize = blockSize;
    out.blocks = blocks;
    out.freeBlocks = free;
    out.availableBlocks = available;
    out.files = files;
    out.freeFiles = freeFiles;
    return 0;
  }

  periodicSync(): void {
    if (!this.readOnly) this.sync();
  }

  /** At power-off: a volume mounted for writing is unmounted, so the module syncs and closes it (ZFS exports the pool). */
  finish(): void {
    if (this.readOnly || this.finished) return;
    this.readOnly = true;
    this.finished = true;
    call(this.module, OP_UNMOUNT, <u64>this.volume);
  }

  /** Unmounted in the module at power-off (finish). */
  private finished: bool = false;

  unmount(): void {
    if (this.finished) return;
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

  /** Copies two names into the module's buffer, one after the other; the first's length, the second's in the high half, or -errno. */
  putNames(first: string, second: string): i64 {
    const a = <i32>String.UTF8.encodeUnsafe(changetype<usize>(first), first.length, scratch);
    if (a > NAME_MAX) return -ENAMETOOLONG;
    const b = <i32>String.UTF8.encodeUnsafe(changetype<usize>(second), second.length, scratch + <usize>a);
    if (b > NAME_MAX) return -ENAMETOOLONG;
    this.module.memory.copyOut(this.module.buffer, scratch, <u32>(a + b));
    return <i64>a | (<i64>b << 16);
  }

  /** A vnode for `inode` a writing call answered, with its type asked; 0 or -errno. */
  made(result: i64, out: VnodeResult): i32 {
    const inode = changed(result);
    if (inode < 0) return <i32>inode;
    if (inode == 0) return -EIO;
    const type = this.typeOf(<u64>inode);
    if (type < 0) return type;
    out.node = new ModuleVnode(this, <u64>inode, <u32>type);
    return 0;
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

  create(name: string, mode: u32, out: VnodeResult): i32 {
    return this.make(name, S_IFREG | (mode & 0o7777), out);
  }

  mkdir(name: string, mode: u32, out: VnodeResult): i32 {
    return this.make(name, S_IFDIR | (mode & 0o7777), out);
  }

  private make(name: string, mode: u32, out: VnodeResult): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const length = fs.putName(name);
    if (length < 0) return length;
    return fs.made(call(fs.module, OP_CREATE, <u64>fs.volume, this.inode, fs.module.buffer, <u64>length, <u64>mode, 0), out);
  }

  symlink(name: string, target: string, out: VnodeResult): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const length = fs.putName(name);
    if (length < 0) return length;
    const bytes = String.UTF8.encode(target);
    const targetLength = <u32>bytes.byteLength;
    if (<u32>length + targetLength > fs.module.bufferBytes) {
      heap.free(changetype<usize>(bytes));
      return -ENAMETOOLONG;
    }
    fs.module.memory.copyOut(fs.module.buffer + <u32>length, changetype<usize>(bytes), targetLength);
    heap.free(changetype<usize>(bytes));
    const buffer = <u64>fs.module.buffer;
    return fs.made(call(fs.module, OP_SYMLINK, <u64>fs.volume, this.inode, buffer, <u64>length, buffer + <u64>length, <u64>targetLength), out);
  }

  link(name: string, node: Vnode): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const length = fs.putName(name);
    if (length < 0) return length;
    return <i32>changed(call(fs.module, OP_LINK, <u64>fs.volume, this.inode, fs.module.buffer, <u64>length, node.inode));
  }

  unlink(name: string): i32 {
    return this.remove(name, 0);
  }

  rmdir(name: string): i32 {
    return this.remove(name, UNLINK_DIRECTORY);
  }

  private remove(name: string, flags: u64): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const length = fs.putName(name);
    if (length < 0) return length;
    return <i32>changed(call(fs.module, OP_UNLINK, <u64>fs.volume, this.inode, fs.module.buffer, <u64>length, flags));
  }

  rename(name: string, toDirectory: Vnode, toName: string): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const lengths = fs.putNames(name, toName);
    if (lengths < 0) return <i32>lengths;
    const buffer = <u64>fs.module.buffer;
    return <i32>changed(call(fs.module, OP_RENAME, <u64>fs.volume, this.inode, buffer, <u64>lengths, toDirectory.inode, buffer + (<u64>lengths & 0xffff)));
  }

  write(offset: u64, buffer: usize, length: usize): i64 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const module = fs.module;
    let done: usize = 0;
    while (done < length) {
      const piece = <u32>min<usize>(length - done, <usize>module.bufferBytes);
      module.memory.copyOut(module.buffer, buffer + done, piece);
      const wrote = changed(call(module, OP_WRITE, <u64>fs.volume, this.inode, offset + <u64>done, module.buffer, <u64>piece));
      if (wrote < 0) return done > 0 ? <i64>done : wrote;
      if (wrote != <i64>piece) return -EIO;
      done += piece;
    }
    return <i64>done;
  }

  truncate(size: u64): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    return <i32>changed(call(fs.module, OP_TRUNCATE, <u64>fs.volume, this.inode, size));
  }

  setTimes(accessed: i64, modified: i64): i32 {
    const fs = changetype<ModuleFileSystem>(this.fs);
    if (fs.readOnly) return -EROFS;
    const which = (accessed != TIME_UNCHANGED ? SET_ACCESS_TIME : 0) | (modified != TIME_UNCHANGED ? SET_MODIFY_TIME : 0);
    store<u32>(scratch, which);
    store<u32>(scratch, 0, 4);
    store<u64>(scratch, 0, 8);
    store<i64>(scratch, accessed, 16);
    store<i64>(scratch, modified, 24);
    fs.module.memory.copyOut(fs.module.buffer, scratch, SETATTR_RECORD);
    return <i32>changed(call(fs.module, OP_SETATTR, <u64>fs.volume, this.inode, fs.module.buffer));
  }

  fsync(): i32 {
    return this.fs.sync();
  }

  release(): void {
    const fs = changetype<ModuleFileSystem>(this.fs);
    call(fs.module, OP_FORGET, <u64>fs.volume, this.inode);
    if (fs.top !== this) heap.free(changetype<usize>(this));
  }
}
