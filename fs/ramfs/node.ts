// A RAMFS file, directory or symbolic link. The node is the inode: it lives
// while a directory names it or the VFS holds it, whichever ends last, and
// then gives back everything (pages, index, names, itself).
//
// Times are fileTime() (fs/vfs/time.ts): creation sets all three (or marks
// them pending while the clock is still unmeasured, resolved at the first
// getattr, so a RAMFS mounted at boot costs no clock calibration), a write or
// truncate sets modified and changed, adding or removing an entry sets the
// directory's; reads leave them (as noatime); setTimes sets the two it is
// given and makes changed now.

import { EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EINVAL, EXDEV, EPERM, ENOSPC } from "../../kernel/errno";
import { memoryLow, usablePages, pagesForData } from "../../kernel/mm/index";
import { PAGE_SIZE } from "../../kernel/mm/pages";
import {
  Vnode, FileSystem, Stat, SpaceStat, DirEntry, VnodeResult, TextResult,
  TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, ownedString, freeString, fileTime, fileTimeIfKnown, FILE_TIME_PENDING,
  TIME_UNCHANGED,
} from "../vfs/module";
import { FileData } from "./file-data";
import { Directory } from "./directory";

/** What a RAMFS keeps per volume that its nodes need: inode numbers and the live-node count. */
export class RamVolume extends FileSystem {
  nextInode: u64 = 1;
  liveNodes: u32 = 0;

  /**
   * Its files live in the kernel's memory: the size is the usable RAM, the
   * free space what an app may still take (free pages beyond the kernel's
   * reserve), and as many more files as free pages (each takes memory).
   */
  statfs(out: SpaceStat): i32 {
    const free = <u64>pagesForData();
    out.blockSize = <u32>PAGE_SIZE;
    out.blocks = <u64>usablePages();
    out.freeBlocks = free;
    out.availableBlocks = free;
    out.files = <u64>this.liveNodes + free;
    out.freeFiles = free;
    return 0;
  }
}

/** Why the last make() returned null: -ENOENT or -ENOSPC. */
let refusal: i32 = 0;

export class RamNode extends Vnode {
  mode: u32 = 0;
  accessed: i64 = 0;
  modified: i64 = 0;
  changed: i64 = 0;
  /** The directory this directory sits in (null for the root and for removed ones). */
  container: RamNode | null = null;
  /** No directory names it any more: it goes when the VFS lets go. */
  unlinked: bool = false;
  /** Names beyond the first (hard links; never for directories). */
  extraNames: u32 = 0;
  subdirectories: u32 = 0;
  data: FileData | null = null;
  entries: Directory | null = null;
  target: string = "";

  constructor(volume: RamVolume, type: u32, mode: u32) {
    super(volume, volume.nextInode++, type);
    volume.liveNodes++;
    this.mode = mode;
    const now = fileTimeIfKnown();
    this.accessed = now;
    this.modified = now;
    this.changed = now;
    if (type == TYPE_FILE) this.data = new FileData();
    else if (type == TYPE_DIRECTORY) this.entries = new Directory();
  }

  private touch(): void {
    const now = fileTime();
    this.modified = now;
    this.changed = now;
  }

  private volume(): RamVolume {
    return changetype<RamVolume>(this.fs);
  }

  // --- Directories ---

  lookup(name: string, out: VnodeResult): i32 {
    const entry = this.entries!.find(name);
    if (entry === null) return -ENOENT;
    out.node = entry.node;
    return 0;
  }

  /** Adds a new node `name` of `type` here: the node, or null (-ENOENT in an unlinked directory, -ENOSPC without memory: `refusal`). */
  private make(name: string, type: u32, mode: u32, out: VnodeResult): RamNode | null {
    const entries = this.entries!;
    refusal = -ENOENT;
    if (this.unlinked) return null;
    refusal = -ENOSPC;
    if (memoryLow()) return null;
    const node = new RamNode(this.volume(), type, mode);
    if (!entries.add(name, node)) {
      heap.free(changetype<usize>(node));
      return null;
    }
    if (type == TYPE_DIRECTORY) {
      node.container = this;
      this.subdirectories++;
    }
    this.touch();
    out.node = node;
    return node;
  }

  create(name: string, mode: u32, out: VnodeResult): i32 {
    if (this.entries!.find(name) !== null) return -EEXIST;
    return this.make(name, TYPE_FILE, mode, out) === null ? refusal : 0;
  }

  mkdir(name: string, mode: u32, out: VnodeResult): i32 {
    if (this.entries!.find(name) !== null) return -EEXIST;
    return this.make(name, TYPE_DIRECTORY, mode, out) === null ? refusal : 0;
  }

  symlink(name: string, target: string, out: VnodeResult): i32 {
    if (this.entries!.find(name) !== null) return -EEXIST;
    if (memoryLow()) return -ENOSPC;                     // the target is copied too
    const node = this.make(name, TYPE_SYMLINK, 0o777, out);
    if (node === null) return refusal;
    node.target = ownedString(target);
    return 0;
  }

  link(name: string, node: Vnode): i32 {
    if (node.fs !== this.fs) return -EXDEV;
    if (node.type == TYPE_DIRECTORY) return -EPERM;
    if (this.entries!.find(name) !== null) return -EEXIST;
    if (this.unlinked) return -ENOENT;
    const target = changetype<RamNode>(node);
    if (target.unlinked) return -ENOENT;
    if (!this.entries!.add(name, target)) return -ENOSPC;
    target.extraNames++;
    target.changed = fileTime();
    this.touch();
    return 0;
  }

  /** Takes `node` (named `name` here) out of this directory; the node goes with its last name. */
  private detach(name: string, node: RamNode): void {
    this.entries!.remove(this.entries!.find(name)!);
    if (node.extraNames > 0) {
      node.extraNames--;
      node.changed = fileTime();
      this.touch();
      return;
    }
    if (node.type == TYPE_DIRECTORY) {
      this.subdirectories--;
      node.container = null;
    }
    node.unlinked = true;
    node.changed = fileTime();
    this.touch();
    if (node.references == 0) node.destroy();
  }

  unlink(name: string): i32 {
    const entry = this.entries!.find(name);
    if (entry === null) return -ENOENT;
    const node = changetype<RamNode>(entry.node);
    if (node.type == TYPE_DIRECTORY) return -EISDIR;
    this.detach(name, node);
    return 0;
  }

  rmdir(name: string): i32 {
    const entry = this.entries!.find(name);
    if (entry === null) return -ENOENT;
    const node = changetype<RamNode>(entry.node);
    if (node.type != TYPE_DIRECTORY) return -ENOTDIR;
    if (node.entries!.count != 0) return -ENOTEMPTY;
    this.detach(name, node);
    return 0;
  }

  rename(name: string, toDirectory: Vnode, toName: string): i32 {
    if (toDirectory.fs !== this.fs) return -EXDEV;
    const to = changetype<RamNode>(toDirectory);
    if (to.type != TYPE_DIRECTORY) return -ENOTDIR;
    const entry = this.entries!.find(name);
    if (entry === null) return -ENOENT;
    if (to.unlinked) return -ENOENT;
    const node = changetype<RamNode>(entry.node);
    const existingEntry = to.entries!.find(toName);
    const existing: RamNode | null = existingEntry === null ? null : changetype<RamNode>(existingEntry.node);
    if (existing === node) return 0;
    if (node.type == TYPE_DIRECTORY) {
      for (let at: RamNode | null = to; at !== null; at = at.container) if (at === node) return -EINVAL;
      if (existing !== null && existing.type != TYPE_DIRECTORY) return -ENOTDIR;
      if (existing !== null && existing.entries!.count != 0) return -ENOTEMPTY;
    } else if (existing !== null && existing.type == TYPE_DIRECTORY) return -EISDIR;
    if (existing === null && memoryLow()) return -ENOSPC;  // the new name needs memory; replacing one frees some first
    if (existing !== null) to.detach(toName, existing);
    this.entries!.remove(entry);
    to.entries!.add(toName, node);
    if (node.type == TYPE_DIRECTORY) {
      this.subdirectories--;
      to.subdirectories++;
      node.container = to;
    }
    node.changed = fileTime();
    this.touch();
    to.touch();
    return 0;
  }

  readdir(cookie: u64, out: DirEntry): i32 {
    return this.entries!.readdir(cookie, out);
  }

  // --- Files ---

  read(offset: u64, buffer: usize, length: usize): i64 {
    if (this.type != TYPE_FILE) return this.type == TYPE_DIRECTORY ? -EISDIR : -EINVAL;
    return this.data!.read(offset, buffer, length);
  }

  write(offset: u64, buffer: usize, length: usize): i64 {
    if (this.type != TYPE_FILE) return this.type == TYPE_DIRECTORY ? -EISDIR : -EINVAL;
    const written = this.data!.write(offset, buffer, length);
    if (written > 0) this.touch();
    return written;
  }

  truncate(size: u64): i32 {
    if (this.type != TYPE_FILE) return this.type == TYPE_DIRECTORY ? -EISDIR : -EINVAL;
    const result = this.data!.truncate(size);
    if (result == 0) this.touch();
    return result;
  }

  // --- Any node ---

  getattr(out: Stat): i32 {
    if (this.accessed == FILE_TIME_PENDING || this.modified == FILE_TIME_PENDING || this.changed == FILE_TIME_PENDING) {
      const now = fileTime();
      if (this.accessed == FILE_TIME_PENDING) this.accessed = now;
      if (this.modified == FILE_TIME_PENDING) this.modified = now;
      if (this.changed == FILE_TIME_PENDING) this.changed = now;
    }
    out.inode = this.inode;
    out.type = this.type;
    out.mode = this.mode;
    out.accessed = this.accessed;
    out.modified = this.modified;
    out.changed = this.changed;
    out.blocks = 0;
    if (this.type == TYPE_FILE) {
      out.links = this.unlinked ? 0 : 1 + this.extraNames;
      out.size = this.data!.size;
      out.blocks = <u64>this.data!.pageCount * 8;
    } else if (this.type == TYPE_DIRECTORY) {
      out.links = this.unlinked ? 0 : 2 + this.subdirectories;
      out.size = <u64>this.entries!.count;
    } else {
      out.links = this.unlinked ? 0 : 1 + this.extraNames;
      out.size = <u64>String.UTF8.byteLength(this.target);
    }
    return 0;
  }

  readlink(out: TextResult): i32 {
    if (this.type != TYPE_SYMLINK) return -EINVAL;
    out.text = ownedString(this.target);
    return 0;
  }

  setTimes(accessed: i64, modified: i64): i32 {
    if (accessed != TIME_UNCHANGED) this.accessed = accessed;
    if (modified != TIME_UNCHANGED) this.modified = modified;
    this.changed = fileTime();
    return 0;
  }

  release(): void {
    if (this.unlinked) this.destroy();
  }

  /** Gives back everything this node holds, and the node. Directories must be empty. */
  destroy(): void {
    const data = this.data;
    if (data !== null) {
      data.clear();
      heap.free(changetype<usize>(data));
    }
    const entries = this.entries;
    if (entries !== null) {
      entries.clear();
      heap.free(changetype<usize>(entries));
    }
    if (this.type == TYPE_SYMLINK) freeString(this.target);
    this.volume().liveNodes--;
    heap.free(changetype<usize>(this));
  }
}
