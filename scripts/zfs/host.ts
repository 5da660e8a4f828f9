// The ZFS module (fs/zfs) in Node: instantiates its wasm (compiled as
// `wisp build-module fs/zfs` compiles it, scripts/module/source.ts) with the
// "wisp" imports of docs/modules.md backed by image files (device i is the
// i-th file), and wraps the ABI v1 exports in a small class. `wisp zfs` and
// test/host/zfs use it; the kernel loads the very same wasm.

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../build/files";
import { moduleSource } from "../module/source";

/** The ZFS module's wasm: the very bytes build-module compiles to zfs.so (cached by its sources). */
export async function zfsWasm(): Promise<Uint8Array> {
  return (await moduleSource(join(ROOT, "fs", "zfs"))).wasm;
}

const SECTOR = 512;
const EINVAL = 22;
const EIO = 5;
const READ_CHUNK = 1 << 20;
const ENTRY_CAPACITY = 24 + 1024;

interface ZfsExports {
  memory: WebAssembly.Memory;
  wisp_abi_version(): number;
  wisp_buffer(length: number): number;
  fs_mount(source: number, length: number, flags: number): number;
  fs_unmount(volume: number): number;
  fs_root(volume: number): bigint;
  fs_lookup(volume: number, directory: bigint, name: number, length: number): bigint;
  fs_getattr(volume: number, inode: bigint, out: number): number;
  fs_read(volume: number, inode: bigint, offset: bigint, buffer: number, length: number): number;
  fs_readdir(volume: number, directory: bigint, cookie: bigint, out: number, capacity: number): number;
  fs_readlink(volume: number, inode: bigint, buffer: number, capacity: number): number;
  fs_forget(volume: number, inode: bigint): void;
}

export type NodeType = "file" | "directory" | "symlink";
const TYPES: Record<number, NodeType> = { 1: "file", 2: "directory", 3: "symlink" };

export interface Attributes {
  type: NodeType;
  mode: number;
  links: number;
  size: number;
  blocks: number;
  accessedNs: bigint;
  modifiedNs: bigint;
  changedNs: bigint;
}

export interface DirectoryEntry {
  name: string;
  inode: bigint;
  type: NodeType;
}

const ERRNO_NAMES: Record<number, string> = {
  2: "ENOENT", 5: "EIO", 9: "EBADF", 12: "ENOMEM", 20: "ENOTDIR", 21: "EISDIR", 22: "EINVAL", 36: "ENAMETOOLONG", 95: "ENOTSUP",
};
export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** A call into the module that answered -errno. */
export class ZfsError extends Error {
  constructor(readonly what: string, readonly errno: number, readonly log: string[] = []) {
    super(`zfs: ${what}: ${errnoName(errno)}${log.length > 0 ? ` (${log.join("; ")})` : ""}`);
  }
}

/** A block device the module reads: an image file, or bytes in memory (tests that damage them). */
export interface Device {
  size: number;
  /** Copies `length` bytes at `offset` into `into` at `at`; false on an error. */
  read(offset: number, into: Uint8Array, at: number, length: number): boolean;
  close?(): void;
}

export function fileDevice(path: string): Device {
  const fd = openSync(path, "r");
  return {
    size: fstatSync(fd).size,
    read: (offset, into, at, length) => readSync(fd, into, at, length, offset) === length,
    close: () => closeSync(fd),
  };
}

export function memoryDevice(bytes: Uint8Array): Device {
  return {
    size: bytes.length,
    read: (offset, into, at, length) => {
      into.set(bytes.subarray(offset, offset + length), at);
      return true;
    },
  };
}

/** One instance of the module over a set of devices. */
export class ZfsModule {
  /** Lines the module logged, oldest first. */
  readonly log: string[] = [];
  /** Called before each device read the module makes (tests record what a walk reads). */
  onRead: ((device: number, offset: number, length: number) => void) | null = null;
  private exports!: ZfsExports;

  private constructor(private readonly devices: Device[]) {}

  /** The module over image files (device i is images[i]). */
  static async open(images: string[]): Promise<ZfsModule> {
    return ZfsModule.over(images.map(fileDevice));
  }

  static async over(devices: Device[]): Promise<ZfsModule> {
    const module = new ZfsModule(devices);
    const { instance } = await WebAssembly.instantiate(await zfsWasm(), { wisp: module.imports() });
    module.exports = instance.exports as unknown as ZfsExports;
    if (module.exports.wisp_abi_version() !== 1) throw new Error("zfs: the module answers an ABI version other than 1");
    return module;
  }

  close(): void {
    for (const device of this.devices) device.close?.();
    this.devices.length = 0;
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.exports.memory.buffer);
  }

  private imports(): Record<string, (...args: never[]) => unknown> {
    return {
      device_count: () => this.devices.length,
      device_size: (device: number) => (device >= 0 && device < this.devices.length ? BigInt(this.devices[device].size) : BigInt(-EINVAL)),
      device_read: (device: number, offset: bigint, buffer: number, length: number) => {
        if (device < 0 || device >= this.devices.length || offset < 0n || length < 0) return -EINVAL;
        const at = Number(offset);
        if (at % SECTOR !== 0 || length % SECTOR !== 0 || at + length > this.devices[device].size) return -EINVAL;
        this.onRead?.(device, at, length);
        try {
          return this.devices[device].read(at, this.bytes(), buffer, length) ? 0 : -EIO;
        } catch {
          return -EIO;
        }
      },
      log: (text: number, length: number) => {
        this.log.push(new TextDecoder().decode(this.bytes().subarray(text, text + length)));
      },
      time_now: () => BigInt(Date.now()) * 1_000_000n,
    };
  }

  private withText(text: string): [number, number] {
    const encoded = new TextEncoder().encode(text);
    const address = this.exports.wisp_buffer(Math.max(encoded.length, 1));
    this.bytes().set(encoded, address);
    return [address, encoded.length];
  }

  private check(what: string, result: number | bigint): void {
    if (result < 0) throw new ZfsError(what, -Number(result), this.log.slice(-3));
  }

  /** Mounts `source` (POOL, POOL/DATASET, or "" for the only pool); answers the volume number. */
  mount(source: string): number {
    const before = this.log.length;
    const [address, length] = this.withText(source);
    const volume = this.exports.fs_mount(address, length, 1);
    if (volume < 0) throw new ZfsError(`mount ${JSON.stringify(source)}`, -volume, this.log.slice(before));
    return volume;
  }

  unmount(volume: number): void {
    this.check("unmount", this.exports.fs_unmount(volume));
  }

  root(volume: number): bigint {
    const inode = this.exports.fs_root(volume);
    this.check("root", inode);
    return inode;
  }

  /** The raw answer of fs_lookup: an inode or -errno. */
  lookupRaw(volume: number, directory: bigint, name: string): bigint {
    const [address, length] = this.withText(name);
    return this.exports.fs_lookup(volume, directory, address, length);
  }

  lookup(volume: number, directory: bigint, name: string): bigint {
    const inode = this.lookupRaw(volume, directory, name);
    this.check(`lookup ${JSON.stringify(name)}`, inode);
    return inode;
  }

  getattr(volume: number, inode: bigint): Attributes {
    const out = this.exports.wisp_buffer(64);
    this.check("getattr", this.exports.fs_getattr(volume, inode, out));
    const view = new DataView(this.exports.memory.buffer, out, 64);
    return {
      type: TYPES[view.getUint32(0, true)], mode: view.getUint32(4, true), links: Number(view.getBigUint64(8, true)),
      size: Number(view.getBigUint64(16, true)), blocks: Number(view.getBigUint64(24, true)),
      accessedNs: view.getBigInt64(32, true), modifiedNs: view.getBigInt64(40, true), changedNs: view.getBigInt64(48, true),
    };
  }

  /** The raw answer of fs_read into a fresh array: the bytes, or -errno. */
  readRaw(volume: number, inode: bigint, offset: number, length: number): Uint8Array | number {
    const buffer = this.exports.wisp_buffer(length);
    const got = this.exports.fs_read(volume, inode, BigInt(offset), buffer, length);
    if (got < 0) return got;
    return this.bytes().slice(buffer, buffer + got);
  }

  /** The whole file, in 1 MiB reads. */
  readFile(volume: number, inode: bigint): Uint8Array {
    const size = this.getattr(volume, inode).size;
    const data = new Uint8Array(size);
    for (let offset = 0; offset < size;) {
      const got = this.readRaw(volume, inode, offset, Math.min(READ_CHUNK, size - offset));
      if (typeof got === "number") throw new ZfsError(`read at offset ${offset}`, -got, this.log.slice(-3));
      if (got.length === 0) throw new Error(`zfs: read at offset ${offset} ended early (file size ${size})`);
      data.set(got, offset);
      offset += got.length;
    }
    return data;
  }

  /** Every entry of a directory, in the module's order. */
  list(volume: number, directory: bigint): DirectoryEntry[] {
    const entries: DirectoryEntry[] = [];
    let cookie = 0n;
    for (;;) {
      const out = this.exports.wisp_buffer(ENTRY_CAPACITY);
      const result = this.exports.fs_readdir(volume, directory, cookie, out, ENTRY_CAPACITY);
      this.check("readdir", result);
      if (result === 0) return entries;
      const view = new DataView(this.exports.memory.buffer, out, ENTRY_CAPACITY);
      const length = view.getUint32(20, true);
      const name = new TextDecoder().decode(this.bytes().subarray(out + 24, out + 24 + length));
      entries.push({ name, inode: view.getBigInt64(8, true), type: TYPES[view.getUint32(16, true)] });
      cookie = view.getBigInt64(0, true);
    }
  }

  readlink(volume: number, inode: bigint): string {
    let capacity = 256;
    for (;;) {
      const buffer = this.exports.wisp_buffer(capacity);
      const length = this.exports.fs_readlink(volume, inode, buffer, capacity);
      this.check("readlink", length);
      if (length <= capacity) return new TextDecoder().decode(this.bytes().subarray(buffer, buffer + length));
      capacity = length;
    }
  }
}

const MAX_LINKS_FOLLOWED = 40;

/**
 * The inode at `path` (absolute, from the volume's root), following
 * symbolic links on the way, and at the end if `followLast`.
 */
export function resolvePath(module: ZfsModule, volume: number, path: string, followLast: boolean): bigint {
  const root = module.root(volume);
  let links = 0;
  const walk = (start: bigint, parts: string[]): bigint => {
    let current = start;
    const stack: bigint[] = [];
    for (const [index, part] of parts.entries()) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        current = stack.pop() ?? root;
        continue;
      }
      const next = module.lookup(volume, current, part);
      const last = index === parts.length - 1;
      if ((!last || followLast) && module.getattr(volume, next).type === "symlink") {
        if (++links > MAX_LINKS_FOLLOWED) throw new Error(`zfs: ${path}: too many symbolic links`);
        const target = module.readlink(volume, next);
        const resolved = walk(target.startsWith("/") ? root : current, target.split("/"));
        stack.push(current);
        current = resolved;
        continue;
      }
      stack.push(current);
      current = next;
    }
    return current;
  };
  return walk(root, path.split("/"));
}
