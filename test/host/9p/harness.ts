// The host-test harness's part for fs/9p's message codec: requests are built
// into a buffer the test owns and returned as their length; replies the test
// writes are read back through the codec (test/host/9p/client.ts).

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
