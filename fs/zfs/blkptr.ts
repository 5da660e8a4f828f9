// The block pointer (blkptr_t, 128 bytes): where a block's copies are, how
// big it is before and after compression, and its checksum. A BlockPointer
// is a view of 128 bytes inside a larger block (an indirect block, a dnode,
// a dataset record); it copies nothing. writeBlockPointer lays one out from
// a NewBlockPointer's fields (little-endian, as this module always writes).
//
//   +0   dva[3]   three 16-byte addresses (copies):
//                   word 0: vdev (bits 32-63), grid (24-31), allocated sectors (0-23)
//                   word 1: gang (bit 63), offset in 512-byte sectors (0-62)
//   +48  prop     lsize-1 (0-15) and psize-1 (16-31) in sectors, compression (32-39),
//                 checksum (40-47), type (48-55), level (56-60), dedup (62), little-endian (63)
//   +56  pad[2], +72 physical birth, +80 birth txg, +88 fill count
//   +96  checksum[4]

import { le64, storeLe64 } from "./bytes";

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

/** One copy of a block: its vdev, where it starts (bytes from the end of the front labels) and the space it takes. */
export class Copy {
  constructor(public vdev: u32, public offset: u64, public allocated: u64, public gang: bool = false) {}
}

/** What writeBlockPointer writes. Sizes are bytes (multiples of 512); checksum words as the function computed them. */
export class NewBlockPointer {
  copies: Array<Copy> = new Array<Copy>();
  logicalSize: i32 = 0;
  physicalSize: i32 = 0;
  compression: u32 = 0;
  checksum: u32 = 0;
  type: u32 = 0;
  level: i32 = 0;
  birth: u64 = 0;
  /** 0 when the block was written in its birth txg (as every block of a pool that never rewrites in place). */
  physicalBirth: u64 = 0;
  fill: u64 = 0;
  checksumWords: StaticArray<u64> = new StaticArray<u64>(4);
}

/** Writes `fields` as a block pointer at `data[at, at + 128)` (every byte of it). */
export function writeBlockPointer(data: Uint8Array, at: i32, fields: NewBlockPointer): void {
  for (let i = 0; i < 3; i++) {
    let word0: u64 = 0;
    let word1: u64 = 0;
    if (i < fields.copies.length) {
      const copy = fields.copies[i];
      word0 = (<u64>copy.vdev << 32) | ((copy.allocated >> 9) & 0xffffff);
      word1 = ((copy.offset >> 9) & 0x7fffffffffffffff) | (copy.gang ? <u64>1 << 63 : 0);
    }
    storeLe64(data, at + i * 16, word0);
    storeLe64(data, at + i * 16 + 8, word1);
  }
  const prop = <u64>((fields.logicalSize >> 9) - 1) | (<u64>((fields.physicalSize >> 9) - 1) << 16) |
    (<u64>(fields.compression & 0xff) << 32) | (<u64>(fields.checksum & 0xff) << 40) | (<u64>(fields.type & 0xff) << 48) |
    (<u64>(fields.level & 0x1f) << 56) | (<u64>1 << 63);
  storeLe64(data, at + PROP, prop);
  storeLe64(data, at + 56, 0);
  storeLe64(data, at + 64, 0);
  storeLe64(data, at + 72, fields.physicalBirth);
  storeLe64(data, at + BIRTH, fields.birth);
  storeLe64(data, at + 88, fields.fill);
  for (let i = 0; i < 4; i++) storeLe64(data, at + CHECKSUM_AT + i * 8, unchecked(fields.checksumWords[i]));
}
