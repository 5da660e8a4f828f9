// The 9P2000.L calls the filesystem makes, one function each, over a
// session (session.ts): 0, a count, or -errno. An Rlerror's errno is the
// host's own (Linux numbering, as the kernel's); a reply that is malformed,
// for another tag or of the wrong type is -EIO. A call that would make a
// fid (walk, and through it every lookup) clunks that fid again when the
// reply leaves in doubt whether the server made it, so no fid leaks on
// either side.
//
// read and write split at msize and move the data straight between the
// caller's buffer and the host (channel.ts); both stop at the first short
// count, as a host read or write does.

import { EIO } from "../../kernel/errno";
import { Qid, NOFID, TCLUNK, TREADLINK, TLINK, TUNLINKAT, TRENAMEAT, TSETATTR, TFSYNC, TREAD, TWRITE, TREADDIR, TLCREATE, TLOPEN, TMKDIR, TSYMLINK } from "./message";
import { writeWalkOne, readWalk, writeClunk, writeGetattr, readGetattr, Attributes, GETATTR_BASIC, checkReply } from "./requests";
import {
  writeLopen, readOpened, writeLcreate, writeRead, writeWriteHead, writeReaddir, readCounted, writeFsync, DATA_HEAD_BYTES, WRITE_HEAD_BYTES,
} from "./requests-io";
import {
  writeMkdir, writeSymlink, readMade, writeReadlink, writeLink, writeUnlinkat, writeRenameat, writeSetattr, AttributeChange,
  writeStatfs, readStatfs, readEmpty,
} from "./requests-names";
import { NinePSession, tagOf } from "./session";
import { SpaceStat } from "../vfs/module";

/**
 * A new fid for `name` in the directory `fid` (or a clone of `fid` when
 * `name` is null), its qid into `out`; the new fid, or -errno.
 */
export function walk(session: NinePSession, fid: u32, name: string | null, out: Qid): i64 {
  const newFid = session.newFid();
  if (newFid == NOFID) return -EIO;
  const slot = session.begin();
  if (slot < 0) {
    session.freeFid(newFid);
    return slot;
  }
  const tag = tagOf(slot);
  const names = name === null ? 0 : 1;
  let result = session.call(slot, writeWalkOne(session.writer(slot), tag, fid, newFid, name));
  let doubtful = result < 0;
  if (result == 0) {
    result = readWalk(session.reader(slot), tag, names, out);
    doubtful = result == -EIO; // an Rlerror says plainly that no fid was made
    if (result >= 0 && result != names) result = -EIO;
  }
  session.end(slot);
  if (result >= 0) return <i64>newFid;
  if (doubtful) clunk(session, newFid);
  else session.freeFid(newFid);
  return result;
}

/** Lets go of `fid` (the server forgets it even when it answers an error); 0 or -errno. */
export function clunk(session: NinePSession, fid: u32): i32 {
  const slot = session.begin();
  const result = slot < 0 ? slot : emptyReply(session, slot, TCLUNK, writeClunk(session.writer(slot), tagOf(slot), fid));
  session.freeFid(fid);
  return result;
}

export function getattr(session: NinePSession, fid: u32, out: Attributes): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  const tag = tagOf(slot);
  let result = session.call(slot, writeGetattr(session.writer(slot), tag, fid, GETATTR_BASIC));
  if (result == 0) result = readGetattr(session.reader(slot), tag, out);
  session.end(slot);
  return result;
}

/** Opens `fid` with `flags` (requests-io.ts OPEN_*); 0 or -errno. */
export function lopen(session: NinePSession, fid: u32, flags: u32, out: Qid): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return qidReply(session, slot, TLOPEN, writeLopen(session.writer(slot), tagOf(slot), fid, flags), out);
}

/** Creates `name` in the directory `fid`, which becomes the new file, open with `flags`; 0 or -errno. */
export function lcreate(session: NinePSession, fid: u32, name: string, flags: u32, mode: u32, out: Qid): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return qidReply(session, slot, TLCREATE, writeLcreate(session.writer(slot), tagOf(slot), fid, name, flags, mode, 0), out);
}

/** Makes the directory `name` in the directory `fid`; its qid into `out`; 0 or -errno. */
export function mkdir(session: NinePSession, fid: u32, name: string, mode: u32, out: Qid): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return qidReply(session, slot, TMKDIR, writeMkdir(session.writer(slot), tagOf(slot), fid, name, mode, 0), out);
}

export function symlink(session: NinePSession, fid: u32, name: string, target: string, out: Qid): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return qidReply(session, slot, TSYMLINK, writeSymlink(session.writer(slot), tagOf(slot), fid, name, target, 0), out);
}

/** Reads up to `length` bytes at `offset` of the open `fid` into `buffer`; the count, or -errno. */
export function read(session: NinePSession, fid: u32, offset: u64, buffer: usize, length: usize): i64 {
  return move(session, TREAD, fid, offset, buffer, length);
}

/** Writes `length` bytes at `offset` of the open `fid` from `buffer`; the count, or -errno. */
export function write(session: NinePSession, fid: u32, offset: u64, buffer: usize, length: usize): i64 {
  return move(session, TWRITE, fid, offset, buffer, length);
}

/** Reads or writes in pieces of at most what fits a message; stops at a short count (an error after some bytes moved is reported next time). */
function move(session: NinePSession, type: u32, fid: u32, offset: u64, buffer: usize, length: usize): i64 {
  const most = session.msize - (type == TWRITE ? WRITE_HEAD_BYTES : DATA_HEAD_BYTES);
  let done: usize = 0;
  while (done < length) {
    const asked = <u32>min<usize>(length - done, <usize>most);
    const count = transfer(session, type, fid, offset + <u64>done, buffer + done, asked);
    if (count < 0) return done > 0 ? <i64>done : count;
    done += <usize>count;
    if (<u32>count < asked) break;
  }
  return <i64>done;
}

/** Directory entries after the cookie `offset` of the open directory `fid`, `count` bytes at most, into `buffer`; their bytes, or -errno. */
export function readdir(session: NinePSession, fid: u32, offset: u64, buffer: usize, count: u32): i64 {
  return transfer(session, TREADDIR, fid, offset, buffer, min<u32>(count, session.msize - DATA_HEAD_BYTES));
}

/** One Tread, Twrite or Treaddir of `count` bytes with the data at `buffer`. */
function transfer(session: NinePSession, type: u32, fid: u32, offset: u64, buffer: usize, count: u32): i64 {
  const slot = session.begin();
  if (slot < 0) return slot;
  const tag = tagOf(slot);
  const writer = session.writer(slot);
  const head = session.channel.reply(<u32>slot);
  let got: i64;
  if (type == TWRITE) {
    got = session.callWithData(slot, writeWriteHead(writer, tag, fid, offset, count), buffer, count, DATA_HEAD_BYTES, 0, 0);
  } else {
    const length = type == TREAD ? writeRead(writer, tag, fid, offset, count) : writeReaddir(writer, tag, fid, offset, count);
    got = session.callWithData(slot, length, 0, 0, DATA_HEAD_BYTES, buffer, count);
  }
  const result = got < 0 ? -EIO : readCounted(session.reader(slot), head, got, type, tag, count, type != TWRITE);
  session.end(slot);
  return result;
}

/** The target of the symbolic link `fid` (a fresh string), or null with the errno in `error[0]`. */
export function readlink(session: NinePSession, fid: u32, error: StaticArray<i32>): string | null {
  const slot = session.begin();
  if (slot < 0) {
    error[0] = slot;
    return null;
  }
  const tag = tagOf(slot);
  let target: string | null = null;
  let result = session.call(slot, writeReadlink(session.writer(slot), tag, fid));
  if (result == 0) result = checkReply(session.reader(slot), TREADLINK, tag);
  if (result == 0) {
    const reader = session.reader(slot);
    const text = reader.string();
    if (reader.complete()) target = text;
    else {
      heap.free(changetype<usize>(text));
      result = -EIO;
    }
  }
  session.end(slot);
  error[0] = result;
  return target;
}

export function fsync(session: NinePSession, fid: u32, dataOnly: bool): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return emptyReply(session, slot, TFSYNC, writeFsync(session.writer(slot), tagOf(slot), fid, dataOnly));
}

export function link(session: NinePSession, directoryFid: u32, fid: u32, name: string): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return emptyReply(session, slot, TLINK, writeLink(session.writer(slot), tagOf(slot), directoryFid, fid, name));
}

export function unlinkat(session: NinePSession, fid: u32, name: string, flags: u32): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return emptyReply(session, slot, TUNLINKAT, writeUnlinkat(session.writer(slot), tagOf(slot), fid, name, flags));
}

export function renameat(session: NinePSession, fromFid: u32, fromName: string, toFid: u32, toName: string): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return emptyReply(session, slot, TRENAMEAT, writeRenameat(session.writer(slot), tagOf(slot), fromFid, fromName, toFid, toName));
}

export function setattr(session: NinePSession, fid: u32, change: AttributeChange): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  return emptyReply(session, slot, TSETATTR, writeSetattr(session.writer(slot), tagOf(slot), fid, change));
}

export function statfs(session: NinePSession, fid: u32, out: SpaceStat): i32 {
  const slot = session.begin();
  if (slot < 0) return slot;
  const tag = tagOf(slot);
  let result = session.call(slot, writeStatfs(session.writer(slot), tag, fid));
  if (result == 0) result = readStatfs(session.reader(slot), tag, out);
  session.end(slot);
  return result;
}

/** Sends the `length`-byte request built in `slot`, whose reply carries nothing; ends the call; 0 or -errno. */
function emptyReply(session: NinePSession, slot: i32, type: u32, length: u32): i32 {
  let result = session.call(slot, length);
  if (result == 0) result = readEmpty(session.reader(slot), type, tagOf(slot));
  session.end(slot);
  return result;
}

/** The same for a reply that carries a qid (and for Rlopen and Rlcreate an iounit), into `out`. */
function qidReply(session: NinePSession, slot: i32, type: u32, length: u32, out: Qid): i32 {
  let result = session.call(slot, length);
  if (result == 0) {
    const reader = session.reader(slot);
    result = type == TLOPEN || type == TLCREATE ? readOpened(reader, type, tagOf(slot), out) : readMade(reader, type, tagOf(slot), out);
  }
  session.end(slot);
  return result;
}
