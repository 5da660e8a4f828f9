// fs/zfs: a read-only ZFS reader (pool version 23, ZPL version 4, as Debian's
// zfs-fuse writes them) built as a Wisp filesystem module (wisp build-module
// fs/zfs). This file is the module's front door: exactly the exports of
// docs/modules.md, ABI v1.
//
// The layers, bottom up:
//   host.ts                  the "wisp" imports (through fs/sdk)
//   label.ts, nvlist.ts      vdev labels (XDR nvlists) and uberblock rings
//   pool.ts                  finding a pool's devices, its vdev tree and newest uberblock
//   io.ts, blkptr.ts         reading a block: copies, mirrors, gang blocks, checksums,
//   checksum.ts, fletcher.ts, sha256.ts, decompress.ts, lzjb.ts, zle.ts, inflate.ts
//   cache.ts, stats.ts       the block cache and the counters logged at unmount
//   dnode.ts, objset.ts      objects and their indirect blocks
//   zap.ts, zap-micro.ts, zap-fat.ts, zap-hash.ts   name → number maps
//   dsl.ts                   from the MOS to a dataset's object set
//   znode.ts, volume.ts      the ZPL: files, directories, links; the operations below
//
// Every call checks the addresses it is given against the module's memory
// and answers a negative errno instead of trapping.

import { log } from "./host";
import { applySetting, cacheBytes } from "./settings";
import { mountVolume, Volume } from "./volume";
import { EBADF, EINVAL, ENAMETOOLONG } from "./errno";
import { readers, reader, writer, freeNumber } from "./mounts";
import { unmountWriter, mountWriter } from "./module-write";
import { STATFS_RECORD } from "./space";

export {
  fs_mkfs, fs_create, fs_symlink, fs_link, fs_unlink, fs_rename, fs_write, fs_truncate, fs_setattr, fs_sync,
} from "./module-write";

const ABI_VERSION: i32 = 1;
const MOUNT_READ_ONLY: i32 = 1;
const ATTRIBUTE_RECORD: i32 = 64;
const NAME_MAX: i32 = 255;
const MAX_BUFFER: i32 = 16 << 20;

let buffer = new ArrayBuffer(0);

/** Whether [address, address + length) lies inside the module's memory. */
function inMemory(address: usize, length: i32): bool {
  return length >= 0 && address != 0 && <u64>address + <u64>length <= (<u64>memory.size() << 16);
}

function volume(number: i32): Volume | null {
  return reader(number);
}

export function wisp_abi_version(): i32 {
  return ABI_VERSION;
}

export function wisp_buffer(length: i32): usize {
  if (length < 0 || length > MAX_BUFFER) return 0;
  if (buffer.byteLength < length) buffer = new ArrayBuffer(length);
  return changetype<usize>(buffer);
}

export function fs_mount(source: usize, length: i32, flags: i32): i32 {
  if (!inMemory(source, length) && length != 0) return -EINVAL;
  const name = length == 0 ? "" : String.UTF8.decodeUnsafe(source, <usize>length, false);
  if ((flags & MOUNT_READ_ONLY) == 0) return mountWriter(name);
  const result = mountVolume(name);
  if (result.volume === null) return result.error;
  const number = freeNumber();
  readers[number] = result.volume;
  return number;
}

export function fs_unmount(number: i32): i32 {
  if (writer(number) !== null) return unmountWriter(number);
  const mounted = volume(number);
  if (mounted === null) return -EBADF;
  log("unmounted " + mounted.pool.name + ": " + mounted.pool.stats.summary());
  mounted.pool.cache.clear();
  readers[number] = null;
  return 0;
}

export function fs_root(number: i32): i64 {
  const pool = writer(number);
  if (pool !== null) return <i64>pool.zpl.root;
  const mounted = volume(number);
  return mounted === null ? -EBADF : <i64>mounted.root;
}

export function fs_lookup(number: i32, directory: i64, name: usize, length: i32): i64 {
  const pool = writer(number);
  if (pool !== null) {
    if (length > NAME_MAX) return -ENAMETOOLONG;
    if (length <= 0 || !inMemory(name, length)) return -EINVAL;
    return pool.zpl.lookup(<u64>directory, String.UTF8.decodeUnsafe(name, <usize>length, false));
  }
  const mounted = volume(number);
  if (mounted === null) return -EBADF;
  if (length > NAME_MAX) return -ENAMETOOLONG;
  if (length <= 0 || !inMemory(name, length)) return -EINVAL;
  return mounted.lookup(directory, String.UTF8.decodeUnsafe(name, <usize>length, false));
}

export function fs_getattr(number: i32, inode: i64, out: usize): i32 {
  const pool = writer(number);
  if (pool !== null) return inMemory(out, ATTRIBUTE_RECORD) ? pool.zpl.getattr(<u64>inode, out) : -EINVAL;
  const mounted = volume(number);
  if (mounted === null) return -EBADF;
  if (!inMemory(out, ATTRIBUTE_RECORD)) return -EINVAL;
  return mounted.getattr(inode, out);
}

export function fs_read(number: i32, inode: i64, offset: i64, to: usize, length: i32): i32 {
  const pool = writer(number);
  if (pool !== null) return inMemory(to, length) && offset >= 0 ? pool.zpl.read(<u64>inode, <u64>offset, to, length) : -EINVAL;
  const mounted = volume(number);
  if (mounted === null) return -EBADF;
  if (!inMemory(to, length)) return -EINVAL;
  return mounted.read(inode, offset, to, length);
}

export function fs_readdir(number: i32, directory: i64, cookie: i64, out: usize, capacity: i32): i32 {
  const pool = writer(number);
  if (pool !== null) return inMemory(out, capacity) && cookie >= 0 ? pool.zpl.readdir(<u64>directory, <u64>cookie, out, capacity) : -EINVAL;
  const mounted = volume(number);
  if (mounted === null) return -EBADF;
  if (!inMemory(out, capacity)) return -EINVAL;
  return mounted.readdir(directory, cookie, out, capacity);
}

export function fs_readlink(number: i32, inode: i64, to: usize, capacity: i32): i32 {
  const pool = writer(number);
  if (pool !== null) return inMemory(to, capacity) ? pool.zpl.readlink(<u64>inode, to, capacity) : -EINVAL;
  const mounted = volume(number);
  if (mounted === null) return -EBADF;
  if (!inMemory(to, capacity)) return -EINVAL;
  return mounted.readlink(inode, to, capacity);
}

/** The statfs record (space.ts, 48 bytes) of a volume: room as ZFS reckons it, so `zfs get available` agrees. */
export function fs_statfs(number: i32, out: usize): i32 {
  if (!inMemory(out, STATFS_RECORD)) return -EINVAL;
  const pool = writer(number);
  if (pool !== null) return pool.statfs(out);
  const mounted = volume(number);
  return mounted === null ? -EBADF : mounted.statfs(out);
}

export function fs_forget(number: i32, inode: i64): void {
  // Nothing to do: the volume's znode and directory caches are bounded and
  // never stale (the pool is read-only), and the kernel also forgets a
  // duplicate of an inode it still holds, so forgetting would only evict
  // what is about to be used again.
}

export function fs_option(key: usize, keyLength: i32, value: usize, valueLength: i32): i32 {
  if (!inMemory(key, keyLength) || !inMemory(value, valueLength)) return -EINVAL;
  const name = String.UTF8.decodeUnsafe(key, <usize>keyLength, false);
  const text = String.UTF8.decodeUnsafe(value, <usize>valueLength, false);
  if (applySetting(name, text)) return 0;
  log("unknown setting or value '" + name + "=" + text + "' (zfs takes cache=SIZE, 64K to 1G)");
  return -EINVAL;
}

/** One line for the kernel's meminfo: each mounted volume's cache and counters. */
export function fs_report(to: usize, capacity: i32): i32 {
  if (!inMemory(to, capacity)) return -EINVAL;
  let text = "cache limit " + (cacheBytes >> 10).toString() + " KiB per volume";
  for (let i = 0; i < readers.length; i++) {
    const mounted = readers[i];
    if (mounted === null) continue;
    text += "; " + mounted.pool.name + ": cache " + (mounted.pool.cache.held() >> 10).toString() + " KiB, " + mounted.pool.stats.summary();
  }
  const bytes = String.UTF8.encode(text);
  memory.copy(to, changetype<usize>(bytes), <usize>min<i32>(capacity, bytes.byteLength));
  return bytes.byteLength;
}
