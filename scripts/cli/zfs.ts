// wisp zfs: read ZFS pool images (zfs-fuse's pool version 23) with the
// kernel's own ZFS module (fs/zfs) running in Node (docs/zfs.md).
//
//   wisp zfs ls IMAGE... [PATH] [--pool POOL[/DATASET]]
//   wisp zfs cat IMAGE... PATH [--pool POOL[/DATASET]]
//   wisp zfs df IMAGE... [--pool POOL[/DATASET]]
//   wisp zfs create IMAGE --size SIZE [--pool NAME] [--from DIR] [...]
//
// The images are the pool's devices (all sides of a mirror, or just one).
// PATH starts with '/' and is taken from the dataset's root; it is the last
// argument when that is not an existing file (which is an image). A pool the
// module refuses, or a path it cannot read, exits 1 with the module's
// reason; a bad invocation exits 2.

import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { resolvePath, ZfsModule, type Attributes, type Space } from "../zfs/host";
import { createPoolImage, parsePoolSize } from "../zfs/create";
import { UsageError } from "./errors";

const HELP = `usage: wisp zfs ls IMAGE... [PATH] [--pool POOL[/DATASET]]
       wisp zfs cat IMAGE... PATH [--pool POOL[/DATASET]]
       wisp zfs df IMAGE... [--pool POOL[/DATASET]]
       wisp zfs create IMAGE --size SIZE [--pool NAME] [--from DIR] [--compression off|lzjb|zle|gzip|gzip-N]
                       [--checksum on|fletcher2|fletcher4|sha256] [--copies 1|2|3] [--ashift 9-13] [--force]

  ls            list the directory at PATH (default /) like ls -l, or the one entry PATH names
  cat           write the file at PATH to standard output
  df            the dataset's size, used and available bytes and its files, as statfs in Wisp reports them
  create        make a pool image of SIZE (64M at least) holding DIR's tree; zpool import takes it
  IMAGE...      the pool's devices (image files)
  --pool P      the pool, or a dataset in it (default: the only pool on the images; create: tank)
  --force       create: replace IMAGE if it exists
  --ashift N    create: sectors of 2^N bytes (default 9; zfs-fuse uses 12 for images of 128 MiB and more)
  --seed N, --time SECONDS   create: fixed guids and time stamps (the same image twice)

docs/zfs.md says what the reader reads and refuses.`;

function modeString(attributes: Attributes): string {
  const letter = attributes.type === "directory" ? "d" : attributes.type === "symlink" ? "l" : "-";
  const bits = "rwxrwxrwx".split("").map((char, index) => (attributes.mode & (0o400 >> index) ? char : "-"));
  if (attributes.mode & 0o4000) bits[2] = bits[2] === "x" ? "s" : "S";
  if (attributes.mode & 0o2000) bits[5] = bits[5] === "x" ? "s" : "S";
  if (attributes.mode & 0o1000) bits[8] = bits[8] === "x" ? "t" : "T";
  return letter + bits.join("");
}

function line(module: ZfsModule, volume: number, inode: bigint, name: string): string {
  const attributes = module.getattr(volume, inode);
  const time = new Date(Number(attributes.modifiedNs / 1_000_000n)).toISOString().slice(0, 16).replace("T", " ");
  const target = attributes.type === "symlink" ? ` -> ${module.readlink(volume, inode)}` : "";
  return `${modeString(attributes)} ${String(attributes.links).padStart(3)} ${String(attributes.size).padStart(10)} ${time} ${name}${target}\n`;
}

/** `wisp zfs df`'s two lines: a header, then the dataset's figures in bytes (and files), as df -B1 -i would put them. */
export function spaceReport(name: string, space: Space): string {
  const size = BigInt(space.blockSize);
  const columns = [name || "(pool)", space.blocks * size, (space.blocks - space.blocksFree) * size, space.blocksAvailable * size,
    space.files - space.filesFree, space.filesFree].map(String);
  const header = ["dataset", "bytes", "used", "available", "files", "files-free"];
  const widths = header.map((title, i) => Math.max(title.length, columns[i].length));
  const row = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ");
  return `${row(header)}\n${row(columns)}\n`;
}

export async function zfsCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        pool: { type: "string", default: "" },
        help: { type: "boolean", short: "h" },
        size: { type: "string" },
        from: { type: "string" },
        compression: { type: "string" },
        checksum: { type: "string" },
        copies: { type: "string" },
        ashift: { type: "string" },
        seed: { type: "string" },
        time: { type: "string" },
        force: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n\n${HELP}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (command === "create") return create(rest, values);
  // The last argument is the path unless it is an image file on this host.
  const hasPath = rest.length > 1 && rest[rest.length - 1].startsWith("/") && !existsSync(rest[rest.length - 1]);
  const images = hasPath ? rest.slice(0, -1) : rest;
  const path = hasPath ? rest[rest.length - 1] : "/";
  const known = command === "ls" || command === "cat" || (command === "df" && !hasPath);
  if (!known || images.length === 0 || (command === "cat" && !hasPath)) throw new UsageError(HELP);
  const module = await ZfsModule.open(images);
  try {
    const volume = module.mount(values.pool!);
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
    if (command === "cat") {
      process.stdout.write(module.readFile(volume, resolvePath(module, volume, path, true)));
      return 0;
    }
    if (command === "df") {
      process.stdout.write(spaceReport(values.pool!, module.statfs(volume)));
      return 0;
    }
    const inode = resolvePath(module, volume, path, false);
    if (module.getattr(volume, inode).type !== "directory") {
      process.stdout.write(line(module, volume, inode, path));
      return 0;
    }
    const lines = module.list(volume, inode).sort((a, b) => (a.name < b.name ? -1 : 1)).map((entry) => line(module, volume, entry.inode, entry.name));
    process.stdout.write(lines.join(""));
    return 0;
  } finally {
    module.close();
  }
}

interface CreateValues {
  pool?: string;
  size?: string;
  from?: string;
  compression?: string;
  checksum?: string;
  copies?: string;
  ashift?: string;
  seed?: string;
  time?: string;
  force?: boolean;
}

async function create(rest: string[], values: CreateValues): Promise<number> {
  if (rest.length !== 1 || values.size === undefined) throw new UsageError(`wisp zfs create takes one IMAGE and --size\n\n${HELP}`);
  let size: number;
  try {
    size = parsePoolSize(values.size);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.copies !== undefined && !/^[123]$/.test(values.copies)) throw new UsageError(`--copies takes 1, 2 or 3 (not ${values.copies})`);
  if (values.ashift !== undefined && !/^(9|1[0-3])$/.test(values.ashift)) throw new UsageError(`--ashift takes 9 to 13 (not ${values.ashift})`);
  if (values.seed !== undefined && !/^\d+$/.test(values.seed)) throw new UsageError(`--seed takes a number (not ${values.seed})`);
  if (values.time !== undefined && !/^\d+$/.test(values.time)) throw new UsageError(`--time takes seconds since the epoch (not ${values.time})`);
  const pool = values.pool || "tank";
  const report = await createPoolImage(rest[0], {
    size,
    pool,
    from: values.from,
    compression: values.compression,
    checksum: values.checksum,
    copies: values.copies === undefined ? undefined : Number(values.copies),
    ashift: values.ashift === undefined ? undefined : Number(values.ashift),
    seed: values.seed === undefined ? undefined : BigInt(values.seed),
    time: values.time === undefined ? undefined : Number(values.time),
    force: values.force,
  });
  for (const path of report.skipped) console.error(`wisp zfs create: skipped ${path} (devices, FIFOs and sockets are not copied)`);
  console.log(`created pool ${pool} in ${rest[0]} (${size >> 20} MiB): ${report.files} files (${report.bytes} bytes), ${report.directories} directories, ` +
    `${report.symlinks} symbolic links, ${report.hardLinks} hard links`);
  console.log(report.log.join("\n"));
  return 0;
}
