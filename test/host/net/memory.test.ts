// Guards the stack's memory: after connections of every kind (clean,
// lossy, reset, refused, half-open from a SYN flood, queued when their
// listener closed) have ended and TIME_WAIT and the ARP cache have expired,
// every slab object and large page comes back, and the stack's own count
// (heldBytes) is back to its frame buffer and socket table; destroying
// the stacks gives back the rest. Under a memory limit, connections that
// do not fit are refused and counted (no.buffer), never a trap.

import { describe, expect, it } from "vitest";
import { Harness, HarnessExports } from "../harness-client";
import { USE } from "../mm/client";
import { Random, suiteSeed } from "../random";
import { NetWorld, TCP, MS, SECOND, NET_ERRNO, IP_B, ip, twoStacks, establish, pattern, ScriptedPeer, MAC_B } from "./client";
import { FLAG } from "./frames";

const harness = await Harness.withMemory(512);
const e = harness.exports;
const CLASSES = e.classCount() >>> 0;

function memoryInUse(x: HarnessExports): { objects: number; large: number } {
  let objects = 0;
  for (let c = 0; c < CLASSES; c++) objects += x.slabObjectsOf(c) >>> 0;
  return { objects, large: x.pagesCount(USE.large) >>> 0 };
}

/** Moves `bytes` from a to b over whatever link is set, reading as it goes. */
function transfer(world: NetWorld, a: number, sa: number, b: number, sb: number, bytes: number, seed: number): void {
  const data = pattern(bytes, new Random(suiteSeed(), seed));
  let sent = 0;
  let got = 0;
  world.runUntil(() => {
    if (sent < data.length) sent += Math.max(0, world.send(a, sa, data.subarray(sent, sent + 65536)));
    for (let r = world.receive(b, sb); typeof r !== "number" && r.length > 0; r = world.receive(b, sb)) got += r.length;
    return got === data.length;
  }, 600n * SECOND);
  expect(got).toBe(data.length);
}

describe("net: memory", () => {
  it("gives back every byte once connections end, and the rest when the stacks go", () => {
    const world = new NetWorld(harness);
    world.link.delay = 1n * MS;
    e.netUdpRecordInto(0, 0); // the harness's own one-time objects
    world.destroy(world.addStack({ mac: 1n, address: "10.0.0.9" }));
    const empty = memoryInUse(e);
    const [a, b] = twoStacks(world, { mslMilliseconds: 2000 }, { mslMilliseconds: 2000 });
    const base = memoryInUse(e);
    const held = [e.netHeldBytes(a), e.netHeldBytes(b)];

    // Clean, both ways, closed from each side.
    for (let round = 0; round < 3; round++) {
      const [sa, listener, sb] = establish(world, a, b, 80 + round);
      transfer(world, a, sa, b, sb, 300_000, round);
      transfer(world, b, sb, a, sa, 100_000, round + 10);
      e.netClose(round % 2 ? b : a, round % 2 ? sb : sa);
      e.netClose(round % 2 ? a : b, round % 2 ? sa : sb);
      e.netClose(b, listener);
    }
    // Lossy.
    world.link = { loss: 0.05, duplicate: 0.05, delay: 1n * MS, jitter: 3n * MS, random: new Random(suiteSeed(), 5) };
    {
      const [sa, listener, sb] = establish(world, a, b, 90);
      transfer(world, a, sa, b, sb, 500_000, 5);
      e.netClose(a, sa);
      e.netClose(b, sb);
      e.netClose(b, listener);
    }
    world.runFor(30n * SECOND);
    world.link = { loss: 0, duplicate: 0, delay: 1n * MS, jitter: 0n, random: new Random() };
    // Closed with unread data: reset.
    {
      const [sa, listener, sb] = establish(world, a, b, 91);
      world.send(a, sa, new Uint8Array(5000));
      world.runFor(10n * MS);
      e.netClose(b, sb);
      world.runFor(10n * MS);
      expect(world.receive(a, sa)).toBe(-NET_ERRNO.ECONNRESET);
      e.netClose(a, sa);
      e.netClose(b, listener);
    }
    // Refused, and queued connections reset when their listener closes.
    {
      const refused = e.netConnect(a, ip(IP_B), 92);
      world.runFor(10n * MS);
      e.netClose(a, refused);
      const listener = e.netListen(b, 93, 4);
      const queued = [e.netConnect(a, ip(IP_B), 93), e.netConnect(a, ip(IP_B), 93)];
      world.runFor(10n * MS);
      e.netClose(b, listener);
      world.runFor(10n * MS);
      for (const s of queued) e.netClose(a, s);
    }
    // Half-open connections from a SYN flood, left to time out.
    {
      const listener = e.netListen(b, 94, 2);
      const peer = new ScriptedPeer(world, b, MAC_B, IP_B);
      peer.introduce();
      for (let port = 7000; port < 7030; port++) peer.tcp({ sport: port, dport: 94, seq: port, flags: FLAG.SYN });
      world.runFor(200n * SECOND);
      e.netClose(b, listener);
    }
    // UDP bindings.
    expect(e.netUdpBind(b, 67)).toBe(0);
    expect(e.netUdpUnbind(b, 67)).toBe(0);

    world.runFor(70n * SECOND); // TIME_WAIT (4 s) and the ARP cache (60 s)
    expect([e.netConnectionCount(a), e.netConnectionCount(b), e.netArpSize(a), e.netArpSize(b)]).toEqual([0, 0, 0, 0]);
    expect([e.netHeldBytes(a), e.netHeldBytes(b)]).toEqual(held);
    expect(memoryInUse(e)).toEqual(base);
    world.destroy(a);
    world.destroy(b);
    expect(memoryInUse(e)).toEqual(empty);
    world.dispose();
  });

  it("refuses connections past its memory limit (counted), never traps", () => {
    const world = new NetWorld(harness);
    world.link.delay = 1n * MS;
    // Room for one connection's 2 x 64 KiB buffers, not two.
    const [a, b] = twoStacks(world, {}, { memoryLimit: 200 * 1024 });
    const first = establish(world, a, b, 80);
    const second = e.netConnect(a, ip(IP_B), 80);
    world.runFor(100n * MS);
    expect(world.counter(b, "no.buffer")).toBeGreaterThanOrEqual(1);
    expect(world.receive(a, second)).toBe(-NET_ERRNO.ECONNRESET);
    expect(world.state(a, first[0])).toBe(TCP.ESTABLISHED);
    expect(Number(e.netHeldBytes(b))).toBeLessThanOrEqual(200 * 1024 + 16 * 1024);
    world.dispose();
  });
});
