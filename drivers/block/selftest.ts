// The block-device self-test (`selftest=blk`): virtio disks on the real
// machine, through drivers/virtio's front door.
//
// Prints, for the host to compare (test/boot/blk.test.ts):
//
//   blk: <name> <sectors> sectors <read-only|read-write>    every disk found
//   blk-checksum <8 hex digits>       CRC-32 (zlib's) of the first disk's whole content
//   blk-concurrent <threads> threads agree|DISAGREE          reads of the same region from threads at once
//   blk-write <name> <sectors> sectors read back equal|DIFFERENT  with `blk-write` on a writable disk
//   blk-errors <count>                requests that returned an error (-EIO), all disks
//
// I/O errors are reported as counts (and the first few as `blk: <name>
// error -5 at sector N`), not as failed checks: a disk that fails requests
// (QEMU blkdebug) must make the kernel say -EIO and finish. Checks fail for
// what the driver itself gets wrong: no disk, threads that disagree, data
// that does not read back, wrong errors for bad arguments.

import { print, printLine, printUnsigned, printHex, printSigned } from "../../kernel/console";
import { EINVAL, EROFS } from "../../kernel/errno";
import { spawn, join, Thread } from "../../kernel/sched/index";
import { now } from "../../kernel/time/index";
import { crc32Update } from "../../kernel/crc32";
import { declareFlag, KernelOption } from "../../kernel/options";
import { beginSelfTest, check, endSelfTest } from "../../kernel/selftest/check";
import { BlockDevice, disks as registeredDisks } from "./index";

/** Sectors per read of the checksum pass: 1 MiB, cut into several requests in flight. */
const CHUNK_SECTORS: u32 = 2048;
const READERS: i32 = 3;
/** Each reader uses its own request size, so their requests interleave differently. */
const READER_CHUNKS: StaticArray<u32> = [2048, 384, 64];
/** The region the readers share: the first 4 MiB (or the whole disk). */
const SHARED_SECTORS: u64 = 8192;
/** The region blk-write writes: the first 2 MiB (or the whole disk). */
const WRITE_SECTORS: u64 = 4096;
const REPORTED_ERRORS: u32 = 4;
const THREAD_DEADLINE_NS: u64 = 120_000_000_000;

let ioErrors: u32 = 0;

/** One reader's job and result, passed to its thread as a pointer. */
class ReadJob {
  crc: u32 = 0;
  failures: u32 = 0;
  constructor(public disk: BlockDevice, public sectors: u64, public chunk: u32) {}
}

let writeOption: KernelOption | null = null;

/** Declares blk-write, which lets the self-test write (with the test's registration). */
export function declareBlockSelfTestOptions(): void {
  writeOption = declareFlag("blk-write", "with selftest=blk: also write a pattern over the start of every writable disk, flush and read it back (destroys data there)");
}

/** The block self-test, over every disk registered after `probe` (the device probe) ran. */
export function runBlockSelfTest(probe: () => void): bool {
  beginSelfTest();
  ioErrors = 0;
  probe();
  const disks = registeredDisks();
  check("blk: a virtio disk was found", disks.length > 0);
  for (let i = 0; i < disks.length; i++) describe(disks[i]);
  if (disks.length > 0) {
    const first = disks[0];
    const whole = checksum(first, first.sectors, CHUNK_SECTORS);
    print("blk-checksum ");
    printHex(whole.crc, 8);
    printLine();
    testArguments(first);
    testConcurrentReads(first);
    if (writeOption !== null && writeOption!.given) {
      for (let i = 0; i < disks.length; i++) if (!disks[i].readOnly) testWrite(disks[i]);
    }
  }
  print("blk-errors ");
  printUnsigned(ioErrors);
  printLine();
  return endSelfTest("blk");
}

function describe(disk: BlockDevice): void {
  print("blk: ");
  print(disk.name);
  print(" ");
  printUnsigned(disk.sectors);
  printLine(disk.readOnly ? " sectors read-only" : " sectors read-write");
}

/** Notes a failed request: counted, the first few printed. */
function noteError(disk: BlockDevice, sector: u64, error: i32): void {
  if (ioErrors < REPORTED_ERRORS) {
    print("blk: ");
    print(disk.name);
    print(" error ");
    printSigned(error);
    print(" at sector ");
    printUnsigned(sector);
    printLine();
  }
  ioErrors++;
}

/** Reads the first `sectors` sectors `chunk` at a time into a CRC-32; failed chunks count as zeros. */
function checksum(disk: BlockDevice, sectors: u64, chunk: u32): ReadJob {
  const job = new ReadJob(disk, sectors, chunk);
  readInto(changetype<usize>(job));
  return job;
}

function readInto(argument: usize): void {
  const job = changetype<ReadJob>(argument);
  const bytes = <usize>job.chunk * 512;
  const buffer = heap.alloc(bytes);
  let crc: u32 = 0;
  for (let sector: u64 = 0; sector < job.sectors; sector += <u64>job.chunk) {
    const count = <u32>min<u64>(<u64>job.chunk, job.sectors - sector);
    const result = job.disk.read(sector, buffer, count);
    if (result < 0) {
      memory.fill(buffer, 0, <usize>count * 512);
      job.failures++;
      noteError(job.disk, sector, result);
    }
    crc = crc32Update(crc, buffer, <usize>count * 512);
  }
  heap.free(buffer);
  job.crc = crc;
}

function testArguments(disk: BlockDevice): void {
  const buffer = heap.alloc(1024);
  check("blk: a read past the end is -EINVAL", disk.read(disk.sectors, buffer, 1) == -EINVAL);
  check("blk: a read that runs past the end is -EINVAL", disk.read(disk.sectors - 1, buffer, 2) == -EINVAL);
  check("blk: a read of nothing succeeds", disk.read(0, buffer, 0) == 0);
  if (disk.readOnly) check("blk: a write to a read-only disk is -EROFS", disk.write(0, buffer, 1) == -EROFS);
  heap.free(buffer);
}

/** READERS threads read the same region at once with different request sizes; their checksums must agree. */
function testConcurrentReads(disk: BlockDevice): void {
  const sectors = min<u64>(disk.sectors, SHARED_SECTORS);
  const reference = checksum(disk, sectors, CHUNK_SECTORS);
  const jobs: ReadJob[] = [];
  const threads: Thread[] = [];
  for (let i = 0; i < READERS; i++) {
    const job = new ReadJob(disk, sectors, READER_CHUNKS[i]);
    const thread = spawn("blk-reader", readInto, changetype<usize>(job));
    check("blk: a reader thread starts", thread !== null);
    if (thread === null) continue;
    jobs.push(job);
    threads.push(thread);
  }
  let agree = true;
  let failures = reference.failures;
  for (let i = 0; i < threads.length; i++) {
    const status = join(threads[i], now() + THREAD_DEADLINE_NS);
    check("blk: a reader thread finishes", status == 0);
    failures += jobs[i].failures;
    if (jobs[i].crc != reference.crc) agree = false;
  }
  // Reads that failed count as zeros, so only error-free runs can be compared.
  if (failures == 0) check("blk: concurrent readers read what one reader reads", agree);
  print("blk-concurrent ");
  printUnsigned(<u64>threads.length);
  printLine(failures != 0 ? " threads had errors" : agree ? " threads agree" : " threads DISAGREE");
}

/** The byte blk-write puts at `offset` of `sector`: the host recomputes it. */
function patternByte(sector: u64, offset: u32): u8 {
  return <u8>((<u32>sector * 7 + offset * 13 + 0x5a) & 0xff);
}

function testWrite(disk: BlockDevice): void {
  const sectors = min<u64>(disk.sectors, WRITE_SECTORS);
  const bytes = <usize>sectors * 512;
  const pattern = heap.alloc(bytes);
  const readBack = heap.alloc(bytes);
  for (let sector: u64 = 0; sector < sectors; sector++) {
    for (let offset: u32 = 0; offset < 512; offset++) {
      store<u8>(pattern + <usize>sector * 512 + <usize>offset, patternByte(sector, offset));
    }
  }
  memory.fill(readBack, 0, bytes);
  const written = disk.write(0, pattern, <u32>sectors);
  if (written < 0) noteError(disk, 0, written);
  const flushed = disk.flush();
  if (flushed < 0) noteError(disk, 0, flushed);
  const read = disk.read(0, readBack, <u32>sectors);
  if (read < 0) noteError(disk, 0, read);
  const equal = memory.compare(pattern, readBack, bytes) == 0;
  if (written == 0 && flushed == 0 && read == 0) check("blk: what was written reads back", equal);
  print("blk-write ");
  print(disk.name);
  print(" ");
  printUnsigned(sectors);
  printLine(written < 0 || flushed < 0 || read < 0 ? " sectors had errors" : equal ? " sectors read back equal" : " sectors read back DIFFERENT");
  heap.free(pattern);
  heap.free(readBack);
}
