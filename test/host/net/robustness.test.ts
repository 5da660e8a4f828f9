// Guards the stack against broken and hostile frames: every single-byte
// corruption (three ways) and every truncation of captured frames (ARP
// request and reply, SYN, SYN-ACK, data, FIN, ICMP echo) is dropped and
// counted (the source MAC, which nothing checks, aside), then random
// frames, random and shaped like the real thing, for a fixed time budget;
// nothing traps, and the stacks still connect and carry data afterwards.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random, suiteSeed } from "../random";
import { NetWorld, TCP, MS, SECOND, IP_A, IP_B, MAC_A, MAC_B, ip, twoStacks, establish, pattern } from "./client";
import { parseFrame, FLAG, ETHERTYPE, tcpFrame, ipv4, macBytes } from "./frames";

const harness = await Harness.withMemory(256);
let world: NetWorld;
let a = -1;
let b = -1;
const captured: Array<{ name: string; to: number; bytes: Uint8Array }> = [];

beforeAll(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
  [a, b] = twoStacks(world);
  world.e.netPing(a, ip(IP_B), 1, 1, 24);
  world.runFor(10n * MS);
  const [sa, listener, sb] = establish(world, a, b);
  world.send(a, sa, new TextEncoder().encode("some data for the capture"));
  world.runFor(100n * MS);
  world.e.netShutdown(a, sa, 2);
  world.runFor(100n * MS);
  const find = (name: string, from: number, match: (p: ReturnType<typeof parseFrame>) => boolean) => {
    const frame = world.transmitted.find((f) => f.from === from && match(parseFrame(f.bytes)));
    if (!frame) throw new Error(`no ${name} frame was captured`);
    captured.push({ name, to: from === a ? b : a, bytes: frame.bytes });
  };
  find("ARP request", a, (p) => p.arp?.op === 1);
  find("ARP reply", b, (p) => p.arp?.op === 2);
  find("ICMP echo request", a, (p) => p.icmp?.type === 8);
  find("ICMP echo reply", b, (p) => p.icmp?.type === 0);
  find("SYN", a, (p) => p.tcp?.flags === FLAG.SYN);
  find("SYN-ACK", b, (p) => p.tcp?.flags === (FLAG.SYN | FLAG.ACK));
  find("data", a, (p) => (p.tcp?.data.length ?? 0) > 0);
  find("FIN", a, (p) => ((p.tcp?.flags ?? 0) & FLAG.FIN) !== 0);
  world.e.netClose(a, sa);
  world.e.netClose(b, sb);
  world.e.netClose(b, listener);
  world.runFor(61n * SECOND);
  world.peers.clear(); // what the stacks answer goes nowhere
});

afterAll(() => {
  world.dispose();
});

let droppedIndex = -1;
function dropped(handle: number): number {
  if (droppedIndex < 0) {
    for (let i = 0; i < world.e.netCounterCount(); i++) if (harness.string(world.e.netCounterName(i)) === "dropped") droppedIndex = i;
  }
  return Number(world.e.netCounter(handle, droppedIndex));
}

/** Both stacks still work: a new connection carries 100 KB. */
function stillWorks(port: number): void {
  world.flush();
  world.connect(a, b);
  const [sa, listener, sb] = establish(world, a, b, port);
  const data = pattern(100_000, new Random(undefined, port));
  let sent = 0;
  const got: number[] = [];
  world.runUntil(() => {
    if (sent < data.length) sent += Math.max(0, world.send(a, sa, data.subarray(sent)));
    for (let r = world.receive(b, sb); typeof r !== "number" && r.length > 0; r = world.receive(b, sb)) got.push(...r);
    return got.length === data.length;
  }, 30n * SECOND);
  expect(Buffer.from(got).equals(Buffer.from(data))).toBe(true);
  world.e.netClose(a, sa);
  world.e.netClose(b, sb);
  world.e.netClose(b, listener);
  world.runFor(61n * SECOND);
  world.peers.clear();
}

describe("net: broken frames", () => {
  it("drops and counts every single-byte corruption of captured frames", () => {
    const unchecked: string[] = [];
    for (const { name, to, bytes } of captured) {
      const isArp = parseFrame(bytes).type === ETHERTYPE.ARP;
      for (let at = 0; at < bytes.length; at++) {
        for (const flip of [0x01, 0x80, 0xff]) {
          const broken = bytes.slice();
          broken[at] ^= flip;
          const before = dropped(to);
          world.inject(to, broken);
          if (dropped(to) > before) continue;
          // Nothing checks the source MAC; ARP's addresses are data, not checked fields.
          const allowed = (at >= 6 && at < 12) || (isArp && at >= 22 && at < 42);
          if (!allowed) unchecked.push(`${name}: byte ${at} ^ 0x${flip.toString(16)}`);
        }
      }
    }
    expect(unchecked).toEqual([]);
    stillWorks(1001);
  });

  it("drops and counts every truncation of captured frames", () => {
    const kept: string[] = [];
    for (const { name, to, bytes } of captured) {
      for (let length = 0; length < bytes.length; length++) {
        const before = dropped(to);
        world.inject(to, bytes.subarray(0, length));
        if (dropped(to) === before) kept.push(`${name} cut to ${length}`);
      }
    }
    expect(kept).toEqual([]);
    stillWorks(1002);
  });

  it("drops TCP segments whose options run off the end", () => {
    const before = world.counter(b, "tcp.bad.option");
    const listener = world.e.netListen(b, 2000, 4);
    const base = { srcMac: MAC_A, dstMac: MAC_B, src: ip(IP_A), dst: ip(IP_B), sport: 40000, dport: 2000, seq: 1, flags: FLAG.SYN };
    const broken = [[1, 1, 1, 2], [1, 1, 2, 4], [1, 1, 3, 3], [2, 0, 0, 0], [2, 1, 0, 0], [2, 5, 0, 0], [8, 10, 0, 0],
      [2, 4, 5, 180, 3, 2, 0, 0], [2, 4, 5, 180, 1, 1, 1, 2], [2, 4, 5, 180, 1, 1, 1, 255]];
    for (const options of broken) world.inject(b, tcpFrame({ ...base, options }));
    expect(world.counter(b, "tcp.bad.option") - before).toBe(broken.length);
    expect(world.e.netConnectionCount(b)).toBe(0);
    world.e.netClose(b, listener);
  });

  it("survives random frames for two seconds", () => {
    const random = new Random(suiteSeed(), 77);
    const listener = world.e.netListen(b, 3000, 8);
    const started = Date.now();
    let frames = 0;
    while (Date.now() - started < 2000) {
      const to = random.bool() ? a : b;
      const mac = to === a ? MAC_A : MAC_B;
      const address = ip(to === a ? IP_A : IP_B);
      const kind = random.int(0, 3);
      let bytes: Uint8Array;
      if (kind === 0) {
        bytes = Uint8Array.from({ length: random.int(0, 1600) }, () => random.int(0, 255));
      } else {
        const payload = Uint8Array.from({ length: random.int(0, 1480) }, () => random.int(0, 255));
        let packet: Uint8Array;
        if (kind === 3) {
          const flags = random.int(0, 63);
          const frame = tcpFrame({
            srcMac: 0x02_00_00_00_00_0en, dstMac: mac, src: ip("10.0.0.7"), dst: address, sport: random.int(1, 65535),
            dport: random.bool(0.5) ? 3000 : random.int(0, 65535), seq: random.u32(), ack: random.u32(), flags,
            window: random.int(0, 65535), data: payload.subarray(0, random.int(0, 200)),
            options: random.bool(0.3) ? Array.from({ length: 4 * random.int(1, 10) }, () => random.int(0, 255)) : undefined,
          });
          packet = frame.subarray(14);
        } else {
          packet = ipv4(ip("10.0.0.7"), random.bool(0.9) ? address : random.u32(), random.pick([1, 6, 17, random.int(0, 255)]), payload, random.int(0, 255), random.int(0, 65535));
          if (random.bool(0.3)) packet[random.int(0, packet.length - 1)] = random.int(0, 255);
        }
        bytes = new Uint8Array(14 + packet.length);
        bytes.set(macBytes(random.bool(0.95) ? mac : 0xffff_ffff_ffffn), 0);
        bytes.set(macBytes(0x02_00_00_00_00_0en), 6);
        bytes[12] = 0x08;
        bytes[13] = random.bool(0.9) ? 0x00 : 0x06;
        bytes.set(packet, 14);
      }
      world.inject(to, bytes);
      frames++;
      if (frames % 500 === 0) {
        world.setTime(world.now + 10n * MS);
        world.settle();
      }
    }
    expect(frames).toBeGreaterThan(1000);
    world.e.netClose(b, listener);
    world.runFor(121n * SECOND); // every half-open connection the noise made times out
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((state) => world.e.netConnectionsIn(b, state))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    stillWorks(1003);
    expect(world.state(a, 0) === TCP.CLOSED || world.state(a, 0) < 0).toBe(true);
  });
});
