// The filesystem self-test (`selftest=fs`): the mounted tree read through the
// VFS, and a write/read-back on the writable filesystem.
//
// Every file under / is read in full and reported as one line the host can
// check against its own copy of the tree:
//
//   fs-file <path> <size> <CRC-32 as 0x and 8 hex digits>
//   fs-link <path> <target>
//   fs-dir <path>
//
// then a 1 MiB pattern is written to /tmp/selftest (or /selftest on a
// writable root), read back, compared and removed.

import { print, printLine, printUnsigned, printHex } from "../kernel/console";
import { EROFS } from "../kernel/errno";
import { beginSelfTest, check, endSelfTest } from "../kernel/selftest/check";
import { crc32Update } from "../kernel/crc32";
import { rootDescription } from "./root";
import {
  AT_FDCWD, O_RDONLY, O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, DirEntry, Stat, TextResult,
  TYPE_DIRECTORY, TYPE_FILE, TYPE_SYMLINK, open, close, read, write, pread, readdir, lstat, readlink, unlink, stat, freeString,
} from "./vfs/index";

const CHUNK: usize = 64 << 10;
const PATTERN_BYTES: usize = 1 << 20;

let files: u32 = 0;
let bytes: u64 = 0;
let failures: u32 = 0;
let buffer: usize = 0;

export function runFileSystemSelfTest(): bool {
  beginSelfTest();
  print("fs: root is ");
  printLine(rootDescription);
  buffer = heap.alloc(CHUNK);
  files = 0;
  bytes = 0;
  failures = 0;
  walk("/");
  check("every file and directory under / reads without error", failures == 0);
  print("fs-summary files=");
  printUnsigned(files);
  print(" bytes=");
  printUnsigned(bytes);
  printLine();
  checkWriteReadBack();
  heap.free(buffer);
  return endSelfTest("fs");
}

function child(directory: string, name: string): string {
  return directory == "/" ? "/" + name : directory + "/" + name;
}

function walk(path: string): void {
  const fd = open(AT_FDCWD, path, O_RDONLY | O_DIRECTORY, 0);
  if (fd < 0) {
    failed("open directory", path, fd);
    return;
  }
  const entry = new DirEntry();
  let cookie: u64 = 0;
  while (true) {
    const result = readdir(fd, cookie, entry);
    if (result < 0) failed("readdir", path, result);
    if (result <= 0) break;
    cookie = entry.next;
    const name = entry.name;
    if (name != "." && name != "..") visit(child(path, name));
    freeString(name);
  }
  heap.free(changetype<usize>(entry));
  close(fd);
}

function visit(path: string): void {
  const status = new Stat();
  const result = lstat(AT_FDCWD, path, status);
  if (result < 0) {
    failed("lstat", path, result);
  } else if (status.type == TYPE_DIRECTORY) {
    print("fs-dir ");
    printLine(path);
    walk(path);
  } else if (status.type == TYPE_SYMLINK) {
    const target = new TextResult();
    const linked = readlink(AT_FDCWD, path, target);
    if (linked < 0) {
      failed("readlink", path, linked);
    } else {
      print("fs-link ");
      print(path);
      print(" ");
      printLine(target.text);
      freeString(target.text);
    }
    heap.free(changetype<usize>(target));
  } else if (status.type == TYPE_FILE) {
    checksumFile(path, status.size);
  }
  heap.free(changetype<usize>(status));
}

function checksumFile(path: string, size: u64): void {
  const fd = open(AT_FDCWD, path, O_RDONLY | O_NOFOLLOW, 0);
  if (fd < 0) {
    failed("open", path, fd);
    return;
  }
  let crc: u32 = 0;
  let total: u64 = 0;
  while (true) {
    const count = read(fd, buffer, CHUNK);
    if (count < 0) {
      failed("read", path, <i32>count);
      break;
    }
    if (count == 0) break;
    crc = crc32Update(crc, buffer, <usize>count);
    total += <u64>count;
  }
  close(fd);
  if (total != size) failed("size", path, 0);
  files++;
  bytes += total;
  print("fs-file ");
  print(path);
  print(" ");
  printUnsigned(total);
  print(" ");
  printHex(<u64>crc, 8);
  printLine();
}

function checkWriteReadBack(): void {
  const status = new Stat();
  const tmp = stat(AT_FDCWD, "/tmp", status) == 0 && status.type == TYPE_DIRECTORY;
  heap.free(changetype<usize>(status));
  const path = tmp ? "/tmp/selftest" : "/selftest";
  const fd = open(AT_FDCWD, path, O_RDWR | O_CREAT | O_TRUNC, 0o644);
  if (fd == -EROFS) {
    printLine("fs: nothing writable is mounted (a read-only root without /tmp): no write check");
    return;
  }
  check("a file can be created on the writable filesystem", fd >= 0);
  if (fd < 0) return;
  let written: u64 = 0;
  for (let offset: usize = 0; offset < PATTERN_BYTES; offset += CHUNK) {
    for (let i: usize = 0; i < CHUNK; i += 4) store<u32>(buffer + i, <u32>(offset + i) * 2654435761);
    const count = write(fd, buffer, CHUNK);
    if (count > 0) written += <u64>count;
  }
  check("1 MiB written", written == <u64>PATTERN_BYTES);
  let same = true;
  for (let offset: usize = 0; offset < PATTERN_BYTES; offset += CHUNK) {
    const count = pread(fd, buffer, CHUNK, <i64>offset);
    if (count != <i64>CHUNK) same = false;
    for (let i: usize = 0; same && i < CHUNK; i += 4) {
      if (load<u32>(buffer + i) != <u32>(offset + i) * 2654435761) same = false;
    }
  }
  check("and reads back the same", same);
  close(fd);
  check("and is removed", unlink(AT_FDCWD, path) == 0);
}

function failed(what: string, path: string, errno: i32): void {
  failures++;
  print("fs: ");
  print(what);
  print(" failed on ");
  print(path);
  print(" (errno ");
  printUnsigned(<u64>(-errno));
  printLine(")");
}
