// The host-test harness's part for the ROFS reader (fs/rofs).
//
// One mounted image at a time, over a MemoryBlockDevice (in place) or over
// RofsTestDevice, which copies sectors like a disk (memoryAddress 0) and can
// fail a range of sectors with -EIO. Vnodes cross as indexes into
// rofsNodes; stat fields are written as 8 u64 slots (inode, type, mode,
// size, blocks, mtime ns, compressed, stored bytes). Strings that readdir
// and readlink make are left to the test's memory. Nothing is allocated
// before the first rofsMount.

import { failureDetail } from "../../../kernel/failure";
import { mountRofs, RofsMount, RofsFileSystem, RofsVnode, lz4DecompressBlock } from "../../../fs/rofs/index";
import { crc32 as kernelCrc32 } from "../../../kernel/crc32";
import { BlockDevice as RofsDeviceBase, MemoryBlockDevice as RofsMemoryDevice } from "../../../drivers/block/device";
import { VnodeResult as RofsVnodeResult, DirEntry as RofsDirEntry, Stat as RofsStat, TextResult as RofsTextResult } from "../../../fs/vfs/node";
import { EIO as ROFS_EIO, EINVAL as ROFS_EINVAL } from "../../../kernel/errno";

class RofsTestDevice extends RofsDeviceBase {
  failFrom: u64 = 0;
  failTo: u64 = 0;
  reads: u32 = 0;

  constructor(public base: usize, size: u64) {
    super("rofs-test", 512, size / 512, true);
  }

  read(sector: u64, buffer: usize, count: u32): i32 {
    this.reads++;
    if (!this.holds(sector, count)) return -ROFS_EINVAL;
    if (sector < this.failTo && sector + <u64>count > this.failFrom) return -ROFS_EIO;
    memory.copy(buffer, this.base + <usize>(sector * 512), <usize>count * 512);
    return 0;
  }
}

let rofsMounted: RofsFileSystem | null = null;
let rofsDevice: RofsTestDevice | null = null;
let rofsNodes: Array<RofsVnode | null> | null = null;
let rofsEntry = changetype<RofsDirEntry>(0);
let rofsLink = changetype<RofsTextResult>(0);

function rofsNode(index: i32): RofsVnode {
  return rofsNodes![index]!;
}

function rofsHandle(node: RofsVnode): i32 {
  rofsNodes!.push(node);
  return rofsNodes!.length - 1;
}

/** Mounts `size` bytes at `base`: in place (inMemory) or through RofsTestDevice. "" or the reader's message. */
export function rofsMount(base: usize, size: u64, inMemory: bool): string {
  const out = new RofsMount();
  let device: RofsDeviceBase;
  if (inMemory) {
    device = new RofsMemoryDevice("rofs-memory", base, size);
    rofsDevice = null;
  } else {
    const testDevice = new RofsTestDevice(base, size);
    rofsDevice = testDevice;
    device = testDevice;
  }
  const result = mountRofs(device, out);
  const error = result < 0 ? failureDetail(result) : "";
  rofsMounted = out.fs;
  const old = rofsNodes;
  if (old !== null) {
    heap.free(changetype<usize>(old.buffer));
    heap.free(changetype<usize>(old));
  }
  rofsNodes = new Array<RofsVnode | null>();
  if (changetype<usize>(rofsEntry) == 0) {
    rofsEntry = new RofsDirEntry();
    rofsLink = new RofsTextResult();
  }
  return error;
}

/** Makes RofsTestDevice fail reads touching sectors [from, to). */
export function rofsFailSectors(from: u64, to: u64): void {
  rofsDevice!.failFrom = from;
  rofsDevice!.failTo = to;
}

export function rofsDeviceReads(): u32 {
  return rofsDevice === null ? 0 : rofsDevice!.reads;
}

export function rofsRoot(): i32 {
  return rofsHandle(changetype<RofsVnode>(rofsMounted!.root()));
}

/** lookup: a vnode index, or -errno. */
export function rofsLookup(directory: i32, name: string): i32 {
  const out = new RofsVnodeResult();
  const result = rofsNode(directory).lookup(name, out);
  if (result < 0) return result;
  return rofsHandle(changetype<RofsVnode>(out.node));
}

export function rofsReaddir(directory: i32, cookie: u64): i32 {
  return rofsNode(directory).readdir(cookie, rofsEntry);
}
export function rofsEntryName(): string {
  return rofsEntry.name;
}
export function rofsEntryInode(): u64 {
  return rofsEntry.inode;
}
export function rofsEntryType(): u32 {
  return rofsEntry.type;
}
export function rofsEntryNext(): u64 {
  return rofsEntry.next;
}

export function rofsRead(node: i32, offset: u64, buffer: usize, length: usize): i64 {
  return rofsNode(node).read(offset, buffer, length);
}

export function rofsStat(node: i32, out: usize): i32 {
  const vnode = rofsNode(node);
  const stat = new RofsStat();
  const result = vnode.getattr(stat);
  if (result >= 0) {
    store<u64>(out, stat.inode);
    store<u64>(out, <u64>stat.type, 8);
    store<u64>(out, <u64>stat.mode, 16);
    store<u64>(out, stat.size, 24);
    store<u64>(out, stat.blocks, 32);
    store<i64>(out, stat.modified, 40);
    store<u64>(out, vnode.compressed ? 1 : 0, 48);
    store<u64>(out, vnode.storedBytes(), 56);
  }
  heap.free(changetype<usize>(stat));
  return result;
}

export function rofsReadlink(node: i32): i32 {
  return rofsNode(node).readlink(rofsLink);
}
export function rofsLinkTarget(): string {
  return rofsLink.text;
}

export function rofsDataAddress(node: i32): i64 {
  return rofsNode(node).dataAddress();
}

/** Lets go of a vnode as the VFS would: release() (the filesystem keeps or frees it; never the root). */
export function rofsRelease(node: i32): void {
  const vnode = rofsNodes![node];
  if (vnode !== null) vnode.release();
  rofsNodes![node] = null;
}

/** The vnode object's address (to see a kept vnode come back). */
export function rofsVnodeAddress(node: i32): usize {
  return changetype<usize>(rofsNode(node));
}

export function rofsUnmount(): void {
  const fs = rofsMounted;
  if (fs !== null) {
    fs.unmount();
    heap.free(changetype<usize>(fs));
  }
  rofsMounted = null;
}

export function rofsLz4Decompress(source: usize, sourceLength: usize, destination: usize, capacity: usize): isize {
  return lz4DecompressBlock(source, sourceLength, destination, capacity);
}

export function rofsCrc32(address: usize, length: usize): u32 {
  return kernelCrc32(address, length);
}
