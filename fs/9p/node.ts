// A 9p filesystem and its vnodes. Each vnode holds a fid that names its file
// on the host, walked from its directory's fid at lookup and clunked at
// release(): fid lifetime is vnode lifetime. Reading, writing and listing
// need fids the server has opened; a vnode opens them when first needed
// (or when a descriptor is opened, so that a refusal shows at open) and
// keeps them until release: one for reading, one for writing (read-write
// when both were asked for), one for listing a directory.
//
// Caching: none but the listing. Every lookup walks, every stat asks the
// host, reads and writes go straight through, so changes made on the host
// are seen at once. readdir keeps the last batch of entries it fetched and
// serves a listing's next cookies from it; a listing that starts again
// (cookie 0) always asks the host.

import { EIO, EISDIR, EINVAL } from "../../kernel/errno";
import {
  Vnode, FileSystem, Stat, SpaceStat, DirEntry, VnodeResult, TextResult, TYPE_FILE, TYPE_DIRECTORY, TYPE_SYMLINK, TIME_UNCHANGED,
} from "../vfs/module";
import { Qid, NOFID, QID_DIRECTORY, QID_SYMLINK, QID_BYTES } from "./message";
import { Attributes } from "./requests";
import { OPEN_READ, OPEN_WRITE, OPEN_READ_WRITE, OPEN_EXCLUSIVE, OPEN_DIRECTORY } from "./requests-io";
import { AttributeChange, REMOVE_DIRECTORY, SET_SIZE, SET_ACCESSED, SET_MODIFIED, SET_CHANGED, SET_ACCESSED_GIVEN, SET_MODIFIED_GIVEN } from "./requests-names";
import { NinePSession, ROOT_FID } from "./session";
import * as calls from "./operations";

// open(2) access modes, as the VFS passes them.
const ACCESS_WRITE: u32 = 1;
const ACCESS_READ_WRITE: u32 = 2;
/** Bytes of directory entries fetched at once. */
const LISTING_BYTES: u32 = 8 << 10;
/** An entry: qid, offset, type, then name[s]. */
const ENTRY_HEAD_BYTES: u32 = QID_BYTES + 8 + 1 + 2;
// Directory entry types (Linux DT_*).
const DT_DIR: u8 = 4;
const DT_LNK: u8 = 10;
/** Entries one readdir call may skip ("." and "..") or refetch before the reply is taken as broken. */
const LISTING_STEPS_MAX: i32 = 64;
const NANOSECONDS: i64 = 1_000_000_000;

export class NineFileSystem extends FileSystem {
  top: NineNode | null = null;
  // Scratch for calls: the VFS lock makes them one at a time.
  qid: Qid = new Qid();
  attributes: Attributes = new Attributes();
  change: AttributeChange = new AttributeChange();
  error: StaticArray<i32> = new StaticArray<i32>(1);

  constructor(public session: NinePSession, readOnly: bool) {
    super("9p", readOnly);
  }

  root(): Vnode {
    if (this.top === null) this.top = new NineNode(this, ROOT_FID, this.session.root.path, TYPE_DIRECTORY);
    return this.top!;
  }

  /** What the host says of the filesystem the shared directory is on (Tstatfs). */
  statfs(out: SpaceStat): i32 {
    return calls.statfs(this.session, ROOT_FID, out);
  }

  /** Clunks the root and ends the session; what the filesystem made is freed (the object itself is its owner's). */
  unmount(): void {
    calls.clunk(this.session, ROOT_FID);
    if (this.top !== null) heap.free(changetype<usize>(this.top));
    this.top = null;
    this.session.close();
    heap.free(changetype<usize>(this.qid));
    heap.free(changetype<usize>(this.attributes.qid));
    heap.free(changetype<usize>(this.attributes));
    heap.free(changetype<usize>(this.change));
    heap.free(changetype<usize>(this.error));
  }
}

function typeOfQid(qid: Qid): u32 {
  if ((qid.type & QID_DIRECTORY) != 0) return TYPE_DIRECTORY;
  return (qid.type & QID_SYMLINK) != 0 ? TYPE_SYMLINK : TYPE_FILE;
}

function typeOfMode(mode: u32): u32 {
  const format = mode & 0o170000;
  if (format == 0o040000) return TYPE_DIRECTORY;
  return format == 0o120000 ? TYPE_SYMLINK : TYPE_FILE;
}

function nanoseconds(seconds: u64, nanoseconds: u64): i64 {
  return <i64>seconds * NANOSECONDS + <i64>nanoseconds;
}

/** Seconds of a time in nanoseconds, rounding down (times before 1970 are negative). */
function secondsOf(time: i64): i64 {
  const seconds = time / NANOSECONDS;
  return time % NANOSECONDS < 0 ? seconds - 1 : seconds;
}

export class NineNode extends Vnode {
  readFid: u32 = NOFID;
  writeFid: u32 = NOFID;
  /** writeFid was opened read-write. */
  writeReads: bool = false;
  listFid: u32 = NOFID;
  listing: usize = 0;
  listingBytes: u32 = 0;
  /** The cookie the batch in `listing` follows. */
  listingAfter: u64 = 0;

  constructor(public volume: NineFileSystem, public fid: u32, inode: u64, type: u32) {
    super(volume, inode, type);
  }

  get session(): NinePSession {
    return this.volume.session;
  }

  /** A vnode for the fid `walked` (from walk(), -errno passed on) into `out`; 0 or -errno. */
  private adoptWalked(walked: i64, out: VnodeResult): i32 {
    if (walked < 0) return <i32>walked;
    const qid = this.volume.qid;
    out.node = new NineNode(this.volume, <u32>walked, qid.path, typeOfQid(qid));
    return 0;
  }

  // --- Directories ---

  lookup(name: string, out: VnodeResult): i32 {
    if (this.type != TYPE_DIRECTORY) return super.lookup(name, out);
    return this.adoptWalked(calls.walk(this.session, this.fid, name, this.volume.qid), out);
  }

  create(name: string, mode: u32, out: VnodeResult): i32 {
    const opened = calls.walk(this.session, this.fid, null, this.volume.qid);
    if (opened < 0) return <i32>opened;
    const made = calls.lcreate(this.session, <u32>opened, name, OPEN_READ_WRITE | OPEN_EXCLUSIVE, mode, this.volume.qid);
    const walked = made < 0 ? <i64>made : calls.walk(this.session, this.fid, name, this.volume.qid);
    if (walked < 0) {
      calls.clunk(this.session, <u32>opened);
      return <i32>walked;
    }
    const node = new NineNode(this.volume, <u32>walked, this.volume.qid.path, TYPE_FILE);
    node.writeFid = <u32>opened;
    node.writeReads = true;
    out.node = node;
    return 0;
  }

  mkdir(name: string, mode: u32, out: VnodeResult): i32 {
    const made = calls.mkdir(this.session, this.fid, name, mode, this.volume.qid);
    if (made < 0) return made;
    return this.adoptWalked(calls.walk(this.session, this.fid, name, this.volume.qid), out);
  }

  symlink(name: string, target: string, out: VnodeResult): i32 {
    const made = calls.symlink(this.session, this.fid, name, target, this.volume.qid);
    if (made < 0) return made;
    return this.adoptWalked(calls.walk(this.session, this.fid, name, this.volume.qid), out);
  }

  link(name: string, node: Vnode): i32 {
    return calls.link(this.session, this.fid, changetype<NineNode>(node).fid, name);
  }

  unlink(name: string): i32 {
    return calls.unlinkat(this.session, this.fid, name, 0);
  }

  rmdir(name: string): i32 {
    return calls.unlinkat(this.session, this.fid, name, REMOVE_DIRECTORY);
  }

  rename(name: string, toDirectory: Vnode, toName: string): i32 {
    return calls.renameat(this.session, this.fid, name, changetype<NineNode>(toDirectory).fid, toName);
  }

  readdir(cookie: u64, out: DirEntry): i32 {
    if (this.type != TYPE_DIRECTORY) return super.readdir(cookie, out);
    let after = cookie;
    let at: i64 = cookie == 0 ? -1 : this.entryAfter(after);
    for (let step = 0; step < LISTING_STEPS_MAX; step++) {
      if (at < 0 || at == <i64>this.listingBytes) {
        const fetched = this.fetchListing(after);
        if (fetched < 0) return fetched;
        if (this.listingBytes == 0) return 0;
        at = 0;
      }
      const entry = this.listing + <usize>at;
      const offset = load<u64>(entry + QID_BYTES);
      const nameBytes = <u32>load<u16>(entry + QID_BYTES + 9);
      at += <i64>(ENTRY_HEAD_BYTES + nameBytes);
      after = offset;
      const name = entry + ENTRY_HEAD_BYTES;
      const dots = (nameBytes == 1 && load<u8>(name) == 0x2e) || (nameBytes == 2 && load<u16>(name) == 0x2e2e);
      if (dots) continue;
      out.name = String.UTF8.decodeUnsafe(name, nameBytes);
      out.inode = load<u64>(entry + 5);
      const kind = load<u8>(entry + QID_BYTES + 8);
      out.type = kind == DT_DIR ? TYPE_DIRECTORY : kind == DT_LNK ? TYPE_SYMLINK : TYPE_FILE;
      out.next = offset;
      return 1;
    }
    return -EIO;
  }

  /** Where the entry after cookie `after` starts in the batch held (its end when the batch ends there), or -1. */
  private entryAfter(after: u64): i64 {
    if (this.listing == 0 || this.listingBytes == 0 && after != this.listingAfter) return -1;
    if (after == this.listingAfter) return 0;
    let at: u32 = 0;
    while (at < this.listingBytes) {
      const entry = this.listing + at;
      at += ENTRY_HEAD_BYTES + <u32>load<u16>(entry + QID_BYTES + 9);
      if (load<u64>(entry + QID_BYTES) == after) return <i64>at;
    }
    return -1;
  }

  /** Fetches the entries after cookie `after`; checks every entry lies inside; 0 or -errno. */
  private fetchListing(after: u64): i32 {
    if (this.listFid == NOFID) {
      const opened = this.openFid(OPEN_READ | OPEN_DIRECTORY);
      if (opened < 0) return <i32>opened;
      this.listFid = <u32>opened;
    }
    if (this.listing == 0) this.listing = heap.alloc(LISTING_BYTES);
    this.listingBytes = 0;
    this.listingAfter = after;
    const got = calls.readdir(this.session, this.listFid, after, this.listing, LISTING_BYTES);
    if (got < 0) return <i32>got;
    let at: u32 = 0;
    while (at < <u32>got) {
      if (<u32>got - at < ENTRY_HEAD_BYTES) return -EIO;
      const entry = this.listing + at;
      const offset = load<u64>(entry + QID_BYTES);
      at += ENTRY_HEAD_BYTES + <u32>load<u16>(entry + QID_BYTES + 9);
      // Cookie 0 starts a listing, and the VFS moves cookies up by 2: neither may be an entry's.
      if (at > <u32>got || offset == 0 || offset > u64.MAX_VALUE - 2) return -EIO;
    }
    this.listingBytes = <u32>got;
    return 0;
  }

  // --- Files ---

  /** Clones this vnode's fid and opens the clone with `flags`; the open fid, or -errno. */
  private openFid(flags: u32): i64 {
    const clone = calls.walk(this.session, this.fid, null, this.volume.qid);
    if (clone < 0) return clone;
    const opened = calls.lopen(this.session, <u32>clone, flags, this.volume.qid);
    if (opened < 0) {
      calls.clunk(this.session, <u32>clone);
      return opened;
    }
    return clone;
  }

  /** Makes sure an open fid allows reading (`reads`) and writing (`writes`); 0 or -errno. */
  private ready(reads: bool, writes: bool): i32 {
    if (writes) {
      if (this.writeFid != NOFID && (this.writeReads || !reads)) return 0;
      const both = reads || this.writeFid != NOFID; // a write-only fid held already is widened
      const opened = this.openFid(both ? OPEN_READ_WRITE : OPEN_WRITE);
      if (opened < 0) return <i32>opened;
      if (this.writeFid != NOFID) calls.clunk(this.session, this.writeFid);
      this.writeFid = <u32>opened;
      this.writeReads = both;
      return 0;
    }
    if (this.readFid != NOFID || (this.writeFid != NOFID && this.writeReads)) return 0;
    const opened = this.openFid(OPEN_READ);
    if (opened < 0) return <i32>opened;
    this.readFid = <u32>opened;
    return 0;
  }

  /** The open fid to read through (after ready). */
  private get readingFid(): u32 {
    return this.readFid != NOFID ? this.readFid : this.writeFid;
  }

  /** The fid for asking about the file: an open one if there is one (it outlives an unlink), else the walked one. */
  private get askingFid(): u32 {
    if (this.writeFid != NOFID) return this.writeFid;
    return this.readFid != NOFID ? this.readFid : this.fid;
  }

  open(access: u32): i32 {
    if (this.type != TYPE_FILE) return 0;
    return this.ready(access != ACCESS_WRITE, access == ACCESS_WRITE || access == ACCESS_READ_WRITE);
  }

  read(offset: u64, buffer: usize, length: usize): i64 {
    if (this.type != TYPE_FILE) return super.read(offset, buffer, length);
    const ready = this.ready(true, false);
    if (ready < 0) return ready;
    return calls.read(this.session, this.readingFid, offset, buffer, length);
  }

  write(offset: u64, buffer: usize, length: usize): i64 {
    if (this.type != TYPE_FILE) return this.type == TYPE_DIRECTORY ? -EISDIR : -EINVAL;
    const ready = this.ready(false, true);
    if (ready < 0) return ready;
    return calls.write(this.session, this.writeFid, offset, buffer, length);
  }

  truncate(size: u64): i32 {
    if (this.type != TYPE_FILE) return this.type == TYPE_DIRECTORY ? -EISDIR : -EINVAL;
    const change = this.volume.change;
    change.valid = SET_SIZE;
    change.size = size;
    return calls.setattr(this.session, this.askingFid, change);
  }

  // --- Any vnode ---

  getattr(out: Stat): i32 {
    const attributes = this.volume.attributes;
    const result = calls.getattr(this.session, this.askingFid, attributes);
    if (result < 0) return result;
    out.inode = attributes.qid.path;
    out.type = typeOfMode(attributes.mode);
    out.mode = attributes.mode & 0o7777;
    out.links = <u32>min<u64>(attributes.links, u32.MAX_VALUE);
    out.size = attributes.size;
    out.blocks = attributes.blocks;
    out.accessed = nanoseconds(attributes.accessedSeconds, attributes.accessedNanoseconds);
    out.modified = nanoseconds(attributes.modifiedSeconds, attributes.modifiedNanoseconds);
    out.changed = nanoseconds(attributes.changedSeconds, attributes.changedNanoseconds);
    return 0;
  }

  readlink(out: TextResult): i32 {
    if (this.type != TYPE_SYMLINK) return super.readlink(out);
    const target = calls.readlink(this.session, this.fid, this.volume.error);
    if (target === null) return this.volume.error[0];
    out.text = target!;
    return 0;
  }

  setTimes(accessed: i64, modified: i64): i32 {
    const change = this.volume.change;
    change.valid = SET_CHANGED;
    if (accessed != TIME_UNCHANGED) {
      change.valid |= SET_ACCESSED | SET_ACCESSED_GIVEN;
      change.accessedSeconds = <u64>secondsOf(accessed);
      change.accessedNanoseconds = <u64>(accessed - secondsOf(accessed) * NANOSECONDS);
    }
    if (modified != TIME_UNCHANGED) {
      change.valid |= SET_MODIFIED | SET_MODIFIED_GIVEN;
      change.modifiedSeconds = <u64>secondsOf(modified);
      change.modifiedNanoseconds = <u64>(modified - secondsOf(modified) * NANOSECONDS);
    }
    return calls.setattr(this.session, this.askingFid, change);
  }

  fsync(): i32 {
    if (this.type == TYPE_SYMLINK) return 0;
    if (this.type == TYPE_DIRECTORY) {
      if (this.listFid == NOFID) {
        const opened = this.openFid(OPEN_READ | OPEN_DIRECTORY);
        if (opened < 0) return <i32>opened;
        this.listFid = <u32>opened;
      }
      return calls.fsync(this.session, this.listFid, false);
    }
    const ready = this.ready(true, false);
    if (ready < 0) return ready;
    return calls.fsync(this.session, this.writeFid != NOFID ? this.writeFid : this.readFid, false);
  }

  release(): void {
    if (this.readFid != NOFID) calls.clunk(this.session, this.readFid);
    if (this.writeFid != NOFID) calls.clunk(this.session, this.writeFid);
    if (this.listFid != NOFID) calls.clunk(this.session, this.listFid);
    this.readFid = this.writeFid = this.listFid = NOFID;
    if (this.listing != 0) heap.free(this.listing);
    this.listing = 0;
    this.listingBytes = 0;
    if (this.fid == ROOT_FID) return; // the root goes at unmount
    calls.clunk(this.session, this.fid);
    heap.free(changetype<usize>(this));
  }
}
