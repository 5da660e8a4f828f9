// A host-test entry for kernel/random.ts and kernel/chacha20.ts: thin
// exports over the generator, the source fallback and the block function,
// compiled with the kernel's own options (test/host/compile.ts), so the
// code under test is the code that boots. No virtio device is probed
// (initRandom is never called), so the sources are the fake arch's
// hardwareRandom or nothing. Used by test/host/random-source.test.ts.
//
// The runtime's arena is set up by runtimeHeapInit before anything else
// (a reseed allocates its 32-byte buffer).

import { heapInit } from "../../kernel/rt/index";
import { getRandom, readEntropy, randomSourceName, randomSeeds, randomFailedSeeds, RESEED_AFTER_BYTES } from "../../kernel/random";
import { chachaBlock } from "../../kernel/chacha20";

export function heapBase(): usize {
  return __heap_base;
}

export function runtimeHeapInit(from: usize, to: usize): void {
  heapInit(from, to);
}

export function randomGet(buffer: usize, length: usize): i32 {
  return getRandom(buffer, length);
}

export function randomEntropy(buffer: usize, length: usize): i32 {
  return readEntropy(buffer, length);
}

export function randomSource(): string {
  return randomSourceName();
}

export function randomSeedCount(): u32 {
  return randomSeeds();
}

export function randomFailedSeedCount(): u32 {
  return randomFailedSeeds();
}

export function randomReseedBytes(): u64 {
  return RESEED_AFTER_BYTES;
}

export function chacha(out: usize, key: usize, counter: u32, nonce0: u32, nonce1: u32, nonce2: u32): void {
  chachaBlock(out, key, counter, nonce0, nonce1, nonce2);
}
