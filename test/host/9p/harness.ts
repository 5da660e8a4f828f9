// The host-test harness's part for fs/9p's message codec: requests are built
// into a buffer the test owns and returned as their length; replies the test
// writes are read back through the codec (test/host/9p/client.ts).

import { MessageWriter, MessageReader, Qid } from "../../../fs/9p/message";
import { writeVersion, writeAttach, readVersion, readAttach } from "../../../fs/9p/requests";

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
  if (qid === null) qid = new Qid();
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
