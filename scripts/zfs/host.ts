// The ZFS module (fs/zfs) in Node: instantiates its wasm (compiled as
// `wisp build-module fs/zfs` compiles it, scripts/module/source.ts) with the
// "wisp" imports of docs/modules.md backed by image files (device i is the
// i-th file), and wraps the ABI v1 exports in a small class. `wisp zfs` and
// test/host/zfs use it; the kernel loads the very same wasm.

import { closeSync, fstatSync, fsyncSync, openSync, readSync, writeSync } from "node:fs";
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
const EROFS = 30;
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
  fs_mkfs(device: number, source: number, length: number, options: number, optionsLength: number): number;
  fs_create(volume: number, directory: bigint, name: number, length: number, mode: number, owner: bigint): bigint;
  fs_symlink(volume: number, directory: bigint, name: number, length: number, target: number, targetLength: number): bigint;
  fs_link(volume: number, directory: bigint, name: number, length: number, inode: bigint): number;
  fs_unlink(volume: number, directory: bigint, name: number, length: number, flags: number): number;
  fs_rename(volume: number, from: bigint, name: number, lengths: number, to: bigint, toName: number): number;
  fs_write(volume: number, inode: bigint, offset: bigint, buffer: number, length: number): number;
  fs_truncate(volume: number, inode: bigint, size: bigint): number;
  fs_setattr(volume: number, inode: bigint, change: number): number;
  fs_sync(volume: number): number;
  fs_statfs(volume: number, out: number): number;
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

/** A volume's space (fs_statfs): counts of `blockSize`-byte blocks and of files. */
export interface Space {
  blockSize: number;
  blocks: bigint;
  blocksFree: bigint;
  blocksAvailable: bigint;
  files: bigint;
  filesFree: bigint;
}

export interface DirectoryEntry {
  name: string;
  inode: bigint;
  type: NodeType;
}

const ERRNO_NAMES: Record<number, string> = {
  2: "ENOENT", 5: "EIO", 9: "EBADF", 12: "ENOMEM", 16: "EBUSY", 17: "EEXIST", 18: "EXDEV", 19: "ENODEV", 20: "ENOTDIR", 21: "EISDIR",
  22: "EINVAL", 27: "EFBIG", 28: "ENOSPC", 30: "EROFS", 31: "EMLINK", 36: "ENAMETOOLONG", 39: "ENOTEMPTY", 95: "ENOTSUP",
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
  /** Writes `length` bytes of `from` at `at` to `offset`; false on an error. Absent: the device is read-only. */
  write?(offset: number, from: Uint8Array, at: number, length: number): boolean;
  flush?(): boolean;
  close?(): void;
}

/** An image file as a device (opened for writing too with `writable`). */
export function fileDevice(path: string, writable = false): Device {
  const fd = openSync(path, writable ? "r+" : "r");
  const device: Device = {
    size: fstatSync(fd).size,
    read: (offset, into, at, length) => readSync(fd, into, at, length, offset) === length,
    close: () => closeSync(fd),
  };
  if (writable) {
    device.write = (offset, from, at, length) => writeSync(fd, from, at, length, offset) === length;
    device.flush = () => {
      fsyncSync(fd);
      return true;
    };
  }
  return device;
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
  static async open(images: string[], writable = false): Promise<ZfsModule> {
    return ZfsModule.over(images.map((image) => fileDevice(image, writable)));
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
      device_write: (device: number, offset: bigint, buffer: number, length: number) => {
        if (device < 0 || device >= this.devices.length || offset < 0n || length < 0) return -EINVAL;
        const target = this.devices[device];
        const at = Number(offset);
        if (at % SECTOR !== 0 || length % SECTOR !== 0 || at + length > target.size) return -EINVAL;
        if (!target.write) return -EROFS;
        try {
          return target.write(at, this.bytes(), buffer, length) ? 0 : -EIO;
        } catch {
          return -EIO;
        }
      },
      device_flush: (device: number) => {
        if (device < 0 || device >= this.devices.length) return -EINVAL;
        const target = this.devices[device];
        if (!target.flush) return -EROFS;
        try {
          return target.flush() ? 0 : -EIO;
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

  /** Mounts `source` (POOL, POOL/DATASET, or "" for the only pool), read-only unless `writable`; answers the volume number. */
  mount(source: string, writable = false): number {
    const before = this.log.length;
    const [address, length] = this.withText(source);
    const volume = this.exports.fs_mount(address, length, writable ? 0 : 1);
    if (volume < 0) throw new ZfsError(`mount ${JSON.stringify(source)}`, -volume, this.log.slice(before));
    return volume;
  }

  unmount(volume: number): void {
    this.check("unmount", this.exports.fs_unmount(volume));
  }

  /** Makes a fresh pool named `name` on device `device` and mounts it for writing (options: KEY=VALUE,...); the volume. */
  mkfs(device: number, name: string, options: string): number {
    const before = this.log.length;
    const [nameAt, nameLength] = this.withText(name + "\0" + options);
    const optionsAt = nameAt + new TextEncoder().encode(name + "\0").length;
    const optionsLength = nameLength - (optionsAt - nameAt);
    const volume = this.exports.fs_mkfs(device, nameAt, new TextEncoder().encode(name).length, optionsLength > 0 ? optionsAt : 0, optionsLength);
    if (volume < 0) throw new ZfsError(`create pool ${JSON.stringify(name)}`, -volume, this.log.slice(before));
    return volume;
  }

  /** Creates a file (mode with S_IFREG) or directory (S_IFDIR); the new inode. */
  create(volume: number, directory: bigint, name: string, mode: number, uid = 0, gid = 0): bigint {
    const [address, length] = this.withText(name);
    const inode = this.exports.fs_create(volume, directory, address, length, mode, (BigInt(uid) << 32n) | BigInt(gid));
    this.check(`create ${JSON.stringify(name)}`, inode);
    return inode;
  }

  symlink(volume: number, directory: bigint, name: string, target: Uint8Array, uid = 0, gid = 0): bigint {
    const nameBytes = new TextEncoder().encode(name);
    const address = this.exports.wisp_buffer(nameBytes.length + target.length);
    this.bytes().set(nameBytes, address);
    this.bytes().set(target, address + nameBytes.length);
    const inode = this.exports.fs_symlink(volume, directory, address, nameBytes.length, address + nameBytes.length, target.length);
    this.check(`symlink ${JSON.stringify(name)}`, inode);
    if (uid !== 0 || gid !== 0) this.setattr(volume, inode, { uid, gid });
    return inode;
  }

  link(volume: number, directory: bigint, name: string, inode: bigint): void {
    const [address, length] = this.withText(name);
    this.check(`link ${JSON.stringify(name)}`, this.exports.fs_link(volume, directory, address, length, inode));
  }

  /** Removes a name (`directory`: an empty directory). The raw answer: 0 or -errno. */
  unlinkRaw(volume: number, directory: bigint, name: string, isDirectory = false): number {
    const [address, length] = this.withText(name);
    return this.exports.fs_unlink(volume, directory, address, length, isDirectory ? 1 : 0);
  }

  unlink(volume: number, directory: bigint, name: string, isDirectory = false): void {
    this.check(`unlink ${JSON.stringify(name)}`, this.unlinkRaw(volume, directory, name, isDirectory));
  }

  renameRaw(volume: number, from: bigint, name: string, to: bigint, toName: string): number {
    const a = new TextEncoder().encode(name);
    const b = new TextEncoder().encode(toName);
    const address = this.exports.wisp_buffer(Math.max(a.length + b.length, 1));
    this.bytes().set(a, address);
    this.bytes().set(b, address + a.length);
    return this.exports.fs_rename(volume, from, address, a.length | (b.length << 16), to, address + a.length);
  }

  rename(volume: number, from: bigint, name: string, to: bigint, toName: string): void {
    this.check(`rename ${JSON.stringify(name)}`, this.renameRaw(volume, from, name, to, toName));
  }

  /** Writes all of `data` at `offset`, in pieces of at most 1 MiB. */
  write(volume: number, inode: bigint, offset: number, data: Uint8Array): void {
    for (let done = 0; done < data.length;) {
      const piece = Math.min(READ_CHUNK, data.length - done);
      const buffer = this.exports.wisp_buffer(piece);
      this.bytes().set(data.subarray(done, done + piece), buffer);
      const wrote = this.exports.fs_write(volume, inode, BigInt(offset + done), buffer, piece);
      this.check(`write at offset ${offset + done}`, wrote);
      done += wrote;
    }
  }

  truncate(volume: number, inode: bigint, size: number): void {
    this.check("truncate", this.exports.fs_truncate(volume, inode, BigInt(size)));
  }

  /** Sets what is given: permission bits, owner, and times in nanoseconds. */
  setattr(volume: number, inode: bigint, change: { mode?: number; uid?: number; gid?: number; accessedNs?: bigint; modifiedNs?: bigint }): void {
    const record = this.exports.wisp_buffer(32);
    const view = new DataView(this.exports.memory.buffer, record, 32);
    const which = (change.mode !== undefined ? 1 : 0) | (change.uid !== undefined ? 2 : 0) | (change.gid !== undefined ? 4 : 0) |
      (change.accessedNs !== undefined ? 8 : 0) | (change.modifiedNs !== undefined ? 16 : 0);
    view.setUint32(0, which, true);
    view.setUint32(4, change.mode ?? 0, true);
    view.setUint32(8, change.uid ?? 0, true);
    view.setUint32(12, change.gid ?? 0, true);
    view.setBigInt64(16, change.accessedNs ?? 0n, true);
    view.setBigInt64(24, change.modifiedNs ?? 0n, true);
    this.check("setattr", this.exports.fs_setattr(volume, inode, record));
  }

  sync(volume: number): void {
    this.check("sync", this.exports.fs_sync(volume));
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

  statfs(volume: number): Space {
    const out = this.exports.wisp_buffer(48);
    this.check("statfs", this.exports.fs_statfs(volume, out));
    const view = new DataView(this.exports.memory.buffer, out, 48);
    return {
      blockSize: view.getUint32(0, true), blocks: view.getBigUint64(8, true), blocksFree: view.getBigUint64(16, true),
      blocksAvailable: view.getBigUint64(24, true), files: view.getBigUint64(32, true), filesFree: view.getBigUint64(40, true),
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
