// Recently read stretches of a ROFS image on a disk, so that small files
// packed next to each other cost one device request between them, not one
// each.
//
// The image is cut into 64 KiB chunks; up to SLOTS of them are kept, the
// least recently used one replaced. fetchStored sends reads shorter than a
// chunk here (copied out of the chunks they touch); a file's whole 64 KiB
// blocks, and the metadata read at mount, go straight to the device. Only
// what the device returned without an error is kept. The vnode checks a
// block's CRC-32C after every fetch, cached or not, so cached bytes are
// trusted no further than they were when read.
//
// Buffers are allocated when first needed and freed by release() (at
// unmount). When kernel memory is low (kernel/mm memoryLow) or a buffer
// cannot be had, the read goes straight to the device instead.

import { BlockDevice } from "../../drivers/block/device";
import { EIO } from "../../kernel/errno";
import { memoryLow } from "../../kernel/mm/index";

export const CHUNK_SHIFT: u32 = 16;
export const CHUNK_BYTES: usize = <usize>1 << CHUNK_SHIFT;
const SLOTS: i32 = 4;
const EMPTY: u64 = u64.MAX_VALUE;
/** What copy returns when it cannot cache (no memory): the caller reads the device itself. */
export const NOT_CACHED: i32 = 1;

export class ImageCache {
  private chunks: StaticArray<u64> = new StaticArray<u64>(SLOTS);
  private buffers: StaticArray<usize> = new StaticArray<usize>(SLOTS);
  private lastUse: StaticArray<u64> = new StaticArray<u64>(SLOTS);
  private clock: u64 = 0;

  constructor(private disk: BlockDevice, private imageSize: u64) {
    this.chunks.fill(EMPTY);
  }

  /**
   * Copies the `length` bytes at image offset `offset` (inside the image)
   * into `into`: 0, -EIO if the device failed, or NOT_CACHED when there is
   * no memory for a chunk (nothing copied then).
   */
  copy(offset: u64, length: usize, into: usize): i32 {
    let done: usize = 0;
    while (done < length) {
      const at = offset + <u64>done;
      const data = this.chunk(at >> CHUNK_SHIFT);
      if (data < 0) return <i32>data;
      if (data == 0) return NOT_CACHED;
      const within = <usize>(at & (<u64>CHUNK_BYTES - 1));
      const piece = min<usize>(length - done, CHUNK_BYTES - within);
      memory.copy(into + done, <usize>data + within, piece);
      done += piece;
    }
    return 0;
  }

  /** The bytes of chunk `index`, read if not kept; 0 without memory for it, -EIO if the device failed. */
  private chunk(index: u64): i64 {
    let victim = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      if (unchecked(this.chunks[slot]) == index) {
        unchecked(this.lastUse[slot] = ++this.clock);
        return <i64>unchecked(this.buffers[slot]);
      }
      if (unchecked(this.lastUse[slot]) < unchecked(this.lastUse[victim])) victim = slot;
    }
    let buffer = unchecked(this.buffers[victim]);
    if (buffer == 0) {
      if (memoryLow()) return 0;
      buffer = heap.alloc(CHUNK_BYTES);
      if (buffer == 0) return 0;
      unchecked(this.buffers[victim] = buffer);
    }
    unchecked(this.chunks[victim] = EMPTY);
    const sectorSize = <u64>this.disk.sectorSize;
    const start = index << CHUNK_SHIFT;
    const end = min<u64>(start + <u64>CHUNK_BYTES, this.imageSize);
    const first = start / sectorSize;
    if (first >= this.disk.sectors) return -EIO;
    const count = min<u64>((end - start + sectorSize - 1) / sectorSize, this.disk.sectors - first);
    if (this.disk.read(first, buffer, <u32>count) < 0) return -EIO;
    unchecked(this.chunks[victim] = index);
    unchecked(this.lastUse[victim] = ++this.clock);
    return <i64>buffer;
  }

  /** Frees the chunks' buffers. */
  release(): void {
    for (let slot = 0; slot < SLOTS; slot++) {
      const buffer = unchecked(this.buffers[slot]);
      if (buffer != 0) heap.free(buffer);
      unchecked(this.buffers[slot] = 0);
      unchecked(this.chunks[slot] = EMPTY);
    }
    heap.free(changetype<usize>(this.chunks));
    heap.free(changetype<usize>(this.buffers));
    heap.free(changetype<usize>(this.lastUse));
  }
}
