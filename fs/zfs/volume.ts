// A mounted ZPL dataset and the operations of ABI v1 on it. Inodes are the
// dataset's object numbers; directory cookies are ZAP cookies. Addresses
// the kernel passes (outputs, names) are checked against the module's
// memory before use.
//
// Refused at mount, with a logged reason: a snapshot name, a dataset that
// is not a filesystem (a zvol), ZPL versions above 4 (system attributes).
// Devices, FIFOs and sockets have no type in the ABI: readdir skips them
// and lookup answers ENOTSUP.

import { BlockPointer } from "./blkptr";
import { datasetObjset, dslError, dslWhy } from "./dsl";
import { readObject } from "./dnode";
import { log } from "./host";
import { Objset, objsetError, openObjset, OBJSET_META, OBJSET_ZPL } from "./objset";
import { openPool, Pool } from "./pool";
import { DatasetSpace, availableBytes, storeStatfs } from "./space";
import { openZap, Zap, zapOf, zapError, ZapEntry } from "./zap";
import { Znode, TYPE_DIRECTORY, TYPE_SYMLINK } from "./znode";
import { EINVAL, EIO, EISDIR, ENOTDIR, ENOTSUP } from "./errno";

const MASTER_NODE: u64 = 1;
const MAX_ZPL_VERSION: u64 = 4;
const MAX_OBJECT: u64 = (<u64>1 << 48) - 1;
const MAX_LINK: u64 = 4096;
/**
 * Znodes kept per volume (about 600 bytes each), and directory ZAPs (a big
 * micro ZAP pins its block, up to 128 KiB, and its name index, about as
 * much): bounded so that a walk of many big directories stays within a few
 * MiB beside the block cache.
 */
const NODE_CACHE: i32 = 1024;
const DIRECTORY_CACHE: i32 = 16;
const ENTRY_NAME_AT: i32 = 24;
/** Directory entry types (the top 4 bits of a ZPL directory entry's value). */
const DT_DIR: u64 = 4;
const DT_REG: u64 = 8;
const DT_LNK: u64 = 10;

export class Volume {
  /** Znodes read so far, by inode; dropped all at once when full (the pool is read-only: they never go stale). */
  private znodes: Map<i64, Znode> = new Map<i64, Znode>();
  /** Directories' ZAPs (with a micro ZAP's name index), likewise. */
  private directories: Map<i64, Zap> = new Map<i64, Zap>();

  constructor(public pool: Pool, public objset: Objset, public root: u64, public space: DatasetSpace) {}

  /** The statfs record (space.ts) at `out`: the pool is read-only, so the figures read at mount stay true. */
  statfs(out: usize): i32 {
    const space = this.space;
    storeStatfs(out, space.referenced, availableBytes(this.pool.bytes, space.dirs), space.objects);
    return 0;
  }

  /** The znode of `inode`, or null with `volumeError` set. */
  znode(inode: i64): Znode | null {
    if (this.znodes.has(inode)) return this.znodes.get(inode);
    if (inode <= 0 || <u64>inode > MAX_OBJECT) return this.fail(-EINVAL);
    const dnode = this.objset.dnode(<u64>inode);
    if (dnode === null) return this.fail(objsetError);
    const znode = new Znode(dnode);
    if (!znode.valid) return this.fail(-EIO);
    if (this.znodes.size >= NODE_CACHE) this.znodes.clear();
    this.znodes.set(inode, znode);
    return znode;
  }

  /** The ZAP of directory `directory` (a znode of type directory), or null with `zapError` set. */
  private directory(inode: i64, dir: Znode): Zap | null {
    if (this.directories.has(inode)) return this.directories.get(inode);
    const zap = zapOf(this.objset, dir.dnode);
    if (zap === null) return null;
    if (this.directories.size >= DIRECTORY_CACHE) this.directories.clear();
    this.directories.set(inode, zap);
    return zap;
  }

  private fail(error: i32): Znode | null {
    volumeError = error < 0 ? error : -EIO;
    return null;
  }

  lookup(directory: i64, name: string): i64 {
    const dir = this.znode(directory);
    if (dir === null) return volumeError;
    if (dir.type != TYPE_DIRECTORY) return -ENOTDIR;
    const zap = this.directory(directory, dir);
    if (zap === null) return zapError;
    const found = zap.lookup(name);
    if (found < 0) return found;
    const inode = <i64>(zap.value & MAX_OBJECT);
    const kind = zap.value >> 60;
    if (kind != DT_DIR && kind != DT_REG && kind != DT_LNK) {
      const node = this.znode(inode);
      if (node === null) return volumeError;
      if (node.type == 0) return -ENOTSUP;
    }
    return inode;
  }

  getattr(inode: i64, out: usize): i32 {
    const node = this.znode(inode);
    if (node === null) return volumeError;
    const type = node.type;
    if (type == 0) return -ENOTSUP;
    store<u32>(out, type);
    store<u32>(out, <u32>(node.mode & 0o7777), 4);
    store<u64>(out, node.links, 8);
    store<u64>(out, node.size, 16);
    store<u64>(out, ((node.dnode.usedBytes + 256) >> 9) + 1, 24); // as ZFS counts them: the dnode's own sector too
    store<i64>(out, node.accessed, 32);
    store<i64>(out, node.modified, 40);
    store<i64>(out, node.changed, 48);
    store<u64>(out, 0, 56);
    return 0;
  }

  read(inode: i64, offset: i64, to: usize, length: i32): i32 {
    const node = this.znode(inode);
    if (node === null) return volumeError;
    if (node.type == TYPE_DIRECTORY) return -EISDIR;
    if (node.type != 1) return -EINVAL;
    if (offset < 0 || length < 0) return -EINVAL;
    const size = node.size;
    if (<u64>offset >= size) return 0;
    const count = <i32>min<u64>(<u64>length, size - <u64>offset);
    return readObject(this.pool, node.dnode, <u64>offset, to, count);
  }

  /** Writes the entry at `cookie` at `out` (`capacity` bytes): 1, 0 at the end, or -errno. */
  readdir(directory: i64, cookie: i64, out: usize, capacity: i32): i32 {
    const dir = this.znode(directory);
    if (dir === null) return volumeError;
    if (dir.type != TYPE_DIRECTORY) return -ENOTDIR;
    const zap = this.directory(directory, dir);
    if (zap === null) return zapError;
    const entry = new ZapEntry();
    let at = <u64>cookie;
    for (;;) {
      const result = zap.entry(at, entry);
      if (result <= 0) return result;
      if (entry.next <= at) return -EIO;
      at = entry.next;
      const inode = <i64>(entry.value & MAX_OBJECT);
      let type = <u32>0;
      const kind = entry.value >> 60;
      if (kind == DT_DIR) type = TYPE_DIRECTORY;
      else if (kind == DT_REG) type = 1;
      else if (kind == DT_LNK) type = TYPE_SYMLINK;
      else {
        const node = this.znode(inode);
        if (node === null) return volumeError;
        type = node.type;
      }
      if (type == 0) continue;
      const name = String.UTF8.encode(entry.name);
      if (ENTRY_NAME_AT + name.byteLength > capacity) return -EINVAL;
      store<u64>(out, entry.next);
      store<i64>(out, inode, 8);
      store<u32>(out, type, 16);
      store<u32>(out, <u32>name.byteLength, 20);
      memory.copy(out + ENTRY_NAME_AT, changetype<usize>(name), <usize>name.byteLength);
      return 1;
    }
    return 0;
  }

  readlink(inode: i64, to: usize, capacity: i32): i32 {
    const node = this.znode(inode);
    if (node === null) return volumeError;
    if (node.type != TYPE_SYMLINK) return -EINVAL;
    const size = node.size;
    if (size > MAX_LINK) return -EIO;
    const length = <i32>size;
    const inline = node.inlineTargetAt;
    const copy = min(length, capacity);
    if (inline >= 0) {
      memory.copy(to, node.dnode.data.dataStart + <usize>inline, <usize>copy);
      return length;
    }
    const target = new Uint8Array(length);
    const result = readObject(this.pool, node.dnode, 0, target.dataStart, length);
    if (result < 0) return result;
    memory.copy(to, target.dataStart, <usize>copy);
    return length;
  }
}

export let volumeError: i32 = 0;

/** What mountVolume answers: the volume, or a negative errno. */
export class MountResult {
  volume: Volume | null = null;
  error: i32 = 0;
}

function refuse(result: MountResult, error: i32, why: string): MountResult {
  log(why);
  result.error = error < 0 ? error : -EIO;
  return result;
}

/** Mounts `source`: "POOL", "POOL/DATASET/..." or "" (the only pool's root dataset). */
export function mountVolume(source: string): MountResult {
  const result = new MountResult();
  if (source.includes("@")) return refuse(result, -ENOTSUP, "" + source + ": snapshots are not supported");
  const names = source.length == 0 ? new Array<string>() : source.split("/");
  for (let i = 0; i < names.length; i++) {
    if (names[i].length == 0) return refuse(result, -EINVAL, "'" + source + "' is not a pool or dataset name");
  }
  const opened = openPool(names.length > 0 ? names[0] : "");
  if (opened.pool === null) {
    result.error = opened.error;
    return result;
  }
  const pool = opened.pool!;
  const mos = openObjset(pool, new BlockPointer(pool.uberblock.root, 0));
  if (mos === null || mos.type != OBJSET_META) return refuse(result, mos === null ? objsetError : -EIO, "pool " + pool.name + ": the MOS is unreadable");
  const space = new DatasetSpace();
  const objset = datasetObjset(mos, names.length > 0 ? names.slice(1) : new Array<string>(), space);
  if (objset === null) return refuse(result, dslError, "pool " + pool.name + ": " + dslWhy);
  const path = names.length > 0 ? source : pool.name;
  if (objset.type != OBJSET_ZPL) return refuse(result, -ENOTSUP, "" + path + " is not a filesystem (object set type " + objset.type.toString() + ")");
  const master = openZap(objset, MASTER_NODE);
  if (master === null) return refuse(result, zapError, "" + path + ": the master node is unreadable");
  if (master.lookup("VERSION") < 0) return refuse(result, -EIO, "" + path + ": the master node has no VERSION");
  if (master.value > MAX_ZPL_VERSION) {
    return refuse(result, -ENOTSUP, "" + path + ": ZPL version " + master.value.toString() + " (system attributes) is not supported; versions 1 to 4 are");
  }
  if (master.lookup("ROOT") < 0) return refuse(result, -EIO, "" + path + ": the master node has no ROOT");
  const volume = new Volume(pool, objset, master.value, space);
  const root = volume.znode(<i64>master.value);
  if (root === null || root.type != TYPE_DIRECTORY) return refuse(result, root === null ? volumeError : -EIO, "" + path + ": the root directory is unreadable");
  result.volume = volume;
  return result;
}
