// The host-test harness's part for fs/9p's message codec: requests are built
// into a buffer the test owns and returned as their length; replies the test
// writes are read back through the codec (test/host/9p/client.ts).

import { NinePChannel } from "../../../fs/9p/channel";
import { openNineP, NineFileSystem } from "../../../fs/9p/index";
import { lastFailure, failureDetail } from "../../../kernel/failure";
import { EIO } from "../../../kernel/errno";
import { fileSystemHandle, fileSystemOf } from "../vfs/handles";
import { MessageWriter, MessageReader, Qid } from "../../../fs/9p/message";
import {
  writeVersion, writeAttach, readVersion, readAttach, writeWalk, readWalk, writeClunk, readClunk, writeGetattr, readGetattr,
  Attributes,
} from "../../../fs/9p/requests";

let qid: Qid | null = null;

export function ninepWriteVersion(buffer: usize, capacity: u32, msize: u32): u32 {
  return writeVersion(new MessageWriter(buffer, capacity), msize);
}

export function ninepWriteAttach(buffer: usize, capacity: u32, tag: u32, fid: u32, uname: string, aname: string, uid: u32): u32 {
  return writeAttach(new MessageWriter(buffer, capacity), tag, fid, uname, aname, uid);
}

export function ninepReadVersion(buffer: usize, length: u32, asked: u32): i64 {
  return readVersion(new MessageReader(buffer, length), asked);
}

/** Reads an Rattach; the qid's fields are then read with ninepQid*. */
export function ninepReadAttach(buffer: usize, length: u32, tag: u32): i32 {
  qid = new Qid(); // fresh each time: the tests reset the arena the last one lived in
  return readAttach(new MessageReader(buffer, length), tag, qid!);
}

export function ninepQidType(): u32 {
  return qid!.type;
}

export function ninepQidVersion(): u32 {
  return qid!.version;
}

export function ninepQidPath(): u64 {
  return qid!.path;
}

let walkNames: string[] | null = null;
let attributes: Attributes | null = null;

/** Starts a list of names for ninepWriteWalk. */
export function ninepWalkNamesClear(): void {
  walkNames = [];
}

export function ninepWalkNamesAdd(name: string): void {
  walkNames!.push(name);
}

export function ninepWriteWalk(buffer: usize, capacity: u32, tag: u32, fid: u32, newFid: u32): u32 {
  return writeWalk(new MessageWriter(buffer, capacity), tag, fid, newFid, walkNames!);
}

/** Reads an Rwalk for `names` names; the last qid is then read with ninepQid*. */
export function ninepReadWalk(buffer: usize, length: u32, tag: u32, names: i32): i32 {
  qid = new Qid();
  return readWalk(new MessageReader(buffer, length), tag, names, qid!);
}

export function ninepWriteClunk(buffer: usize, capacity: u32, tag: u32, fid: u32): u32 {
  return writeClunk(new MessageWriter(buffer, capacity), tag, fid);
}

export function ninepReadClunk(buffer: usize, length: u32, tag: u32): i32 {
  return readClunk(new MessageReader(buffer, length), tag);
}

export function ninepWriteGetattr(buffer: usize, capacity: u32, tag: u32, fid: u32, mask: u64): u32 {
  return writeGetattr(new MessageWriter(buffer, capacity), tag, fid, mask);
}

/** Reads an Rgetattr; its fields are then read with ninepAttr. */
export function ninepReadGetattr(buffer: usize, length: u32, tag: u32): i32 {
  attributes = new Attributes();
  return readGetattr(new MessageReader(buffer, length), tag, attributes!);
}

/** One attribute as a u64: 0 mode, 1 uid, 2 gid, 3 links, 4 size, 5 blocks, 6 mtime seconds, 7 mtime ns, 8 qid path. */
export function ninepAttr(which: i32): u64 {
  const a = attributes!;
  if (which == 0) return <u64>a.mode;
  if (which == 1) return <u64>a.uid;
  if (which == 2) return <u64>a.gid;
  if (which == 3) return a.links;
  if (which == 4) return a.size;
  if (which == 5) return a.blocks;
  if (which == 6) return a.modifiedSeconds;
  if (which == 7) return a.modifiedNanoseconds;
  return a.qid.path;
}

// --- The 9p filesystem over a 9p server in Node ---
// A HostChannel hands each request to the test's server through the import
// ninep.transact (test/host/fake-arch.ts routes it to FakeArch.ninePTransact,
// which the test sets: test/host/9p/server-link.ts). Its slots' buffers are
// raw blocks; a slot is never waited for (the host tests run one flow of
// control), so acquire fails when all are busy.


@external("ninep", "transact")
declare function hostTransact(
  slot: u32, request: usize, length: u32, send: usize, sendLength: u32, reply: usize, replyRoom: u32, receive: usize, receiveLength: u32,
): i64;

const HOST_SLOTS: u32 = 4;
const HOST_SLOT_BYTES: u32 = 8 << 10;

class HostChannel extends NinePChannel {
  buffers: usize;
  busy: u32 = 0;

  constructor(tag: string) {
    super();
    this.tag = tag;
    this.slotBytes = HOST_SLOT_BYTES;
    this.buffers = heap.alloc(<usize>HOST_SLOTS * 2 * HOST_SLOT_BYTES);
  }

  acquire(): i32 {
    if (this.busy == (1 << HOST_SLOTS) - 1) return -EIO;
    const slot = ctz<u32>(~this.busy);
    this.busy |= 1 << slot;
    return <i32>slot;
  }

  release(slot: u32): void {
    this.busy &= ~(1 << slot);
  }

  request(slot: u32): usize {
    return this.buffers + <usize>slot * 2 * HOST_SLOT_BYTES;
  }

  reply(slot: u32): usize {
    return this.request(slot) + HOST_SLOT_BYTES;
  }

  /** The tag was ninepCreate's argument, consumed: it goes with the channel. */
  close(): void {
    heap.free(this.buffers);
    heap.free(changetype<usize>(this.tag));
  }

  transact(slot: u32, length: u32, send: usize, sendLength: u32, replyRoom: u32, receive: usize, receiveLength: u32): i64 {
    return hostTransact(slot, this.request(slot), length, send, sendLength, this.reply(slot), replyRoom, receive, receiveLength);
  }
}

let ninepFailure: string = "";

/** Mounts nothing: makes a 9p filesystem over the Node server (tag `tag`); its handle (vfs harness), or -errno with ninepFailureText. */
export function ninepCreate(tag: string, readOnly: bool): i32 {
  const fs = openNineP(new HostChannel(tag), readOnly);
  if (fs === null) {
    const result = lastFailure();
    ninepFailure = failureDetail(result);
    return result;
  }
  return fileSystemHandle(fs!);
}

/** Why the last ninepCreate failed. */
export function ninepFailureText(): string {
  return ninepFailure;
}

/** Fids the filesystem's session holds (its root's included). */
export function ninepLiveFids(handle: i32): u32 {
  return changetype<NineFileSystem>(fileSystemOf(handle)).session.liveFids;
}

/** The msize the session agreed. */
export function ninepMsize(handle: i32): u32 {
  return changetype<NineFileSystem>(fileSystemOf(handle)).session.msize;
}
