// The kernel's ROFS reader, loaded in Node: what `wisp image --ls` and
// `--extract` read images with.
//
// scripts/image/reader-entry.ts (AssemblyScript over fs/rofs) is compiled
// with asc on first use and cached under build/image/, keyed by a hash of
// every source it may import and the asc version, so a changed reader is
// recompiled and an unchanged one costs nothing. A lock file keeps two
// processes from compiling at once.

import loader from "@assemblyscript/loader";
import CRC32C from "crc-32/crc32c";
import { compileAssemblyScript } from "../build/assemblyscript";

const READER = {
  entry: "scripts/image/reader-entry.ts",
  sources: ["fs", "drivers/block", "kernel"],
  args: ["--runtime", "stub", "--optimizeLevel", "3", "--shrinkLevel", "1", "--noAssert", "--exportRuntime"],
  name: "rofs-reader",
  cacheDir: "image",
  what: "the ROFS reader",
};

/** The reader's wasm, compiled at most once per change of its sources. */
export async function readerWasm(): Promise<Uint8Array> {
  return (await compileAssemblyScript(READER)).wasm;
}

interface ReaderExports extends Record<string, unknown> {
  memory: WebAssembly.Memory;
  allocate(size: number): number;
  mount(address: number, size: bigint): number;
  root(): number;
  lookup(directory: number, name: number): number;
  readdir(directory: number, cookie: bigint): number;
  entryName(): number;
  entryNext(): bigint;
  read(handle: number, offset: bigint, buffer: number, length: number): bigint;
  stat(handle: number, out: number): number;
  readlink(handle: number): number;
  linkTarget(): number;
  release(handle: number): void;
}

export type NodeType = "file" | "directory" | "symlink";
const TYPE_NAMES: Record<number, NodeType> = { 1: "file", 2: "directory", 3: "symlink" };

export interface NodeInfo {
  inode: number;
  type: NodeType;
  mode: number;
  size: number;
  mtimeSeconds: number;
  compressed: boolean;
  storedBytes: number;
}

/** A failed call into the reader: its negative errno. */
export class ReaderError extends Error {
  constructor(readonly what: string, readonly errno: number) {
    super(`rofs: ${what}: ${errnoName(errno)}`);
  }
}

const ERRNO_NAMES: Record<number, string> = { 2: "ENOENT", 5: "EIO", 12: "ENOMEM", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 74: "EBADMSG (checksum mismatch)" };
export function errnoName(errno: number): string {
  return ERRNO_NAMES[-errno] ?? `errno ${-errno}`;
}

const READ_CHUNK = 1 << 20;

/** One mounted image: handles are the reader's vnodes. */
export class KernelReader {
  /** Buffers inside the reader's memory, allocated once (the stub runtime does not reuse freed blocks). */
  private readonly statBuffer: number;
  private readonly readBuffer: number;

  private constructor(private readonly exports: ReaderExports & loader.ASUtil) {
    this.statBuffer = exports.allocate(64);
    this.readBuffer = exports.allocate(READ_CHUNK);
  }

  /** Loads the reader and mounts `image`; throws with the reader's message if the image is refused. */
  static async open(image: Uint8Array): Promise<KernelReader> {
    // The one machine function the reader uses: ROFS's CRC-32C, which the kernel gets from arch/common/crc32c.c.
    let memory: WebAssembly.Memory | null = null;
    const crc32c = (crc: number, address: number, length: number) => CRC32C.buf(new Uint8Array(memory!.buffer, address >>> 0, length >>> 0), crc | 0) >>> 0;
    const { exports } = await loader.instantiate<ReaderExports>(await readerWasm(), { arch: { crc32c } });
    memory = exports.memory;
    const reader = new KernelReader(exports as ReaderExports & loader.ASUtil);
    const address = exports.allocate(Math.max(image.length, 1));
    new Uint8Array(exports.memory.buffer).set(image, address);
    const error = exports.__getString(exports.mount(address, BigInt(image.length)));
    if (error !== "") throw new Error(error);
    return reader;
  }

  root(): number {
    return this.exports.root();
  }

  lookup(directory: number, name: string): number {
    const result = this.exports.lookup(directory, this.exports.__newString(name));
    if (result < 0) throw new ReaderError(`lookup ${JSON.stringify(name)}`, result);
    return result;
  }

  /** Every entry of a directory, in the image's order. */
  list(directory: number): string[] {
    const names: string[] = [];
    let cookie = 0n;
    for (;;) {
      const result = this.exports.readdir(directory, cookie);
      if (result < 0) throw new ReaderError("readdir", result);
      if (result === 0) return names;
      names.push(this.exports.__getString(this.exports.entryName()));
      cookie = this.exports.entryNext();
    }
  }

  stat(handle: number): NodeInfo {
    const out = this.statBuffer;
    const result = this.exports.stat(handle, out);
    if (result < 0) throw new ReaderError("stat", result);
    const view = new DataView(this.exports.memory.buffer, out, 64);
    const field = (index: number) => Number(view.getBigUint64(index * 8, true));
    return {
      inode: field(0), type: TYPE_NAMES[field(1)], mode: field(2), size: field(3),
      mtimeSeconds: Math.floor(field(5) / 1e9), compressed: field(6) !== 0, storedBytes: field(7),
    };
  }

  /** The whole file, read through the kernel's read() in 1 MiB calls. */
  readFile(handle: number, size: number): Uint8Array {
    const data = new Uint8Array(size);
    const buffer = this.readBuffer;
    for (let offset = 0; offset < size;) {
      const got = Number(this.exports.read(handle, BigInt(offset), buffer, Math.min(READ_CHUNK, size - offset)));
      if (got < 0) throw new ReaderError(`read at offset ${offset}`, got);
      if (got === 0) throw new Error(`rofs: read at offset ${offset} ended early (file size ${size})`);
      data.set(new Uint8Array(this.exports.memory.buffer, buffer, got), offset);
      offset += got;
    }
    return data;
  }

  readlink(handle: number): string {
    const result = this.exports.readlink(handle);
    if (result < 0) throw new ReaderError("readlink", result);
    return this.exports.__getString(this.exports.linkTarget());
  }

  release(handle: number): void {
    this.exports.release(handle);
  }
}

export interface ImageEntry extends NodeInfo {
  path: string;
  target?: string;
}

/**
 * Walks the whole image from the root, depth first in entry order, calling
 * `visit` for each node (the root is "/"); `visit` may read the node's data
 * through `reader` while its handle is open.
 */
export function walkImage(reader: KernelReader, visit: (entry: ImageEntry, handle: number) => void): void {
  const walk = (handle: number, path: string) => {
    const info = reader.stat(handle);
    const entry: ImageEntry = { ...info, path };
    if (info.type === "symlink") entry.target = reader.readlink(handle);
    visit(entry, handle);
    if (info.type === "directory") {
      for (const name of reader.list(handle)) {
        const child = reader.lookup(handle, name);
        walk(child, path === "/" ? `/${name}` : `${path}/${name}`);
        reader.release(child);
      }
    }
  };
  walk(reader.root(), "/");
}
