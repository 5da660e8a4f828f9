// Object sets (objset_phys_t): the MOS and each dataset's contents. An
// object set is an array of dnodes kept as the data of its meta dnode;
// object N is the Nth 512-byte dnode there.
//
//   +0 meta dnode (512)   +512 intent log header (192)   +704 u64 type (1 MOS, 2 ZPL)
//   (1 KiB; 2 KiB with the user and group accounting dnodes after it)

import { BlockPointer } from "./blkptr";
import { le64 } from "./bytes";
import { Dnode, DNODE_SIZE, readObjectBlock } from "./dnode";
import { readBlock, ioError, ANY } from "./io";
import { Pool } from "./pool";
import { EIO, ENOENT } from "./errno";
import { OBJSET_TYPE_AT } from "./dnode-write";

export const OBJSET_META: u64 = 1;
export const OBJSET_ZPL: u64 = 2;
const MIN_OBJSET: i32 = 1024;

export class Objset {
  constructor(public pool: Pool, public meta: Dnode, public type: u64) {}

  /** Object `object`'s dnode, or null with `objsetError` set (-ENOENT for a free or missing object). */
  dnode(object: u64): Dnode | null {
    const perBlock = <u64>(this.meta.blockSize / DNODE_SIZE);
    const block = object / perBlock;
    if (object == 0 || block > this.meta.maxBlock) return this.fail(-ENOENT);
    const data = readObjectBlock(this.pool, this.meta, block);
    if (data === null) return this.fail(ioError < 0 ? ioError : -EIO);
    const at = <i32>(object % perBlock) * DNODE_SIZE;
    const dnode = new Dnode(data.slice(at, at + DNODE_SIZE));
    if (dnode.type == 0) return this.fail(-ENOENT);
    if (!dnode.valid) return this.fail(-EIO);
    return dnode;
  }

  private fail(error: i32): Dnode | null {
    objsetError = error;
    return null;
  }
}

export let objsetError: i32 = 0;

/** The object set `bp` points at, or null with `objsetError` set. */
export function openObjset(pool: Pool, bp: BlockPointer): Objset | null {
  const data = readBlock(pool, bp, ANY, 0);
  if (data === null) {
    objsetError = ioError;
    return null;
  }
  const meta = new Dnode(data.slice(0, DNODE_SIZE));
  if (data.length < MIN_OBJSET || !meta.valid) {
    objsetError = -EIO;
    return null;
  }
  return new Objset(pool, meta, le64(data, OBJSET_TYPE_AT));
}
