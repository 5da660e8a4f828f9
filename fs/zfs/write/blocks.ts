// Writing one block: compress it (lzjb, zle or gzip, when that saves at
// least an eighth, as ZFS requires), checksum what goes on disk, allocate a place for each
// copy and write them, and describe it all in a block pointer. A block of
// zeros written with compression on becomes a hole, as in ZFS.
//
// A block born in the open txg may be written again in a later sync pass
// (the MOS changes while its own space maps are written): when the new
// data fits the space it already has, it goes there (same addresses, new
// checksum), so the passes converge; otherwise that space is given back
// and new space allocated.

import { NewBlockPointer, Copy, BlockPointer, BLOCK_POINTER_SIZE, CHECKSUM_AT, writeBlockPointer } from "../blkptr";
import { fletcher2, fletcher4 } from "../fletcher";
import { sha256Words } from "../sha256";
import { lzjbCompress } from "../lzjb";
import { zleCompress } from "../zle";
import { zlibDeflate } from "../deflate";
import { CHECKSUM_FLETCHER2, CHECKSUM_FLETCHER4, CHECKSUM_SHA256 } from "../checksum";
import { deviceRead, deviceWrite } from "../host";
import { checksumMatches, MATCH } from "../checksum";
import { decompress } from "../decompress";
import { EIO, ENOSPC } from "../errno";
import { VdevSpace } from "./space";

export const COMPRESS_OFF: u32 = 2;
export const COMPRESS_LZJB: u32 = 3;
export const COMPRESS_ZLE: u32 = 14;
/** gzip-1 .. gzip-9; compression=gzip is gzip-6. */
export const COMPRESS_GZIP_1: u32 = 5;
export const COMPRESS_GZIP_6: u32 = 10;
export const COMPRESS_GZIP_9: u32 = 13;
/** Where allocatable space starts on the device: past the two front labels and the boot area. */
export const DATA_START: i64 = 4 << 20;

/** How a block is written: its type and level, checksum and compression functions, and copies. */
export class Policy {
  constructor(public type: u32, public level: i32, public checksum: u32, public compression: u32, public copies: i32) {}
}

/** A block pointer as raw bytes (what parents hold), with a view to read it. */
export function pointerView(bytes: Uint8Array): BlockPointer {
  return new BlockPointer(bytes, 0);
}

export class BlockWriter {
  /** The last error (negative errno) of write(). */
  error: i32 = 0;
  /** Bytes written to the device since the last flush (the sync's barrier decides when to flush). */
  written: u64 = 0;
  private sums: StaticArray<u64> = new StaticArray<u64>(4);

  /** `devices`: every side of the top-level vdev (one, or a mirror's), each of which takes every block. */
  constructor(public space: VdevSpace, public devices: Array<i32>, public txg: u64) {}

  /**
   * Writes `data` (its whole length, a multiple of 512, at most 128 KiB) and
   * answers its block pointer's 128 bytes, all zero for a hole; null on
   * error (`error`). `previous`, when it is a block born in this txg, is
   * reused in place if the new data fits, else released.
   */
  write(data: Uint8Array, policy: Policy, fill: u64, previous: Uint8Array | null): Uint8Array | null {
    const logical = data.length;
    let physical = data;
    let compression = COMPRESS_OFF;
    if (policy.compression != COMPRESS_OFF) {
      if (allZero(data)) return this.hole(previous);
      const kind = policy.compression;
      const gzip = kind >= COMPRESS_GZIP_1 && kind <= COMPRESS_GZIP_9;
      if (kind == COMPRESS_LZJB || kind == COMPRESS_ZLE || gzip) {
        const limit = logical - (logical >> 3);
        const target = new Uint8Array(logical);
        const length = gzip ? zlibDeflate(data, logical, target, limit)
          : kind == COMPRESS_LZJB ? lzjbCompress(data, logical, target, limit) : zleCompress(data, logical, target, limit);
        if (length < logical) {
          const padded = (length + 511) & ~511;
          if (padded < logical) {
            physical = target.subarray(0, padded);
            for (let i = length; i < padded; i++) physical[i] = 0;
            compression = policy.compression;
          }
        }
      }
    }
    const fields = new NewBlockPointer();
    fields.logicalSize = logical;
    fields.physicalSize = physical.length;
    fields.compression = compression;
    fields.checksum = policy.checksum;
    fields.type = policy.type;
    fields.level = policy.level;
    fields.birth = this.txg;
    fields.fill = fill;
    this.checksum(policy.checksum, physical, fields.checksumWords);
    if (!this.place(fields, physical.length, policy.copies, previous)) return null;
    for (let i = 0; i < fields.copies.length; i++) {
      const copy = fields.copies[i];
      for (let d = 0; d < this.devices.length; d++) {
        const result = deviceWrite(this.devices[d], DATA_START + <i64>copy.offset, physical.dataStart, physical.length);
        if (result < 0) return this.fail(result);
        this.written += <u64>physical.length;
      }
    }
    const pointer = new Uint8Array(BLOCK_POINTER_SIZE);
    writeBlockPointer(pointer, 0, fields);
    return pointer;
  }

  /** The logical data of a block this pool wrote (the first good copy on any side), `size` bytes; null on a read or checksum error. */
  readBack(pointer: Uint8Array, size: i32): Uint8Array | null {
    const bp = pointerView(pointer);
    if (bp.isHole) return new Uint8Array(size);
    const physical = bp.physicalSize;
    const raw = new Uint8Array(physical);
    for (let i = 0; i < 3; i++) {
      if (bp.allocated(i) == 0) continue;
      for (let d = 0; d < this.devices.length; d++) {
        if (deviceRead(this.devices[d], DATA_START + <i64>bp.offset(i), raw.dataStart, physical) < 0) continue;
        if (checksumMatches(bp.checksum, raw, physical, pointer, CHECKSUM_AT) != MATCH) continue;
        if (bp.compression == COMPRESS_OFF) return raw;
        const data = new Uint8Array(bp.logicalSize);
        if (decompress(bp.compression, raw, physical, data, data.length)) return data;
      }
    }
    this.error = -EIO;
    return null;
  }

  /** Gives back the space of a block this txg no longer references (deferred unless born in this txg). False: it was not allocated. */
  release(pointer: Uint8Array): bool {
    const bp = pointerView(pointer);
    if (bp.isHole) return true;
    let ok = true;
    for (let i = 0; i < 3; i++) {
      const size = bp.allocated(i);
      if (size != 0 && !this.space.release(bp.offset(i), size)) ok = false;
    }
    return ok;
  }

  private hole(previous: Uint8Array | null): Uint8Array {
    if (previous !== null) this.release(previous);
    return new Uint8Array(BLOCK_POINTER_SIZE);
  }

  private fail(error: i32): Uint8Array | null {
    this.error = error < 0 ? error : -EIO;
    return null;
  }

  /**
   * Fills `fields.copies` for a block of `physical` bytes: the previous
   * block's places when it was born now, has as many copies and room
   * enough; else new ones, in whole allocation units of the vdev.
   */
  private place(fields: NewBlockPointer, physical: i32, copies: i32, previous: Uint8Array | null): bool {
    const size = this.space.allocationSize(<u64>physical);
    if (previous !== null) {
      const old = pointerView(previous);
      if (!old.isHole && old.birth == this.txg) {
        let fits = true;
        let count = 0;
        for (let i = 0; i < 3; i++) {
          if (old.allocated(i) == 0) continue;
          count++;
          if (old.allocated(i) < size) fits = false;
        }
        if (fits && count == copies) {
          for (let i = 0; i < count; i++) fields.copies.push(new Copy(0, old.offset(i), old.allocated(i)));
          return true;
        }
      }
      this.release(previous);
    }
    const taken = new Array<i32>();
    for (let i = 0; i < copies; i++) {
      const at = this.space.allocate(size, i, copies, taken);
      if (at < 0) {
        for (let k = 0; k < fields.copies.length; k++) this.space.release(fields.copies[k].offset, fields.copies[k].allocated);
        fields.copies.length = 0;
        this.error = -ENOSPC;
        return false;
      }
      taken.push(this.space.metaslabOf(<u64>at));
      fields.copies.push(new Copy(0, <u64>at, size));
    }
    return true;
  }

  private checksum(kind: u32, data: Uint8Array, into: StaticArray<u64>): void {
    const sums = this.sums;
    if (kind == CHECKSUM_SHA256) sha256Words(data, data.length, sums);
    else if (kind == CHECKSUM_FLETCHER2) fletcher2(data, data.length, sums);
    else fletcher4(data, data.length, sums);
    for (let i = 0; i < 4; i++) unchecked(into[i] = sums[i]);
  }
}

export function allZero(data: Uint8Array): bool {
  const base = data.dataStart;
  const words = data.length >> 3;
  for (let i = 0; i < words; i++) if (load<u64>(base + (<usize>i << 3)) != 0) return false;
  for (let i = words << 3; i < data.length; i++) if (data[i] != 0) return false;
  return true;
}
