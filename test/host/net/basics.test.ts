// Guards the happy path of kernel/net between two stacks on a perfect link:
// ARP resolves, the three-way handshake agrees MSS and window scale, data
// arrives in order both ways, and a graceful close ends in TIME_WAIT and
// then frees everything.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random } from "../random";
import { NetWorld, TCP, FIELD, SECOND, twoStacks, establish, pattern } from "./client";
import { parseFrame, FLAG } from "./frames";

const harness = await Harness.withMemory(256);
let world: NetWorld;

beforeEach(() => {
  world = new NetWorld(harness);
});

afterEach(() => {
  world.dispose();
});

describe("net: two stacks on a perfect link", () => {
  it("handshakes with MSS and window scale options", () => {
    const [a, b] = twoStacks(world);
    const [client, , server] = establish(world, a, b);
    const syn = world.transmitted.map((f) => parseFrame(f.bytes)).find((p) => p.tcp && p.tcp.flags === FLAG.SYN)!;
    expect(syn.tcp!.mss).toBe(1460);
    expect(syn.tcp!.wscale).toBe(1);
    expect(world.field(a, client, FIELD.mss)).toBe(1460n);
    expect(world.field(a, client, FIELD.sndShift)).toBe(1n);
    expect(world.field(b, server, FIELD.sndShift)).toBe(1n);
    expect(world.state(b, server)).toBe(TCP.ESTABLISHED);
  });

  it("carries data both ways and closes gracefully", () => {
    const [a, b] = twoStacks(world);
    const [client, listener, server] = establish(world, a, b);
    const random = new Random(undefined, 1);
    const data = pattern(200_000, random);
    let sent = 0;
    const got: number[] = [];
    world.runUntil(() => {
      if (sent < data.length) {
        const n = world.send(a, client, data.subarray(sent, sent + 30_000));
        if (n > 0) sent += n;
      }
      for (;;) {
        const r = world.receive(b, server);
        if (typeof r === "number" || r.length === 0) break;
        got.push(...r);
      }
      return got.length === data.length;
    });
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(world.e.netClose(a, client)).toBe(0);
    world.runUntil(() => world.state(b, server) === TCP.CLOSE_WAIT);
    expect(world.receive(b, server)).toEqual(new Uint8Array(0));
    expect(world.e.netClose(b, server)).toBe(0);
    world.runFor(1n * SECOND);
    expect(world.e.netConnectionCount(b)).toBe(0);
    expect(world.e.netConnectionCount(a)).toBe(1); // TIME_WAIT
    world.runFor(61n * SECOND);
    expect(world.e.netConnectionCount(a)).toBe(0);
    expect(world.e.netClose(b, listener)).toBe(0);
  });
});
