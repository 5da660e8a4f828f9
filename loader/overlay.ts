// Writable mapped directories: a RAMFS filled from a read-only directory.
//
// `wisp run --dir HOST:GUEST` puts the host directory in the image (ROFS,
// read-only) and asks for it to be writable. The kernel mounts a RAMFS at
// the preopen's kernel path and copies the tree into it before the app
// starts, so the app may change it freely. Writes stay in the guest's
// memory: they never reach the host.
//
// The copy walks the tree with an explicit stack of directory paths (no
// recursion), reading and writing through the VFS a page at a time.

import { EIO, ENOMEM } from "../kernel/errno";
import { fail } from "../kernel/failure";
import {
  AT_FDCWD, DirEntry, TextResult, TYPE_DIRECTORY, TYPE_SYMLINK, TYPE_FILE, O_RDONLY, O_WRONLY, O_CREAT, O_EXCL,
  O_DIRECTORY, open, close, read, write, readdir, mkdir, symlink, readlink, mount, freeString,
} from "../fs/vfs/index";
import { RamFileSystem } from "../fs/ramfs/index";
import { pages, PAGE_SHIFT, USE_KERNEL } from "../kernel/mm/pages";

const COPY_BYTES: usize = 1 << PAGE_SHIFT;

/** Mounts a fresh RAMFS at `target` and copies the tree at `source` into it; 0, or -errno with what failed. */
export function overlayDirectory(target: string, source: string): i32 {
  const mounted = mount(AT_FDCWD, target, new RamFileSystem());
  if (mounted < 0) return fail(-mounted, "cannot mount a RAMFS at " + target + " (error " + (-mounted).toString() + ")");
  const buffer = pages.alloc(1, USE_KERNEL);
  if (buffer == 0) return fail(ENOMEM, "out of memory copying " + source);
  const pending: string[] = [""];
  let error = 0;
  while (pending.length > 0 && error == 0) error = copyDirectory(source, target, pending.pop(), pending, buffer);
  pages.free(buffer);
  return error;
}

/** Copies the entries of source+relative into target+relative; directories go on `pending`. */
function copyDirectory(source: string, target: string, relative: string, pending: string[], buffer: usize): i32 {
  const from = source + relative;
  const dir = open(AT_FDCWD, from, O_RDONLY | O_DIRECTORY, 0);
  if (dir < 0) return fail(-dir, "cannot open " + from + " (error " + (-dir).toString() + ")");
  const entry = new DirEntry();
  let cookie: u64 = 2; // past "." and ".."
  let error = 0;
  while (error == 0 && readdir(dir, cookie, entry) == 1) {
    cookie = entry.next;
    const path = relative + "/" + entry.name;
    freeString(entry.name);
    if (entry.type == TYPE_DIRECTORY) {
      const made = mkdir(AT_FDCWD, target + path, 0o755);
      if (made < 0) error = fail(-made, "cannot make " + target + path + " (error " + (-made).toString() + ")");
      else pending.push(path);
    } else if (entry.type == TYPE_SYMLINK) {
      error = copyLink(source + path, target + path);
    } else if (entry.type == TYPE_FILE) {
      error = copyFile(source + path, target + path, buffer);
    }
  }
  close(dir);
  return error;
}

function copyLink(from: string, to: string): i32 {
  const link = new TextResult();
  const result = readlink(AT_FDCWD, from, link);
  if (result < 0) return fail(-result, "cannot read the link " + from);
  const made = symlink(link.text, AT_FDCWD, to);
  freeString(link.text);
  return made < 0 ? fail(-made, "cannot make the link " + to) : 0;
}

function copyFile(from: string, to: string, buffer: usize): i32 {
  const input = open(AT_FDCWD, from, O_RDONLY, 0);
  if (input < 0) return fail(-input, "cannot open " + from + " (error " + (-input).toString() + ")");
  const output = open(AT_FDCWD, to, O_WRONLY | O_CREAT | O_EXCL, 0o644);
  if (output < 0) {
    close(input);
    return fail(-output, "cannot create " + to + " (error " + (-output).toString() + ")");
  }
  let error = 0;
  while (true) {
    const count = read(input, buffer, COPY_BYTES);
    if (count < 0) error = fail(<i32>-count, "cannot read " + from + " (error " + (-count).toString() + ")");
    if (count <= 0) break;
    const written = write(output, buffer, <usize>count);
    if (written != count) {
      error = fail(written < 0 ? <i32>-written : EIO, "cannot write " + to + (written < 0 ? " (error " + (-written).toString() + ")" : " (short write)"));
      break;
    }
  }
  close(input);
  close(output);
  return error;
}
