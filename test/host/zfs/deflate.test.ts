// Guards fs/zfs/deflate.ts, gzip on write: every block it compresses is a
// zlib stream that Node's zlib turns back into exactly the block (text,
// random bytes, runs, lengths from one byte to 128 KiB, repeats at every
// distance up to the 32 KiB window); text shrinks well; and a block that
// will not fit its limit comes back as its own length (stored as it is),
// never as a truncated stream. The module's own inflate.ts reads gzip
// pools Wisp made in create.test.ts, and zdb checks them there.

import { inflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random, suiteSeed } from "../random";

const harness = await Harness.withMemory(256);
const e = harness.exports;
const views = (ptr: number) => (e as unknown as { __getUint8ArrayView(p: number): Uint8Array }).__getUint8ArrayView(ptr);

/**
 * Deflates `data` in the harness with `limit`: the stream, or null when it
 * gave up (it then answers the block's length, which a limit at or below
 * the length makes unambiguous).
 */
function deflate(data: Uint8Array, limit = data.length): Uint8Array | null {
  const source = e.zfsBytes(data.length);
  views(source).set(data);
  const target = e.zfsBytes(Math.max(data.length, limit));
  const length = e.zfsZlibDeflate(source, data.length, target, limit);
  if (length === data.length && limit <= data.length) return null;
  return Uint8Array.from(views(target).subarray(0, length));
}

function text(size: number, random: Random): Uint8Array {
  const words = ["block", "pointer", "dnode", "txg", "uberblock", "metaslab", "zap", "dataset", "the", "of", "\n"];
  let out = "";
  while (out.length < size) out += random.pick(words) + " ";
  return new TextEncoder().encode(out.slice(0, size));
}

describe("gzip on write (fs/zfs/deflate.ts)", () => {
  it("writes streams that zlib reads back exactly", () => {
    const random = new Random(suiteSeed(), 900);
    const blocks: Array<[string, Uint8Array]> = [];
    for (const size of [1, 2, 3, 4, 100, 512, 4096, 65536, 131072]) {
      blocks.push([`text ${size}`, text(size, random)]);
      blocks.push([`zeros ${size}`, new Uint8Array(size)]);
      blocks.push([`runs ${size}`, Uint8Array.from({ length: size }, (_, i) => (i >> 7) & 3)]);
    }
    for (const distance of [1, 2, 3, 257, 4096, 32767, 32768, 32769]) {
      const size = distance + 3000;
      const data = Uint8Array.from({ length: size }, () => random.int(0, 255));
      for (let i = distance; i < size; i++) data[i] = data[i - distance]; // repeats exactly `distance` back
      blocks.push([`repeat at ${distance}`, data]);
    }
    let streams = 0;
    for (const [name, data] of blocks) {
      const stream = deflate(data, 2 * data.length + 64); // room for any stream, even of random bytes
      expect(stream, name).not.toBeNull();
      let back: Buffer;
      try {
        back = inflateSync(stream!);
      } catch (error) {
        throw new Error(`${name}: ${(error as Error).message} (stream of ${stream!.length} bytes)`);
      }
      expect(back.equals(Buffer.from(data)), `${name}: zlib`).toBe(true);
      streams++;
    }
    expect(streams).toBe(blocks.length);
  });

  it("shrinks text, and gives up on what it cannot fit", () => {
    const random = new Random(suiteSeed(), 901);
    const data = text(131072, random);
    const stream = deflate(data, data.length - (data.length >> 3));
    expect(stream).not.toBeNull();
    expect(stream!.length).toBeLessThan(data.length / 2);
    const noise = Uint8Array.from({ length: 131072 }, () => random.int(0, 255));
    expect(deflate(noise, noise.length - (noise.length >> 3))).toBeNull();
    expect(deflate(data, 100)).toBeNull();
  });
});
