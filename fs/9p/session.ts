// A 9P2000.L session over one channel (channel.ts): Tversion agrees on the
// largest message (msize: MSIZE_WANTED asked, the server may offer less;
// a server that refuses is asked once more for MSIZE_FALLBACK), then
// Tattach gives fid 0 for the root of the host's tree.
//
// The session hands out fids (numbers of the client's choosing, reused once
// clunked; `liveFids` counts those in use, so tests can see a leak) and
// runs calls: begin() takes a channel slot, the caller builds its request
// with writer(slot), call() sends it and readies reader(slot) on the reply,
// end() gives the slot back. Each slot tags its requests with its own
// number, so requests in flight at once never share a tag. Writers and
// readers are made once per slot: a call allocates nothing.
// The requests themselves are in operations.ts.
//
// One session per channel at a time (a second Tversion would end the
// first session's fids on the server): connect refuses a channel whose tag
// another open session holds, and close() frees it again. The session owns
// its channel object and frees it at close().

import { MessageWriter, MessageReader, Qid, NOFID } from "./message";
import { writeVersion, writeAttach, readVersion, readAttach } from "./requests";
import { NinePChannel } from "./channel";
import { fail } from "../../kernel/failure";
import { EBUSY, EIO } from "../../kernel/errno";

/** The fid the root is attached as. */
export const ROOT_FID: u32 = 0;
/** The msize asked for first: large reads and writes in few messages. */
export const MSIZE_WANTED: u32 = 512 << 10;
/** The msize asked for when a server refuses the first. */
export const MSIZE_FALLBACK: u32 = 64 << 10;
/** Slots a session keeps writers and readers for (a channel has at most this many). */
const MAX_SLOTS: i32 = 32;

/** The tags of the channels open sessions hold. */
let claimed: string[] | null = null;

function claim(tag: string): bool {
  if (claimed === null) claimed = [];
  if (claimed!.includes(tag)) return false;
  claimed!.push(tag);
  return true;
}

function unclaim(tag: string): void {
  const tags = claimed;
  if (tags === null) return;
  const index = tags.indexOf(tag);
  if (index < 0) return;
  for (let i = index; i < tags.length - 1; i++) tags[i] = tags[i + 1];
  tags.length = tags.length - 1; // (splice would make an array of what it removed)
}

export class NinePSession {
  msize: u32 = 0;
  root: Qid = new Qid();
  /** Fids in use, the root's included. */
  liveFids: u32 = 0;
  private nextFid: u32 = ROOT_FID + 1;
  private freeFids: u32[] = [];
  private writers: MessageWriter[] = [];
  private readers: MessageReader[] = [];

  constructor(public channel: NinePChannel) {}

  /** Version and attach (as `uname`, uid `uid`); 0, or -errno with what went wrong (kernel/failure.ts). */
  connect(uname: string, uid: u32): i32 {
    if (!claim(this.channel.tag)) return fail(EBUSY, "9p " + this.channel.tag + " is in use (mounted already)");
    const result = this.handshake(uname, uid);
    if (result < 0) unclaim(this.channel.tag);
    return result;
  }

  /** Ends the session (its fids are clunked already) and frees it, its channel object included. */
  close(): void {
    unclaim(this.channel.tag);
    for (let i = 0; i < this.writers.length; i++) {
      heap.free(changetype<usize>(this.writers[i]));
      heap.free(changetype<usize>(this.readers[i]));
    }
    freeArray(this.writers);
    freeArray(this.readers);
    freeArray(this.freeFids);
    heap.free(changetype<usize>(this.root));
    this.channel.close();
    heap.free(changetype<usize>(this.channel));
    heap.free(changetype<usize>(this));
  }

  private handshake(uname: string, uid: u32): i32 {
    const slot = this.begin();
    if (slot < 0) return fail(EIO, "9p " + this.channel.tag + ": the device does not answer");
    let result = this.negotiate(slot, MSIZE_WANTED);
    if (result < 0 && result != -EIO) result = this.negotiate(slot, MSIZE_FALLBACK);
    if (result == 0) result = this.attach(slot, uname, uid);
    this.end(slot);
    return result;
  }

  private negotiate(slot: i32, asked: u32): i32 {
    if (this.call(slot, writeVersion(this.writer(slot), asked)) < 0) return fail(EIO, "9p " + this.channel.tag + ": no reply to Tversion");
    const msize = readVersion(this.reader(slot), asked);
    if (msize < 0) return fail(<i32>-msize, "9p " + this.channel.tag + ": Tversion refused (errno " + (-msize).toString() + ")");
    this.msize = <u32>msize;
    return 0;
  }

  private attach(slot: i32, uname: string, uid: u32): i32 {
    const tag = tagOf(slot);
    if (this.call(slot, writeAttach(this.writer(slot), tag, ROOT_FID, uname, "", uid)) < 0) return fail(EIO, "9p " + this.channel.tag + ": no reply to Tattach");
    const attached = readAttach(this.reader(slot), tag, this.root);
    if (attached < 0) return fail(-attached, "9p " + this.channel.tag + ": Tattach refused (errno " + (-attached).toString() + ")");
    this.liveFids = 1;
    return 0;
  }

  // --- Fids ---

  /** A fid no file holds, or NOFID when every number is taken. */
  newFid(): u32 {
    let fid: u32;
    if (this.freeFids.length > 0) fid = this.freeFids.pop();
    else if (this.nextFid == NOFID) return NOFID;
    else fid = this.nextFid++;
    this.liveFids++;
    return fid;
  }

  /** `fid` was clunked (or never came to be): its number may be used again. */
  freeFid(fid: u32): void {
    this.freeFids.push(fid);
    this.liveFids--;
  }

  // --- Calls ---

  /** Takes a slot for a call: its number, or -EIO. */
  begin(): i32 {
    const slot = this.channel.acquire();
    if (slot < 0) return -EIO;
    if (slot >= MAX_SLOTS) {
      this.channel.release(<u32>slot);
      return -EIO;
    }
    while (this.writers.length <= slot) {
      const at = this.writers.length;
      this.writers.push(new MessageWriter(this.channel.request(<u32>at), this.channel.slotBytes));
      this.readers.push(new MessageReader(this.channel.reply(<u32>at), 0));
    }
    return slot;
  }

  writer(slot: i32): MessageWriter {
    return this.writers[slot];
  }

  reader(slot: i32): MessageReader {
    return this.readers[slot];
  }

  /** Sends the `length`-byte request built in the slot and readies its reader on the reply; 0, or -EIO. */
  call(slot: i32, length: u32): i32 {
    if (length == 0) return -EIO;
    const got = this.channel.transact(<u32>slot, length, 0, 0, this.channel.slotBytes, 0, 0);
    if (got < 0) return -EIO;
    this.readers[slot].reset(this.channel.reply(<u32>slot), <u32>got);
    return 0;
  }

  /** Like call, with a payload sent after the request and room for one after the reply's first `replyRoom` bytes. */
  callWithData(slot: i32, length: u32, send: usize, sendLength: u32, replyRoom: u32, receive: usize, receiveLength: u32): i64 {
    if (length == 0) return -EIO;
    return this.channel.transact(<u32>slot, length, send, sendLength, replyRoom, receive, receiveLength);
  }

  end(slot: i32): void {
    this.channel.release(<u32>slot);
  }
}

/** The tag of slot `slot`'s requests (never NOTAG). */
export function tagOf(slot: i32): u32 {
  return <u32>slot + 1;
}

function freeArray<T>(array: T[]): void {
  heap.free(array.dataStart);
  heap.free(changetype<usize>(array));
}
