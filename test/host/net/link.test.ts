// Guards TCP's reliability between two stacks over a bad link: several MiB
// each way, both directions at once, arrive intact and in order while the
// link (seeded, test/host/random.ts) drops, duplicates, delays and so
// reorders frames, at several loss rates. Retransmission, fast recovery,
// out-of-order queueing and flow control all take part; the connection
// then closes cleanly on both sides.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random, suiteSeed } from "../random";
import { NetWorld, MS, SECOND, twoStacks, establish, pattern, exchange } from "./client";

const harness = await Harness.withMemory(256);
let world: NetWorld;
const MIB = 1 << 20;

beforeEach(() => {
  world = new NetWorld(harness);
});

afterEach(() => {
  world.dispose();
});

describe("net: TCP over a lossy link", () => {
  const rates = [
    { loss: 0, duplicate: 0, jitter: 0n, mib: 4 },
    { loss: 0.01, duplicate: 0.01, jitter: 2n * MS, mib: 4 },
    { loss: 0.03, duplicate: 0.02, jitter: 5n * MS, mib: 3 },
    { loss: 0.1, duplicate: 0.05, jitter: 10n * MS, mib: 2 },
  ];
  for (const [index, rate] of rates.entries()) {
    it(`moves ${rate.mib} MiB each way intact with ${rate.loss * 100}% loss, ${rate.duplicate * 100}% duplicates, ${rate.jitter / MS} ms jitter`, () => {
      const random = new Random(suiteSeed(), 100 + index);
      const [a, b] = twoStacks(world);
      const [sa, listener, sb] = establish(world, a, b);
      world.link = { loss: rate.loss, duplicate: rate.duplicate, delay: 1n * MS, jitter: rate.jitter, random };
      const toB = pattern(rate.mib * MIB, random);
      const toA = pattern(rate.mib * MIB, random);
      const [gotB, gotA] = exchange(world, a, sa, b, sb, toB, toA, 3600n * SECOND);
      expect(gotB.length, random.label).toBe(toB.length);
      expect(gotA.length, random.label).toBe(toA.length);
      expect(Buffer.from(gotB).equals(Buffer.from(toB)), random.label).toBe(true);
      expect(Buffer.from(gotA).equals(Buffer.from(toA)), random.label).toBe(true);
      const ca = world.counters(a);
      if (rate.loss > 0) expect(ca["tcp.retransmit.timeouts"] + ca["tcp.fast.retransmits"]).toBeGreaterThan(0);
      if (rate.loss > 0) expect(ca["tcp.out.of.order"]).toBeGreaterThan(0);
      // Both close; every frame of the close may be lost too.
      expect(world.e.netClose(a, sa)).toBe(0);
      expect(world.e.netClose(b, sb)).toBe(0);
      expect(world.e.netClose(b, listener)).toBe(0);
      expect(world.runUntil(() => world.e.netConnectionCount(a) + world.e.netConnectionCount(b) === 0, 600n * SECOND)).toBe(true);
    });
  }

  const shapes = [
    { name: "8 KiB buffers (no window scaling)", bufferBytes: 8 << 10, mtu: 1500 },
    { name: "256 KiB buffers (window scale 3)", bufferBytes: 256 << 10, mtu: 1500 },
    { name: "a 576-byte MTU", bufferBytes: 64 << 10, mtu: 576 },
    { name: "a 9000-byte MTU", bufferBytes: 128 << 10, mtu: 9000 },
  ];
  for (const [index, shape] of shapes.entries()) {
    it(`moves 1 MiB each way intact with ${shape.name} at 3% loss`, () => {
      const random = new Random(suiteSeed(), 200 + index);
      const [a, b] = twoStacks(world, { bufferBytes: shape.bufferBytes, mtu: shape.mtu }, { bufferBytes: shape.bufferBytes, mtu: shape.mtu });
      const [sa, listener, sb] = establish(world, a, b);
      world.link = { loss: 0.03, duplicate: 0.02, delay: 1n * MS, jitter: 4n * MS, random };
      const toB = pattern(MIB, random);
      const toA = pattern(MIB, random);
      const [gotB, gotA] = exchange(world, a, sa, b, sb, toB, toA, 3600n * SECOND);
      expect(Buffer.from(gotB).equals(Buffer.from(toB)), random.label).toBe(true);
      expect(Buffer.from(gotA).equals(Buffer.from(toA)), random.label).toBe(true);
      expect(world.e.netClose(a, sa) + world.e.netClose(b, sb) + world.e.netClose(b, listener)).toBe(0);
      expect(world.runUntil(() => world.e.netConnectionCount(a) + world.e.netConnectionCount(b) === 0, 600n * SECOND)).toBe(true);
    });
  }
});
