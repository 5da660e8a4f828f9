// Kernel randomness: getRandom(buffer, length) fills kernel memory with
// bytes fit for keys, or fails; it never makes up bytes without a real
// source behind them.
//
// Sources, best first, chosen on first use (nothing is probed at boot;
// kernel/entropy.ts keeps them as they register):
//   virtio-rng   drivers/virtio/rng.ts: the host's entropy (QEMU:
//                /dev/urandom), found once, lazily, on every transport;
//   hardware     the CPU's generator through the arch import
//                hardwareRandom (x86_64 RDRAND, aarch64 RNDR);
//   none         getRandom returns -ENOSYS.
// A virtio device that fails (its deadline passed) gives way to the
// hardware generator; when both fail after having worked, -EIO.
//
// The generator: a source round trip costs far more than the bytes (a
// virtio request is a notification, an interrupt and a thread wake-up;
// RDRAND gives 8 bytes per instruction and exits to the hypervisor on some
// machines), and programs ask for many small amounts (hash-table seeds,
// nonces). So the bytes come from ChaCha20 (kernel/chacha20.ts) run as a
// fast-key-erasure generator: each refill of the 512-byte pool computes 8
// blocks under the current key, the first 32 bytes become the next key,
// the other 480 are handed out and erased from the pool as they go. Old
// output cannot be recomputed from the state at any later moment.
//
// Seeding: the key starts unset; the first request reads 32 bytes from the
// best source and XORs them into the key (so a reseed can only add to what
// the key already holds). It is reseeded the same way after every
// RESEED_AFTER_BYTES of output and, once the clock is running, every
// RESEED_INTERVAL_NS. A failed reseed leaves a seeded generator working
// (its key came from a real source) and is retried one period later; an
// unseeded one fails the request with the source's error.
//
// Concurrency (one CPU): the key and pool change with interrupts disabled,
// a pool's worth at a time; reading a source blocks outside that section,
// into a buffer of the caller's own.

import { setInterrupts } from "../arch";
import { ENOSYS } from "./errno";
import { clockKnown, now } from "./time/index";
import { chachaBlock, CHACHA_KEY_BYTES, CHACHA_BLOCK_BYTES } from "./chacha20";
import { entropySources } from "./entropy";

/** Output after which the key is reseeded from the source: 1 MiB. */
export const RESEED_AFTER_BYTES: u64 = 1 << 20;
/** Time after which the key is reseeded, once the clock runs: 5 minutes. */
export const RESEED_INTERVAL_NS: u64 = 300_000_000_000;
const POOL_BLOCKS: usize = 8;
const POOL_BYTES: usize = POOL_BLOCKS * CHACHA_BLOCK_BYTES;

const key = memory.data(<i32>CHACHA_KEY_BYTES);
const pool = memory.data(<i32>POOL_BYTES);
/** The next pool byte to hand out; POOL_BYTES when the pool is spent. */
let poolAt: usize = POOL_BYTES;
let seeded = false;
let outputSinceSeed: u64 = 0;
let seededAt: u64 = 0;
let seeds: u32 = 0;
let failedSeeds: u32 = 0;
let lastSource = "none";

/**
 * Fills `length` bytes at `buffer` (kernel memory) with random bytes from
 * the generator; 0, -ENOSYS when the machine has no source of randomness,
 * or -EIO when its sources failed before the generator was ever seeded.
 * May block the calling thread (the first time, or to reseed).
 */
export function getRandom(buffer: usize, length: usize): i32 {
  if (length == 0) return 0;
  if (needsSeed()) {
    const result = reseed();
    if (result < 0 && !seeded) return result;
  }
  let done: usize = 0;
  while (done < length) {
    const enabled = setInterrupts(0);
    if (poolAt == POOL_BYTES) refill();
    const count = min<usize>(length - done, POOL_BYTES - poolAt);
    memory.copy(buffer + done, pool + poolAt, count);
    memory.fill(pool + poolAt, 0, count);
    poolAt += count;
    outputSinceSeed += <u64>count;
    setInterrupts(enabled);
    done += count;
  }
  return 0;
}

/**
 * Fills `length` bytes straight from the best source, without the
 * generator (slow: for seeding and self-tests); 0, -EIO or -ENOSYS.
 */
export function readEntropy(buffer: usize, length: usize): i32 {
  let result = -ENOSYS;
  let source = entropySources();
  while (source !== null) {
    const got = source.read(buffer, length);
    if (got == 0) {
      lastSource = source.name;
      return 0;
    }
    if (result == -ENOSYS) result = got;
    source = source.next;
  }
  return result;
}

/** Which source seeded the generator last: "virtio-rng", "hardware" or "none". */
export function randomSourceName(): string {
  return lastSource;
}

/** Successful seeds and reseeds so far, and failed ones. */
export function randomSeeds(): u32 {
  return seeds;
}
export function randomFailedSeeds(): u32 {
  return failedSeeds;
}

function needsSeed(): bool {
  if (!seeded || outputSinceSeed >= RESEED_AFTER_BYTES) return true;
  return clockKnown() && now() - seededAt >= RESEED_INTERVAL_NS;
}

/** Mixes 32 fresh source bytes into the key and drops the pool; the source's result. */
function reseed(): i32 {
  const fresh = heap.alloc(CHACHA_KEY_BYTES);
  const result = readEntropy(fresh, CHACHA_KEY_BYTES);
  const enabled = setInterrupts(0);
  if (result == 0) {
    for (let at: usize = 0; at < CHACHA_KEY_BYTES; at += 4) store<u32>(key + at, load<u32>(key + at) ^ load<u32>(fresh + at));
    memory.fill(pool, 0, POOL_BYTES);
    poolAt = POOL_BYTES;
    seeded = true;
    seeds++;
  } else {
    failedSeeds++;
  }
  // A failure is retried one period later, not on every request.
  outputSinceSeed = 0;
  seededAt = clockKnown() ? now() : 0;
  setInterrupts(enabled);
  memory.fill(fresh, 0, CHACHA_KEY_BYTES);
  heap.free(fresh);
  return result;
}

/** Computes a pool's worth of blocks; the first 32 bytes replace the key (interrupts disabled). */
function refill(): void {
  for (let block: usize = 0; block < POOL_BLOCKS; block++) {
    chachaBlock(pool + block * CHACHA_BLOCK_BYTES, key, <u32>block, 0, 0, 0);
  }
  memory.copy(key, pool, CHACHA_KEY_BYTES);
  memory.fill(pool, 0, CHACHA_KEY_BYTES);
  poolAt = CHACHA_KEY_BYTES;
}
