// The storage benchmark (`storage-bench=MIB`), run in the guest after boot
// for `wisp bench storage`. Each part prints one machine-readable line:
//
//   storage-bench-raw name=NAME ops=N bytes=B ticks=T busy=U
//
// in counter ticks: T elapsed, U the same less the time the CPU sat idle
// (kernel/sched idleTicks), waiting for a device. The host turns them into
// time, or under -icount into instructions (from U for a part that waits
// for a device, as fs/9p/bench.ts's do). startPart and endPart time and
// print a part, for that file too. The parts:
//   open-stat       open + fstat + close of the deepest file in the tree
//   rofs-read       every file under / read through the VFS in 64 KiB reads
//   raw-read        the same number of bytes read straight from the root's
//                   block device in 64 KiB requests (the baseline)
//   raw-write       with a writable disk besides the root's (a scratch
//                   disk), RAW_WRITE_MIB (or all it holds, if less) written
//                   to it in 64 KiB requests, then flushed: the baseline for
//                   filesystem writes
//   ramfs-append-N  N MiB appended to a new /tmp file in 4 KiB writes, for
//                   N = 8, 32 and MIB (then unlinked)

import { timestamp } from "../arch";
import { print, printUnsigned } from "../kernel/console";
import { panic } from "../kernel/panic";
import { idleTicks } from "../kernel/sched/index";
import { rootDevice } from "./root";
import { disks, BlockDevice } from "../drivers/block/index";
import {
  AT_FDCWD, O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, DirEntry, Stat,
  TYPE_DIRECTORY, TYPE_FILE, open, close, read, write, fstat, readdir, lstat, unlink, stat, freeString,
} from "./vfs/index";

const CHUNK: usize = 64 << 10;
const APPEND_WRITE: usize = 4096;
const OPEN_STAT_ROUNDS: u32 = 1000;
const MIB: u64 = 1 << 20;
const RAW_WRITE_MIB: u64 = 32;

let buffer: usize = 0;
let deepest: string = "";
let deepestDepth: i32 = -1;
let bytesRead: u64 = 0;
let partStart: u64 = 0;
let partIdleStart: u64 = 0;

export function runStorageBench(appendMib: u32): void {
  buffer = heap.alloc(CHUNK);
  bytesRead = 0;
  startPart();
  readTree("/", 0);
  endPart("rofs-read", 1, bytesRead);

  if (deepest.length > 0) {
    const status = new Stat();
    startPart();
    for (let i: u32 = 0; i < OPEN_STAT_ROUNDS; i++) {
      const fd = open(AT_FDCWD, deepest, O_RDONLY, 0);
      if (fd < 0) panic("storage-bench: cannot open " + deepest);
      fstat(fd, status);
      close(fd);
    }
    endPart("open-stat", OPEN_STAT_ROUNDS, 0);
    heap.free(changetype<usize>(status));
  }

  const device = rootDevice;
  if (device !== null && bytesRead > 0) {
    const sectors = min<u64>((bytesRead + <u64>device.sectorSize - 1) / <u64>device.sectorSize, device.sectors);
    startPart();
    if (!transfer(device, sectors, false)) panic("storage-bench: the root device failed a read");
    endPart("raw-read", 1, sectors * <u64>device.sectorSize);
  }

  rawWrite();
  appendRun(8);
  appendRun(32);
  if (appendMib > 32) appendRun(appendMib);
  heap.free(buffer);
}

/** Reads (or writes) the first `sectors` sectors of `device` through `buffer` in CHUNK requests; false if one failed. */
function transfer(device: BlockDevice, sectors: u64, writing: bool): bool {
  const sectorsPerChunk = <u32>(CHUNK / <usize>device.sectorSize);
  for (let sector: u64 = 0; sector < sectors; sector += <u64>sectorsPerChunk) {
    const count = <u32>min<u64>(<u64>sectorsPerChunk, sectors - sector);
    const result = writing ? device.write(sector, buffer, count) : device.read(sector, buffer, count);
    if (result < 0) return false;
  }
  return true;
}

/** The raw-write part, on the first writable disk that is not the root's (none: no part). */
function rawWrite(): void {
  const all = disks();
  for (let i = 0; i < all.length; i++) {
    const disk = all[i];
    if (disk.readOnly || disk === rootDevice) continue;
    const sectors = min<u64>(RAW_WRITE_MIB * MIB / <u64>disk.sectorSize, disk.sectors);
    for (let at: usize = 0; at < CHUNK; at += 8) store<u64>(buffer + at, <u64>at * 0x9e3779b97f4a7c15);
    startPart();
    if (!transfer(disk, sectors, true)) panic("storage-bench: the scratch disk failed a write");
    if (disk.flush() < 0) panic("storage-bench: the scratch disk failed a flush");
    endPart("raw-write", 1, sectors * <u64>disk.sectorSize);
    return;
  }
}

function appendRun(mib: u32): void {
  const path = "/tmp/storage-bench";
  const fd = open(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0o644);
  if (fd < 0) panic("storage-bench: cannot create " + path + " (is a RAMFS mounted on /tmp?)");
  const total = <u64>mib * MIB;
  startPart();
  for (let written: u64 = 0; written < total; written += <u64>APPEND_WRITE) {
    if (write(fd, buffer, APPEND_WRITE) != <i64>APPEND_WRITE) panic("storage-bench: a RAMFS append failed (out of memory?)");
  }
  endPart("ramfs-append-" + mib.toString(), <u32>(total / <u64>APPEND_WRITE), total);
  close(fd);
  unlink(AT_FDCWD, path);
}

function readTree(path: string, depth: i32): void {
  const fd = open(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) return;
  const entry = new DirEntry();
  const status = new Stat();
  let cookie: u64 = 0;
  while (readdir(fd, cookie, entry) > 0) {
    cookie = entry.next;
    const name = entry.name;
    if (name != "." && name != ".." && !(depth == 0 && name == "tmp")) {
      const child = path == "/" ? "/" + name : path + "/" + name;
      if (lstat(AT_FDCWD, child, status) == 0) {
        if (status.type == TYPE_DIRECTORY) readTree(child, depth + 1);
        else if (status.type == TYPE_FILE) readFile(child, depth);
      }
    }
    freeString(name);
  }
  heap.free(changetype<usize>(entry));
  heap.free(changetype<usize>(status));
  close(fd);
}

function readFile(path: string, depth: i32): void {
  if (depth > deepestDepth) {
    deepest = path;
    deepestDepth = depth;
  }
  const fd = open(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW, 0);
  if (fd < 0) return;
  while (true) {
    const count = read(fd, buffer, CHUNK);
    if (count <= 0) break;
    bytesRead += <u64>count;
  }
  close(fd);
}

/** Starts timing a part (parts do not nest). */
export function startPart(): void {
  partIdleStart = idleTicks();
  partStart = timestamp();
}

/** Ends the part startPart began and prints its line. */
export function endPart(name: string, ops: u32, bytes: u64): void {
  const ticks = timestamp() - partStart;
  const idle = idleTicks() - partIdleStart;
  print("storage-bench-raw name=");
  print(name);
  print(" ops=");
  printUnsigned(ops);
  print(" bytes=");
  printUnsigned(bytes);
  print(" ticks=");
  printUnsigned(ticks);
  print(" busy=");
  printUnsigned(ticks - idle);
  print("\n");
}
