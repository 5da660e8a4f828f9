// 9P2000.L requests on open files: Tlopen and Tlcreate (a fid becomes an
// open file), Tread, Twrite and Treaddir (whose payload travels outside the
// message buffers: see channel.ts), and Tfsync. Replies become 0, a count
// or -errno as in requests.ts.

import { EIO } from "../../kernel/errno";
import { MessageWriter, MessageReader, Qid, TLOPEN, TLCREATE, TREAD, TWRITE, TREADDIR, TFSYNC, RLERROR, HEADER_BYTES } from "./message";
import { checkReply } from "./requests";

// Open flags on the wire (9P2000.L's own numbering: Linux x86's, on every architecture).
export const OPEN_READ: u32 = 0;
export const OPEN_WRITE: u32 = 1;
export const OPEN_READ_WRITE: u32 = 2;
export const OPEN_EXCLUSIVE: u32 = 0o200;
export const OPEN_DIRECTORY: u32 = 0o200000;

/** Bytes of an Rread, Rwrite or Rreaddir head: size, type, tag, count. */
export const DATA_HEAD_BYTES: u32 = HEADER_BYTES + 4;
/** Bytes of a Twrite before its data: the head, fid, offset and count. */
export const WRITE_HEAD_BYTES: u32 = HEADER_BYTES + 4 + 8 + 4;

/** Tlopen(fid, flags). */
export function writeLopen(writer: MessageWriter, tag: u32, fid: u32, flags: u32): u32 {
  return writer.begin(TLOPEN, tag).u32(fid).u32(flags).finish();
}

/** Rlopen or Rlcreate (qid, iounit): the qid into `out`; 0 or -errno. */
export function readOpened(reader: MessageReader, type: u32, tag: u32, out: Qid): i32 {
  const checked = checkReply(reader, type, tag);
  if (checked < 0) return checked;
  reader.qid(out);
  reader.u32(); // iounit: this client splits at msize
  return reader.complete() ? 0 : -EIO;
}

/** Tlcreate(fid, name, flags, mode, gid): the directory fid becomes the new file, open. */
export function writeLcreate(writer: MessageWriter, tag: u32, fid: u32, name: string, flags: u32, mode: u32, gid: u32): u32 {
  return writer.begin(TLCREATE, tag).u32(fid).string(name).u32(flags).u32(mode).u32(gid).finish();
}

/** Tread(fid, offset, count); the data comes back after the reply's head. */
export function writeRead(writer: MessageWriter, tag: u32, fid: u32, offset: u64, count: u32): u32 {
  return writer.begin(TREAD, tag).u32(fid).u64(offset).u32(count).finish();
}

/** Twrite's head (fid, offset, count): `count` bytes of data follow it on the wire. */
export function writeWriteHead(writer: MessageWriter, tag: u32, fid: u32, offset: u64, count: u32): u32 {
  const length = writer.begin(TWRITE, tag).u32(fid).u64(offset).u32(count).finish();
  if (length == 0) return 0;
  store<u32>(writer.buffer, length + count); // the size counts the data too
  return length;
}

/** Treaddir(fid, offset, count): entries after the cookie `offset`, `count` bytes at most. */
export function writeReaddir(writer: MessageWriter, tag: u32, fid: u32, offset: u64, count: u32): u32 {
  return writer.begin(TREADDIR, tag).u32(fid).u64(offset).u32(count).finish();
}

/**
 * An Rread, Rreaddir or Rwrite whose head is at `head` and which was `got`
 * bytes long in all (`hasData`: its count bytes of data followed the head):
 * the count (at most `asked`), or -errno. An Rlerror fits in the head.
 */
export function readCounted(reader: MessageReader, head: usize, got: i64, type: u32, tag: u32, asked: u32, hasData: bool): i64 {
  if (got < <i64>HEADER_BYTES || got > <i64>DATA_HEAD_BYTES + <i64>asked) return -EIO;
  if (<i64>load<u32>(head) != got) return -EIO;
  if (<u32>load<u8>(head + 4) == RLERROR) return checkReply(reader.reset(head, <u32>got), type, tag);
  if (got < <i64>DATA_HEAD_BYTES) return -EIO;
  if (hasData) store<u32>(head, DATA_HEAD_BYTES); // read the head as a message of its own
  const checked = checkReply(reader.reset(head, DATA_HEAD_BYTES), type, tag);
  if (checked < 0) return checked;
  const count = reader.u32();
  if (count > asked) return -EIO;
  const expected = <i64>DATA_HEAD_BYTES + (hasData ? <i64>count : 0);
  return expected == got ? <i64>count : -EIO;
}

/** Tfsync(fid, datasync). */
export function writeFsync(writer: MessageWriter, tag: u32, fid: u32, dataOnly: bool): u32 {
  return writer.begin(TFSYNC, tag).u32(fid).u32(dataOnly ? 1 : 0).finish();
}
