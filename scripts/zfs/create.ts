// Making a ZFS pool image on the host (`wisp zfs create`): the ZFS module
// (fs/zfs, the kernel's own) runs in Node over the image file, makes a
// fresh pool with fs_mkfs and, with a source folder, copies the folder's
// tree in through the module's writing calls (files with their bytes,
// directories, symbolic links, hard links; permission bits, owners and
// times), then exports the pool. zpool import (zfs-fuse) takes the image
// as it is.

import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, readSync, rmSync, truncateSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { ZfsModule } from "./host";

export interface CreateOptions {
  /** Image size in bytes (at least 64 MiB). */
  size: number;
  pool: string;
  /** A folder whose tree the root dataset starts with. */
  from?: string;
  /** Module options: compression, checksum, copies, ashift, seed, time. */
  compression?: string;
  checksum?: string;
  copies?: number;
  /** Sectors of 2^ashift bytes (9 to 13; zfs-fuse takes 12 for image files of 128 MiB and more). */
  ashift?: number;
  seed?: bigint;
  time?: number;
  /** Replace an existing image. */
  force?: boolean;
}

export interface CreateReport {
  files: number;
  directories: number;
  symlinks: number;
  hardLinks: number;
  bytes: number;
  /** Entries of kinds a ZPL image cannot take from here (devices, FIFOs, sockets), skipped. */
  skipped: string[];
  log: string[];
}

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const CHUNK = 1 << 20;
export const MIN_POOL_BYTES = 64 << 20;

/** Sizes as users write them: 64M, 1G, 512MiB, 2T, or bytes. */
export function parsePoolSize(text: string): number {
  const match = /^(\d+)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!match) throw new Error(`cannot read size '${text}' (try 64M or 1G)`);
  const shift = { "": 0, k: 10, m: 20, g: 30, t: 40 }[match[2].toLowerCase()]!;
  return Number(match[1]) * 2 ** shift;
}

export async function createPoolImage(image: string, options: CreateOptions): Promise<CreateReport> {
  if (options.size < MIN_POOL_BYTES) throw new Error(`a pool needs at least 64 MiB (asked for ${options.size} bytes)`);
  if (existsSync(image) && !options.force) throw new Error(`${image} exists (give --force to replace it)`);
  if (options.from !== undefined && !lstatSync(options.from).isDirectory()) throw new Error(`${options.from} is not a folder`);
  writeFileSync(image, "");
  truncateSync(image, options.size);
  const settings = [`path=${image}`];
  if (options.compression) settings.push(`compression=${options.compression}`);
  if (options.checksum) settings.push(`checksum=${options.checksum}`);
  if (options.copies) settings.push(`copies=${options.copies}`);
  if (options.ashift) settings.push(`ashift=${options.ashift}`);
  if (options.seed !== undefined) settings.push(`seed=${options.seed}`);
  if (options.time !== undefined) settings.push(`time=${options.time}`);
  const report: CreateReport = { files: 0, directories: 0, symlinks: 0, hardLinks: 0, bytes: 0, skipped: [], log: [] };
  const module = await ZfsModule.open([image], true);
  let created = false;
  try {
    const volume = module.mkfs(0, options.pool, settings.join(","));
    created = true;
    if (options.from !== undefined) new TreeCopy(module, volume, report).copyInto(module.root(volume), options.from, true);
    module.unmount(volume);
    report.log = module.log.slice();
    return report;
  } catch (error) {
    if (!created) rmSync(image, { force: true });
    throw error;
  } finally {
    module.close();
  }
}

/** Copies a host folder's tree into a volume being written. */
class TreeCopy {
  /** Host files with more than one link, by device and inode: the inode they became. */
  private readonly linked = new Map<string, bigint>();

  constructor(private readonly module: ZfsModule, private readonly volume: number, private readonly report: CreateReport) {}

  /** Copies the entries of `folder` into `directory` (and, for the top, the folder's own mode, owner and times). */
  copyInto(directory: bigint, folder: string, top = false): void {
    for (const name of readdirSync(folder).sort()) this.copyEntry(directory, join(folder, name), name);
    if (top) this.setAttributes(directory, folder);
  }

  private copyEntry(directory: bigint, path: string, name: string): void {
    const stat = lstatSync(path, { bigint: true });
    const { module, volume, report } = this;
    if (stat.isSymbolicLink()) {
      const inode = module.symlink(volume, directory, name, readlinkSync(path, { encoding: "buffer" }), Number(stat.uid), Number(stat.gid));
      module.setattr(volume, inode, { accessedNs: stat.atimeNs, modifiedNs: stat.mtimeNs });
      report.symlinks++;
    } else if (stat.isDirectory()) {
      const inode = module.create(volume, directory, name, S_IFDIR | Number(stat.mode & 0o7777n), Number(stat.uid), Number(stat.gid));
      report.directories++;
      this.copyInto(inode, path);
      this.setAttributes(inode, path);
    } else if (stat.isFile()) {
      const key = `${stat.dev}:${stat.ino}`;
      const earlier = stat.nlink > 1n ? this.linked.get(key) : undefined;
      if (earlier !== undefined) {
        module.link(volume, directory, name, earlier);
        report.hardLinks++;
        return;
      }
      const inode = module.create(volume, directory, name, S_IFREG | Number(stat.mode & 0o7777n), Number(stat.uid), Number(stat.gid));
      this.copyData(inode, path);
      this.setAttributes(inode, path);
      if (stat.nlink > 1n) this.linked.set(key, inode);
      report.files++;
      report.bytes += Number(stat.size);
    } else {
      report.skipped.push(path);
    }
  }

  private copyData(inode: bigint, path: string): void {
    const fd = openSync(path, "r");
    try {
      const buffer = new Uint8Array(CHUNK);
      for (let offset = 0; ;) {
        const got = readSync(fd, buffer, 0, CHUNK, offset);
        if (got === 0) break;
        this.module.write(this.volume, inode, offset, buffer.subarray(0, got));
        offset += got;
      }
    } finally {
      closeSync(fd);
    }
  }

  private setAttributes(inode: bigint, path: string): void {
    const stat = lstatSync(path, { bigint: true });
    this.module.setattr(this.volume, inode, { mode: Number(stat.mode & 0o7777n), accessedNs: stat.atimeNs, modifiedNs: stat.mtimeNs });
  }
}
