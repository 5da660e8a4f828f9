// The module's writing exports (docs/modules.md, "Writing"): fs_mkfs makes
// a fresh pool on a device and mounts its root dataset for writing; the
// operations below change it, and every change reaches the disk in a
// transaction group: at fs_sync, when the file data waiting grows past
// DIRTY_LIMIT, and at fs_unmount, which also exports the pool (its labels
// say so, and zpool import takes it without -f).
//
// Names are UTF-8 in the module's memory; inodes are object numbers;
// every call answers a negative errno instead of trapping.

import { log, deviceSize, deviceCount, deviceFlush } from "./host";
import { EBADF, EBUSY, EINVAL, EIO, ENAMETOOLONG, ENODEV, ENOSPC, EROFS } from "./errno";
import { openForWriting } from "./write/pool-open";
import { writers, writer, freeNumber } from "./mounts";
import { PoolWriter, PoolOptions, POOL_STATE_ACTIVE, ASHIFT_MIN, ASHIFT_MAX } from "./write/pool-writer";
import { WrittenVdev } from "./write/vdev";
import { S_IFMT, S_IFLNK } from "./write/znode-record";
import { COMPRESS_LZJB, COMPRESS_OFF, COMPRESS_ZLE, COMPRESS_GZIP_1, COMPRESS_GZIP_6 } from "./write/blocks";
import { CHECKSUM_FLETCHER2, CHECKSUM_FLETCHER4, CHECKSUM_SHA256 } from "./checksum";

const NAME_MAX: i32 = 255;
const TARGET_MAX: i32 = 4096;
/** File data waiting in memory before a txg is synced on its own (bytes). */
const DIRTY_LIMIT: u64 = 8 << 20;
const POOL_NAME_MAX: i32 = 255;
const SETATTR_RECORD: i32 = 32;

function inMemory(address: usize, length: i32): bool {
  return length >= 0 && address != 0 && <u64>address + <u64>length <= (<u64>memory.size() << 16);
}

function text(address: usize, length: i32): string {
  return String.UTF8.decodeUnsafe(address, <usize>length, false);
}

/** A name argument: the string, or null when it is out of memory or too long (`nameError` says which). */
let nameError: i32 = 0;
function nameAt(address: usize, length: i32): string | null {
  if (length > NAME_MAX) {
    nameError = -ENAMETOOLONG;
    return null;
  }
  if (length <= 0 || !inMemory(address, length)) {
    nameError = -EINVAL;
    return null;
  }
  return text(address, length);
}

function validPoolName(name: string): bool {
  if (name.length == 0 || name.length > POOL_NAME_MAX) return false;
  const first = name.charCodeAt(0);
  if (!((first >= 0x41 && first <= 0x5a) || (first >= 0x61 && first <= 0x7a))) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const ok = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c == 0x2d || c == 0x2e || c == 0x3a;
    if (!ok) return false;
  }
  return !(name.startsWith("mirror") || name.startsWith("raidz") || name.startsWith("spare") || name == "log");
}

/** Applies one KEY=VALUE of fs_mkfs's options; false (after logging) for a bad one. */
function applyOption(options: PoolOptions, key: string, value: string): bool {
  if (key == "compression") {
    if (value == "off") options.compression = COMPRESS_OFF;
    else if (value == "lzjb" || value == "on") options.compression = COMPRESS_LZJB;
    else if (value == "zle") options.compression = COMPRESS_ZLE;
    else if (value == "gzip") options.compression = COMPRESS_GZIP_6;
    else if (value.length == 6 && value.startsWith("gzip-") && value.charCodeAt(5) >= 0x31 && value.charCodeAt(5) <= 0x39) {
      options.compression = COMPRESS_GZIP_1 + <u32>(value.charCodeAt(5) - 0x31);
    } else return refuse("compression=" + value + " (off, on, lzjb, zle, gzip or gzip-1 to gzip-9)");
  } else if (key == "checksum") {
    if (value == "on" || value == "fletcher4") options.checksum = CHECKSUM_FLETCHER4;
    else if (value == "fletcher2") options.checksum = CHECKSUM_FLETCHER2;
    else if (value == "sha256") options.checksum = CHECKSUM_SHA256;
    else return refuse("checksum=" + value + " (on, fletcher2, fletcher4 or sha256)");
  } else if (key == "copies") {
    if (value != "1" && value != "2" && value != "3") return refuse("copies=" + value + " (1, 2 or 3)");
    options.copies = I32.parseInt(value);
  } else if (key == "seed") {
    options.seed = U64.parseInt(value);
  } else if (key == "time") {
    options.time = U64.parseInt(value);
  } else if (key == "ashift") {
    const ashift = I32.parseInt(value);
    if (ashift < ASHIFT_MIN || ashift > ASHIFT_MAX || ashift.toString() != value) return refuse("ashift=" + value + " (9 to 13)");
    options.ashift = ashift;
  } else if (key == "path") {
    options.path = value;
  } else if (key == "mode") {
    options.rootMode = U64.parseInt(value, 8) & 0o7777;
  } else return refuse(key + " (compression, checksum, copies, ashift, seed, time, path, mode)");
  return true;
}

function refuse(what: string): bool {
  log("mkfs: unknown or bad option " + what);
  return false;
}

/**
 * Makes a fresh pool named `source` on device `device` (all of it) and
 * mounts its root dataset for writing: the volume number, or -errno.
 * `options` is KEY=VALUE,... (compression, checksum, copies, seed, time,
 * path, mode).
 */
export function fs_mkfs(device: i32, source: usize, length: i32, optionsAt: usize, optionsLength: i32): i32 {
  if (!inMemory(source, length) || length <= 0 || (optionsLength != 0 && !inMemory(optionsAt, optionsLength))) return -EINVAL;
  if (device < 0 || device >= deviceCount()) return -ENODEV;
  const options = new PoolOptions();
  options.name = text(source, length);
  if (!validPoolName(options.name)) {
    log("mkfs: '" + options.name + "' is not a pool name (a letter, then letters, digits, _ - . :)");
    return -EINVAL;
  }
  const list = optionsLength == 0 ? "" : text(optionsAt, optionsLength);
  const parts = list.length == 0 ? new Array<string>() : list.split(",");
  for (let i = 0; i < parts.length; i++) {
    const equals = parts[i].indexOf("=");
    if (equals <= 0 || !applyOption(options, parts[i].substring(0, equals), parts[i].substring(equals + 1))) return -EINVAL;
  }
  const size = deviceSize(device);
  if (size < 0) return <i32>size;
  const pool = new PoolWriter(WrittenVdev.single(device, <u64>size, 0, options.path), options);
  if (!pool.create()) {
    log("mkfs " + options.name + ": " + pool.why);
    return pool.error < 0 ? pool.error : -EINVAL;
  }
  const number = freeNumber();
  writers[number] = pool;
  return number;
}

/**
 * Mounts dataset `name` (a pool's root dataset or a child) for writing
 * (fs_mount without the read-only flag): the volume number, or -errno
 * after logging why. A pool on a read-only device, or one this writer does
 * not write, is refused with EROFS, and a second dataset of a pool being
 * written with EBUSY: mount it read-only.
 */
export function mountWriter(name: string): i32 {
  if (name.includes("@")) return -EROFS;
  // One writer per pool: two would each allocate from their own copy of the space maps.
  const poolName = name.includes("/") ? name.substring(0, name.indexOf("/")) : name;
  for (let i = 0; i < writers.length; i++) {
    const other = writers[i];
    if (other === null || (poolName != "" && other.name != poolName)) continue;
    log("pool " + other.name + " is already mounted for writing (" + other.datasetName + "): one dataset of a pool is written at a time; mount " +
      (name == "" ? "it" : name) + " read-only");
    return -EBUSY;
  }
  // Disks given read-only (the usual way to read a pool) are not worth opening the pool for.
  let anyWritable = false;
  for (let device = 0; device < deviceCount() && !anyWritable; device++) if (deviceFlush(device) != -EROFS) anyWritable = true;
  if (!anyWritable) return -EROFS;
  const opened = openForWriting(name);
  if (opened.pool === null) {
    if (opened.why != "") log(opened.why);
    return opened.error < 0 ? opened.error : -EINVAL;
  }
  const pool = opened.pool!;
  for (let i = 0; i < pool.vdev.sides.length; i++) {
    if (deviceFlush(pool.vdev.sides[i].device) == -EROFS) {
      log("pool " + pool.name + " is on a read-only device: mount it read-only");
      return -EROFS;
    }
  }
  pool.state = POOL_STATE_ACTIVE;
  pool.configDirty = true;
  const number = freeNumber();
  writers[number] = pool;
  return number;
}

/** Syncs and exports a pool being written, and forgets it. */
export function unmountWriter(number: i32): i32 {
  const pool = writer(number);
  if (pool === null) return -EBADF;
  writers[number] = null;
  if (pool.broken) {
    log("unmount " + pool.name + ": left as of txg " + (pool.txg - 1).toString() + " (a sync failed)");
    return -EIO;
  }
  if (!pool.export()) {
    log("unmount " + pool.name + ": " + pool.why);
    return pool.error;
  }
  log("exported " + pool.name + " at txg " + (pool.txg - 1).toString() + ": " + (pool.space.capacity - pool.space.freeBytes >> 10).toString() + " KiB allocated");
  return 0;
}

/** The pool `number` names if it can take changes: null (with `writeError` -EBADF or -EIO) if not. */
let writeError: i32 = 0;
function writable(number: i32): PoolWriter | null {
  const pool = writer(number);
  if (pool === null) {
    writeError = -EBADF;
    return null;
  }
  if (pool.broken) {
    writeError = -EIO;
    return null;
  }
  return pool;
}

/** Syncs a txg when file data waiting passed the limit; the operation's result, or the sync's error. */
function settle(pool: PoolWriter, result: i64): i64 {
  if (result >= 0 && pool.zpl.dirtyBytes > DIRTY_LIMIT && !pool.sync()) {
    log("sync " + pool.name + ": " + pool.why);
    return <i64>pool.error;
  }
  return result;
}

function begin(pool: PoolWriter): void {
  pool.zpl.now = pool.now();
}

/** Creates a file or directory (`mode`'s type bits) named `name` in `directory`, owned by `owner` (uid << 32 | gid): its inode, or -errno. */
export function fs_create(number: i32, directory: i64, name: usize, length: i32, mode: i32, owner: i64): i64 {
  const pool = writable(number);
  if (pool === null) return writeError;
  const entry = nameAt(name, length);
  if (entry === null) return nameError;
  if ((<u64>mode & S_IFMT) == S_IFLNK) return -EINVAL;
  begin(pool);
  let result = pool.zpl.create(<u64>directory, entry, <u64>mode, <u64>owner >> 32, <u64>owner & 0xffffffff, null);
  if (result == -ENOSPC && pool.reclaimDeferred()) result = pool.zpl.create(<u64>directory, entry, <u64>mode, <u64>owner >> 32, <u64>owner & 0xffffffff, null);
  return settle(pool, result);
}

/** Creates a symbolic link `name` in `directory` to `target` (owned by root until fs_setattr says otherwise): its inode, or -errno. */
export function fs_symlink(number: i32, directory: i64, name: usize, length: i32, target: usize, targetLength: i32): i64 {
  const pool = writable(number);
  if (pool === null) return writeError;
  const entry = nameAt(name, length);
  if (entry === null) return nameError;
  if (targetLength <= 0 || targetLength > TARGET_MAX || !inMemory(target, targetLength)) return targetLength > TARGET_MAX ? -ENAMETOOLONG : -EINVAL;
  const bytes = new Uint8Array(targetLength);
  memory.copy(bytes.dataStart, target, <usize>targetLength);
  begin(pool);
  let result = pool.zpl.create(<u64>directory, entry, S_IFLNK | 0o777, 0, 0, bytes);
  if (result == -ENOSPC && pool.reclaimDeferred()) result = pool.zpl.create(<u64>directory, entry, S_IFLNK | 0o777, 0, 0, bytes);
  return settle(pool, result);
}

export function fs_link(number: i32, directory: i64, name: usize, length: i32, inode: i64): i32 {
  const pool = writable(number);
  if (pool === null) return writeError;
  const entry = nameAt(name, length);
  if (entry === null) return nameError;
  begin(pool);
  let result = pool.zpl.link(<u64>directory, entry, <u64>inode);
  if (result == -ENOSPC && pool.reclaimDeferred()) result = pool.zpl.link(<u64>directory, entry, <u64>inode);
  return <i32>settle(pool, result);
}

/** Removes `name` from `directory`; `flags` bit 0: it must be an (empty) directory. */
export function fs_unlink(number: i32, directory: i64, name: usize, length: i32, flags: i32): i32 {
  const pool = writable(number);
  if (pool === null) return writeError;
  const entry = nameAt(name, length);
  if (entry === null) return nameError;
  begin(pool);
  return <i32>settle(pool, pool.zpl.unlink(<u64>directory, entry, (flags & 1) != 0));
}

/** Moves `name` (its length in the low 16 bits of `lengths`) in `from` to `toName` (the high 16 bits) in `to`. */
export function fs_rename(number: i32, from: i64, name: usize, lengths: i32, to: i64, toName: usize): i32 {
  const pool = writable(number);
  if (pool === null) return writeError;
  const length = lengths & 0xffff;
  const toLength = (lengths >>> 16) & 0xffff;
  const entry = nameAt(name, length);
  if (entry === null) return nameError;
  const target = nameAt(toName, toLength);
  if (target === null) return nameError;
  begin(pool);
  return <i32>settle(pool, pool.zpl.rename(<u64>from, entry, <u64>to, target));
}

/** Writes `length` bytes from `buffer` at `offset` of file `inode`: the count, or -errno. */
export function fs_write(number: i32, inode: i64, offset: i64, buffer: usize, length: i32): i32 {
  const pool = writable(number);
  if (pool === null) return writeError;
  if (offset < 0 || !inMemory(buffer, length)) return -EINVAL;
  const data = new Uint8Array(length);
  memory.copy(data.dataStart, buffer, <usize>length);
  begin(pool);
  let result = pool.zpl.write(<u64>inode, <u64>offset, data);
  if (result == -ENOSPC && pool.reclaimDeferred()) result = pool.zpl.write(<u64>inode, <u64>offset, data);
  return <i32>settle(pool, result);
}

export function fs_truncate(number: i32, inode: i64, size: i64): i32 {
  const pool = writable(number);
  if (pool === null) return writeError;
  if (size < 0) return -EINVAL;
  begin(pool);
  let result = pool.zpl.truncate(<u64>inode, <u64>size);
  if (result == -ENOSPC && pool.reclaimDeferred()) result = pool.zpl.truncate(<u64>inode, <u64>size);
  return <i32>settle(pool, result);
}

/**
 * Sets what the 32-byte record at `change` says: +0 u32 which fields
 * (bit 0 mode, 1 uid, 2 gid, 3 access time, 4 modification time),
 * +4 u32 permission bits, +8 u32 uid, +12 u32 gid, +16 i64 access time,
 * +24 i64 modification time (nanoseconds since the epoch).
 */
export function fs_setattr(number: i32, inode: i64, change: usize): i32 {
  const pool = writable(number);
  if (pool === null) return writeError;
  if (!inMemory(change, SETATTR_RECORD)) return -EINVAL;
  const which = load<u32>(change);
  if (which > 31) return -EINVAL;
  begin(pool);
  return pool.zpl.setAttributes(<u64>inode,
    (which & 1) != 0 ? <i64>(load<u32>(change, 4) & 0o7777) : -1,
    (which & 2) != 0 ? <i64>load<u32>(change, 8) : -1,
    (which & 4) != 0 ? <i64>load<u32>(change, 12) : -1,
    (which & 8) != 0 ? load<i64>(change, 16) : I64.MIN_VALUE,
    (which & 16) != 0 ? load<i64>(change, 24) : I64.MIN_VALUE);
}

/** Writes a transaction group with every change so far; 0 once it is on disk, or -errno. */
export function fs_sync(number: i32): i32 {
  const pool = writer(number);
  if (pool === null) return -EBADF;
  if (!pool.sync()) {
    log("sync " + pool.name + ": " + pool.why);
    return pool.error;
  }
  return 0;
}
