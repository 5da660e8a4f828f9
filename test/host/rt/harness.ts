// The host-test harness's part for the kernel runtime (kernel/rt/arena.ts,
// the boot arena, and kernel/rt/index.ts, the runtime over it), plus
// AssemblyScript objects made on the runtime for the leak tests.

import { arena } from "../../../kernel/rt/arena";
import { heapInit, failedRequest } from "../../../kernel/rt/index";

// --- kernel/rt/arena.ts, kernel/rt/index.ts ---

export function arenaInit(from: usize, to: usize): void {
  arena.init(from, to);
}

/** The runtime's own set-up of the boot arena (payloads 8-byte aligned). */
export function runtimeHeapInit(from: usize, to: usize): void {
  heapInit(from, to);
}

export function arenaTake(size: usize): usize {
  return arena.take(size);
}

export function arenaRelease(at: usize, size: usize): void {
  arena.release(at, size);
}

export function arenaExtend(more: usize): bool {
  return arena.extend(more);
}

export function arenaContains(address: usize): bool {
  return arena.contains(address);
}

export function arenaSetEnd(end: usize): void {
  arena.end = end;
}

export function arenaStart(): usize {
  return arena.start;
}

export function arenaTop(): usize {
  return arena.top;
}

export function arenaEnd(): usize {
  return arena.end;
}

export function arenaInUse(): usize {
  return arena.inUse;
}

export function arenaStranded(): usize {
  return arena.stranded;
}

export function arenaHighWater(): usize {
  return arena.highWater;
}

/** The size of the request that found memory exhausted (kernel/rt/index.ts), 0 if none did. */
export function runtimeFailedRequest(): usize {
  return failedRequest;
}

// --- AssemblyScript objects on the runtime (for leak tests) ---
// Each returns one object; free it as kernel code does, with heap.free on the
// object (rtFree), and for an array on its backing buffer too (rtFreeArray).

/** A fresh string of `length` "w"s: one block, even for lengths 0 and 1 (where repeat would return a static string). */
export function rtString(length: i32): string {
  const text = __new(<usize>length << 1, idof<string>());
  for (let i = 0; i < length; i++) store<u16>(text + (<usize>i << 1), 0x77);
  return changetype<string>(text);
}

/** a + b: a fresh string unless both are empty. */
export function rtConcat(a: string, b: string): string {
  return a.concat(b);
}

export function rtBuffer(bytes: i32): ArrayBuffer {
  return new ArrayBuffer(bytes);
}

export function rtArray(length: i32): Array<i32> {
  return new Array<i32>(length);
}

/** An array grown from empty by `count` pushes (every growth is a __renew). */
export function rtPushed(count: i32): Array<i32> {
  const array = new Array<i32>();
  for (let i = 0; i < count; i++) array.push(i);
  return array;
}

/** The payload of an array's backing buffer. */
export function rtArrayData(array: Array<i32>): usize {
  return array.dataStart;
}

export function rtArrayLength(array: Array<i32>): i32 {
  return array.length;
}

export function rtFree(object: usize): void {
  heap.free(object);
}

export function rtFreeArray(array: Array<i32>): void {
  heap.free(array.dataStart);
  heap.free(changetype<usize>(array));
}
