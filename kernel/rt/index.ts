// The kernel's AssemblyScript runtime: where `new`, arrays and strings get memory.
//
// Ownership rule: explicit. The kernel has no collector and no reference
// counts, so nothing ever pauses to scan memory. Boot-time objects (the
// command line, the memory map, driver state) live for the whole run; code
// that creates short-lived objects frees them with `heap.free(obj)` when it
// is done, and must not touch them afterwards. __link/__pin/__unpin/__collect,
// which a collector would need, do nothing.
//
// Backing store: for now an arena from the end of the kernel image to the end
// of the first usable RAM range, set by heap.init() as the first boot step.
// Freeing the most recent block returns its memory at once; other frees are
// counted and their memory is kept until the slab allocator takes over this
// interface (see kernel/mm once it exists). Every block carries the standard
// AssemblyScript object header, which the standard library reads (a string's
// length is its header's rtSize).

import { OBJECT, BLOCK, BLOCK_OVERHEAD, OBJECT_OVERHEAD, OBJECT_MAXSIZE, AL_MASK } from "rt/common";
import { arena } from "./arena";

/**
 * Hands the runtime the memory [from, to). Blocks are laid out so that every
 * payload is 16-byte aligned (AssemblyScript's runtime contract): block
 * headers sit 4 bytes below a 16-byte boundary, and every block's size is a
 * multiple of 16.
 */
export function heapInit(from: usize, to: usize): void {
  arena.init(((from + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD, to);
}

/** Moves the end of the runtime's memory (once the memory map says how far RAM goes). */
export function heapSetEnd(to: usize): void {
  arena.end = to;
}

// @ts-ignore: decorator
@inline function payloadSize(size: usize): usize {
  return ((size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __alloc(size: usize): usize {
  const payload = payloadSize(size);
  const block = arena.take(BLOCK_OVERHEAD + payload);
  changetype<BLOCK>(block).mmInfo = payload;
  return block + BLOCK_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __realloc(ptr: usize, size: usize): usize {
  const block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  const old = block.mmInfo;
  const payload = payloadSize(size);
  if (payload <= old) return ptr;
  if (arena.isLast(ptr + old) && arena.extend(payload - old)) {
    block.mmInfo = payload;
    return ptr;
  }
  const moved = __alloc(size);
  memory.copy(moved, ptr, old);
  __free(ptr);
  return moved;
}

// @ts-ignore: decorator
@global @unsafe
export function __free(ptr: usize): void {
  const block = changetype<BLOCK>(ptr - BLOCK_OVERHEAD);
  arena.release(changetype<usize>(block), BLOCK_OVERHEAD + block.mmInfo);
}

// @ts-ignore: decorator
@global @unsafe
export function __new(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) unreachable();
  const ptr = __alloc(OBJECT_OVERHEAD + size);
  const object = changetype<OBJECT>(ptr - BLOCK_OVERHEAD);
  object.gcInfo = 0;
  object.gcInfo2 = 0;
  object.rtId = id;
  object.rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __renew(oldPtr: usize, size: usize): usize {
  if (size > OBJECT_MAXSIZE) unreachable();
  const ptr = __realloc(oldPtr - OBJECT_OVERHEAD, OBJECT_OVERHEAD + size);
  changetype<OBJECT>(ptr - BLOCK_OVERHEAD).rtSize = <u32>size;
  return ptr + OBJECT_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {}

// @ts-ignore: decorator
@global @unsafe
export function __pin(ptr: usize): usize {
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __unpin(ptr: usize): void {}

// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {}

// @ts-ignore: decorator
@global @unsafe
export function __visit(ptr: usize, cookie: u32): void {}
