// The 9P2000.L exchanges a client makes first: Tversion (agree on the
// largest message and the protocol), Tattach (a fid for the tree's root),
// Twalk (a fid for a path from another), Tgetattr and Tclunk. Each request is built into a buffer by a MessageWriter; each reply
// is read by a MessageReader and becomes 0 or a -errno: Rlerror carries a
// Linux errno, the kernel's own numbering (kernel/errno.ts); a reply of the
// wrong type, for another tag, or malformed is -EIO.

import { EIO, EPROTO } from "../../kernel/errno";
import {
  MessageWriter, MessageReader, Qid, NOTAG, NOFID, VERSION_9P2000_L, TVERSION, TATTACH, TWALK, TCLUNK, TGETATTR, RLERROR,
  HEADER_BYTES,
} from "./message";

/** The smallest msize a server may offer back: a header and a useful payload. */
export const MSIZE_MIN: u32 = 4096;

/** Tversion(msize, "9P2000.L") with NOTAG; its length, 0 if the buffer is too small. */
export function writeVersion(writer: MessageWriter, msize: u32): u32 {
  return writer.begin(TVERSION, NOTAG).u32(msize).string(VERSION_9P2000_L).finish();
}

/** Tattach(fid, NOFID, uname, aname, n_uname) with `tag`. */
export function writeAttach(writer: MessageWriter, tag: u32, fid: u32, uname: string, aname: string, uid: u32): u32 {
  return writer.begin(TATTACH, tag).u32(fid).u32(NOFID).string(uname).string(aname).u32(uid).finish();
}

/** 0 if the reply is the R-message for `type` (a T-type) with `tag`; -errno from an Rlerror; -EIO otherwise. */
export function checkReply(reader: MessageReader, type: u32, tag: u32): i32 {
  if (!reader.ok || reader.tag != tag) return -EIO;
  if (reader.type == RLERROR) {
    const errno = reader.u32();
    if (!reader.complete() || errno == 0 || errno > 4095) return -EIO;
    return -<i32>errno;
  }
  return reader.type == type + 1 ? 0 : -EIO;
}

/** Rversion: the msize the server agreed to (≤ `asked`, ≥ MSIZE_MIN), or -EIO, or -EPROTO when it speaks no 9P2000.L. */
export function readVersion(reader: MessageReader, asked: u32): i64 {
  const checked = checkReply(reader, TVERSION, NOTAG);
  if (checked < 0) return checked;
  const msize = reader.u32();
  const version = reader.string();
  const spoken = version == VERSION_9P2000_L;
  heap.free(changetype<usize>(version));
  if (!reader.complete() || msize < MSIZE_MIN || msize > asked) return -EIO;
  return spoken ? <i64>msize : -EPROTO;
}

/** Rattach: the root's qid into `out`; 0 or -errno. */
export function readAttach(reader: MessageReader, tag: u32, out: Qid): i32 {
  const checked = checkReply(reader, TATTACH, tag);
  if (checked < 0) return checked;
  reader.qid(out);
  return reader.complete() ? 0 : -EIO;
}

export { HEADER_BYTES };

// --- Walking, attributes, letting go ---

/** The most names one Twalk may carry (the protocol's MAXWELEM). */
export const MAX_WALK_NAMES: i32 = 16;
/** Tgetattr's request mask for the basic attributes (mode through blocks, times). */
export const GETATTR_BASIC: u64 = 0x7ff;

/** Twalk(fid, newfid) of one name, or of none when `name` is null (a clone of fid). */
export function writeWalkOne(writer: MessageWriter, tag: u32, fid: u32, newFid: u32, name: string | null): u32 {
  writer.begin(TWALK, tag).u32(fid).u32(newFid);
  if (name === null) writer.u16(0);
  else writer.u16(1).string(name);
  return writer.finish();
}

/** Twalk(fid, newfid, names) with `tag`; 0 if it does not fit or names more than MAX_WALK_NAMES. */
export function writeWalk(writer: MessageWriter, tag: u32, fid: u32, newFid: u32, names: string[]): u32 {
  if (names.length > MAX_WALK_NAMES) return 0;
  writer.begin(TWALK, tag).u32(fid).u32(newFid).u16(<u32>names.length);
  for (let i = 0; i < names.length; i++) writer.string(names[i]);
  return writer.finish();
}

/**
 * Rwalk: how many of the names were walked (the qids the server returned,
 * the last one's into `last`), or -errno. Fewer qids than names means the
 * walk stopped at a missing name (newfid is then not made).
 */
export function readWalk(reader: MessageReader, tag: u32, names: i32, last: Qid): i32 {
  const checked = checkReply(reader, TWALK, tag);
  if (checked < 0) return checked;
  const count = <i32>reader.u16();
  if (count > names) return -EIO;
  for (let i = 0; i < count; i++) reader.qid(last);
  return reader.complete() ? count : -EIO;
}

/** Tclunk(fid) with `tag`. */
export function writeClunk(writer: MessageWriter, tag: u32, fid: u32): u32 {
  return writer.begin(TCLUNK, tag).u32(fid).finish();
}

/** Rclunk: 0 or -errno. */
export function readClunk(reader: MessageReader, tag: u32): i32 {
  const checked = checkReply(reader, TCLUNK, tag);
  if (checked < 0) return checked;
  return reader.complete() ? 0 : -EIO;
}

/** What Rgetattr says of a file (times in seconds and nanoseconds). */
export class Attributes {
  valid: u64 = 0;
  qid: Qid = new Qid();
  mode: u32 = 0;
  uid: u32 = 0;
  gid: u32 = 0;
  links: u64 = 0;
  size: u64 = 0;
  blocks: u64 = 0;
  accessedSeconds: u64 = 0;
  accessedNanoseconds: u64 = 0;
  modifiedSeconds: u64 = 0;
  modifiedNanoseconds: u64 = 0;
  changedSeconds: u64 = 0;
  changedNanoseconds: u64 = 0;
}

/** Tgetattr(fid, mask) with `tag`. */
export function writeGetattr(writer: MessageWriter, tag: u32, fid: u32, mask: u64): u32 {
  return writer.begin(TGETATTR, tag).u32(fid).u64(mask).finish();
}

/** Rgetattr into `out` (the fields this client uses; the rest are read and dropped): 0 or -errno. */
export function readGetattr(reader: MessageReader, tag: u32, out: Attributes): i32 {
  const checked = checkReply(reader, TGETATTR, tag);
  if (checked < 0) return checked;
  out.valid = reader.u64();
  reader.qid(out.qid);
  out.mode = reader.u32();
  out.uid = reader.u32();
  out.gid = reader.u32();
  out.links = reader.u64();
  reader.u64(); // rdev
  out.size = reader.u64();
  reader.u64(); // blksize
  out.blocks = reader.u64();
  out.accessedSeconds = reader.u64();
  out.accessedNanoseconds = reader.u64();
  out.modifiedSeconds = reader.u64();
  out.modifiedNanoseconds = reader.u64();
  out.changedSeconds = reader.u64();
  out.changedNanoseconds = reader.u64();
  for (let i = 0; i < 4; i++) reader.u64(); // btime sec/nsec, gen, data_version
  return reader.complete() ? 0 : -EIO;
}
