// The host-test harness's part for the VFS (fs/vfs) with ramfs (fs/ramfs)
// and the worked example filesystem (fs/example) mounted in it.

import * as vfs from "../../../fs/vfs/index";
import { Stat, SpaceStat, DirEntry, TextResult, FileSystem } from "../../../fs/vfs/node";
import { RamFileSystem, pagesTaken, slotsCopied, indexMoves } from "../../../fs/ramfs/index";
import { HelloFileSystem } from "../../../fs/example/hello";
import { fileSystemHandle, fileSystemOf, forgetFileSystem } from "./handles";
import { mountRofs as mountRofsImage, RofsMount as RofsImageMount } from "../../../fs/rofs/index";
import { MemoryBlockDevice as ImageDevice } from "../../../drivers/block/device";
import { keptNames } from "../../../fs/vfs/names";
import { KeptPath, keptPath, keptPaths, pathHash } from "../../../fs/vfs/paths";
import { treeRoot } from "../../../fs/vfs/mount";
import { openFileOf } from "../../../fs/vfs/descriptors";
import { drop } from "../../../fs/vfs/cache";

// --- fs/vfs, fs/ramfs, fs/example ---
// Filesystems cross as handles (indexes into fileSystems). String arguments
// of the vfs* exports are consumed: the export frees them after the call, so
// the page counts the tests compare are the VFS's doing alone. Strings the
// exports hand out (vfsEntryName, vfsLinkText) are the test's to free
// (rtFree). Stat fields are written as ten u64 to a buffer the test owns:
// device, inode, type, mode, links, size, blocks, accessed, modified, changed.

let vfsStatBuffer: Stat | null = null;
let vfsEntry: DirEntry | null = null;
let vfsLinkTarget: TextResult | null = null;

function consumed(text: string): void {
  heap.free(changetype<usize>(text));
}

function statOut(): Stat {
  if (vfsStatBuffer === null) vfsStatBuffer = new Stat();
  return vfsStatBuffer!;
}

function writeStat(stat: Stat, out: usize): void {
  store<u64>(out, stat.device);
  store<u64>(out, stat.inode, 8);
  store<u64>(out, <u64>stat.type, 16);
  store<u64>(out, <u64>stat.mode, 24);
  store<u64>(out, <u64>stat.links, 32);
  store<u64>(out, stat.size, 40);
  store<u64>(out, stat.blocks, 48);
  store<i64>(out, stat.accessed, 56);
  store<i64>(out, stat.modified, 64);
  store<i64>(out, stat.changed, 72);
}

export function ramfsCreate(): i32 {
  return fileSystemHandle(new RamFileSystem());
}

/** A ROFS over the image of `size` bytes at `base` (in place), or -1 if the reader refuses it. */
export function rofsImageCreate(base: usize, size: u64): i32 {
  const out = new RofsImageMount();
  if (mountRofsImage(new ImageDevice("vfs-test", base, size), out) < 0) return -1;
  return fileSystemHandle(out.fs!);
}

/** Names the VFS's name cache keeps now (fs/vfs/names.ts). */
export function vfsKeptNames(): u32 {
  return keptNames();
}

/** Paths the VFS's path cache keeps now (fs/vfs/paths.ts). */
export function vfsKeptPaths(): u32 {
  return keptPaths();
}

/** 1 if the path cache keeps `path` walked from `dirFd` (as walks start: fs/vfs/start.ts), 0 if not, -1 for a bad descriptor. */
export function vfsPathKept(dirFd: i32, path: string): i32 {
  let start = treeRoot();
  if (dirFd != vfs.AT_FDCWD && path.charCodeAt(0) != 0x2f) {
    const file = openFileOf(dirFd);
    start = file === null ? null : file.node;
  }
  let result = -1;
  if (start !== null) {
    const out = new KeptPath();
    result = keptPath(start!, path, pathHash(path), out) ? 1 : 0;
    drop(out.directory);
    drop(out.node);
    heap.free(changetype<usize>(out));
  }
  consumed(path);
  return result;
}

export function exampleFsCreate(): i32 {
  return fileSystemHandle(new HelloFileSystem());
}

/** Frees an unmounted filesystem's object (its contents went at unmount). */
export function fsFree(handle: i32): void {
  heap.free(changetype<usize>(fileSystemOf(handle)));
  forgetFileSystem(handle);
}

export function ramfsNodeCount(handle: i32): u32 {
  return changetype<RamFileSystem>(fileSystemOf(handle)).nodeCount;
}

export function ramfsPagesTaken(): u64 {
  return pagesTaken;
}

export function ramfsSlotsCopied(): u64 {
  return slotsCopied;
}

export function ramfsIndexMoves(): u64 {
  return indexMoves;
}

export function vfsMountRoot(handle: i32): i32 {
  return vfs.mountRoot(fileSystemOf(handle));
}

export function vfsMount(dirFd: i32, path: string, handle: i32): i32 {
  const result = vfs.mount(dirFd, path, fileSystemOf(handle));
  consumed(path);
  return result;
}

export function vfsUnmount(dirFd: i32, path: string): i32 {
  const result = vfs.unmount(dirFd, path);
  consumed(path);
  return result;
}

export function vfsOpen(dirFd: i32, path: string, flags: u32, mode: u32, resolve: u32): i32 {
  const result = vfs.open(dirFd, path, flags, mode, resolve);
  consumed(path);
  return result;
}

export function vfsClose(fd: i32): i32 {
  return vfs.close(fd);
}

export function vfsDup(fd: i32): i32 {
  return vfs.dup(fd);
}

export function vfsDup2(fd: i32, to: i32): i32 {
  return vfs.dup2(fd, to);
}

export function vfsRead(fd: i32, buffer: usize, length: usize): i64 {
  return vfs.read(fd, buffer, length);
}

export function vfsWrite(fd: i32, buffer: usize, length: usize): i64 {
  return vfs.write(fd, buffer, length);
}

export function vfsPread(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  return vfs.pread(fd, buffer, length, offset);
}

export function vfsPwrite(fd: i32, buffer: usize, length: usize, offset: i64): i64 {
  return vfs.pwrite(fd, buffer, length, offset);
}

export function vfsSeek(fd: i32, offset: i64, whence: i32): i64 {
  return vfs.seek(fd, offset, whence);
}

export function vfsFstat(fd: i32, out: usize): i32 {
  const result = vfs.fstat(fd, statOut());
  writeStat(statOut(), out);
  return result;
}

export function vfsStat(dirFd: i32, path: string, follow: bool, out: usize, resolve: u32): i32 {
  const result = follow ? vfs.stat(dirFd, path, statOut(), resolve) : vfs.lstat(dirFd, path, statOut(), resolve);
  consumed(path);
  writeStat(statOut(), out);
  return result;
}

/** statfs of `fd`'s filesystem as eight u64 at `out`: block size, blocks, free, available, files, free files, read-only, name max. */
export function vfsStatfs(fd: i32, out: usize): i32 {
  const space = new SpaceStat();
  const result = vfs.fstatfs(fd, space);
  store<u64>(out, <u64>space.blockSize);
  store<u64>(out, space.blocks, 8);
  store<u64>(out, space.freeBlocks, 16);
  store<u64>(out, space.availableBlocks, 24);
  store<u64>(out, space.files, 32);
  store<u64>(out, space.freeFiles, 40);
  store<u64>(out, space.readOnly ? 1 : 0, 48);
  store<u64>(out, <u64>space.nameMax, 56);
  heap.free(changetype<usize>(space));
  return result;
}

export function vfsFtruncate(fd: i32, size: i64): i32 {
  return vfs.ftruncate(fd, size);
}

export function vfsFsync(fd: i32): i32 {
  return vfs.fsync(fd);
}

/** readdir into the harness's entry: vfsEntryName (the test frees it), vfsEntryInode, vfsEntryType, vfsEntryNext. */
export function vfsReaddir(fd: i32, cookie: u64): i32 {
  if (vfsEntry === null) vfsEntry = new DirEntry();
  vfsEntry!.name = "";
  return vfs.readdir(fd, cookie, vfsEntry!);
}

export function vfsEntryName(): string {
  const name = vfsEntry!.name;
  vfsEntry!.name = "";
  return name;
}

export function vfsEntryInode(): u64 {
  return vfsEntry!.inode;
}

export function vfsEntryType(): u32 {
  return vfsEntry!.type;
}

export function vfsEntryNext(): u64 {
  return vfsEntry!.next;
}

export function vfsMkdir(dirFd: i32, path: string, mode: u32, resolve: u32): i32 {
  const result = vfs.mkdir(dirFd, path, mode, resolve);
  consumed(path);
  return result;
}

export function vfsRmdir(dirFd: i32, path: string, resolve: u32): i32 {
  const result = vfs.rmdir(dirFd, path, resolve);
  consumed(path);
  return result;
}

export function vfsUnlink(dirFd: i32, path: string, resolve: u32): i32 {
  const result = vfs.unlink(dirFd, path, resolve);
  consumed(path);
  return result;
}

export function vfsRename(fromFd: i32, fromPath: string, toFd: i32, toPath: string, resolve: u32): i32 {
  const result = vfs.rename(fromFd, fromPath, toFd, toPath, resolve);
  consumed(fromPath);
  consumed(toPath);
  return result;
}

export function vfsSymlink(target: string, dirFd: i32, path: string, resolve: u32): i32 {
  const result = vfs.symlink(target, dirFd, path, resolve);
  consumed(target);
  consumed(path);
  return result;
}

export function vfsLink(fromFd: i32, fromPath: string, toFd: i32, toPath: string, resolve: u32): i32 {
  const result = vfs.link(fromFd, fromPath, toFd, toPath, false, resolve);
  consumed(fromPath);
  consumed(toPath);
  return result;
}

export function vfsSetTimes(fd: i32, accessed: i64, modified: i64): i32 {
  return vfs.setTimes(fd, accessed, modified);
}

/** readlink into the harness: vfsLinkText (the test frees it). */
export function vfsReadlink(dirFd: i32, path: string, resolve: u32): i32 {
  if (vfsLinkTarget === null) vfsLinkTarget = new TextResult();
  vfsLinkTarget!.text = "";
  const result = vfs.readlink(dirFd, path, vfsLinkTarget!, resolve);
  consumed(path);
  return result;
}

export function vfsLinkText(): string {
  const text = vfsLinkTarget!.text;
  vfsLinkTarget!.text = "";
  return text;
}

export function vfsTruncate(dirFd: i32, path: string, size: i64, resolve: u32): i32 {
  const result = vfs.truncate(dirFd, path, size, resolve);
  consumed(path);
  return result;
}

export function vfsOpenDescriptors(): i32 {
  return vfs.openDescriptors();
}

export function vfsCachedVnodes(): u32 {
  return vfs.cachedVnodes();
}

export function vfsPathLookups(): u64 {
  return vfs.pathLookups();
}
