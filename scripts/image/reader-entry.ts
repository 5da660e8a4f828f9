// AssemblyScript, not Node: the kernel's ROFS reader (fs/rofs) as a small
// wasm module that `wisp image --ls/--extract` loads (scripts/image/kernel-reader.ts
// compiles it with asc and caches it under build/image/), so the very code
// that boots is the code that validates an image on the host.
//
// The image is copied into this module's memory (allocate) and mounted in
// place over a MemoryBlockDevice. Vnodes cross as small integer handles;
// strings as AssemblyScript strings; stat fields are written to a buffer
// the caller allocated. The module uses the stub runtime: it runs once per
// command and what it allocates is gone when the process ends.

import { MemoryBlockDevice } from "../../drivers/block/device";
import { mountRofs, RofsMount, RofsFileSystem, RofsVnode } from "../../fs/rofs/index";
import { failureDetail } from "../../kernel/failure";
import { VnodeResult, DirEntry, Stat, TextResult } from "../../fs/vfs/node";

let mounted: RofsFileSystem | null = null;
const nodes = new Array<RofsVnode | null>();
const entry = new DirEntry();
const link = new TextResult();

function handle(node: RofsVnode): i32 {
  nodes.push(node);
  return nodes.length - 1;
}

function node(handle: i32): RofsVnode {
  return nodes[handle]!;
}

export function allocate(size: usize): usize {
  return heap.alloc(size);
}

/** Mounts the image of `size` bytes at `address`: "" or the reader's message. */
export function mount(address: usize, size: u64): string {
  const out = new RofsMount();
  const result = mountRofs(new MemoryBlockDevice("image", address, size), out);
  mounted = out.fs;
  return result < 0 ? failureDetail(result) : "";
}

export function root(): i32 {
  return handle(changetype<RofsVnode>(mounted!.root()));
}

/** The handle of `name` in directory `directory`, or -errno. */
export function lookup(directory: i32, name: string): i32 {
  const out = new VnodeResult();
  const result = node(directory).lookup(name, out);
  if (result < 0) return result;
  return handle(changetype<RofsVnode>(out.node));
}

/** readdir: 1 with the entry in entryName/entryInode/entryNext, 0 at the end, or -errno. */
export function readdir(directory: i32, cookie: u64): i32 {
  return node(directory).readdir(cookie, entry);
}
export function entryName(): string {
  return entry.name;
}
export function entryNext(): u64 {
  return entry.next;
}

export function read(handle: i32, offset: u64, buffer: usize, length: usize): i64 {
  return node(handle).read(offset, buffer, length);
}

/** getattr into 8 u64 slots at `out`: inode, type, mode, size, blocks, mtime ns, compressed, stored bytes. */
export function stat(handle: i32, out: usize): i32 {
  const vnode = node(handle);
  const stat = new Stat();
  const result = vnode.getattr(stat);
  if (result < 0) return result;
  store<u64>(out, stat.inode);
  store<u64>(out, <u64>stat.type, 8);
  store<u64>(out, <u64>stat.mode, 16);
  store<u64>(out, stat.size, 24);
  store<u64>(out, stat.blocks, 32);
  store<i64>(out, stat.modified, 40);
  store<u64>(out, vnode.compressed ? 1 : 0, 48);
  store<u64>(out, vnode.storedBytes(), 56);
  return 0;
}

/** readlink: 0 with the target in linkTarget, or -errno. */
export function readlink(handle: i32): i32 {
  return node(handle).readlink(link);
}
export function linkTarget(): string {
  return link.text;
}

export function release(handle: i32): void {
  const vnode = nodes[handle];
  if (vnode !== null && vnode !== mounted!.rootNode) vnode.release();
  nodes[handle] = null;
}
