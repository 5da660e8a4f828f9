// The 9p benchmark (`ninep-bench=ROUNDS`, test profile), run in the guest
// after boot for `wisp bench storage`: what opening and reading a small
// file on a live host directory costs. It mounts the virtio-9p device
// tagged `bench9p` on a fresh directory under /tmp (a RAMFS: the benchmark
// image's fstab mounts one there), writes a SMALL_BYTES file into the share,
// then times ROUNDS rounds of open + read (up to READ_BYTES) + close of it;
// for comparison the same of /etc/fstab, a small ROFS file in the benchmark
// image, if the root has one. Prints fs/bench.ts's lines (startPart,
// endPart):
//
//   storage-bench-raw name=ninep-open-read-close ops=ROUNDS bytes=B ticks=T busy=U
//   storage-bench-raw name=rofs-open-read-close ...
//
// Every round waits for the host's 9p server, so under -icount the host
// counts instructions from U (busy ticks: elapsed less the CPU's idle).

import { panic } from "../../kernel/panic";
import { failureDetail, lastFailure } from "../../kernel/failure";
import { AT_FDCWD, O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, open, close, read, write, mkdir, mount } from "../vfs/index";
import { startPart, endPart } from "../bench";
import { makeNineP } from "./index";

const SMALL_BYTES: usize = 100;
const READ_BYTES: usize = 4096;

export function runNinePBench(rounds: u32): void {
  // The names are locals: a string global would be in every profile's kernel.
  const mountPoint = "/tmp/ninep-bench";
  const smallFile = "/tmp/ninep-bench/small.txt";
  const rofsFile = "/etc/fstab";
  const fs = makeNineP("bench9p", false);
  if (fs === null) panic("ninep-bench: no share to mount: " + failureDetail(lastFailure()));
  let result = mkdir(AT_FDCWD, mountPoint, 0o755);
  if (result < 0) panic("ninep-bench: cannot make " + mountPoint + " (is a RAMFS mounted on /tmp?): " + failureDetail(result));
  result = mount(AT_FDCWD, mountPoint, fs!);
  if (result < 0) panic("ninep-bench: cannot mount the share: " + failureDetail(result));
  const buffer = heap.alloc(READ_BYTES);
  memory.fill(buffer, 0x2e, SMALL_BYTES);
  const fd = open(AT_FDCWD, smallFile, O_WRONLY | O_CREAT | O_TRUNC, 0o644);
  if (fd < 0 || write(fd, buffer, SMALL_BYTES) != <i64>SMALL_BYTES || close(fd) < 0) panic("ninep-bench: cannot write " + smallFile);

  timeOpenReadClose("ninep-open-read-close", smallFile, rounds, buffer);
  const rofs = open(AT_FDCWD, rofsFile, O_RDONLY, 0);
  if (rofs >= 0) {
    close(rofs);
    timeOpenReadClose("rofs-open-read-close", rofsFile, rounds, buffer);
  }
  heap.free(buffer);
}

function timeOpenReadClose(name: string, path: string, rounds: u32, buffer: usize): void {
  let bytes: u64 = 0;
  startPart();
  for (let i: u32 = 0; i < rounds; i++) {
    const fd = open(AT_FDCWD, path, O_RDONLY, 0);
    if (fd < 0) panic("ninep-bench: cannot open " + path + " in round " + i.toString() + ": " + failureDetail(fd));
    const count = read(fd, buffer, READ_BYTES);
    if (count <= 0) panic("ninep-bench: cannot read " + path);
    bytes += <u64>count;
    close(fd);
  }
  endPart(name, rounds, bytes);
}
