// Confining an app's path to the directory descriptor it is relative to.
//
// WASI paths are resolved beneath a directory fd, each fd its own root (as
// wasmtime does): the path may not be absolute, ".." may not climb above
// the fd's directory, and a symbolic link met on the way must stay inside
// too. Where any of that fails the answer is NOTCAPABLE.
//
// The kernel's VFS resolves POSIX paths for the whole tree, so this layer
// walks the app's path itself, component by component, through the VFS
// (lstat, readlink) from the fd's VFS descriptor, and hands the VFS a
// canonical path with no "..", no symbolic link but possibly the last, and
// nothing but names below the directory:
//
//   - "." is dropped; ".." pops the last directory (NOTCAPABLE when none is
//     left); the walk so far holds only real directories, so popping is
//     exactly going up.
//   - A symbolic link in the middle, or at the end when followed (lookup
//     flag SYMLINK_FOLLOW, or a trailing slash), is replaced by its target
//     and the walk goes on; a relative target continues from the link's
//     directory. An absolute target is refused (NOTCAPABLE): an app's
//     absolute paths are resolved by its libc against the preopens, and a
//     link's target cannot be. At most MAX_SYMLINKS links per path (LOOP).
//   - A missing last component is fine (for creating it); a missing
//     directory on the way is NOENT, a non-directory is NOTDIR.
//   - A path ending in "." or ".." keeps a final "/." (rmdir, unlink and
//     mkdir answer as POSIX says for those), a trailing slash is kept.
//
// This costs one lstat per component (each walking from the directory), a
// price paid for confinement without changing the VFS's resolver.

import { lstat, readlink, Stat, TextResult, TYPE_DIRECTORY, TYPE_SYMLINK, MAX_SYMLINKS } from "../../fs/vfs/index";
import { ENOENT } from "../../kernel/errno";
import { ERRNO_SUCCESS, ERRNO_NOENT, ERRNO_NOTCAPABLE, ERRNO_LOOP, ERRNO_NOTDIR, errnoOf } from "./errno";

const SLASH: i32 = 0x2f;
const DOT: i32 = 0x2e;

let stack: Array<string> | null = null;
let stat: Stat | null = null;
let link: TextResult | null = null;

/** A fresh copy of text[start, end). */
function slice(text: string, start: i32, end: i32): string {
  const units = end > start ? end - start : 0;
  const copy = __new(<usize>units << 1, idof<string>());
  memory.copy(copy, changetype<usize>(text) + (<usize>start << 1), <usize>units << 1);
  return changetype<string>(copy);
}

/** A fresh string a + b. */
function concatenated(a: string, b: string): string {
  const result = __new(<usize>(a.length + b.length) << 1, idof<string>());
  memory.copy(result, changetype<usize>(a), <usize>a.length << 1);
  memory.copy(result + (<usize>a.length << 1), changetype<usize>(b), <usize>b.length << 1);
  return changetype<string>(result);
}

function free(text: string): void {
  heap.free(changetype<usize>(text));
}

/** The stack's names joined with "/" and `suffix` appended, as a fresh string ("." + suffix if empty). */
function joined(names: Array<string>, suffix: string): string {
  let units = suffix.length;
  const count = names.length;
  if (count == 0) units += 1;
  for (let i = 0; i < count; i++) units += unchecked(names[i]).length + (i > 0 ? 1 : 0);
  const result = __new(<usize>units << 1, idof<string>());
  let at = result;
  if (count == 0) {
    store<u16>(at, DOT);
    at += 2;
  }
  for (let i = 0; i < count; i++) {
    const name = unchecked(names[i]);
    if (i > 0) {
      store<u16>(at, SLASH);
      at += 2;
    }
    memory.copy(at, changetype<usize>(name), <usize>name.length << 1);
    at += <usize>name.length << 1;
  }
  memory.copy(at, changetype<usize>(suffix), <usize>suffix.length << 1);
  return changetype<string>(result);
}

function popName(names: Array<string>): void {
  free(names.pop());
}

function clearNames(names: Array<string>): void {
  while (names.length > 0) popName(names);
}

function isDots(text: string, start: i32, end: i32, count: i32): bool {
  if (end - start != count) return false;
  for (let i = start; i < end; i++) if (text.charCodeAt(i) != DOT) return false;
  return true;
}

/**
 * Resolves `path` beneath the directory `directoryFd` (a VFS descriptor);
 * on SUCCESS `out.text` is the canonical path relative to it (fresh: the
 * caller frees it with heap.free). `followLast` follows a final symbolic link.
 */
export function resolveBeneath(directoryFd: i32, path: string, followLast: bool, out: TextResult): u32 {
  if (path.length == 0) return ERRNO_NOENT;
  if (path.charCodeAt(0) == SLASH) return ERRNO_NOTCAPABLE;
  if (stack === null) stack = new Array<string>();
  if (stat === null) stat = new Stat();
  if (link === null) link = new TextResult();
  const names = stack!;
  let text = path;
  let ownsText = false;
  let position = 0;
  let links = 0;
  let endsDot = false;
  let trailing = false;
  let result = ERRNO_SUCCESS;

  while (true) {
    const length = text.length;
    while (position < length && text.charCodeAt(position) == SLASH) position++;
    if (position == length) break;
    const start = position;
    let end = start;
    while (end < length && text.charCodeAt(end) != SLASH) end++;
    let next = end;
    while (next < length && text.charCodeAt(next) == SLASH) next++;
    const last = next == length;
    const slashAfter = next > end;

    if (isDots(text, start, end, 1)) {
      endsDot = last;
      position = next;
      continue;
    }
    if (isDots(text, start, end, 2)) {
      if (names.length == 0) {
        result = ERRNO_NOTCAPABLE;
        break;
      }
      popName(names);
      endsDot = last;
      position = next;
      continue;
    }
    endsDot = false;
    names.push(slice(text, start, end));
    if (last && !followLast && !slashAfter) break;

    const candidate = joined(names, "");
    const found = lstat(directoryFd, candidate, stat!);
    if (found == -ENOENT && last) {
      free(candidate);
      trailing = slashAfter;
      break;
    }
    if (found < 0) {
      free(candidate);
      result = errnoOf(found);
      break;
    }
    const type = stat!.type;
    if (type == TYPE_SYMLINK) {
      if (++links > MAX_SYMLINKS) {
        free(candidate);
        result = ERRNO_LOOP;
        break;
      }
      const got = readlink(directoryFd, candidate, link!);
      free(candidate);
      if (got < 0) {
        result = errnoOf(got);
        break;
      }
      const target = link!.text;
      link!.text = "";
      popName(names);
      if (target.length == 0 || target.charCodeAt(0) == SLASH) {
        result = target.length == 0 ? ERRNO_NOENT : ERRNO_NOTCAPABLE;
        free(target);
        break;
      }
      // The walk goes on through the target, then the rest of the path.
      const rest = slice(text, end, length);
      const expanded = concatenated(target, rest);
      free(rest);
      free(target);
      if (ownsText) free(text);
      text = expanded;
      ownsText = true;
      position = 0;
      continue;
    }
    free(candidate);
    if (last) {
      trailing = slashAfter;
      break;
    }
    if (type != TYPE_DIRECTORY) {
      result = ERRNO_NOTDIR;
      break;
    }
    position = next;
  }

  if (result == ERRNO_SUCCESS) {
    const suffix = endsDot && names.length > 0 ? "/." : trailing ? "/" : "";
    out.text = joined(names, suffix);
  }
  clearNames(names);
  if (ownsText) free(text);
  return result;
}
