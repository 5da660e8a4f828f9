// A RAMFS file's bytes: whole pages from the page allocator, found through a
// chunk index.
//
//   index (malloc'd, `capacity` slots):  [ page | 0 | page | page | 0 ... ]
//                                           │         │
//   chunk i holds bytes [i*4096, (i+1)*4096) of the file; 0 is a hole
//
// Appending never moves file data: a write takes fresh pages for the chunks
// it reaches, and only the index grows, doubling, so its copies add up to at
// most twice its final size (O(1) amortised per append; a 64 MiB file has a
// 64 KiB index). Holes, and bytes past a shrink, read as zeros: a chunk made
// for part of its bytes starts zeroed, and truncate zeroes the tail of the
// chunk the new end falls in. Truncate gives back every page past the new
// end and shrinks an index left mostly empty.

import { memoryLow } from "../../kernel/mm/index";
import { ENOSPC, EFBIG } from "../../kernel/errno";
import { malloc, free } from "../../kernel/mm/index";
import { pages, PAGE_SIZE, PAGE_SHIFT, USE_LARGE } from "../../kernel/mm/pages";

/** Largest RAMFS file (4 TiB, sparse): chunk numbers stay within u32. */
export const MAX_FILE_SIZE: u64 = 1 << 42;
const FIRST_CAPACITY: u32 = 8;
/** Largest chunk index (what 32-bit sizes can express; memory runs out well before). */
const MAX_INDEX_BYTES: u64 = 0x7fff_ffff;
const SLOT: usize = sizeof<usize>();

// What file data has cost since boot, for the tests and `wisp bench storage`.
/** Pages taken for file data. */
export let pagesTaken: u64 = 0;
/** Index slots copied while growing or shrinking an index. */
export let slotsCopied: u64 = 0;
/** Index reallocations. */
export let indexMoves: u64 = 0;

// @ts-ignore: decorator
@inline function chunkOf(offset: u64): u32 {
  return <u32>(offset >> PAGE_SHIFT);
}

export class FileData {
  size: u64 = 0;
  /** The chunk index: `capacity` page addresses (0 for a hole). */
  index: usize = 0;
  capacity: u32 = 0;
  /** Pages this file holds (for stat's blocks). */
  pageCount: u32 = 0;

  // @ts-ignore: decorator
  @inline chunk(number: u32): usize {
    return number < this.capacity ? load<usize>(this.index + <usize>number * SLOT) : 0;
  }

  // @ts-ignore: decorator
  @inline setChunk(number: u32, page: usize): void {
    store<usize>(this.index + <usize>number * SLOT, page);
  }

  /** Moves the index to one of `capacity` slots; false if memory is short. */
  private resizeIndex(capacity: u32): bool {
    let moved: usize = 0;
    if (capacity != 0) {
      if (<u64>capacity * SLOT > MAX_INDEX_BYTES) return false;
      moved = malloc(<usize>capacity * SLOT);
      if (moved == 0) return false;
      const kept = min(capacity, this.capacity);
      memory.copy(moved, this.index, <usize>kept * SLOT);
      memory.fill(moved + <usize>kept * SLOT, 0, <usize>(capacity - kept) * SLOT);
      slotsCopied += kept;
    }
    indexMoves++;
    free(this.index);
    this.index = moved;
    this.capacity = capacity;
    return true;
  }

  /** Makes room in the index for chunk numbers below `needed`, doubling. */
  private reserve(needed: u32): bool {
    if (needed <= this.capacity) return true;
    let capacity = max(this.capacity, FIRST_CAPACITY);
    while (capacity < needed) capacity = capacity <= 0x3fff_ffff ? capacity << 1 : needed;
    return this.resizeIndex(capacity);
  }

  read(offset: u64, buffer: usize, length: usize): i64 {
    if (offset >= this.size) return 0;
    const count = <usize>min<u64>(<u64>length, this.size - offset);
    let done: usize = 0;
    while (done < count) {
      const at = offset + done;
      const within = <usize>(at & (PAGE_SIZE - 1));
      const piece = min(PAGE_SIZE - within, count - done);
      const page = this.chunk(chunkOf(at));
      if (page == 0) memory.fill(buffer + done, 0, piece);
      else memory.copy(buffer + done, page + within, piece);
      done += piece;
    }
    return <i64>count;
  }

  write(offset: u64, buffer: usize, length: usize): i64 {
    if (length == 0) return 0;
    const end = offset + <u64>length;
    if (end > MAX_FILE_SIZE || end < offset) return -EFBIG;
    if (!this.reserve(chunkOf(end - 1) + 1)) return -ENOSPC;
    let done: usize = 0;
    while (done < length) {
      const at = offset + done;
      const within = <usize>(at & (PAGE_SIZE - 1));
      const piece = min(PAGE_SIZE - within, length - done);
      const number = chunkOf(at);
      let page = this.chunk(number);
      if (page == 0) {
        // The kernel's reserve is not for file data: a full RAMFS is ENOSPC, never a kernel out of memory.
        page = memoryLow() ? 0 : piece == PAGE_SIZE ? pages.alloc(1, USE_LARGE) : pages.allocZeroed(1, USE_LARGE);
        if (page == 0) break;
        this.setChunk(number, page);
        this.pageCount++;
        pagesTaken++;
      }
      memory.copy(page + within, buffer + done, piece);
      done += piece;
    }
    if (done == 0) return -ENOSPC;
    if (offset + done > this.size) this.size = offset + done;
    return <i64>done;
  }

  truncate(size: u64): i32 {
    if (size > MAX_FILE_SIZE) return -EFBIG;
    if (size < this.size) {
      // Pages wholly past the new end go; the one it falls in loses its tail.
      const keep = <u32>((size + PAGE_SIZE - 1) >> PAGE_SHIFT);
      for (let number = keep; number < this.capacity; number++) {
        const page = this.chunk(number);
        if (page != 0) {
          pages.free(page);
          this.setChunk(number, 0);
          this.pageCount--;
        }
      }
      const within = <usize>(size & (PAGE_SIZE - 1));
      if (within != 0) {
        const page = this.chunk(chunkOf(size));
        if (page != 0) memory.fill(page + within, 0, PAGE_SIZE - within);
      }
      if (keep == 0 && this.capacity != 0) this.resizeIndex(0);
      else if (keep <= this.capacity / 4 && this.capacity > FIRST_CAPACITY) this.resizeIndex(max(keep, FIRST_CAPACITY));
    }
    this.size = size;
    return 0;
  }

  /** Gives back every page and the index. */
  clear(): void {
    this.truncate(0);
  }
}
