// Host tier: kernel/random.ts and kernel/chacha20.ts on the fake arch
// (through test/host/random-harness.ts). Guards:
//   - the ChaCha20 block function against RFC 8439's test vector and
//     Node's own chacha20, for random keys, counters and nonces;
//   - the generator against a model written here (fast key erasure: 8
//     blocks per refill, the first 32 bytes the next key), seeded with the
//     exact bytes the fake hardwareRandom gave, so every output byte is
//     accounted for;
//   - the source fallback: hardware when it answers, -ENOSYS (buffer
//     untouched, nothing made up) when it never does, a seeded generator
//     that keeps serving when its source later fails, and -EIO from the
//     source itself then;
//   - reseeding after RESEED_AFTER_BYTES of output, XORed into the key.

import { createCipheriv } from "node:crypto";
import loader from "@assemblyscript/loader";
import { beforeEach, describe, expect, it } from "vitest";
import { wasmModule } from "./compile";
import { FakeArch, FakeArchConfig } from "./fake-arch";
import { Random, suiteSeed } from "./random";

const PAGES = 64;
const HEAP_END = 0x30_0000;
const BUFFER = 0x1_0000;
const KEY_AT = 0x1000;
const BLOCK_AT = 0x2000;
const ENOSYS = 38;
const EIO = 5;
const POOL_BLOCKS = 8;

interface RandomExports extends Record<string, unknown> {
  heapBase(): number;
  runtimeHeapInit(from: number, to: number): void;
  randomGet(buffer: number, length: number): number;
  randomEntropy(buffer: number, length: number): number;
  randomSource(): number;
  randomSeedCount(): number;
  randomFailedSeedCount(): number;
  randomReseedBytes(): bigint;
  chacha(out: number, key: number, counter: number, nonce0: number, nonce1: number, nonce2: number): void;
}

/** One kernel instance on a fake machine whose hardwareRandom is watched (and can be broken). */
class Machine {
  /** Every 8-byte value hardwareRandom handed out, in order. */
  readonly given: Buffer[] = [];
  /** Set to make hardwareRandom fail from now on. */
  broken = false;
  calls = 0;
  exports!: RandomExports & loader.ASUtil;
  memory!: WebAssembly.Memory;

  static async create(config: FakeArchConfig = {}): Promise<Machine> {
    const machine = new Machine();
    const memory = new WebAssembly.Memory({ initial: PAGES, maximum: PAGES });
    const fake = new FakeArch(memory, config);
    const original = fake.imports.hardwareRandom as (out: number) => number;
    fake.imports.hardwareRandom = ((out: number) => {
      machine.calls++;
      if (machine.broken) return 0;
      const result = original(out);
      if (result !== 0) machine.given.push(Buffer.from(new Uint8Array(memory.buffer, out >>> 0, 8)));
      return result;
    }) as never;
    const { exports } = await loader.instantiate<RandomExports>(await wasmModule("test/host/random-harness.ts"), { env: { memory }, arch: fake.imports });
    exports.runtimeHeapInit(exports.heapBase(), HEAP_END);
    machine.exports = exports;
    machine.memory = memory;
    return machine;
  }

  bytes(at: number, length: number): Buffer {
    return Buffer.from(new Uint8Array(this.memory.buffer, at, length));
  }

  fill(at: number, length: number, value: number): void {
    new Uint8Array(this.memory.buffer, at, length).fill(value);
  }

  /** getRandom into the scratch buffer; the result and the bytes. */
  get(length: number): { result: number; bytes: Buffer } {
    const result = this.exports.randomGet(BUFFER, length);
    return { result, bytes: this.bytes(BUFFER, length) };
  }

  source(): string {
    return this.exports.__getString(this.exports.randomSource());
  }
}

/** ChaCha20 keystream block by Node (OpenSSL): its IV is the counter (LE) then the 12-byte nonce. */
function nodeBlock(key: Buffer, counter: number, nonce: Buffer): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32LE(counter, 0);
  nonce.copy(iv, 4);
  return createCipheriv("chacha20", key, iv).update(Buffer.alloc(64));
}

/** The generator as kernel/random.ts documents it. */
class GeneratorModel {
  key = Buffer.alloc(32);
  pool = Buffer.alloc(0);

  seed(fresh: Buffer): void {
    for (let i = 0; i < 32; i++) this.key[i] ^= fresh[i];
    this.pool = Buffer.alloc(0);
  }

  take(length: number): Buffer {
    const out: Buffer[] = [];
    let left = length;
    while (left > 0) {
      if (this.pool.length === 0) this.refill();
      const count = Math.min(left, this.pool.length);
      out.push(this.pool.subarray(0, count));
      this.pool = this.pool.subarray(count);
      left -= count;
    }
    return Buffer.concat(out);
  }

  private refill(): void {
    const blocks: Buffer[] = [];
    for (let counter = 0; counter < POOL_BLOCKS; counter++) blocks.push(nodeBlock(this.key, counter, Buffer.alloc(12)));
    const all = Buffer.concat(blocks);
    this.key = Buffer.from(all.subarray(0, 32));
    this.pool = all.subarray(32);
  }
}

describe("the ChaCha20 block", () => {
  let machine: Machine;
  beforeEach(async () => {
    machine = await Machine.create();
  });

  const block = (key: Buffer, counter: number, nonce: Buffer): Buffer => {
    new Uint8Array(machine.memory.buffer, KEY_AT, 32).set(key);
    machine.exports.chacha(BLOCK_AT, KEY_AT, counter, nonce.readUInt32LE(0), nonce.readUInt32LE(4), nonce.readUInt32LE(8));
    return machine.bytes(BLOCK_AT, 64);
  };

  it("gives RFC 8439's test vector (2.3.2)", () => {
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const nonce = Buffer.from("000000090000004a00000000", "hex");
    const expected = Buffer.from(
      "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4e" +
      "d2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e", "hex");
    expect(block(key, 1, nonce).toString("hex")).toBe(expected.toString("hex"));
  });

  it("agrees with Node's chacha20 for random keys, counters and nonces", () => {
    const random = new Random(suiteSeed(), 0xc4ac4a);
    for (let round = 0; round < 64; round++) {
      const key = Buffer.from(Array.from({ length: 32 }, () => random.u32() & 0xff));
      const nonce = Buffer.from(Array.from({ length: 12 }, () => random.u32() & 0xff));
      const counter = random.u32();
      expect(block(key, counter, nonce).toString("hex")).toBe(nodeBlock(key, counter, nonce).toString("hex"));
    }
  });
});

describe("getRandom with a hardware generator", () => {
  it("seeds once from 32 hardware bytes, then serves the generator's output byte for byte", async () => {
    const machine = await Machine.create();
    const model = new GeneratorModel();
    const first = machine.get(100);
    expect(first.result).toBe(0);
    expect(machine.calls).toBe(4);
    expect(machine.source()).toBe("hardware");
    model.seed(Buffer.concat(machine.given));
    expect(first.bytes.toString("hex")).toBe(model.take(100).toString("hex"));
    for (const length of [1, 7, 380, 480, 481, 4096, 13]) {
      const next = machine.get(length);
      expect(next.result).toBe(0);
      expect(next.bytes.toString("hex")).toBe(model.take(length).toString("hex"));
    }
    expect(machine.calls).toBe(4);
    expect(machine.exports.randomSeedCount()).toBe(1);
  });

  it("touches only the bytes asked for, and nothing for a zero length", async () => {
    const machine = await Machine.create();
    expect(machine.exports.randomGet(BUFFER, 0)).toBe(0);
    expect(machine.calls).toBe(0);
    machine.fill(BUFFER, 64, 0xa5);
    expect(machine.exports.randomGet(BUFFER + 3, 29)).toBe(0);
    const around = machine.bytes(BUFFER, 64);
    expect(around.subarray(0, 3).every((b) => b === 0xa5)).toBe(true);
    expect(around.subarray(32).every((b) => b === 0xa5)).toBe(true);
  });

  it("reseeds after RESEED_AFTER_BYTES of output, mixing the fresh bytes into the key", async () => {
    const machine = await Machine.create();
    const model = new GeneratorModel();
    const limit = Number(machine.exports.randomReseedBytes());
    const chunk = 65536;
    expect(machine.get(chunk).result).toBe(0);
    model.seed(Buffer.concat(machine.given));
    model.take(chunk);
    for (let done = chunk; done < limit; done += chunk) {
      expect(machine.get(chunk).result).toBe(0);
      model.take(chunk);
    }
    expect(machine.exports.randomSeedCount()).toBe(1);
    const after = machine.get(64);
    expect(after.result).toBe(0);
    expect(machine.exports.randomSeedCount()).toBe(2);
    expect(machine.calls).toBe(8);
    model.seed(Buffer.concat(machine.given.slice(4)));
    expect(after.bytes.toString("hex")).toBe(model.take(64).toString("hex"));
  });

  it("keeps a seeded generator serving when the source fails later, and says -EIO from the source", async () => {
    const machine = await Machine.create();
    expect(machine.get(32).result).toBe(0);
    machine.broken = true;
    expect(machine.exports.randomEntropy(BUFFER, 16)).toBe(-EIO);
    const limit = Number(machine.exports.randomReseedBytes());
    for (let done = 32; done < limit; done += 65536) expect(machine.get(65536).result).toBe(0);
    const after = machine.get(64);
    expect(after.result).toBe(0);
    expect(machine.exports.randomFailedSeedCount()).toBe(1);
    expect(machine.exports.randomSeedCount()).toBe(1);
  });
});

describe("getRandom without a source", () => {
  it("says -ENOSYS, leaves the buffer alone, and names no source", async () => {
    const machine = await Machine.create({ hardwareRandom: false });
    machine.fill(BUFFER, 64, 0x5a);
    expect(machine.exports.randomGet(BUFFER, 64)).toBe(-ENOSYS);
    expect(machine.bytes(BUFFER, 64).every((b) => b === 0x5a)).toBe(true);
    expect(machine.exports.randomEntropy(BUFFER, 8)).toBe(-ENOSYS);
    expect(machine.bytes(BUFFER, 64).every((b) => b === 0x5a)).toBe(true);
    expect(machine.source()).toBe("none");
    expect(machine.exports.randomSeedCount()).toBe(0);
    expect(machine.calls).toBeGreaterThan(0);
    // Still refused later: nothing was made up in between.
    expect(machine.exports.randomGet(BUFFER, 8)).toBe(-ENOSYS);
  });
});
