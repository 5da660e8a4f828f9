// The kernel's LZ4 block decoder (fs/rofs/lz4.ts) and CRC-32 (kernel/crc32.ts, the self-tests' checksum):
// blocks from the host compressor decode exactly; hostile blocks (random
// bytes, every byte of valid blocks changed, every truncation, crafted edge
// cases) are refused or decoded within bounds, never writing a byte outside
// the destination.

import { beforeAll, describe, expect, it } from "vitest";
import { crc32 } from "node:zlib";
import { Harness } from "../harness-client";
import { Random } from "../random";
import { compressBlock } from "../../../scripts/image/lz4";

const CANARY = 0xa5;
const GUARD = 64;
let harness: Harness;
let source = 0;
let region = 0;
const REGION = 1 << 18;

beforeAll(async () => {
  harness = await Harness.withMemory(128);
  source = harness.exports.mmMalloc(REGION) >>> 0;
  region = harness.exports.mmMalloc(REGION + 2 * GUARD) >>> 0;
});

/** Decodes `block` into `capacity` bytes between canaries; checks the canaries; returns the result and output. */
function decode(block: Uint8Array, capacity: number): { result: number; output: Uint8Array } {
  const memory = harness.bytes();
  memory.set(block, source);
  memory.fill(CANARY, region, region + capacity + 2 * GUARD);
  const destination = region + GUARD;
  const result = harness.exports.rofsLz4Decompress(source, block.length, destination, capacity);
  const after = harness.bytes();
  for (let i = 0; i < GUARD; i++) {
    if (after[region + i] !== CANARY || after[destination + capacity + i] !== CANARY) {
      throw new Error(`the decoder wrote outside its destination (block of ${block.length} bytes, capacity ${capacity})`);
    }
  }
  if (!Buffer.from(after.buffer, source, block.length).equals(Buffer.from(block))) throw new Error("the decoder changed its source");
  if (result !== -1 && (result < 0 || result > capacity)) throw new Error(`result ${result} with capacity ${capacity}`);
  return { result, output: after.slice(destination, destination + Math.max(result, 0)) };
}

function sample(random: Random, size: number): Uint8Array {
  const text = new TextEncoder().encode("the quick brown fox jumps over the lazy dog ");
  return Uint8Array.from({ length: size }, (_, i) => (random.bool(0.9) ? text[(i * 3) % text.length] : random.int(0, 255)));
}

describe("LZ4 decoder", () => {
  it("decodes what the host compressor writes", () => {
    const random = new Random(undefined, 20);
    for (let round = 0; round < 60; round++) {
      const data = round % 5 === 0 ? new Uint8Array(random.int(13, 65536)).fill(round) : sample(random, random.int(13, 65536));
      const block = compressBlock(data);
      if (block === null) continue;
      const { result, output } = decode(block, data.length);
      expect(result, random.label).toBe(data.length);
      expect(Buffer.from(output).equals(Buffer.from(data)), random.label).toBe(true);
      expect(decode(block, data.length - 1).result, "one byte short of room").toBe(-1);
    }
  });

  it("refuses or bounds random bytes", () => {
    const random = new Random(undefined, 21);
    for (let round = 0; round < 20_000; round++) {
      const block = Uint8Array.from({ length: random.int(0, 64) }, () => random.int(0, 255));
      decode(block, random.pick([0, 1, 16, 300, 4096]));
    }
  });

  it("refuses or bounds every changed byte and every truncation of valid blocks", () => {
    const random = new Random(undefined, 22);
    for (let round = 0; round < 4; round++) {
      const data = sample(random, 3000);
      const block = compressBlock(data)!;
      for (let at = 0; at < block.length; at++) {
        for (const value of [0, 0xff, block[at] ^ 0x10]) {
          const changed = block.slice();
          changed[at] = value;
          decode(changed, data.length);
        }
      }
      for (let length = 0; length < block.length; length++) decode(block.subarray(0, length), data.length);
    }
  });

  it("handles crafted edge cases", () => {
    // Literals only.
    expect(decode(Uint8Array.of(0x30, 1, 2, 3), 3)).toEqual({ result: 3, output: Uint8Array.of(1, 2, 3) });
    // A run: one literal then a match at distance 1 of 4 + 15 + 5 = 24 bytes, then an empty last sequence.
    const run = decode(Uint8Array.of(0x1f, 7, 1, 0, 5, 0x00), 25);
    expect(run.result).toBe(25);
    expect(run.output).toEqual(new Uint8Array(25).fill(7));
    // Distance 0, and a distance reaching before the output.
    expect(decode(Uint8Array.of(0x10, 7, 0, 0, 0x00), 100).result).toBe(-1);
    expect(decode(Uint8Array.of(0x10, 7, 2, 0, 0x00), 100).result).toBe(-1);
    // A literal length running off the end of the source, and one claiming gigabytes.
    expect(decode(Uint8Array.of(0xf0, 255, 255, 255), 100).result).toBe(-1);
    expect(decode(Uint8Array.of(0xf0, ...new Array(40).fill(255), 0), 1 << 16).result).toBe(-1);
    // A match longer than the room left.
    expect(decode(Uint8Array.of(0x1f, 7, 1, 0, 255, 255, 0, 0x00), 100).result).toBe(-1);
    // An empty block and a token with nothing after a match.
    expect(decode(new Uint8Array(0), 10).result).toBe(-1);
    expect(decode(Uint8Array.of(0x10, 7, 1, 0), 10).result).toBe(-1);
  });
});

describe("CRC-32", () => {
  it("matches zlib's", () => {
    const random = new Random(undefined, 23);
    for (const size of [0, 1, 3, 64, 1000, 65536]) {
      const data = Uint8Array.from({ length: size }, () => random.int(0, 255));
      harness.bytes().set(data, source);
      expect(harness.exports.rofsCrc32(source, size) >>> 0).toBe(crc32(data) >>> 0);
    }
  });
});
