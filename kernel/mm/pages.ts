// The page-frame allocator: every usable 4 KiB frame of RAM, as the firmware
// memory map describes it.
//
// Design
//   - A bitmap with one bit per frame between the lowest and the highest
//     usable address (1 = free), scanned 32 frames at a time.
//   - A u32 descriptor per frame in use saying what it is used for (a free
//     frame's descriptor is meaningless: the bitmap is the truth for it, so
//     setting up 4 GiB costs one memset and word-wide bitmap fills):
//
//       31                         9   8   7          0
//       +----------------------------+----+------------+
//       | value                      |head| use (USE_*) |
//       +----------------------------+----+------------+
//
//     The first frame of an allocated run is its head and holds the run's
//     length in `value`, so free() needs only the address; slab frames keep
//     their index within the slab there instead (see slab.ts).
//   - Both arrays are sized from the RAM the firmware reports and carved out
//     of the boot arena (they are counted as boot memory): no fixed pools, so
//     2 MiB and 4 GiB machines both pay 0.1% (4.1 bytes per 4 KiB frame).
//   - Filled in lazily, so boot does not cost more with more RAM: the tables
//     are cut into chunks of 128 frames (512 KiB; up to 8,192 of them, one
//     byte each, below 4 GiB), and a chunk's bitmap words and its holes'
//     descriptors are written the first time anything looks at a frame in
//     it (ensureChunk). Until then
//     the usable ranges markFree recorded say which of its frames are free,
//     and the counts are kept from the ranges' lengths.
//   - alloc(count) is next fit: it looks for `count` contiguous free frames
//     from where the last search ended, wrapping once. Runs for DMA rings and
//     application memory are contiguous by construction.
//   - Misuse is a panic, never silent corruption: freeing a frame that is not
//     the head of an allocated run (a double free, or a pointer the allocator
//     never handed out) stops the kernel with the address.
//
// Accounting: frames per use, free frames, and the high-water mark of frames
// in use, for --meminfo and `wisp bench mem`.

import { panic } from "../panic";

export const PAGE_SIZE: usize = 4096;
export const PAGE_SHIFT: usize = 12;

/** Firmware holes and structures the kernel must not touch (0: what init leaves everywhere). */
export const USE_RESERVED: u32 = 0;
export const USE_FREE: u32 = 1;
/** The kernel's wasm static data and ELF image (text, data, bss, boot stack). */
export const USE_KERNEL: u32 = 2;
/** The boot arena: allocations made before this allocator existed, including its own tables. */
export const USE_BOOT: u32 = 3;
export const USE_PAGE_TABLES: u32 = 4;
export const USE_SLAB: u32 = 5;
export const USE_LARGE: u32 = 6;
export const USE_INITRD: u32 = 7;
export const USE_APP: u32 = 8;
/** Kernel thread stacks, guard pages included (kernel/sched). */
export const USE_STACK: u32 = 9;
export const USE_COUNT: u32 = 10;

export const HEAD: u32 = 1 << 8;
export const VALUE_SHIFT: u32 = 9;
/** The largest run or value a descriptor holds (2^23 frames = 32 GiB). */
export const MAX_VALUE: u32 = (1 << 23) - 1;

/** The use's name as one word, for machine-readable reports. */
export function useKey(use: u32): string {
  if (use == USE_FREE) return "free";
  if (use == USE_RESERVED) return "reserved";
  if (use == USE_KERNEL) return "kernel-image";
  if (use == USE_BOOT) return "boot-allocations";
  if (use == USE_PAGE_TABLES) return "page-tables";
  if (use == USE_SLAB) return "slabs";
  if (use == USE_LARGE) return "large-allocations";
  if (use == USE_INITRD) return "initrd";
  if (use == USE_APP) return "application";
  if (use == USE_STACK) return "thread-stacks";
  return "unknown";
}

export function useName(use: u32): string {
  if (use == USE_FREE) return "free";
  if (use == USE_RESERVED) return "reserved";
  if (use == USE_KERNEL) return "kernel image";
  if (use == USE_BOOT) return "boot allocations";
  if (use == USE_PAGE_TABLES) return "page tables";
  if (use == USE_SLAB) return "slabs";
  if (use == USE_LARGE) return "large allocations";
  if (use == USE_INITRD) return "initrd";
  if (use == USE_APP) return "application";
  if (use == USE_STACK) return "thread stacks";
  return "unknown";
}

export namespace pages {
  /** Physical address of frame 0 of the tables. */
  export let base: usize = 0;
  export let frames: u32 = 0;
  let bitmap: usize = 0;
  let descriptors: usize = 0;
  let hint: u32 = 0;
  /**
   * Chunks: 1 << chunkShift frames each (at most MAX_CHUNKS of them: 128
   * frames up to 4 GiB); a byte per chunk after the descriptors, 1 once its
   * tables are filled in.
   */
  const MAX_CHUNKS: u32 = 8192;
  const MIN_CHUNK_SHIFT: u32 = 7;
  let chunkShift: u32 = MIN_CHUNK_SHIFT;
  let chunks: u32 = 0;
  let readyChunks: u32 = 0;
  let ready: usize = 0;
  /** The usable ranges markFree recorded, as frame spans [first, end): sorted, disjoint, merged. */
  const MAX_RANGES: u32 = 32;
  const ranges = memory.data(<i32>MAX_RANGES * 8);
  let rangeCount: u32 = 0;
  /** Frames per use (index USE_*). */
  const counts = memory.data(<i32>USE_COUNT * 4);
  export let usable: u32 = 0;
  export let highWater: u32 = 0;

  /** Bytes of metadata needed for `frameCount` frames (bitmap, descriptors, a byte per chunk). */
  export function metadataBytes(frameCount: u32): usize {
    return ((<usize>frameCount + 31) >> 5 << 2) + (<usize>frameCount << 2) + <usize>chunksOf(frameCount, chunkShiftFor(frameCount));
  }

  /** The chunk size (as a shift) for `frameCount` frames: the smallest that needs at most MAX_CHUNKS chunks. */
  function chunkShiftFor(frameCount: u32): u32 {
    let shift = MIN_CHUNK_SHIFT;
    while (chunksOf(frameCount, shift) > MAX_CHUNKS) shift++;
    return shift;
  }

  /**
   * Starts with every frame in [low, high) reserved, using `metadata` (at
   * least metadataBytes(...) bytes) for the tables. Callers then release the
   * usable ranges with markFree, call sealHoles once, and claim known regions
   * with claim.
   */
  export function init(low: usize, high: u64, metadata: usize): void {
    base = low & ~(PAGE_SIZE - 1);
    frames = <u32>((high - <u64>base) >> PAGE_SHIFT);
    bitmap = metadata;
    descriptors = metadata + ((<usize>frames + 31) >> 5 << 2);
    ready = descriptors + (<usize>frames << 2);
    // Neither table is written here: each chunk's part is, at its first use
    // (ensureChunk). Free frames need no descriptor; the holes between
    // usable ranges get theirs then.
    chunkShift = chunkShiftFor(frames);
    chunks = chunksOf(frames, chunkShift);
    memory.fill(ready, 0, <usize>chunks);
    readyChunks = 0;
    rangeCount = 0;
    memory.fill(counts, 0, <usize>USE_COUNT * 4);
    store<u32>(counts + (<usize>USE_RESERVED << 2), frames);
    hint = 0;
    usable = 0;
    highWater = 0;
  }

  // @ts-ignore: decorator
  @inline function descriptor(frame: u32): u32 {
    ensureChunk(frame >> chunkShift);
    return load<u32>(descriptors + (<usize>frame << 2));
  }

  // @ts-ignore: decorator
  @inline function setDescriptor(frame: u32, value: u32): void {
    store<u32>(descriptors + (<usize>frame << 2), value);
  }

  /** Sets `count` descriptors from `frame` on to `value`, two per store and four per step where it can. */
  function setDescriptors(frame: u32, count: u32, value: u32): void {
    let at = descriptors + (<usize>frame << 2);
    const end = at + (<usize>count << 2);
    if ((frame & 1) != 0 && at < end) {
      store<u32>(at, value);
      at += 4;
    }
    const pair = (<u64>value << 32) | <u64>value;
    for (; at + 16 <= end; at += 16) {
      store<u64>(at, pair);
      store<u64>(at + 8, pair);
    }
    if (at + 8 <= end) {
      store<u64>(at, pair);
      at += 8;
    }
    if (at < end) store<u32>(at, value);
  }

  // @ts-ignore: decorator
  @inline function isFree(frame: u32): bool {
    ensureChunk(frame >> chunkShift);
    return (load<u32>(bitmap + (<usize>(frame >> 5) << 2)) & (1 << (frame & 31))) != 0;
  }

  /** How many chunks of 1 << shift frames `frameCount` frames make. */
  function chunksOf(frameCount: u32, shift: u32): u32 {
    return <u32>((<u64>frameCount + (<u64>1 << shift) - 1) >> shift);
  }

  /** The first frame of chunk `chunk` (chunkEnd: the end of its frames). */
  // @ts-ignore: decorator
  @inline function chunkStart(chunk: u32): u32 {
    return chunk << chunkShift;
  }

  function chunkEnd(chunk: u32): u32 {
    return <u32>min<u64>((<u64>chunk + 1) << chunkShift, <u64>frames);
  }

  function rangeFirst(i: u32): u32 {
    return load<u32>(ranges + (<usize>i << 3));
  }

  function rangeEnd(i: u32): u32 {
    return load<u32>(ranges + (<usize>i << 3) + 4);
  }

  /** Frames of [first, end) inside the recorded usable ranges. */
  function coveredByRanges(first: u32, end: u32): u32 {
    let covered: u32 = 0;
    for (let i: u32 = 0; i < rangeCount; i++) {
      const from = max<u32>(first, rangeFirst(i));
      const to = min<u32>(end, rangeEnd(i));
      if (to > from) covered += to - from;
    }
    return covered;
  }

  /** Adds [first, end) to the recorded ranges, merging; false when the list is full. */
  function recordRange(first: u32, end: u32): bool {
    // Drop every range that touches [first, end), widening it to cover them.
    let kept: u32 = 0;
    for (let i: u32 = 0; i < rangeCount; i++) {
      const from = rangeFirst(i);
      const to = rangeEnd(i);
      if (to < first || from > end) {
        store<u64>(ranges + (<usize>kept << 3), load<u64>(ranges + (<usize>i << 3)));
        kept++;
      } else {
        first = min<u32>(first, from);
        end = max<u32>(end, to);
      }
    }
    rangeCount = kept;
    if (rangeCount == MAX_RANGES) return false;
    let at = rangeCount;
    while (at > 0 && rangeFirst(at - 1) > first) {
      store<u64>(ranges + (<usize>at << 3), load<u64>(ranges + (<usize>(at - 1) << 3)));
      at--;
    }
    store<u32>(ranges + (<usize>at << 3), first);
    store<u32>(ranges + (<usize>at << 3) + 4, end);
    rangeCount++;
    return true;
  }

  /**
   * Fills in chunk `chunk`'s tables from the recorded ranges, if not yet:
   * its bitmap words (free where a range covers a frame) and the descriptors
   * of its frames no range covers (reserved).
   */
  // @ts-ignore: decorator
  @inline function ensureChunk(chunk: u32): void {
    if (load<u8>(ready + <usize>chunk) == 0) fillChunk(chunk);
  }

  function fillChunk(chunk: u32): void {
    store<u8>(ready + <usize>chunk, 1);
    readyChunks++;
    const first = chunkStart(chunk);
    const end = chunkEnd(chunk);
    memory.fill(bitmap + (<usize>(first >> 5) << 2), 0, <usize>((end - first + 31) >> 5) << 2);
    let hole = first;
    for (let i: u32 = 0; i < rangeCount; i++) {
      const from = max<u32>(first, rangeFirst(i));
      const to = min<u32>(end, rangeEnd(i));
      if (to <= from) continue;
      for (let frame = hole; frame < from; frame++) setDescriptor(frame, USE_RESERVED);
      fillFreeBits(from, to);
      hole = to;
    }
    for (let frame = hole; frame < end; frame++) setDescriptor(frame, USE_RESERVED);
  }

  /** Sets the free bits of frames [first, end), a word at a time where it can; returns how many were not set before. */
  function fillFreeBits(first: u32, end: u32): u32 {
    let frame = first;
    let freed: u32 = 0;
    while (frame < end) {
      const word = bitmap + (<usize>(frame >> 5) << 2);
      if ((frame & 31) == 0 && end - frame >= 32) {
        freed += 32 - popcnt<u32>(load<u32>(word));
        store<u32>(word, 0xffff_ffff);
        frame += 32;
      } else {
        const bit: u32 = 1 << (frame & 31);
        const bits = load<u32>(word);
        if ((bits & bit) == 0) {
          store<u32>(word, bits | bit);
          freed++;
        }
        frame++;
      }
    }
    return freed;
  }

  function setFreeBit(frame: u32, free: bool): void {
    const word = bitmap + (<usize>(frame >> 5) << 2);
    const bit: u32 = 1 << (frame & 31);
    store<u32>(word, free ? load<u32>(word) | bit : load<u32>(word) & ~bit);
  }

  function addCount(use: u32, delta: i32): void {
    const at = counts + (<usize>use << 2);
    store<u32>(at, <u32>(<i32>load<u32>(at) + delta));
  }

  /** Frames currently used for `use`. */
  export function count(use: u32): u32 {
    return use < USE_COUNT ? load<u32>(counts + (<usize>use << 2)) : 0;
  }

  export function freeFrames(): u32 {
    return count(USE_FREE);
  }

  /** Frames handed out or claimed out of the usable ones. */
  export function usedFrames(): u32 {
    return usable - count(USE_FREE);
  }

  function frameOf(address: usize): u32 {
    return <u32>((address - base) >> PAGE_SHIFT);
  }

  function inRange(address: usize): bool {
    return address >= base && ((address - base) >> PAGE_SHIFT) < <usize>frames;
  }

  /** The frames [first, last) of the tables that [from, to) touches (rounding outwards), as a pair. */
  // Range ends are u64: RAM may end at exactly 4 GiB, which a 32-bit address cannot say.
  function frameSpan(from: u64, to: u64): u64 {
    const start = <u64>base;
    if (to <= start || from >= start + (<u64>frames << PAGE_SHIFT)) return 0;
    const first: u32 = from <= start ? 0 : <u32>((from - start) >> PAGE_SHIFT);
    let last = <u32>min<u64>((to - start + PAGE_SIZE - 1) >> PAGE_SHIFT, <u64>frames);
    return (<u64>last << 32) | first;
  }

  /**
   * Makes the whole frames inside [from, to) free: a usable range from the
   * memory map. Chunks already filled in get their bits now; for the others
   * the range is recorded (ensureChunk reads it) and counted by its length,
   * less what earlier ranges covered.
   */
  export function markFree(from: u64, to: u64): void {
    const firstByte = (from + PAGE_SIZE - 1) & ~(<u64>PAGE_SIZE - 1);
    const lastByte = to & ~(<u64>PAGE_SIZE - 1);
    if (lastByte <= firstByte) return;
    const span = frameSpan(firstByte, lastByte);
    const first = <u32>span;
    const end = <u32>(span >> 32);
    if (end <= first) return;
    // As if no chunk were filled in yet (at boot none is), then corrected for those that are.
    let freed = (end - first) - coveredByRanges(first, end);
    for (let chunk = first >> chunkShift; readyChunks > 0 && chunk < chunks && chunkStart(chunk) < end; chunk++) {
      if (load<u8>(ready + <usize>chunk) == 0) continue;
      const from = max<u32>(first, chunkStart(chunk));
      const to = min<u32>(end, chunkEnd(chunk));
      freed = freed - ((to - from) - coveredByRanges(from, to)) + fillFreeBits(from, to);
    }
    if (!recordRange(first, end)) {
      // More ranges than the list holds: fill every chunk in now (they read the
      // ranges kept so far), then mark this one in the bits.
      for (let chunk: u32 = 0; chunk < chunks; chunk++) ensureChunk(chunk);
      fillFreeBits(first, end);
    }
    usable += freed;
    addCount(USE_RESERVED, -<i32>freed);
    addCount(USE_FREE, <i32>freed);
  }

  /**
   * Marks every frame that markFree did not release as reserved (the holes
   * between usable ranges), in the chunks already filled in: the others do
   * it when they are (ensureChunk). Only bitmap words with a clear bit are
   * visited.
   */
  export function sealHoles(): void {
    for (let chunk: u32 = 0; readyChunks > 0 && chunk < chunks; chunk++) {
      if (load<u8>(ready + <usize>chunk) == 0) continue;
      const last = chunkEnd(chunk);
      for (let w = chunkStart(chunk) >> 5; w << 5 < last; w++) {
        const bits = load<u32>(bitmap + (<usize>w << 2));
        if (bits == 0xffff_ffff) continue;
        const wordEnd = min<u32>((w << 5) + 32, last);
        for (let frame = w << 5; frame < wordEnd; frame++) {
          if ((bits & (1 << (frame & 31))) == 0) setDescriptor(frame, USE_RESERVED);
        }
      }
    }
  }

  /** Claims every free frame touching [from, to) for `use` (the kernel image, the initrd...). */
  export function claim(from: u64, to: u64, use: u32): void {
    const span = frameSpan(from & ~(<u64>PAGE_SIZE - 1), to);
    const end = <u32>(span >> 32);
    let claimed: u32 = 0;
    let frame = <u32>span;
    while (frame < end) {
      const chunk = frame >> chunkShift;
      const stop = min<u32>(end, chunkEnd(chunk));
      // A chunk not yet filled in that no usable range reaches has nothing free: skip it whole.
      if (load<u8>(ready + <usize>chunk) == 0 && coveredByRanges(frame, stop) == 0) {
        frame = stop;
        continue;
      }
      ensureChunk(chunk);
      // A bitmap word at a time: its free frames in [frame, stop) become `use`.
      while (frame < stop) {
        const shift = frame & 31;
        const count = min<u32>(32 - shift, stop - frame);
        const mask: u32 = (count == 32 ? 0xffff_ffff : ((<u32>1 << count) - 1)) << shift;
        const word = bitmap + (<usize>(frame >> 5) << 2);
        const bits = load<u32>(word);
        let taken = bits & mask;
        if (taken == mask) {
          // Every frame here was free (the common case): one descriptor after another.
          store<u32>(word, bits & ~mask);
          claimed += count;
          setDescriptors(frame, count, use);
        } else if (taken != 0) {
          store<u32>(word, bits & ~mask);
          claimed += popcnt<u32>(taken);
          const wordStart = frame & ~31;
          while (taken != 0) {
            setDescriptor(wordStart + ctz<u32>(taken), use);
            taken &= taken - 1;
          }
        }
        frame += count;
      }
    }
    addCount(USE_FREE, -<i32>claimed);
    addCount(use, <i32>claimed);
    // Frames the kernel must never use (page 0, firmware reservations) stop counting as usable.
    if (use == USE_RESERVED) usable -= claimed;
    noteHighWater();
  }

  function noteHighWater(): void {
    const used = usedFrames();
    if (used > highWater) highWater = used;
  }

  /** Finds `count` contiguous free frames from `start`; returns the first, or frames if none. */
  function findRun(start: u32, end: u32, count: u32): u32 {
    let frame = start;
    while (frame + count <= end) {
      ensureChunk(frame >> chunkShift);
      const free = load<u32>(bitmap + (<usize>(frame >> 5) << 2)) >> (frame & 31);
      if (free == 0) {
        frame = (frame | 31) + 1; // nothing free up to the end of this word
        continue;
      }
      frame += ctz<u32>(free);
      if (frame + count > end) break;
      const length = freeRunFrom(frame, count);
      if (length >= count) return frame;
      frame += length + 1; // frame + length is in use
    }
    return frames;
  }

  /** How many frames from `frame` on are free, counted a bitmap word at a time; the count stops once it reaches `limit`. */
  function freeRunFrom(frame: u32, limit: u32): u32 {
    let length: u32 = 0;
    let at = frame;
    while (length < limit && at < frames) {
      ensureChunk(at >> chunkShift);
      const shift = at & 31;
      // The zeros shifted in from the top, inverted, stop the count at the word's end.
      const run = ctz<u32>(~(load<u32>(bitmap + (<usize>(at >> 5) << 2)) >> shift));
      length += run;
      if (run < 32 - shift) break; // a frame in use inside this word
      at += run;
    }
    return length;
  }

  /** Marks frames [first, first + count) in use in the bitmap, a word at a time. */
  function clearFreeBits(first: u32, count: u32): void {
    let frame = first;
    const end = first + count;
    while (frame < end) {
      const shift = frame & 31;
      const bits = min<u32>(32 - shift, end - frame);
      const mask: u32 = (bits == 32 ? 0xffff_ffff : ((<u32>1 << bits) - 1)) << shift;
      const word = bitmap + (<usize>(frame >> 5) << 2);
      store<u32>(word, load<u32>(word) & ~mask);
      frame += bits;
    }
  }

  /** Allocates `count` contiguous frames for `use`; returns their address, or 0 if there is no such run. */
  export function alloc(count: u32, use: u32): usize {
    if (count == 0 || count > MAX_VALUE || use == USE_FREE || use >= USE_COUNT) return 0;
    let first = findRun(hint, frames, count);
    if (first == frames) first = findRun(0, min<u32>(hint + count, frames), count);
    if (first == frames) return 0;
    clearFreeBits(first, count);
    setDescriptor(first, use | HEAD | (count << VALUE_SHIFT));
    for (let i: u32 = 1; i < count; i++) setDescriptor(first + i, use);
    addCount(USE_FREE, -<i32>count);
    addCount(use, <i32>count);
    hint = first + count;
    noteHighWater();
    return base + (<usize>first << PAGE_SHIFT);
  }

  /** Like alloc, with the frames zeroed. */
  export function allocZeroed(count: u32, use: u32): usize {
    const address = alloc(count, use);
    if (address != 0) memory.fill(address, 0, <usize>count << PAGE_SHIFT);
    return address;
  }

  /** Returns the run that starts at `address` (as alloc gave it) to the free frames. */
  export function free(address: usize): void {
    if ((address & (PAGE_SIZE - 1)) != 0 || !inRange(address)) {
      panic("page free of an address the page allocator never handed out");
    }
    const first = frameOf(address);
    const head = descriptor(first);
    if (isFree(first) || (head & HEAD) == 0) {
      panic("page free of a frame that is not the start of an allocated run (double free?)");
    }
    const use = head & 0xff;
    const count = head >> VALUE_SHIFT;
    for (let i: u32 = 0; i < count; i++) setFreeBit(first + i, true);
    setDescriptor(first, USE_RESERVED); // no longer a head
    addCount(use, -<i32>count);
    addCount(USE_FREE, <i32>count);
  }

  /** Marks a descriptor that describes no frame in use (outside the tables, or free). */
  export const NO_DESCRIPTOR: u32 = 0xffff_ffff;

  /** The raw descriptor of the frame holding `address`, or NO_DESCRIPTOR if it is free or outside the tables. */
  // @ts-ignore: decorator
  @inline export function descriptorOf(address: usize): u32 {
    if (!inRange(address)) return NO_DESCRIPTOR;
    const frame = frameOf(address);
    ensureChunk(frame >> chunkShift);
    if ((load<u32>(bitmap + (<usize>(frame >> 5) << 2)) & (1 << (frame & 31))) != 0) return NO_DESCRIPTOR; // free
    return load<u32>(descriptors + (<usize>frame << 2));
  }

  /** What the frame holding `address` is used for (USE_RESERVED outside the tables). */
  export function useOf(address: usize): u32 {
    if (!inRange(address)) return USE_RESERVED;
    const frame = frameOf(address);
    return isFree(frame) ? USE_FREE : descriptor(frame) & 0xff;
  }

  /** The run length of an allocated head frame, or 0. */
  export function runLength(address: usize): u32 {
    if (!inRange(address) || isFree(frameOf(address))) return 0;
    const head = descriptor(frameOf(address));
    return (head & HEAD) != 0 ? head >> VALUE_SHIFT : 0;
  }

  /** Stores a use-specific value in a non-head frame's descriptor (slabs: the frame's index in its slab). */
  export function setValue(address: usize, value: u32): void {
    const frame = frameOf(address);
    const old = descriptor(frame);
    setDescriptor(frame, (old & (0xff | HEAD)) | (value << VALUE_SHIFT));
  }

  /** The value of a frame's descriptor (see setValue; for a head frame, its run length). */
  export function valueOf(address: usize): u32 {
    return inRange(address) ? descriptor(frameOf(address)) >> VALUE_SHIFT : 0;
  }

  /** True if the frame holding `address` is the head of its run. */
  export function isHead(address: usize): bool {
    return inRange(address) && !isFree(frameOf(address)) && (descriptor(frameOf(address)) & HEAD) != 0;
  }
}
