// An example filesystem, the walk-through subject of fs/README.md: a
// read-only directory of a few text files whose contents are string
// literals. It implements only what reading needs (lookup, readdir, read,
// getattr); every other operation keeps the Vnode default, which refuses it
// (writes say EROFS, and the VFS says so before even asking, since the
// filesystem is marked read-only).
//
// Vnodes are made on demand: lookup makes a fresh one, and release (the VFS
// is done with it) frees it. The root lives as long as the filesystem.

import { ENOENT } from "../../kernel/errno";
import {
  Vnode, FileSystem, Stat, DirEntry, VnodeResult,
  TYPE_FILE, TYPE_DIRECTORY, ownedString,
} from "../vfs/module";
import { NAMES, CONTENTS } from "./files";

/** The root is inode 1; file i is inode i + 2. */
const ROOT_INODE: u64 = 1;

class HelloNode extends Vnode {
  /** Which file (an index into NAMES), or -1 for the root. */
  constructor(fs: FileSystem, public file: i32) {
    super(fs, file < 0 ? ROOT_INODE : <u64>file + 2, file < 0 ? TYPE_DIRECTORY : TYPE_FILE);
  }

  lookup(name: string, out: VnodeResult): i32 {
    if (this.type != TYPE_DIRECTORY) return super.lookup(name, out);
    for (let i = 0; i < NAMES.length; i++) {
      if (NAMES[i] == name) {
        out.node = new HelloNode(this.fs, i);
        return 0;
      }
    }
    return -ENOENT;
  }

  readdir(cookie: u64, out: DirEntry): i32 {
    if (this.type != TYPE_DIRECTORY) return super.readdir(cookie, out);
    if (cookie >= <u64>NAMES.length) return 0;
    const i = <i32>cookie;
    out.name = ownedString(NAMES[i]); // the caller frees it
    out.inode = <u64>i + 2;
    out.type = TYPE_FILE;
    out.next = cookie + 1;
    return 1;
  }

  read(offset: u64, buffer: usize, length: usize): i64 {
    if (this.type != TYPE_FILE) return super.read(offset, buffer, length);
    const text = CONTENTS[this.file];
    const size = <u64>text.length;
    if (offset >= size) return 0;
    const count = <i32>min<u64>(<u64>length, size - offset);
    for (let i = 0; i < count; i++) store<u8>(buffer + <usize>i, <u8>text.charCodeAt(<i32>offset + i));
    return count;
  }

  getattr(out: Stat): i32 {
    out.inode = this.inode;
    out.type = this.type;
    out.mode = this.type == TYPE_DIRECTORY ? 0o555 : 0o444;
    out.links = this.type == TYPE_DIRECTORY ? 2 : 1;
    out.size = this.type == TYPE_DIRECTORY ? <u64>NAMES.length : <u64>CONTENTS[this.file].length;
    out.blocks = (out.size + 511) / 512;
    return 0;
  }

  release(): void {
    if (this.file >= 0) heap.free(changetype<usize>(this));
  }
}

export class HelloFileSystem extends FileSystem {
  private top: HelloNode | null = null;

  constructor() {
    super("hello", true);
  }

  root(): Vnode {
    if (this.top === null) this.top = new HelloNode(this, -1);
    return this.top!;
  }

  unmount(): void {
    heap.free(changetype<usize>(this.top));
    this.top = null;
  }
}
