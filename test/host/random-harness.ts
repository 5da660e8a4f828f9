// A host-test entry for kernel/random.ts and kernel/chacha20.ts: thin
// exports over the generator, the source fallback and the block function,
// compiled with the kernel's own options (test/host/compile.ts), so the
// code under test is the code that boots. No virtio device is probed
// (no probe is registered), so the one source is the CPU's generator
// (kernel/entropy.ts HardwareEntropy over the fake arch's hardwareRandom),
// registered by runtimeHeapInit as the kernel's wiring does. Used by
// test/host/random-source.test.ts.
//
// The runtime's arena is set up by runtimeHeapInit before anything else
// (a reseed allocates its 32-byte buffer).

import { heapInit } from "../../kernel/rt/index";
import { getRandom, readEntropy, randomSourceName, randomSeeds, randomFailedSeeds, RESEED_AFTER_BYTES } from "../../kernel/random";
import { chachaBlock } from "../../kernel/chacha20";
import { registerEntropySource, HardwareEntropy } from "../../kernel/entropy";

let registered = false;

export function heapBase(): usize {
  return __heap_base;
}

export function runtimeHeapInit(from: usize, to: usize): void {
  heapInit(from, to);
  if (!registered) registerEntropySource(new HardwareEntropy());
  registered = true;
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
