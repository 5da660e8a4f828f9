// 9P2000.L messages on the wire, for the 9p client (issue: live host
// directories). Every message is
//
//   size[4] type[1] tag[2] fields...        little-endian; size counts itself
//
// a string is len[2] + that many UTF-8 bytes, a qid is 13 bytes:
//
//   Qid   0 type u8 | 1 version u32 | 5 path u64      (type 0x80: a directory)
//
// MessageWriter builds one message in a buffer and refuses to write past
// its end; MessageReader reads one reply and never reads past the length
// the transport says the server wrote: a short or malformed reply clears
// `ok`, and the caller answers EIO. Neither allocates, but for the strings
// a reader hands out.

export const HEADER_BYTES: u32 = 7;
export const QID_BYTES: u32 = 13;
/** The tag of a Tversion, and the fid meaning "none" (Tattach's afid). */
export const NOTAG: u32 = 0xffff;
export const NOFID: u32 = 0xffff_ffff;
export const VERSION_9P2000_L = "9P2000.L";

// Message types (the T-message; its R-message is one more).
export const TLERROR: u32 = 6;            // Rlerror is 7: ecode[4], a Linux errno
export const RLERROR: u32 = 7;
export const TSTATFS: u32 = 8;
export const TLOPEN: u32 = 12;
export const TLCREATE: u32 = 14;
export const TSYMLINK: u32 = 16;
export const TREADLINK: u32 = 22;
export const TGETATTR: u32 = 24;
export const TSETATTR: u32 = 26;
export const TREADDIR: u32 = 40;
export const TFSYNC: u32 = 50;
export const TLINK: u32 = 70;
export const TMKDIR: u32 = 72;
export const TRENAMEAT: u32 = 74;
export const TUNLINKAT: u32 = 76;
export const TVERSION: u32 = 100;
export const TATTACH: u32 = 104;
export const TWALK: u32 = 110;
export const TREAD: u32 = 116;
export const TWRITE: u32 = 118;
export const TCLUNK: u32 = 120;

/** Qid types: a directory, a symbolic link (anything else is a file here). */
export const QID_DIRECTORY: u8 = 0x80;
export const QID_SYMLINK: u8 = 0x02;

/** A qid read from a reply. */
export class Qid {
  type: u8 = 0;
  version: u32 = 0;
  path: u64 = 0;
}

export class MessageWriter {
  at: u32 = 0;
  ok: bool = true;

  constructor(public buffer: usize, public capacity: u32) {}

  /** Starts a message of `type` with `tag` (the size is filled in by finish). */
  begin(type: u32, tag: u32): MessageWriter {
    this.at = 0;
    this.ok = this.capacity >= HEADER_BYTES;
    if (!this.ok) return this;
    store<u8>(this.buffer + 4, <u8>type);
    store<u16>(this.buffer + 5, <u16>tag);
    this.at = HEADER_BYTES;
    return this;
  }

  private room(bytes: u32): bool {
    if (this.ok && this.capacity - this.at >= bytes) return true;
    this.ok = false;
    return false;
  }

  u8(value: u32): MessageWriter {
    if (this.room(1)) {
      store<u8>(this.buffer + this.at, <u8>value);
      this.at += 1;
    }
    return this;
  }

  u16(value: u32): MessageWriter {
    if (this.room(2)) {
      store<u16>(this.buffer + this.at, <u16>value);
      this.at += 2;
    }
    return this;
  }

  u32(value: u32): MessageWriter {
    if (this.room(4)) {
      store<u32>(this.buffer + this.at, value);
      this.at += 4;
    }
    return this;
  }

  u64(value: u64): MessageWriter {
    if (this.room(8)) {
      store<u64>(this.buffer + this.at, value);
      this.at += 8;
    }
    return this;
  }

  /** len[2] + UTF-8; a string of more than 65535 bytes does not fit a message. */
  string(text: string): MessageWriter {
    const bytes = String.UTF8.byteLength(text);
    if (bytes > 0xffff || !this.room(2 + <u32>bytes)) {
      this.ok = false;
      return this;
    }
    store<u16>(this.buffer + this.at, <u16>bytes);
    String.UTF8.encodeUnsafe(changetype<usize>(text), text.length, this.buffer + this.at + 2);
    this.at += 2 + <u32>bytes;
    return this;
  }

  /** Writes the size; the message's length, or 0 if it did not fit. */
  finish(): u32 {
    if (!this.ok) return 0;
    store<u32>(this.buffer, this.at);
    return this.at;
  }
}

export class MessageReader {
  at: u32 = 0;
  ok: bool = true;
  type: u32 = 0;
  tag: u32 = 0;

  /** A reader of the `length` bytes at `buffer` the server wrote; checks the header against them. */
  constructor(public buffer: usize, public length: u32) {
    this.reset(buffer, length);
  }

  /** Starts reading another reply (readers are kept and reused: reading allocates nothing). */
  reset(buffer: usize, length: u32): MessageReader {
    this.buffer = buffer;
    this.length = length;
    this.at = 0;
    this.type = 0;
    this.tag = 0;
    this.ok = length >= HEADER_BYTES && load<u32>(buffer) == length;
    if (this.ok) {
      this.type = <u32>load<u8>(buffer + 4);
      this.tag = <u32>load<u16>(buffer + 5);
      this.at = HEADER_BYTES;
    }
    return this;
  }

  private has(bytes: u32): bool {
    if (this.ok && this.length - this.at >= bytes) return true;
    this.ok = false;
    return false;
  }

  u8(): u32 {
    if (!this.has(1)) return 0;
    this.at += 1;
    return <u32>load<u8>(this.buffer + this.at - 1);
  }

  u16(): u32 {
    if (!this.has(2)) return 0;
    this.at += 2;
    return <u32>load<u16>(this.buffer + this.at - 2);
  }

  u32(): u32 {
    if (!this.has(4)) return 0;
    this.at += 4;
    return load<u32>(this.buffer + this.at - 4);
  }

  u64(): u64 {
    if (!this.has(8)) return 0;
    this.at += 8;
    return load<u64>(this.buffer + this.at - 8);
  }

  /** A fresh string, or "" (with ok cleared) if it runs past the reply. */
  string(): string {
    const bytes = this.u16();
    if (!this.has(bytes)) return "";
    this.at += bytes;
    return String.UTF8.decodeUnsafe(this.buffer + this.at - bytes, <usize>bytes);
  }

  qid(out: Qid): void {
    if (!this.has(QID_BYTES)) return;
    out.type = <u8>this.u8();
    out.version = this.u32();
    out.path = this.u64();
  }

  /** True if every byte was read and none was missing (a reply with trailing bytes is malformed too). */
  complete(): bool {
    return this.ok && this.at == this.length;
  }
}
