// The block pointer (blkptr_t, 128 bytes): where a block's copies are, how
// big it is before and after compression, and its checksum. A BlockPointer
// is a view of 128 bytes inside a larger block (an indirect block, a dnode,
// a dataset record); it copies nothing.
//
//   +0   dva[3]   three 16-byte addresses (copies):
//                   word 0: vdev (bits 32-63), grid (24-31), allocated sectors (0-23)
//                   word 1: gang (bit 63), offset in 512-byte sectors (0-62)
//   +48  prop     lsize-1 (0-15) and psize-1 (16-31) in sectors, compression (32-39),
//                 checksum (40-47), type (48-55), level (56-60), dedup (62), little-endian (63)
//   +56  pad[2], +72 physical birth, +80 birth txg, +88 fill count
//   +96  checksum[4]

import { le64 } from "./bytes";

export const BLOCK_POINTER_SIZE: i32 = 128;
const PROP: i32 = 48;
const BIRTH: i32 = 80;
export const CHECKSUM_AT: i32 = 96;

export class BlockPointer {
  constructor(public data: Uint8Array, public at: i32) {}

  @inline private word(offset: i32): u64 {
    return le64(this.data, this.at + offset);
  }

  /** Allocated size of copy `i` in bytes (0: no such copy). */
  allocated(i: i32): u64 {
    return (this.word(i * 16) & 0xffffff) << 9;
  }
  vdev(i: i32): u32 {
    return <u32>(this.word(i * 16) >> 32);
  }
  /** Byte offset of copy `i` from the end of the front labels. */
  offset(i: i32): u64 {
    return (this.word(i * 16 + 8) & 0x7fffffffffffffff) << 9;
  }
  isGang(i: i32): bool {
    return (this.word(i * 16 + 8) >> 63) != 0;
  }

  /** A hole: no data was ever written here (reads as zeros). */
  get isHole(): bool {
    return this.word(0) == 0 && this.word(8) == 0;
  }

  get logicalSize(): i32 {
    return (<i32>(this.word(PROP) & 0xffff) + 1) << 9;
  }
  get physicalSize(): i32 {
    return (<i32>((this.word(PROP) >> 16) & 0xffff) + 1) << 9;
  }
  get compression(): u32 {
    return <u32>((this.word(PROP) >> 32) & 0xff);
  }
  get checksum(): u32 {
    return <u32>((this.word(PROP) >> 40) & 0xff);
  }
  get type(): u32 {
    return <u32>((this.word(PROP) >> 48) & 0xff);
  }
  get level(): i32 {
    return <i32>((this.word(PROP) >> 56) & 0x1f);
  }
  get littleEndian(): bool {
    return (this.word(PROP) >> 63) != 0;
  }
  get birth(): u64 {
    return this.word(BIRTH);
  }
  checksumWord(i: i32): u64 {
    return this.word(CHECKSUM_AT + i * 8);
  }
}
