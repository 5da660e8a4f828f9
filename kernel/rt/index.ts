// The kernel's AssemblyScript runtime: where `new`, arrays and strings get memory.
//
// Ownership rule: explicit. The kernel has no collector and no reference
// counts, so nothing ever pauses to scan memory. Boot-time objects (the
// command line, the memory map, driver state) live for the whole run; code
// that creates short-lived objects frees them with
// `heap.free(changetype<usize>(object))` when it is done and must not touch
// them afterwards. __link/__pin/__unpin/__collect, which a collector would
// need, do nothing.
//
// Every block, object or raw, carries the 8 bytes the standard library reads
// just before the payload:
//
//   block: | rtId u32 | rtSize u32 | payload ... |      (payload 8-byte aligned)
//
// Before the page allocator exists, blocks come from the boot arena
// (kernel/rt/arena.ts); afterwards from the kernel's malloc (kernel/mm).
// Freeing works for both: a block inside the arena goes back to the arena.

import { OBJECT_MAXSIZE } from "rt/common";
import { arena } from "./arena";
import { malloc, free, usableSize, memoryReady } from "../mm/index";

const HEADER: usize = 8;

/** Whether a request found memory exhausted, and its size, for the trap report. */
export let outOfMemory = false;
export let failedRequest: usize = 0;

/**
 * Hands the runtime the boot arena [from, to): blocks start 8-byte aligned
 * and are whole multiples of 8 bytes.
 */
export function heapInit(from: usize, to: usize): void {
  arena.init((from + 7) & ~7, to);
}

/** Moves the end of the boot arena (once the memory map says how far RAM goes). */
export function heapSetEnd(to: usize): void {
  arena.end = to;
}

// @ts-ignore: decorator
@inline function arenaBytes(size: usize): usize {
  return (HEADER + size + 7) & ~7;
}

function memoryExhausted(size: usize): void {
  outOfMemory = true;
  failedRequest = size;
  unreachable();
}

function allocBlock(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) memoryExhausted(size);
  const block = memoryReady() ? malloc(HEADER + size) : arena.take(arenaBytes(size));
  if (block == 0) memoryExhausted(size);
  store<u32>(block, id);
  store<u32>(block, <u32>size, 4);
  return block + HEADER;
}

function freeBlock(payload: usize): void {
  const block = payload - HEADER;
  if (arena.contains(block)) arena.release(block, arenaBytes(load<u32>(block, 4)));
  else free(block);
}

/** True if a block of `size` bytes fits where `payload` already is. */
function fitsInPlace(payload: usize, size: usize): bool {
  const block = payload - HEADER;
  if (!arena.contains(block)) return HEADER + size <= usableSize(block);
  const old = arenaBytes(load<u32>(block, 4));
  const wanted = arenaBytes(size);
  if (wanted <= old) {
    // The block's size is about to say `wanted`; the bytes past it go back now.
    arena.shrink(block, old, wanted);
    return true;
  }
  return arena.isLast(block + old) && arena.extend(wanted - old);
}

// @ts-ignore: decorator
@global @unsafe
export function __alloc(size: usize): usize {
  return allocBlock(size, 0);
}

// @ts-ignore: decorator
@global @unsafe
export function __realloc(payload: usize, size: usize): usize {
  if (fitsInPlace(payload, size)) {
    store<u32>(payload - HEADER, <u32>size, 4);
    return payload;
  }
  const old = <usize>load<u32>(payload - HEADER, 4);
  const moved = allocBlock(size, load<u32>(payload - HEADER));
  memory.copy(moved, payload, min(old, size));
  freeBlock(payload);
  return moved;
}

// @ts-ignore: decorator
@global @unsafe
export function __free(payload: usize): void {
  if (payload != 0) freeBlock(payload);
}

// asc builds a custom runtime as it builds its incremental one, whose __new
// and __renew hand out zeroed memory: the standard library then skips its
// own zeroing (new ArrayBuffer, StaticArray, Array, typed arrays, an
// Array's growth). So these two zero what they hand out; __alloc and
// __realloc (heap.alloc, raw blocks) do not.

// @ts-ignore: decorator
@global @unsafe
export function __new(size: usize, id: u32): usize {
  const payload = allocBlock(size, id);
  if (size <= SMALL_OBJECT) {
    // Most objects are a few words: zeroed in place, a word at a time (blocks are whole words).
    for (let at = payload, end = payload + ((size + 7) & ~7); at < end; at += 8) store<u64>(at, 0);
  } else {
    memory.fill(payload, 0, size);
  }
  return payload;
}

/** Objects up to this size are zeroed by __new itself rather than through memory.fill. */
const SMALL_OBJECT: usize = 64;

// @ts-ignore: decorator
@global @unsafe
export function __renew(payload: usize, size: usize): usize {
  const old = <usize>load<u32>(payload - HEADER, 4);
  const renewed = __realloc(payload, size);
  if (renewed != 0 && size > old) memory.fill(renewed + old, 0, size - old);
  return renewed;
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
