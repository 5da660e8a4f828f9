// Path resolution: from a path and a starting directory to the vnode it
// names, the directory holding its last component, and that component.
//
// Rules (POSIX path resolution, as Linux applies it):
//   - "" is ENOENT; a path longer than PATH_MAX bytes, or a component longer
//     than NAME_MAX, is ENAMETOOLONG.
//   - An absolute path starts at the tree's root, a relative one at `base`
//     (what openat calls the directory descriptor). Repeated slashes count
//     as one.
//   - "." stays; ".." goes to the parent, from a mount's root to the parent
//     of the directory it covers, and never above the tree's root.
//   - A directory with something mounted on it stands for that mount's root.
//   - Symbolic links are followed in the middle of a path always, and at the
//     end when `followLast` is set or a slash follows the name. At most
//     MAX_SYMLINKS links are followed per walk (more is ELOOP); a link's
//     target continues the walk from the link's directory, or from the root
//     if it is absolute.
//   - Every component but the last must be a directory (ENOTDIR otherwise,
//     ENOENT if missing). A missing last component is not an error: the
//     walk reports its directory and name, for create, mkdir and friends.
//   - A trailing slash requires the result to be a directory (ENOTDIR).
//
// Beneath mode (RESOLVE_BENEATH, fs/vfs/start.ts) confines the walk to the
// subtree of its starting directory, each such directory its own root (as
// FreeBSD's O_RESOLVE_BENEATH and Linux's openat2 do; WASI needs it):
//   - an absolute path, ".." from the starting directory, and a symbolic
//     link with an absolute target are ENOTCAPABLE. The walk counts the
//     directories it has entered below the start, so ".." is refused
//     exactly when it would climb above it, whatever mounts or links the
//     walk went through; a link's relative target must stay inside too.
//   - A path ending in ".." ends as one ending in "." does (ENDS_DOT): it
//     names a directory the walk reached below the start, never one above,
//     so rmdir, unlink and mkdir answer for it as for ".".
//
// Every vnode the walk reports is held (fs/vfs/cache.ts), and the name is a
// fresh string, made when first asked for: Walk.finish() gives them all back.
// A walk decided by fixed names alone is kept whole in the path cache
// (fs/vfs/paths.ts), which the next walk of the same path asks first.
// Caller: the VFS, with the VFS lock held.

import { ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP, ENOTCAPABLE } from "../../kernel/errno";
import { Vnode, VnodeResult, TextResult, TYPE_DIRECTORY, TYPE_SYMLINK, NAME_MAX } from "./node";
import { hold, drop, adopt, setParent } from "./cache";
import { treeRoot, mountWithRoot, mountOn } from "./mount";
import { ownedSlice, ownedConcat, freeString, utf8Length } from "./strings";
import { NAME_HASH_START, nameHashStep, cachedLookup, rememberName, takeFoundNode, NAME_FOUND, NAME_ABSENT } from "./names";
import { KeptPath, keptPath, offerPath, pathHash } from "./paths";

/** Longest path, in bytes (as Linux PATH_MAX). */
export const PATH_MAX: i32 = 4096;
/** Most symbolic links one walk follows (as Linux MAXSYMLINKS). */
export const MAX_SYMLINKS: i32 = 40;

const SLASH: i32 = 0x2f;
const DOT: i32 = 0x2e;

/** How a walk that ended on a directory without a final name got there. */
export const ENDS_NAMED: u32 = 0;
export const ENDS_DOT: u32 = 1;
export const ENDS_DOT_DOT: u32 = 2;
export const ENDS_ROOT: u32 = 3;

export class Walk {
  /** The directory holding the last component (null when the path ends in ".", ".." or "/"). */
  directory: Vnode | null = null;
  /** What the path names, or null if its last component does not exist. */
  node: Vnode | null = null;
  /** A slash followed the last component. */
  trailingSlash: bool = false;
  ends: u32 = ENDS_NAMED;

  /**
   * Where the last component lies: units [nameStart, nameEnd) of the path
   * the walk was given, which lives as long as the walk (the operation's
   * argument); or `madeName`, once made.
   */
  private namePath: usize = 0;
  private nameStart: i32 = 0;
  private nameEnd: i32 = 0;
  private madeName: usize = 0;

  /** The next walk kept for reuse (takeWalk). */
  nextSpare: Walk | null = null;

  /** The last component (a string the walk owns until finish), or "" when there is none; made on first use. */
  get name(): string {
    if (this.madeName == 0) {
      if (this.nameEnd == this.nameStart) return "";
      this.madeName = changetype<usize>(ownedSlice(changetype<string>(this.namePath), this.nameStart, this.nameEnd));
    }
    return changetype<string>(this.madeName);
  }

  /**
   * Notes that the last component is units [start, end) of `path`: the path
   * the walk was given, which outlives it, or else (`copyNow`) a text the
   * walk is about to free, whose name is copied at once.
   */
  nameIn(path: string, start: i32, end: i32, copyNow: bool): void {
    this.namePath = changetype<usize>(path);
    this.nameStart = start;
    this.nameEnd = end;
    if (copyNow) this.madeName = changetype<usize>(ownedSlice(path, start, end));
  }

  /** Gives back the references and the name; the walk can be reused. */
  finish(): void {
    drop(this.directory);
    drop(this.node);
    if (this.madeName != 0) freeString(changetype<string>(this.madeName));
    this.directory = null;
    this.node = null;
    this.namePath = 0;
    this.nameStart = this.nameEnd = 0;
    this.madeName = 0;
    this.trailingSlash = false;
    this.ends = ENDS_NAMED;
  }
}

/** Finished walks kept for the next operations (at most as many as were ever in use at once: two, in rename). */
let spareWalks: Walk | null = null;

/** An empty walk: a kept one, or a new one. */
export function takeWalk(): Walk {
  const spare = spareWalks;
  if (spare === null) return new Walk();
  spareWalks = spare.nextSpare;
  spare.nextSpare = null;
  return spare;
}

/** Finishes `walk` (its references and name given back) and keeps it for takeWalk. */
export function releaseWalk(walk: Walk): void {
  walk.finish();
  walk.nextSpare = spareWalks;
  spareWalks = walk;
}

/**
 * One string object, NAME_MAX characters long, that holds in turn each name
 * a walk looks up, the last one too: a filesystem borrows a name for
 * the call only (fs/vfs/node.ts), and walks run one at a time under the VFS
 * lock, so no name needs a string of its own.
 */
let wayName: usize = 0;

/** Characters [start, end) of `text` (at most NAME_MAX) in the way-name string. */
function borrowedName(text: string, start: i32, end: i32): string {
  if (wayName == 0) wayName = __new(<usize>NAME_MAX << 1, idof<string>());
  const bytes = <usize>(end - start) << 1;
  memory.copy(wayName, changetype<usize>(text) + (<usize>start << 1), bytes);
  store<u32>(wayName - 4, <u32>bytes); // the string's length (its runtime size, kernel/rt)
  return changetype<string>(wayName);
}

let scratch: VnodeResult | null = null;
let kept: KeptPath | null = null;
let linkText: TextResult | null = null;
/** Filesystem lookups made by walks since boot, the name cache's answers not counted (for tests and reports). */
let lookups: u64 = 0;

export function lookupCount(): u64 {
  return lookups;
}

/**
 * Looks the name text[start, end) (`hash`: its hash, fs/vfs/names.ts) up in
 * `directory`: the child, held, in `out`. A directory on a filesystem whose
 * names never change asks the name cache first, over the path's own bytes,
 * and tells it what the filesystem said; only a filesystem is handed a
 * string (the way-name, borrowed for the call).
 */
function lookupChild(directory: Vnode, text: string, start: i32, end: i32, hash: u32, out: VnodeResult): i32 {
  const fixed = directory.fs.namesFixed;
  const at = changetype<usize>(text) + (<usize>start << 1);
  const units = end - start;
  if (fixed) {
    const known = cachedLookup(directory, at, units, hash);
    if (known == NAME_FOUND) {
      out.node = takeFoundNode();
      return 0;
    }
    if (known == NAME_ABSENT) return -ENOENT;
  }
  lookups++;
  const result = directory.lookup(borrowedName(text, start, end), out);
  if (result < 0) {
    if (fixed && result == -ENOENT) rememberName(directory, at, units, hash, null);
    return result;
  }
  const child = adopt(out.node!);
  out.node = null;
  if (child.type == TYPE_DIRECTORY) setParent(child, directory);
  if (fixed) rememberName(directory, at, units, hash, child);
  out.node = child;
  return 0;
}

/** From a covered directory to what is mounted on it (consumes the reference to `node`). */
export function crossDown(node: Vnode): Vnode {
  while (node.covered) {
    const mount = mountOn(node);
    if (mount === null) break;
    hold(mount.root);
    drop(node);
    node = mount.root;
  }
  return node;
}

/**
 * The directory ".." names from `node` (a directory), held; consumes the
 * reference to `node`. Never above the tree's root.
 */
export function crossUp(node: Vnode): Vnode {
  const root = treeRoot();
  while (node !== root) {
    const mount = mountWithRoot(node);
    if (mount === null || mount.covered === null) break;
    hold(mount.covered!);
    drop(node);
    node = mount.covered!;
  }
  if (node === root) return node;
  const parent = node.parent;
  if (parent === null) return node; // a filesystem's root no longer mounted: ".." stays
  hold(parent);
  drop(node);
  return parent;
}

/** Whether text[start, end) is "." or "..". */
// @ts-ignore: decorator
@inline function isDots(text: usize, start: i32, end: i32): bool {
  const units = end - start;
  return units <= 2 && unitAt(text, start) == DOT && (units == 1 || unitAt(text, start + 1) == DOT);
}

/** The UTF-16 unit at `index` of the string at `text` (the caller keeps `index` within it). */
// @ts-ignore: decorator
@inline function unitAt(text: usize, index: i32): u32 {
  return <u32>load<u16>(text + (<usize>index << 1));
}

/** Reads the link `node`'s target into a fresh string (or returns -errno). */
function linkTarget(node: Vnode, out: TextResult): i32 {
  out.text = "";
  const result = node.readlink(out);
  if (result < 0) return result;
  if (out.text.length == 0) {
    if (changetype<usize>(out.text) != changetype<usize>("")) freeString(out.text);
    out.text = "";
    return -ENOENT;
  }
  return 0;
}

/** Gives `walk` its last name, text[start, end); copied now if `text` is the walk's own (a link's expansion), which it then frees. */
function nameWalk(walk: Walk, text: string, start: i32, end: i32, ownsText: bool): void {
  walk.nameIn(text, start, end, ownsText);
  if (ownsText) freeString(text);
}

/**
 * Walks `path` from `base` (a held directory, or null to mean the root),
 * confined beneath it if `beneath`; fills `walk` and returns 0, or returns
 * -errno with `walk` empty.
 */
export function walkPath(walk: Walk, base: Vnode | null, path: string, followLast: bool, beneath: bool): i32 {
  if (path.length == 0) return -ENOENT;
  if (path.length > PATH_MAX / 3 && utf8Length(path, 0, path.length) > PATH_MAX) return -ENAMETOOLONG;
  if (beneath && path.charCodeAt(0) == SLASH) return -ENOTCAPABLE;
  const maybeRoot = treeRoot();
  if (maybeRoot === null) return -ENOENT;
  const root = maybeRoot!;
  if (scratch === null) scratch = new VnodeResult();
  if (linkText === null) linkText = new TextResult();
  if (kept === null) kept = new KeptPath();
  const out = scratch!;

  const start: Vnode = path.charCodeAt(0) == SLASH || base === null ? root : base!;
  const pathKey = pathHash(path);
  if (keptPath(start, path, pathKey, kept!)) {
    const hit = kept!;
    walk.directory = hit.directory;
    walk.node = hit.node;
    walk.nameIn(path, hit.nameStart, hit.nameEnd, false);
    walk.trailingSlash = hit.trailingSlash;
    hit.directory = hit.node = null;
    return 0;
  }
  let text = path;
  let ownsText = false;
  let current = start;
  hold(current);
  // Whether only fixed names decided the walk so far, so that the path cache may keep it (fs/vfs/paths.ts).
  let keepable = true;
  let position = 0;
  let links = 0;
  let depth = 0; // directories entered below the start (what ".." may climb back, beneath)
  let result = 0;

  while (true) {
    const length = text.length;
    const units = changetype<usize>(text);
    while (position < length && unitAt(units, position) == SLASH) position++;
    if (position == length) {
      // Only slashes were left: the path (or a link's target) names the root.
      if (current.type != TYPE_DIRECTORY) {
        result = -ENOTDIR;
        break;
      }
      walk.node = current;
      walk.ends = ENDS_ROOT;
      if (ownsText) freeString(text);
      return 0;
    }
    // The name runs to the next slash; its hash for the name cache is taken on the way.
    const first = position;
    const limit = units + (<usize>length << 1);
    let at = units + (<usize>first << 1);
    let hash = NAME_HASH_START;
    while (at < limit) {
      const unit = <u32>load<u16>(at);
      if (unit == SLASH) break;
      hash = nameHashStep(hash, unit);
      at += 2;
    }
    const end = <i32>((at - units) >> 1);
    let next = end;
    while (next < length && unitAt(units, next) == SLASH) next++;
    const last = next == length;
    const trailing = next > end;

    if (current.type != TYPE_DIRECTORY) {
      result = -ENOTDIR;
      break;
    }
    if (isDots(units, first, end)) {
      keepable = false;
      const up = end - first == 2;
      if (up) {
        if (beneath && depth == 0) {
          result = -ENOTCAPABLE;
          break;
        }
        depth--;
        current = crossUp(current);
      }
      if (last) {
        walk.node = current;
        walk.ends = up && !beneath ? ENDS_DOT_DOT : ENDS_DOT;
        if (ownsText) freeString(text);
        return 0;
      }
      position = next;
      continue;
    }
    if (end - first > NAME_MAX / 3 && utf8Length(text, first, end) > NAME_MAX) {
      result = -ENAMETOOLONG;
      break;
    }

    if (!current.fs.namesFixed) keepable = false;
    result = lookupChild(current, text, first, end, hash, out);
    if (result == -ENOENT && last) {
      walk.directory = current;
      nameWalk(walk, text, first, end, ownsText);
      walk.trailingSlash = trailing;
      return 0;
    }
    if (result < 0) break;
    let child = crossDown(out.node!);
    out.node = null;

    if (child.type == TYPE_SYMLINK && (!last || followLast || trailing)) {
      keepable = false;
      if (++links > MAX_SYMLINKS) {
        drop(child);
        result = -ELOOP;
        break;
      }
      result = linkTarget(child, linkText!);
      drop(child);
      if (result < 0) break;
      const target = linkText!.text;
      linkText!.text = "";
      if (beneath && target.charCodeAt(0) == SLASH) {
        freeString(target);
        result = -ENOTCAPABLE;
        break;
      }
      // The walk goes on through the target, then the rest of the path.
      const rest = ownedSlice(text, end, length);
      const expanded = ownedConcat(target, rest);
      freeString(rest);
      if (ownsText) freeString(text);
      text = expanded;
      ownsText = true;
      position = 0;
      if (target.charCodeAt(0) == SLASH) {
        hold(root);
        drop(current);
        current = root;
      }
      freeString(target);
      continue;
    }

    if (last) {
      if (trailing && child.type != TYPE_DIRECTORY) {
        drop(child);
        result = -ENOTDIR;
        break;
      }
      if (keepable && child.type != TYPE_SYMLINK) offerPath(start, path, pathKey, current, child, first, end, trailing);
      walk.directory = current;
      walk.node = child;
      nameWalk(walk, text, first, end, ownsText);
      walk.trailingSlash = trailing;
      return 0;
    }
    drop(current);
    current = child;
    depth++;
    position = next;
  }
  drop(current);
  if (ownsText) freeString(text);
  return result;
}
