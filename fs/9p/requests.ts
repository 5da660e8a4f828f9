// The first 9P2000.L exchanges a client makes: Tversion (agree on the
// largest message and the protocol) and Tattach (a fid for the tree's
// root). Each request is built into a buffer by a MessageWriter; each reply
// is read by a MessageReader and becomes 0 or a -errno: Rlerror carries a
// Linux errno, the kernel's own numbering (kernel/errno.ts); a reply of the
// wrong type, for another tag, or malformed is -EIO.

import { EIO, EPROTO } from "../../kernel/errno";
import {
  MessageWriter, MessageReader, Qid, NOTAG, NOFID, VERSION_9P2000_L, TVERSION, TATTACH, RLERROR, HEADER_BYTES,
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
  if (!reader.complete() || msize < MSIZE_MIN || msize > asked) return -EIO;
  if (version != VERSION_9P2000_L) return -EPROTO;
  return <i64>msize;
}

/** Rattach: the root's qid into `out`; 0 or -errno. */
export function readAttach(reader: MessageReader, tag: u32, out: Qid): i32 {
  const checked = checkReply(reader, TATTACH, tag);
  if (checked < 0) return checked;
  reader.qid(out);
  return reader.complete() ? 0 : -EIO;
}

export { HEADER_BYTES };
