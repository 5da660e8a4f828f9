// The Node side of the harness's rofs part (rofs/harness.ts): the typings of
// its exports and RofsClient, which mounts an image placed in malloc'd memory
// and reads it back as plain objects. Vnodes are indexes; results < 0 are
// -errno. Needs a harness whose kernel memory is set up (Harness.withMemory).

import type { Ptr } from "../core/client";
import type { Harness } from "../harness-client";

export interface RofsExports {
  rofsMount(base: number, size: bigint, inMemory: number): Ptr;
  rofsFailSectors(from: bigint, to: bigint): void;
  rofsDeviceReads(): number;
  rofsRoot(): number;
  rofsLookup(directory: number, name: Ptr): number;
  rofsReaddir(directory: number, cookie: bigint): number;
  rofsEntryName(): Ptr;
  rofsEntryInode(): bigint;
  rofsEntryType(): number;
  rofsEntryNext(): bigint;
  rofsRead(node: number, offset: bigint, buffer: number, length: number): bigint;
  rofsStat(node: number, out: number): number;
  rofsReadlink(node: number): number;
  rofsLinkTarget(): Ptr;
  rofsDataAddress(node: number): bigint;
  rofsVnodeAddress(node: number): number;
  rofsRelease(node: number): void;
  rofsUnmount(): void;
  rofsLz4Decompress(source: number, sourceLength: number, destination: number, capacity: number): number;
  rofsCrc32(address: number, length: number): number;
}

export interface RofsStat {
  inode: number;
  type: number;
  mode: number;
  size: number;
  blocks: number;
  mtimeNanoseconds: bigint;
  compressed: boolean;
  storedBytes: number;
}

export class RofsClient {
  /** A malloc'd scratch buffer for reads and stat. */
  readonly buffer: number;
  image = 0;

  constructor(readonly harness: Harness, readonly bufferSize = 1 << 20) {
    this.buffer = harness.exports.mmMalloc(bufferSize) >>> 0;
    if (this.buffer === 0) throw new Error("RofsClient: no memory for the read buffer");
  }

  /** Copies `image` into malloc'd memory and mounts it; returns the reader's error ("" on success). */
  mount(image: Uint8Array, inMemory: boolean): string {
    const e = this.harness.exports;
    if (this.image !== 0) e.mmFree(this.image);
    this.image = e.mmMalloc(Math.max(image.length, 1)) >>> 0;
    if (this.image === 0) throw new Error(`RofsClient: no memory for an image of ${image.length} bytes`);
    this.harness.write(this.image, image);
    return this.harness.string(e.rofsMount(this.image, BigInt(image.length), inMemory ? 1 : 0));
  }

  unmount(): void {
    this.harness.exports.rofsUnmount();
    if (this.image !== 0) this.harness.exports.mmFree(this.image);
    this.image = 0;
  }

  root(): number {
    return this.harness.exports.rofsRoot();
  }

  lookup(directory: number, name: string): number {
    return this.harness.exports.rofsLookup(directory, this.harness.newString(name));
  }

  /** All entries, or -errno from the first readdir that failed. */
  readdir(directory: number): Array<{ name: string; inode: number; type: number }> | number {
    const e = this.harness.exports;
    const entries: Array<{ name: string; inode: number; type: number }> = [];
    let cookie = 0n;
    for (;;) {
      const result = e.rofsReaddir(directory, cookie);
      if (result < 0) return result;
      if (result === 0) return entries;
      entries.push({ name: this.harness.string(e.rofsEntryName()), inode: Number(e.rofsEntryInode()), type: e.rofsEntryType() });
      cookie = e.rofsEntryNext();
    }
  }

  stat(node: number): RofsStat | number {
    const result = this.harness.exports.rofsStat(node, this.buffer);
    if (result < 0) return result;
    const view = new DataView(this.harness.memory.buffer, this.buffer, 64);
    const field = (index: number) => view.getBigUint64(index * 8, true);
    return {
      inode: Number(field(0)), type: Number(field(1)), mode: Number(field(2)), size: Number(field(3)),
      blocks: Number(field(4)), mtimeNanoseconds: field(5), compressed: field(6) !== 0n, storedBytes: Number(field(7)),
    };
  }

  /** read(offset, length) once: the bytes, or -errno. */
  read(node: number, offset: number, length: number): Uint8Array | number {
    if (length > this.bufferSize) throw new Error("RofsClient.read: longer than the buffer");
    const got = Number(this.harness.exports.rofsRead(node, BigInt(offset), this.buffer, length));
    if (got < 0) return got;
    return this.harness.bytes().slice(this.buffer, this.buffer + got);
  }

  /** The whole file in reads of `chunk` bytes, or -errno from the first that failed. */
  readAll(node: number, size: number, chunk = this.bufferSize): Uint8Array | number {
    const data = new Uint8Array(size);
    let offset = 0;
    for (;;) {
      const part = this.read(node, offset, Math.min(chunk, this.bufferSize));
      if (typeof part === "number") return part;
      if (part.length === 0) {
        if (offset !== size) throw new Error(`RofsClient.readAll: the file ended at ${offset} of ${size} bytes`);
        return data;
      }
      if (offset + part.length > size) throw new Error(`RofsClient.readAll: more than ${size} bytes`);
      data.set(part, offset);
      offset += part.length;
    }
  }

  readlink(node: number): string | number {
    const result = this.harness.exports.rofsReadlink(node);
    if (result < 0) return result;
    return this.harness.string(this.harness.exports.rofsLinkTarget());
  }

  release(node: number): void {
    this.harness.exports.rofsRelease(node);
  }

  /** The vnode object behind a handle. */
  address(node: number): number {
    return this.harness.exports.rofsVnodeAddress(node) >>> 0;
  }
}
