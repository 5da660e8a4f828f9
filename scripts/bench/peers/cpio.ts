// A cpio archive in the "newc" format, the one Linux unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst).
//
// Each entry is a 110-byte ASCII header, the path (with its NUL) padded so
// the data starts on 4 bytes, then the data padded to 4 bytes:
//
//   "070701" then 13 fields of 8 hex digits: ino, mode, uid, gid, nlink,
//   mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
//
// The archive ends with an entry named "TRAILER!!!". Every entry is owned by
// root and dated 0, so the same files make the same bytes. Device nodes are
// written as headers only: no privileges are needed on the host.

export type CpioEntry =
  | { kind: "dir"; path: string; mode?: number }
  | { kind: "file"; path: string; data: Uint8Array; mode?: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "char"; path: string; major: number; minor: number; mode?: number };

const MAGIC = "070701";
const HEADER_BYTES = 110;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

const pad4 = (length: number) => (4 - (length % 4)) % 4;

interface Header {
  ino: number;
  mode: number;
  nlink: number;
  rdevMajor: number;
  rdevMinor: number;
}

function record(path: string, header: Header, data: Uint8Array): Uint8Array {
  const name = Buffer.from(path + "\0", "utf8");
  const fields = [header.ino, header.mode, 0, 0, header.nlink, 0, data.length, 0, 0, header.rdevMajor, header.rdevMinor, name.length, 0];
  const text = MAGIC + fields.map((field) => field.toString(16).padStart(8, "0")).join("");
  const namePad = pad4(HEADER_BYTES + name.length);
  return Buffer.concat([Buffer.from(text, "ascii"), name, Buffer.alloc(namePad), data, Buffer.alloc(pad4(data.length))]);
}

function headerAndData(entry: CpioEntry, ino: number): { header: Header; data: Uint8Array } {
  const plain = { ino, nlink: 1, rdevMajor: 0, rdevMinor: 0 };
  switch (entry.kind) {
    case "dir":
      return { header: { ...plain, nlink: 2, mode: S_IFDIR | (entry.mode ?? 0o755) }, data: new Uint8Array() };
    case "file":
      return { header: { ...plain, mode: S_IFREG | (entry.mode ?? 0o644) }, data: entry.data };
    case "symlink":
      return { header: { ...plain, mode: S_IFLNK | 0o777 }, data: Buffer.from(entry.target, "utf8") };
    case "char":
      return { header: { ...plain, mode: S_IFCHR | (entry.mode ?? 0o600), rdevMajor: entry.major, rdevMinor: entry.minor }, data: new Uint8Array() };
  }
}

/** The archive of `entries`, in this order (a directory before what it holds); inodes count from 1. */
export function writeCpio(entries: CpioEntry[]): Uint8Array {
  const records = entries.map((entry, index) => {
    if (entry.path.startsWith("/") || entry.path === "") throw new Error(`cpio paths are relative to the root, not '${entry.path}'`);
    const { header, data } = headerAndData(entry, index + 1);
    return record(entry.path, header, data);
  });
  records.push(record("TRAILER!!!", { ino: 0, mode: 0, nlink: 1, rdevMajor: 0, rdevMinor: 0 }, new Uint8Array()));
  return Buffer.concat(records);
}
