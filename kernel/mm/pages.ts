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
  /** Frames per use (index USE_*). */
  const counts = memory.data(<i32>USE_COUNT * 4);
  export let usable: u32 = 0;
  export let highWater: u32 = 0;

  /** Bytes of metadata needed for `frameCount` frames (bitmap + descriptors). */
  export function metadataBytes(frameCount: u32): usize {
    return ((<usize>frameCount + 31) >> 5 << 2) + (<usize>frameCount << 2);
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
    memory.fill(bitmap, 0, (<usize>frames + 31) >> 5 << 2);
    // Descriptors are not cleared here: free frames need none, and sealHoles
    // marks the frames no usable range covered.
    memory.fill(counts, 0, <usize>USE_COUNT * 4);
    store<u32>(counts + (<usize>USE_RESERVED << 2), frames);
    hint = 0;
    usable = 0;
    highWater = 0;
  }

  // @ts-ignore: decorator
  @inline function descriptor(frame: u32): u32 {
    return load<u32>(descriptors + (<usize>frame << 2));
  }

  // @ts-ignore: decorator
  @inline function setDescriptor(frame: u32, value: u32): void {
    store<u32>(descriptors + (<usize>frame << 2), value);
  }

  // @ts-ignore: decorator
  @inline function isFree(frame: u32): bool {
    return (load<u32>(bitmap + (<usize>(frame >> 5) << 2)) & (1 << (frame & 31))) != 0;
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

  /** Makes the whole frames inside [from, to) free: a usable range from the memory map. */
  export function markFree(from: u64, to: u64): void {
    const first = (from + PAGE_SIZE - 1) & ~(<u64>PAGE_SIZE - 1);
    const last = to & ~(<u64>PAGE_SIZE - 1);
    if (last <= first) return;
    const span = frameSpan(first, last);
    let frame = <u32>span;
    const end = <u32>(span >> 32);
    let freed: u32 = 0;
    while (frame < end) {
      const word = bitmap + (<usize>(frame >> 5) << 2);
      if ((frame & 63) == 0 && end - frame >= 64) {
        // 64 frames at a time (the bitmap is 8-byte aligned within the arena).
        freed += <u32>(64 - popcnt<u64>(load<u64>(word)));
        store<u64>(word, 0xffff_ffff_ffff_ffff);
        frame += 64;
      } else if ((frame & 31) == 0 && end - frame >= 32) {
        freed += 32 - popcnt<u32>(load<u32>(word));
        store<u32>(word, 0xffff_ffff);
        frame += 32;
      } else {
        if (!isFree(frame)) {
          setFreeBit(frame, true);
          freed++;
        }
        frame++;
      }
    }
    usable += freed;
    addCount(USE_RESERVED, -<i32>freed);
    addCount(USE_FREE, <i32>freed);
  }

  /**
   * Marks every frame that markFree did not release as reserved (the holes
   * between usable ranges). Only bitmap words with a clear bit are visited,
   * so a machine whose RAM is one range costs a scan of the bitmap.
   */
  export function sealHoles(): void {
    const words = (frames + 31) >> 5;
    for (let w: u32 = 0; w < words; w++) {
      // Skip fully free pairs of words in one step.
      if ((w & 1) == 0 && w + 1 < words && load<u64>(bitmap + (<usize>w << 2)) == 0xffff_ffff_ffff_ffff) {
        w++;
        continue;
      }
      const bits = load<u32>(bitmap + (<usize>w << 2));
      if (bits == 0xffff_ffff) continue;
      const last = min<u32>((w << 5) + 32, frames);
      for (let frame = w << 5; frame < last; frame++) {
        if ((bits & (1 << (frame & 31))) == 0) setDescriptor(frame, USE_RESERVED);
      }
    }
  }

  /** Claims every free frame touching [from, to) for `use` (the kernel image, the initrd...). */
  export function claim(from: u64, to: u64, use: u32): void {
    const span = frameSpan(from & ~(<u64>PAGE_SIZE - 1), to);
    const end = <u32>(span >> 32);
    let claimed: u32 = 0;
    for (let frame = <u32>span; frame < end; frame++) {
      if (!isFree(frame)) continue;
      setFreeBit(frame, false);
      setDescriptor(frame, use);
      claimed++;
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
      // Skip whole words with no free frame.
      if ((frame & 31) == 0 && load<u32>(bitmap + (<usize>(frame >> 5) << 2)) == 0) {
        frame += 32;
        continue;
      }
      if (!isFree(frame)) {
        frame++;
        continue;
      }
      let length: u32 = 1;
      while (length < count && isFree(frame + length)) length++;
      if (length == count) return frame;
      frame += length + 1;
    }
    return frames;
  }

  /** Allocates `count` contiguous frames for `use`; returns their address, or 0 if there is no such run. */
  export function alloc(count: u32, use: u32): usize {
    if (count == 0 || count > MAX_VALUE || use == USE_FREE || use >= USE_COUNT) return 0;
    let first = findRun(hint, frames, count);
    if (first == frames) first = findRun(0, min<u32>(hint + count, frames), count);
    if (first == frames) return 0;
    for (let i: u32 = 0; i < count; i++) {
      setFreeBit(first + i, false);
      setDescriptor(first + i, use);
    }
    setDescriptor(first, use | HEAD | (count << VALUE_SHIFT));
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
  export function descriptorOf(address: usize): u32 {
    if (!inRange(address)) return NO_DESCRIPTOR;
    const frame = frameOf(address);
    return isFree(frame) ? NO_DESCRIPTOR : descriptor(frame);
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
