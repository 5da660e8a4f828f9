// A ZPL dataset being written (ZPL version 4 on pool version 23): a fresh
// file system's objects, and the operations that change one: create
// files, directories and symbolic links, link, write, truncate, unlink,
// rename and set attributes. Directories keep their entries in memory
// and are laid out again (zap.ts) when they change; file data goes
// through the object's pending blocks (object.ts).
//
// Objects of a fresh file system, as zfs-fuse makes them: 1 the master
// node (VERSION 4, ROOT, DELETE_QUEUE), 2 the delete queue (empty), 3 the
// root directory; and the user and group space accounting objects in the
// object set block (uid or gid in hex → bytes, 512 per object plus its
// blocks).

import { ZNODE_BONUS, ZNODE_SIZE } from "../znode";
import { EEXIST, EFBIG, EINVAL, EISDIR, EMLINK, ENAMETOOLONG, ENOENT, ENOTDIR, ENOTEMPTY, EIO, ENOTSUP, ENOSPC } from "../errno";
import { ObjectWriter, DNODE_FLAG_USED_BYTES, DNODE_FLAG_USERUSED_ACCOUNTED } from "./object";
import { ObjsetWriter, SpaceTotals } from "./objset";
import { readZapEntries } from "./zap-read";
import { le64 } from "../bytes";
import { BlockWriter } from "./blocks";
import { Random } from "./random";
import { ZapEntry, layOutZap } from "./zap";
import {
  newZnode, znodeTime, znodeMode, znodeSize, znodeLinks, znodeUid, znodeGid, setZnodeSize, setZnodeLinks, setZnodeParent,
  setZnodeMode, setZnodeOwner, setAccessTime, setModifyTime, setChangeTime, S_IFMT, S_IFREG, S_IFDIR, S_IFLNK, INLINE_TARGET_MAX,
} from "./znode-record";

const ZPL_VERSION: u64 = 4;
const OBJSET_TYPE_ZPL: u64 = 2;
/** ZPL object sets address 2^48 objects: seven levels of dnode array (as ZFS makes them). */
const ZPL_META_LEVELS: i32 = 7;
const OBJSET_FLAG_USERACCOUNTING_COMPLETE: u64 = 1;
const TYPE_FILE_DATA: u32 = 19;
const TYPE_DIRECTORY: u32 = 20;
const TYPE_MASTER_NODE: u32 = 21;
const TYPE_DELETE_QUEUE: u32 = 22;
const TYPE_USERGROUP_USED: u32 = 39;
export const RECORD_SIZE: i32 = 128 << 10;
/** Free space on the device kept back for the metadata of a sync. */
const RESERVE_MIN: u64 = 2 << 20;
const NAME_MAX: i32 = 255;
const LINK_MAX: u64 = 0xffffffff;
const MAX_FILE_SIZE: u64 = <u64>1 << 52;
/** Directory entry types (the top 4 bits of an entry's value). */
const DT_DIR: u64 = 4;
const DT_REG: u64 = 8;
const DT_LNK: u64 = 10;
const MICRO_ZAP: u64 = (<u64>1 << 63) + 3;

function entryType(mode: u64): u64 {
  const format = mode & S_IFMT;
  return format == S_IFDIR ? DT_DIR : format == S_IFLNK ? DT_LNK : DT_REG;
}

/** A directory's entries: name → (type << 60 | object), in the order they were added. */
class Directory {
  names: Array<string> = new Array<string>();
  values: Map<string, u64> = new Map<string, u64>();
  salt: u64 = 0;
  changed: bool = true;
}

export class ZplWriter extends ObjsetWriter {
  directories: Map<u64, Directory> = new Map<u64, Directory>();
  root: u64 = 3;
  /** Times given to new objects and changes (nanoseconds since the epoch). */
  now: i64 = 0;
  txg: u64 = 0;
  /** Bytes of file data waiting in pending blocks: the pool syncs a txg past its limit. */
  dirtyBytes: u64 = 0;
  /** Bytes the dataset may grow by as of the last txg, as ZFS reckons it (../space.ts; set by the pool). */
  room: u64 = 0;
  error: i32 = 0;

  /** Space charged to each user and group (the accounting objects' content). */
  private users: Map<u64, u64> = new Map<u64, u64>();
  private groups: Map<u64, u64> = new Map<u64, u64>();

  constructor(public random: Random, writer: BlockWriter) {
    super(OBJSET_TYPE_ZPL, ZPL_META_LEVELS, writer);
    this.flags = OBJSET_FLAG_USERACCOUNTING_COMPLETE;
    this.userUsed = new ObjectWriter(TYPE_USERGROUP_USED, 512, 0, 0);
    this.groupUsed = new ObjectWriter(TYPE_USERGROUP_USED, 512, 0, 0);
  }

  /** Lays out a fresh file system whose root has `mode`, owned by `uid`/`gid`. */
  initialize(mode: u64, uid: u64, gid: u64): void {
    const master = this.zapObject(TYPE_MASTER_NODE);
    const deleteQueue = this.zapObject(TYPE_DELETE_QUEUE);
    this.place(1, master);
    this.place(2, deleteQueue);
    const root = this.newNode(S_IFDIR | (mode & 0o7777), this.root, uid, gid, 0);
    this.place(this.root, root);
    this.directories.set(this.root, this.newDirectory());
    setZnodeLinks(root.bonus, 2);
    setZnodeSize(root.bonus, 2);
    const masterEntries = [ZapEntry.number("DELETE_QUEUE", 2), ZapEntry.number("VERSION", ZPL_VERSION), ZapEntry.number("ROOT", this.root)];
    this.setZap(master, masterEntries, this.random.next());
    this.setZap(deleteQueue, new Array<ZapEntry>(), this.random.next());
  }

  private newDirectory(): Directory {
    const directory = new Directory();
    directory.salt = this.random.next();
    return directory;
  }

  private zapObject(type: u32): ObjectWriter {
    const object = new ObjectWriter(type, 512, 0, 0);
    object.flags = DNODE_FLAG_USED_BYTES | DNODE_FLAG_USERUSED_ACCOUNTED;
    return object;
  }

  private newNode(mode: u64, parent: u64, uid: u64, gid: u64, extra: i32): ObjectWriter {
    const type = (mode & S_IFMT) == S_IFDIR ? TYPE_DIRECTORY : TYPE_FILE_DATA;
    const object = new ObjectWriter(type, 512, ZNODE_BONUS, ZNODE_SIZE + extra);
    object.flags = DNODE_FLAG_USED_BYTES | DNODE_FLAG_USERUSED_ACCOUNTED;
    object.bonus = newZnode(mode, parent, this.txg, uid, gid, this.now, extra);
    return object;
  }

  /** Replaces a ZAP object's blocks with the layout of `entries`; false if they cannot be laid out. */
  private setZap(object: ObjectWriter, entries: Array<ZapEntry>, salt: u64): bool {
    const layout = layOutZap(entries, salt, 0);
    if (layout === null) return false;
    if (layout.blockSize != object.blockSize || layout.blocks.length < object.data.length) {
      object.truncateBlocks(0, this.writer);
      object.blockSize = layout.blockSize;
    }
    for (let i = 0; i < layout.blocks.length; i++) object.put(<u64>i, layout.blocks[i]);
    return true;
  }

  node(inode: u64): ObjectWriter | null {
    const object = this.object(inode);
    if (object === null || object.bonusType != ZNODE_BONUS) return null;
    this.firstSight(object);
    return object;
  }

  private fail(error: i32): i64 {
    this.error = error;
    return <i64>error;
  }

  /** Directory `number`'s entries, read from its ZAP the first time; null if it is not a directory (or unreadable: `error`). */
  directory(number: u64): Directory | null {
    if (this.directories.has(number)) return this.directories.get(number);
    const node = this.node(number);
    if (node === null || (znodeMode(node.bonus) & S_IFMT) != S_IFDIR) return null;
    const entries = readZapEntries(node, this.writer);
    if (entries === null) {
      this.error = -EIO;
      return null;
    }
    const directory = new Directory();
    const first = node.blockCount > 0 ? node.block(0, this.writer) : null;
    directory.salt = first === null ? this.random.next() : le64(first, le64(first, 0) == MICRO_ZAP ? 8 : 80);
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i].nameText;
      if (entries[i].value.length != 8 || directory.values.has(name)) continue;
      directory.names.push(name);
      directory.values.set(name, entries[i].number);
    }
    directory.changed = false;
    this.directories.set(number, directory);
    return directory;
  }

  /** The object `name` names in directory `parent`, or -errno. */
  lookup(parent: u64, name: string): i64 {
    const directory = this.directory(parent);
    if (directory === null) return this.node(parent) === null ? -ENOENT : -ENOTDIR;
    if (!directory.values.has(name)) return -ENOENT;
    return <i64>(directory.values.get(name) & ((<u64>1 << 48) - 1));
  }

  private checkName(parent: u64, name: string): i32 {
    const directory = this.directory(parent);
    if (directory === null) return this.node(parent) === null ? -ENOENT : -ENOTDIR;
    const length = String.UTF8.byteLength(name);
    if (length == 0 || name == "." || name == ".." || name.includes("/")) return -EINVAL;
    if (length > NAME_MAX) return -ENAMETOOLONG;
    if (directory.values.has(name)) return -EEXIST;
    return 0;
  }

  private addEntry(parent: u64, name: string, object: u64, mode: u64): void {
    const directory = this.directory(parent)!;
    directory.names.push(name);
    directory.values.set(name, (entryType(mode) << 60) | object);
    directory.changed = true;
    const node = this.node(parent)!;
    setZnodeSize(node.bonus, znodeSize(node.bonus) + 1);
    this.touch(node, true);
  }

  private removeEntry(parent: u64, name: string): void {
    const directory = this.directory(parent)!;
    directory.values.delete(name);
    const index = directory.names.indexOf(name);
    if (index >= 0) directory.names.splice(index, 1);
    directory.changed = true;
    const node = this.node(parent)!;
    setZnodeSize(node.bonus, znodeSize(node.bonus) - 1);
    this.touch(node, true);
  }

  private touch(node: ObjectWriter, modified: bool): void {
    if (modified) setModifyTime(node.bonus, this.now);
    setChangeTime(node.bonus, this.now);
    node.dirty = true;
  }

  /** Creates a file (S_IFREG), directory (S_IFDIR) or, with `target`, a symbolic link; answers its object or -errno. */
  create(parent: u64, name: string, mode: u64, uid: u64, gid: u64, target: Uint8Array | null): i64 {
    const bad = this.checkName(parent, name);
    if (bad < 0) return this.fail(bad);
    if (!this.hasRoom(target === null ? 0 : <u64>target.length)) return this.fail(-ENOSPC);
    const format = mode & S_IFMT;
    if (format != S_IFREG && format != S_IFDIR && format != S_IFLNK) return this.fail(-EINVAL);
    if ((format == S_IFLNK) != (target !== null)) return this.fail(-EINVAL);
    const parentNode = this.node(parent)!;
    if (format == S_IFDIR && znodeLinks(parentNode.bonus) >= LINK_MAX) return this.fail(-EMLINK);
    const inline = target !== null && target.length <= INLINE_TARGET_MAX;
    const node = this.newNode(mode, parent, uid, gid, inline ? target!.length : 0);
    const number = this.add(node);
    if (format == S_IFDIR) {
      this.directories.set(number, this.newDirectory());
      setZnodeLinks(node.bonus, 2);
      setZnodeSize(node.bonus, 2);
      setZnodeLinks(parentNode.bonus, znodeLinks(parentNode.bonus) + 1);
    }
    if (target !== null) {
      setZnodeSize(node.bonus, <u64>target.length);
      if (inline) node.bonus.set(target!, ZNODE_SIZE);
      else {
        const block = new Uint8Array((target.length + 511) & ~511);
        block.set(target!);
        node.blockSize = block.length;
        node.put(0, block);
      }
    }
    this.addEntry(parent, name, number, mode);
    return <i64>number;
  }

  /** Another name for file `inode` in `parent`. */
  link(parent: u64, name: string, inode: u64): i32 {
    const node = this.node(inode);
    if (node === null) return -ENOENT;
    if (!this.hasRoom(0)) return -ENOSPC;
    if ((znodeMode(node.bonus) & S_IFMT) == S_IFDIR) return -EISDIR;
    const bad = this.checkName(parent, name);
    if (bad < 0) return bad;
    if (znodeLinks(node.bonus) >= LINK_MAX) return -EMLINK;
    setZnodeLinks(node.bonus, znodeLinks(node.bonus) + 1);
    this.touch(node, false);
    this.addEntry(parent, name, inode, znodeMode(node.bonus));
    return 0;
  }

  /** Removes `name` from `parent` (a directory only with `directory`, and only when empty); frees the object with its last link. */
  unlink(parent: u64, name: string, directory: bool): i32 {
    const found = this.lookup(parent, name);
    if (found < 0) return <i32>found;
    const inode = <u64>found;
    const node = this.node(inode);
    if (node === null) return -EIO;
    const isDirectory = (znodeMode(node.bonus) & S_IFMT) == S_IFDIR;
    if (isDirectory != directory) return directory ? -ENOTDIR : -EISDIR;
    if (isDirectory && this.directory(inode)!.names.length > 0) return -ENOTEMPTY;
    this.removeEntry(parent, name);
    if (isDirectory) {
      const parentNode = this.node(parent)!;
      setZnodeLinks(parentNode.bonus, znodeLinks(parentNode.bonus) - 1);
      this.directories.delete(inode);
      this.uncharge(node);
      this.remove(inode);
      return 0;
    }
    const links = znodeLinks(node.bonus) - 1;
    setZnodeLinks(node.bonus, links);
    this.touch(node, false);
    if (links == 0) {
      this.uncharge(node);
      this.remove(inode);
    }
    return 0;
  }

  /** Moves `name` in `from` to `toName` in `to`, replacing a file there (or an empty directory with a directory). */
  rename(from: u64, name: string, to: u64, toName: string): i32 {
    const found = this.lookup(from, name);
    if (found < 0) return <i32>found;
    if (this.directory(to) === null) return this.node(to) === null ? -ENOENT : -ENOTDIR;
    const length = String.UTF8.byteLength(toName);
    if (length == 0 || toName == "." || toName == ".." || toName.includes("/")) return -EINVAL;
    if (length > NAME_MAX) return -ENAMETOOLONG;
    const inode = <u64>found;
    const node = this.node(inode)!;
    const isDirectory = (znodeMode(node.bonus) & S_IFMT) == S_IFDIR;
    if (isDirectory) {
      // Not into itself or below.
      for (let at = to; ; ) {
        if (at == inode) return -EINVAL;
        if (at == this.root) break;
        const up = this.node(at);
        if (up === null) break;
        at = load<u64>(up.bonus.dataStart + 88);
      }
    }
    const existing = this.lookup(to, toName);
    if (existing >= 0) {
      if (<u64>existing == inode) return 0;
      const target = this.node(<u64>existing)!;
      const targetIsDirectory = (znodeMode(target.bonus) & S_IFMT) == S_IFDIR;
      if (targetIsDirectory != isDirectory) return isDirectory ? -ENOTDIR : -EISDIR;
      const removed = this.unlink(to, toName, targetIsDirectory);
      if (removed < 0) return removed;
    }
    this.removeEntry(from, name);
    this.addEntry(to, toName, inode, znodeMode(node.bonus));
    if (isDirectory && from != to) {
      const oldParent = this.node(from)!;
      const newParent = this.node(to)!;
      setZnodeLinks(oldParent.bonus, znodeLinks(oldParent.bonus) - 1);
      setZnodeLinks(newParent.bonus, znodeLinks(newParent.bonus) + 1);
      setZnodeParent(node.bonus, to);
    }
    this.touch(node, false);
    return 0;
  }

  /**
   * Whether the pool has room for `bytes` more of file data (each copy
   * counted) on top of what waits for the next sync: within the dataset's
   * room as ZFS reckons it (what statfs reports, `room` less the waiting
   * data), and with RESERVE_MIN still free on the device for the sync's
   * copy-on-write metadata (frees come back to it two txgs later).
   * Removing files never needs room.
   */
  hasRoom(bytes: u64): bool {
    const wanted = (this.dirtyBytes + bytes) * <u64>this.dataCopies;
    const free = this.writer.space.freeBytes;
    return wanted <= this.room && free >= RESERVE_MIN && free - RESERVE_MIN >= wanted;
  }

  /** The dataset's room for more data now: `room` less the data waiting for the next sync. */
  get roomNow(): u64 {
    const waiting = this.dirtyBytes * <u64>this.dataCopies;
    return this.room > waiting ? this.room - waiting : 0;
  }

  /** Writes `data` at `offset` of file `inode`: the count, or -errno. */
  write(inode: u64, offset: u64, data: Uint8Array): i64 {
    const writer = this.writer;
    const node = this.node(inode);
    if (node === null) return -ENOENT;
    if (!this.hasRoom(<u64>data.length + <u64>node.blockSize)) return -ENOSPC;
    if ((znodeMode(node.bonus) & S_IFMT) != S_IFREG) return (znodeMode(node.bonus) & S_IFMT) == S_IFDIR ? -EISDIR : -EINVAL;
    const end = offset + <u64>data.length;
    if (end > MAX_FILE_SIZE || end < offset) return -EFBIG;
    if (data.length == 0) return 0;
    // A file of one block grows its block (up to the record size) instead of adding blocks.
    if (node.blockCount <= 1 && <u64>node.blockSize < end && node.blockSize < RECORD_SIZE) {
      const grown = <i32>min<u64>((end + 511) & ~511, <u64>RECORD_SIZE);
      if (!this.resizeOnlyBlock(node, grown, writer)) return <i64>writer.error;
    }
    const size = <u64>node.blockSize;
    let done = 0;
    while (done < data.length) {
      const at = offset + <u64>done;
      const blockNumber = at / size;
      const within = <i32>(at % size);
      const take = min(data.length - done, <i32>size - within);
      let block: Uint8Array | null;
      if (within == 0 && take == <i32>size) block = new Uint8Array(<i32>size);
      else block = node.block(blockNumber, writer);
      if (block === null) return <i64>writer.error;
      if (!node.pending.has(blockNumber)) this.dirtyBytes += size;
      memory.copy(block.dataStart + <usize>within, data.dataStart + <usize>done, <usize>take);
      node.put(blockNumber, block);
      done += take;
    }
    if (end > znodeSize(node.bonus)) setZnodeSize(node.bonus, end);
    this.touch(node, true);
    return <i64>data.length;
  }

  /** Changes the size of the only block (0 or 1 blocks) to `size` bytes, keeping its data. */
  private resizeOnlyBlock(node: ObjectWriter, size: i32, writer: BlockWriter): bool {
    const grown = new Uint8Array(size);
    if (node.blockCount == 1) {
      const old = node.block(0, writer);
      if (old === null) return false;
      grown.set(old.subarray(0, min(old.length, size)));
    }
    node.blockSize = size;
    if (node.blockCount == 1 || znodeSize(node.bonus) > 0) node.put(0, grown);
    return true;
  }

  /** Sets the size of file `inode`: drops or zeroes what lies past it. */
  truncate(inode: u64, size: u64): i32 {
    const writer = this.writer;
    const node = this.node(inode);
    if (node === null) return -ENOENT;
    if ((znodeMode(node.bonus) & S_IFMT) != S_IFREG) return -EINVAL;
    if (size > MAX_FILE_SIZE) return -EFBIG;
    const blockSize = <u64>node.blockSize;
    if (size > znodeSize(node.bonus) && !this.hasRoom(blockSize)) return -ENOSPC;
    const keep = (size + blockSize - 1) / blockSize;
    if (keep < node.blockCount) node.truncateBlocks(keep, writer);
    const within = <i32>(size % blockSize);
    if (within != 0 && keep <= node.blockCount && keep > 0) {
      const block = node.block(keep - 1, writer);
      if (block === null) return writer.error;
      block.fill(0, within);
      node.put(keep - 1, block);
    }
    setZnodeSize(node.bonus, size);
    this.touch(node, true);
    return 0;
  }

  /** Sets the mode's permission bits and owner (a negative value leaves one alone) and times (I64.MIN_VALUE leaves one alone). */
  setAttributes(inode: u64, mode: i64, uid: i64, gid: i64, accessed: i64, modified: i64): i32 {
    const node = this.node(inode);
    if (node === null) return -ENOENT;
    if (mode >= 0) setZnodeMode(node.bonus, <u64>mode);
    if (uid >= 0 || gid >= 0) setZnodeOwner(node.bonus, uid >= 0 ? <u64>uid : znodeUid(node.bonus), gid >= 0 ? <u64>gid : znodeGid(node.bonus));
    if (accessed != I64.MIN_VALUE) setAccessTime(node.bonus, accessed);
    if (modified != I64.MIN_VALUE) setModifyTime(node.bonus, modified);
    setChangeTime(node.bonus, this.now);
    node.dirty = true;
    return 0;
  }

  /** Writes the ABI's 64-byte attribute record of `inode` at `out` (checked by the caller): 0 or -errno. */
  getattr(inode: u64, out: usize): i32 {
    const node = this.node(inode);
    if (node === null) return this.object(inode) === null && this.loadError ? -EIO : -ENOENT;
    const bonus = node.bonus;
    const mode = znodeMode(bonus);
    const format = mode & S_IFMT;
    const type: u32 = format == S_IFDIR ? 2 : format == S_IFLNK ? 3 : format == S_IFREG ? 1 : 0;
    if (type == 0) return -ENOTSUP;
    store<u32>(out, type);
    store<u32>(out, <u32>(mode & 0o7777), 4);
    store<u64>(out, znodeLinks(bonus), 8);
    store<u64>(out, znodeSize(bonus), 16);
    store<u64>(out, ((node.used + 256) >> 9) + 1, 24); // as ZFS counts them: the dnode's own sector too
    store<i64>(out, znodeTime(bonus, 0), 32);
    store<i64>(out, znodeTime(bonus, 16), 40);
    store<i64>(out, znodeTime(bonus, 32), 48);
    store<u64>(out, 0, 56);
    return 0;
  }

  /** Copies up to `length` bytes of file `inode` from `offset` to `to`: the count, or -errno. */
  read(inode: u64, offset: u64, to: usize, length: i32): i32 {
    const node = this.node(inode);
    if (node === null) return -ENOENT;
    const format = znodeMode(node.bonus) & S_IFMT;
    if (format == S_IFDIR) return -EISDIR;
    if (format != S_IFREG) return -EINVAL;
    const size = znodeSize(node.bonus);
    if (offset >= size) return 0;
    const count = <i32>min<u64>(<u64>length, size - offset);
    const blockSize = <u64>node.blockSize;
    let done = 0;
    while (done < count) {
      const at = offset + <u64>done;
      const block = node.block(at / blockSize, this.writer);
      if (block === null) return -EIO;
      const within = <i32>(at % blockSize);
      const take = min(count - done, block.length - within);
      if (take <= 0) return -EIO;
      memory.copy(to + <usize>done, block.dataStart + <usize>within, <usize>take);
      done += take;
    }
    return count;
  }

  /** The entry of `directory` at `cookie` as the ABI's entry record at `out`: 1, 0 at the end, or -errno. */
  readdir(inode: u64, cookie: u64, out: usize, capacity: i32): i32 {
    const directory = this.directory(inode);
    if (directory === null) return this.node(inode) === null ? -ENOENT : -ENOTDIR;
    for (let index = cookie; index < <u64>directory.names.length; index++) {
      const name = directory.names[<i32>index];
      const value = directory.values.get(name);
      const kind = value >> 60;
      const type: u32 = kind == DT_DIR ? 2 : kind == DT_LNK ? 3 : kind == DT_REG ? 1 : 0;
      if (type == 0) continue;
      const bytes = String.UTF8.encode(name);
      if (24 + bytes.byteLength > capacity) return -EINVAL;
      store<u64>(out, index + 1, 0);
      store<u64>(out, value & ((<u64>1 << 48) - 1), 8);
      store<u32>(out, type, 16);
      store<u32>(out, <u32>bytes.byteLength, 20);
      memory.copy(out + 24, changetype<usize>(bytes), <usize>bytes.byteLength);
      return 1;
    }
    return 0;
  }

  /** The link target of `inode` into `to` (at most `capacity` bytes): its length, or -errno. */
  readlink(inode: u64, to: usize, capacity: i32): i32 {
    const node = this.node(inode);
    if (node === null) return -ENOENT;
    if ((znodeMode(node.bonus) & S_IFMT) != S_IFLNK) return -EINVAL;
    const length = <i32>znodeSize(node.bonus);
    let source: Uint8Array | null;
    if (<i32>node.bonus.length >= ZNODE_SIZE + length) source = node.bonus.subarray(ZNODE_SIZE, ZNODE_SIZE + length);
    else source = node.block(0, this.writer);
    if (source === null || source.length < length) return -EIO;
    memory.copy(to, source.dataStart, <usize>min(length, capacity));
    return length;
  }

  /** Lays out every changed directory again, then the space accounting; false if a directory cannot be laid out. */
  prepareSync(): bool {
    const keys = this.directories.keys();
    for (let i = 0; i < keys.length; i++) {
      const directory = this.directories.get(keys[i]);
      if (!directory.changed) continue;
      const entries = new Array<ZapEntry>();
      for (let k = 0; k < directory.names.length; k++) {
        entries.push(ZapEntry.number(directory.names[k], directory.values.get(directory.names[k])));
      }
      const node = this.node(keys[i]);
      if (node === null || !this.setZap(node, entries, directory.salt)) return false;
      directory.changed = false;
    }
    this.dirtyBytes = 0;
    return true;
  }

  accountingUpdate(): bool {
    const objects = this.loaded.values();
    for (let i = 0; i < objects.length; i++) {
      const object = objects[i];
      if (object.bonusType != ZNODE_BONUS) continue;
      this.charge(object);
    }
    return this.setAccounting(this.userUsed!, this.users) && this.setAccounting(this.groupUsed!, this.groups);
  }

  /** Moves `object`'s charge (512 bytes plus its blocks) to its owner and group as they are now. */
  private charge(object: ObjectWriter): void {
    this.uncharge(object);
    object.chargedUid = znodeUid(object.bonus);
    object.chargedGid = znodeGid(object.bonus);
    object.chargedBytes = 512 + object.used;
    addTo(this.users, object.chargedUid, object.chargedBytes);
    addTo(this.groups, object.chargedGid, object.chargedBytes);
  }

  /** What the accounting objects count for `object` when this writer first sees it: nothing if new, else it as it is on disk. */
  private firstSight(object: ObjectWriter): void {
    if (object.charged) return;
    object.charged = true;
    object.chargedUid = znodeUid(object.bonus);
    object.chargedGid = znodeGid(object.bonus);
    object.chargedBytes = object.isNew ? 0 : 512 + object.baseUsed;
  }

  /** Takes `object`'s charge off its owner and group (it is being freed, or charged again). */
  private uncharge(object: ObjectWriter): void {
    this.firstSight(object);
    addTo(this.users, object.chargedUid, 0 - object.chargedBytes);
    addTo(this.groups, object.chargedGid, 0 - object.chargedBytes);
    object.chargedBytes = 0;
  }

  private setAccounting(object: ObjectWriter, totals: Map<u64, u64>): bool {
    const ids = totals.keys();
    ids.sort((a: u64, b: u64): i32 => (a < b ? -1 : a > b ? 1 : 0));
    const entries = new Array<ZapEntry>();
    for (let i = 0; i < ids.length; i++) {
      const bytes = totals.get(ids[i]);
      if (bytes != 0 && <i64>bytes > 0) entries.push(ZapEntry.number(hex(ids[i]), bytes));
    }
    return this.setZap(object, entries, this.random.next());
  }

  /** Takes over the file system whose object set block is `block`; false (with `error`) when it cannot be written. */
  openExisting(pointer: Uint8Array, block: Uint8Array, space: SpaceTotals): bool {
    if (!this.open(pointer, block, space)) return this.refuse(-EIO);
    const master = this.object(1);
    if (master === null) return this.refuse(-EIO);
    const entries = readZapEntries(master, this.writer);
    if (entries === null) return this.refuse(-EIO);
    let version: u64 = 0;
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i].nameText;
      if (entries[i].value.length != 8) continue;
      if (name == "ROOT") this.root = entries[i].number;
      else if (name == "VERSION") version = entries[i].number;
    }
    if (version == 0 || version > ZPL_VERSION || this.directory(this.root) === null) return this.refuse(-EIO);
    if (this.userUsed === null) this.userUsed = new ObjectWriter(TYPE_USERGROUP_USED, 512, 0, 0);
    if (this.groupUsed === null) this.groupUsed = new ObjectWriter(TYPE_USERGROUP_USED, 512, 0, 0);
    if (!this.loadAccounting(this.userUsed!, this.users) || !this.loadAccounting(this.groupUsed!, this.groups)) return this.refuse(-EIO);
    return true;
  }

  private refuse(error: i32): bool {
    this.error = error;
    return false;
  }

  private loadAccounting(object: ObjectWriter, totals: Map<u64, u64>): bool {
    const entries = readZapEntries(object, this.writer);
    if (entries === null) return false;
    for (let i = 0; i < entries.length; i++) {
      if (entries[i].value.length != 8) continue;
      const name = entries[i].nameText;
      totals.set(U64.parseInt(name, 16), entries[i].number);
    }
    return true;
  }
}

function addTo(totals: Map<u64, u64>, id: u64, bytes: u64): void {
  totals.set(id, (totals.has(id) ? totals.get(id) : 0) + bytes);
}

function hex(value: u64): string {
  return value.toString(16);
}
