// Guards the happy path of kernel/net between two stacks on a perfect link:
// ARP resolves, the three-way handshake agrees MSS and window scale, data
// arrives in order both ways, and a graceful close ends in TIME_WAIT and
// then frees everything. And sequence numbers that wrap past 2^32, both
// ways, against a peer played by hand.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random } from "../random";
import { NetWorld, TCP, FIELD, SECOND, MAC_B, IP_B, twoStacks, establish, pattern, ScriptedPeer } from "./client";
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

describe("net: sequence numbers across 2^32", () => {
  it("receives across the wrap, in and out of order", () => {
    const [, b] = twoStacks(world);
    const listener = world.e.netListen(b, 80, 4);
    const peer = new ScriptedPeer(world, b, MAC_B, IP_B);
    peer.introduce();
    const iss = 0xffff_f000;
    peer.tcp({ sport: 4000, dport: 80, seq: iss, flags: FLAG.SYN, mss: 1000 });
    const synAck = peer.heard().find((p) => p.tcp)!.tcp!;
    const ack = (synAck.seq + 1) >>> 0;
    peer.tcp({ sport: 4000, dport: 80, seq: iss + 1, ack, flags: FLAG.ACK });
    const server = world.e.netAccept(b, listener);
    expect(server).toBeGreaterThanOrEqual(0);
    const data = pattern(8000, new Random(undefined, 3));
    const piece = (n: number) => ({ sport: 4000, dport: 80, seq: (iss + 1 + n * 1000) >>> 0, ack, flags: FLAG.ACK, data: data.subarray(n * 1000, n * 1000 + 1000) });
    for (const n of [0, 1, 5, 3, 2, 7, 6, 4]) peer.tcp(piece(n)); // 2^32 falls inside piece 4
    const got = world.receive(b, server, 10_000) as Uint8Array;
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(world.field(b, server, FIELD.rcvNxt)).toBe(BigInt((iss + 1 + 8000) >>> 0));
  });

  it("sends across the wrap", () => {
    const [, b] = twoStacks(world);
    const listener = world.e.netListen(b, 80, 4);
    const peer = new ScriptedPeer(world, b, MAC_B, IP_B);
    peer.introduce();
    // B's ISN is a keyed hash plus a 4 µs clock: learn the hash, then move time to land just below 2^32.
    peer.tcp({ sport: 4001, dport: 80, seq: 100, flags: FLAG.SYN, mss: 1000 });
    const first = peer.heard().find((p) => p.tcp)!.tcp!.seq;
    peer.tcp({ sport: 4001, dport: 80, seq: 101, flags: FLAG.RST });
    const target = 0xffff_f000;
    world.setTime(world.now + 4000n * BigInt((target - first) >>> 0));
    peer.introduce();
    peer.tcp({ sport: 4001, dport: 80, seq: 100, flags: FLAG.SYN, mss: 1000 });
    const synAck = peer.heard().find((p) => p.tcp)!.tcp!;
    expect(synAck.seq).toBe(target);
    peer.tcp({ sport: 4001, dport: 80, seq: 101, ack: target + 1, flags: FLAG.ACK, window: 65535 });
    const server = world.e.netAccept(b, listener);
    const data = pattern(9000, new Random(undefined, 4));
    expect(world.send(b, server, data)).toBe(9000);
    const got = new Uint8Array(9000);
    let expected = (target + 1) >>> 0;
    for (let round = 0; round < 20 && expected !== ((target + 9001) >>> 0); round++) {
      for (const p of peer.heard()) {
        const t = p.tcp;
        if (!t || t.data.length === 0 || t.seq !== expected) continue;
        got.set(t.data, (t.seq - target - 1) >>> 0);
        expected = (expected + t.data.length) >>> 0;
      }
      peer.tcp({ sport: 4001, dport: 80, seq: 101, ack: expected, flags: FLAG.ACK, window: 65535 });
    }
    expect(expected).toBe((target + 9001) >>> 0);
    expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
    expect(world.field(b, server, FIELD.sndUna)).toBe(BigInt(expected));
  });
});
