// Laying a dnode (dnode_phys_t, 512 bytes) out from its fields, what
// dnode.ts reads, and an object set block around its meta dnode, what
// objset.ts reads. The pads are zero, and so is the bonus space past the
// bonus length.
//
//   +0 u8 type  +1 u8 indblkshift  +2 u8 nlevels  +3 u8 nblkptr  +4 u8 bonustype
//   +5 u8 checksum  +6 u8 compress  +7 u8 flags  +8 u16 data block size in sectors
//   +10 u16 bonuslen  +12 pad  +16 u64 maxblkid  +24 u64 used  +32 pad
//   +64 blkptr[nblkptr]  then bonus[bonuslen]

import { storeLe64 } from "./bytes";
import { NewBlockPointer, writeBlockPointer, BLOCK_POINTER_SIZE } from "./blkptr";

// The layout dnode.ts and objset.ts read too.
export const DNODE_SIZE: i32 = 512;
export const BLOCK_POINTERS_AT: i32 = 64;

export class NewDnode {
  type: u32 = 0;
  indirectShift: u32 = 14;
  levels: u32 = 1;
  bonusType: u32 = 0;
  checksum: u32 = 0;
  compression: u32 = 0;
  flags: u32 = 0;
  /** Data block size in bytes (a multiple of 512). */
  blockSize: i32 = 512;
  maxBlock: u64 = 0;
  /** Space used, in bytes when flags has USED_BYTES (bit 0), else in sectors. */
  used: u64 = 0;
  /** The top-level block pointers (1 to 3); a null one is a hole. */
  pointers: Array<NewBlockPointer | null> = [null];
  bonus: Uint8Array = new Uint8Array(0);
}

/** Writes `dnode` over `data[at, at + 512)`; false when its pointers and bonus do not fit. */
export function writeDnode(data: Uint8Array, at: i32, dnode: NewDnode): bool {
  const count = dnode.pointers.length;
  if (count < 1 || count > 3 || BLOCK_POINTERS_AT + count * BLOCK_POINTER_SIZE + dnode.bonus.length > DNODE_SIZE) return false;
  for (let i = 0; i < DNODE_SIZE; i++) data[at + i] = 0;
  data[at] = <u8>dnode.type;
  data[at + 1] = <u8>dnode.indirectShift;
  data[at + 2] = <u8>dnode.levels;
  data[at + 3] = <u8>count;
  data[at + 4] = <u8>dnode.bonusType;
  data[at + 5] = <u8>dnode.checksum;
  data[at + 6] = <u8>dnode.compression;
  data[at + 7] = <u8>dnode.flags;
  const sectors = dnode.blockSize >> 9;
  data[at + 8] = <u8>sectors;
  data[at + 9] = <u8>(sectors >> 8);
  data[at + 10] = <u8>dnode.bonus.length;
  data[at + 11] = <u8>(dnode.bonus.length >> 8);
  storeLe64(data, at + 16, dnode.maxBlock);
  storeLe64(data, at + 24, dnode.used);
  for (let i = 0; i < count; i++) {
    const pointer = dnode.pointers[i];
    if (pointer !== null) writeBlockPointer(data, at + BLOCK_POINTERS_AT + i * BLOCK_POINTER_SIZE, pointer);
  }
  const bonusAt = at + BLOCK_POINTERS_AT + count * BLOCK_POINTER_SIZE;
  for (let i = 0; i < dnode.bonus.length; i++) data[bonusAt + i] = dnode.bonus[i];
  return true;
}

/** objset_phys_t: the meta dnode, the intent log header, the type, then (2 KiB form) the user and group accounting dnodes. */
const OBJSET_LOG_AT: i32 = 512;
const OBJSET_LOG_BYTES: i32 = 192;
export const OBJSET_TYPE_AT: i32 = 704;
export const OBJSET_FLAGS_AT: i32 = 712;
export const OBJSET_USER_AT: i32 = 1024;
export const OBJSET_GROUP_AT: i32 = 1536;

export class NewObjset {
  meta: NewDnode = new NewDnode();
  /** The intent log header (192 bytes; zero for a log never written). */
  log: Uint8Array = new Uint8Array(OBJSET_LOG_BYTES);
  /** 1: the MOS, 2: a ZPL dataset. */
  type: u64 = 0;
  flags: u64 = 0;
  /** The 2 KiB form (pool version 15 and later), with room for the user and group space accounting dnodes. */
  accounting: bool = true;
  /** Those dnodes; null leaves one free (zero). */
  userUsed: NewDnode | null = null;
  groupUsed: NewDnode | null = null;
}

/** The object set block (1 or 2 KiB) for `objset`, or null when one of its dnodes does not fit. */
export function objsetBlock(objset: NewObjset): Uint8Array | null {
  const block = new Uint8Array(objset.accounting ? 2048 : 1024);
  if (!writeDnode(block, 0, objset.meta)) return null;
  for (let i = 0; i < OBJSET_LOG_BYTES; i++) block[OBJSET_LOG_AT + i] = objset.log[i];
  storeLe64(block, OBJSET_TYPE_AT, objset.type);
  storeLe64(block, OBJSET_FLAGS_AT, objset.flags);
  const user = objset.userUsed;
  const group = objset.groupUsed;
  if (objset.accounting && user !== null && !writeDnode(block, OBJSET_USER_AT, user)) return null;
  if (objset.accounting && group !== null && !writeDnode(block, OBJSET_GROUP_AT, group)) return null;
  return block;
}
