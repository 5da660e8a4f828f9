// 9P2000.L requests that make, name and change files: Tmkdir, Tsymlink,
// Treadlink, Tlink, Tunlinkat, Trenameat, Tsetattr and Tstatfs. Replies
// become 0 or -errno as in requests.ts.

import { EIO } from "../../kernel/errno";
import { SpaceStat } from "../vfs/module";
import {
  MessageWriter, MessageReader, Qid, TMKDIR, TSYMLINK, TREADLINK, TLINK, TUNLINKAT, TRENAMEAT, TSETATTR, TSTATFS,
} from "./message";
import { checkReply } from "./requests";

/** Tunlinkat's flag for removing a directory (Linux's AT_REMOVEDIR). */
export const REMOVE_DIRECTORY: u32 = 0x200;

// Tsetattr's valid bits.
export const SET_MODE: u32 = 0x1;
export const SET_SIZE: u32 = 0x8;
export const SET_ACCESSED: u32 = 0x10;
export const SET_MODIFIED: u32 = 0x20;
export const SET_CHANGED: u32 = 0x40;
/** With SET_ACCESSED / SET_MODIFIED: the time given, not now. */
export const SET_ACCESSED_GIVEN: u32 = 0x80;
export const SET_MODIFIED_GIVEN: u32 = 0x100;

/** Tmkdir(dfid, name, mode, gid). */
export function writeMkdir(writer: MessageWriter, tag: u32, fid: u32, name: string, mode: u32, gid: u32): u32 {
  return writer.begin(TMKDIR, tag).u32(fid).string(name).u32(mode).u32(gid).finish();
}

/** Tsymlink(fid, name, target, gid). */
export function writeSymlink(writer: MessageWriter, tag: u32, fid: u32, name: string, target: string, gid: u32): u32 {
  return writer.begin(TSYMLINK, tag).u32(fid).string(name).string(target).u32(gid).finish();
}

/** Rmkdir or Rsymlink: the new file's qid into `out`; 0 or -errno. */
export function readMade(reader: MessageReader, type: u32, tag: u32, out: Qid): i32 {
  const checked = checkReply(reader, type, tag);
  if (checked < 0) return checked;
  reader.qid(out);
  return reader.complete() ? 0 : -EIO;
}

/** Treadlink(fid). */
export function writeReadlink(writer: MessageWriter, tag: u32, fid: u32): u32 {
  return writer.begin(TREADLINK, tag).u32(fid).finish();
}

/** Tlink(dfid, fid, name): `name` in the directory dfid becomes another name for fid. */
export function writeLink(writer: MessageWriter, tag: u32, directoryFid: u32, fid: u32, name: string): u32 {
  return writer.begin(TLINK, tag).u32(directoryFid).u32(fid).string(name).finish();
}

/** Tunlinkat(dfid, name, flags). */
export function writeUnlinkat(writer: MessageWriter, tag: u32, fid: u32, name: string, flags: u32): u32 {
  return writer.begin(TUNLINKAT, tag).u32(fid).string(name).u32(flags).finish();
}

/** Trenameat(olddirfid, oldname, newdirfid, newname). */
export function writeRenameat(writer: MessageWriter, tag: u32, fromFid: u32, fromName: string, toFid: u32, toName: string): u32 {
  return writer.begin(TRENAMEAT, tag).u32(fromFid).string(fromName).u32(toFid).string(toName).finish();
}

/** What Tsetattr changes: the fields its `valid` bits name. */
export class AttributeChange {
  valid: u32 = 0;
  mode: u32 = 0;
  size: u64 = 0;
  accessedSeconds: u64 = 0;
  accessedNanoseconds: u64 = 0;
  modifiedSeconds: u64 = 0;
  modifiedNanoseconds: u64 = 0;
}

/** Tsetattr(fid, valid, mode, uid, gid, size, atime, mtime); owners are never changed. */
export function writeSetattr(writer: MessageWriter, tag: u32, fid: u32, change: AttributeChange): u32 {
  return writer.begin(TSETATTR, tag).u32(fid).u32(change.valid).u32(change.mode).u32(0).u32(0).u64(change.size)
    .u64(change.accessedSeconds).u64(change.accessedNanoseconds).u64(change.modifiedSeconds).u64(change.modifiedNanoseconds)
    .finish();
}

/** Tstatfs(fid). */
export function writeStatfs(writer: MessageWriter, tag: u32, fid: u32): u32 {
  return writer.begin(TSTATFS, tag).u32(fid).finish();
}

/** Rstatfs into `out`: 0 or -errno. */
export function readStatfs(reader: MessageReader, tag: u32, out: SpaceStat): i32 {
  const checked = checkReply(reader, TSTATFS, tag);
  if (checked < 0) return checked;
  reader.u32(); // type
  out.blockSize = reader.u32();
  out.blocks = reader.u64();
  out.freeBlocks = reader.u64();
  out.availableBlocks = reader.u64();
  out.files = reader.u64();
  out.freeFiles = reader.u64();
  reader.u64(); // fsid
  out.nameMax = reader.u32();
  return reader.complete() ? 0 : -EIO;
}

/** A reply with nothing but its header (Rlink, Runlinkat, Rrenameat, Rsetattr, Rfsync, Rclunk): 0 or -errno. */
export function readEmpty(reader: MessageReader, type: u32, tag: u32): i32 {
  const checked = checkReply(reader, type, tag);
  if (checked < 0) return checked;
  return reader.complete() ? 0 : -EIO;
}
