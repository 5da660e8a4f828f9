// Guards TCP's timers against the stack's own clock (the test's): SYN and
// data retransmission with RTO doubling (RFC 6298) and the give-up,
// Karn's rule, fast retransmit after exactly three duplicate ACKs with
// NewReno recovery (RFC 5681, 6582), zero-window probes backing off and
// the window reopening, and delayed ACKs (one segment waits 40 ms, the
// second is acknowledged at once).

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { Random } from "../random";
import { NetWorld, TCP, FIELD, NET_ERRNO, MS, SECOND, ip, IP_B, twoStacks, establish, pattern } from "./client";
import { parseFrame, FLAG } from "./frames";

const harness = await Harness.withMemory(256);
let world: NetWorld;

beforeEach(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
});

afterEach(() => {
  world.dispose();
});

/** TCP segments `from` sent since frame `since`, parsed, with their times. */
function segments(from: number, since = 0) {
  return world.transmitted.slice(since).filter((f) => f.from === from).map((f) => ({ at: f.at, ...parseFrame(f.bytes) }))
    .filter((p) => p.tcp).map((p) => ({ at: p.at, ...p.tcp! }));
}

const dataSegments = (from: number, since = 0) => segments(from, since).filter((s) => s.data.length > 0);
const gaps = (times: bigint[]) => times.slice(1).map((t, i) => t - times[i]);

/** Sends `data` from a to b and collects it, running the world meanwhile. */
function transfer(a: number, sa: number, b: number, sb: number, data: Uint8Array, span = 60n * SECOND): Uint8Array {
  const got: number[] = [];
  let sent = 0;
  world.runUntil(() => {
    if (sent < data.length) sent += Math.max(0, world.send(a, sa, data.subarray(sent)));
    for (let r = world.receive(b, sb); typeof r !== "number" && r.length > 0; r = world.receive(b, sb)) got.push(...r);
    return got.length >= data.length;
  }, span);
  return Uint8Array.from(got);
}

describe("net: TCP timers", () => {
  it("retransmits a SYN after 1, 2, 4, 8, 16 and 32 s, then gives up (ETIMEDOUT)", () => {
    const [a] = twoStacks(world);
    world.e.netPing(a, ip(IP_B), 1, 1, 8); // ARP first: the SYN's timer starts when connect sends it
    world.runFor(10n * MS);
    world.tap = (from, bytes) => (parseFrame(bytes).tcp ? "drop" : "deliver");
    const client = world.e.netConnect(a, ip(IP_B), 80);
    const start = world.now;
    world.runFor(200n * SECOND);
    const syns = segments(a).filter((s) => s.flags === FLAG.SYN).map((s) => s.at);
    // The last waits one ARP round trip (2 ms): the cache entry expired after 60 s.
    expect(gaps(syns)).toEqual([1n, 2n, 4n, 8n, 16n, 32n].map((s) => s * SECOND + (s === 32n ? 2n * MS : 0n)));
    expect(syns[0]).toBe(start);
    expect(world.state(a, client)).toBe(TCP.CLOSED);
    expect(world.receive(a, client)).toBe(-NET_ERRNO.ETIMEDOUT);
    expect(world.counter(a, "tcp.aborts")).toBe(1);
  });

  it("doubles the RTO on each data retransmission and keeps it until a fresh sample (Karn)", () => {
    const [a, b] = twoStacks(world);
    const [sa, , sb] = establish(world, a, b);
    expect(world.field(a, sa, FIELD.rto)).toBe(200n * MS); // the floor: the link's RTT is 2 ms
    world.tap = (from, bytes) => (from === a && (parseFrame(bytes).tcp?.data.length ?? 0) > 0 ? "drop" : "deliver");
    const since = world.transmitted.length;
    expect(world.send(a, sa, new Uint8Array(100).fill(1))).toBe(100);
    world.runFor(3100n * MS);
    const times = dataSegments(a, since).map((s) => s.at);
    expect(gaps(times)).toEqual([200n, 400n, 800n, 1600n].map((ms) => ms * MS));
    world.tap = null;
    world.runUntil(() => world.field(a, sa, FIELD.sndUna) === world.field(a, sa, FIELD.sndMax), 10n * SECOND);
    expect(world.field(b, sb, FIELD.receiveQueued)).toBe(100n);
    expect(world.field(a, sa, FIELD.rto)).toBe(6400n * MS); // no sample from a retransmitted segment
    expect(world.counter(a, "tcp.retransmit.timeouts")).toBe(5);
    world.send(a, sa, new Uint8Array(100));
    world.runFor(100n * MS);
    expect(world.field(a, sa, FIELD.rto)).toBe(200n * MS);
  });

  it("retransmits fast after exactly three duplicate ACKs, then recovers (NewReno)", () => {
    const [a, b] = twoStacks(world);
    const [sa, , sb] = establish(world, a, b);
    const random = new Random(undefined, 7);
    transfer(a, sa, b, sb, pattern(300_000, random)); // open the congestion window
    const mss = Number(world.field(a, sa, FIELD.mss));
    const lost = Number(world.field(a, sa, FIELD.sndNxt));
    let dropped = false;
    const held: Uint8Array[] = [];
    world.tap = (from, bytes) => {
      const tcp = parseFrame(bytes).tcp;
      if (from === a && !dropped && tcp?.seq === lost && tcp.data.length > 0) {
        dropped = true;
        return "drop";
      }
      if (from === b && tcp) {
        held.push(bytes);
        return "drop";
      }
      return "deliver";
    };
    const burst = pattern(10 * mss, random);
    expect(world.send(a, sa, burst)).toBe(burst.length);
    world.runFor(5n * MS);
    expect(held.length).toBe(9); // one duplicate ACK per segment after the lost one
    expect(held.every((frame) => parseFrame(frame).tcp!.ack === lost)).toBe(true);
    const flight = Number(world.field(a, sa, FIELD.sndMax)) - Number(world.field(a, sa, FIELD.sndUna));
    world.tap = null;
    const since = world.transmitted.length;
    world.inject(a, held[0]);
    world.inject(a, held[1]);
    expect(world.counter(a, "tcp.fast.retransmits")).toBe(0);
    expect(dataSegments(a, since)).toEqual([]);
    world.inject(a, held[2]);
    expect(world.counter(a, "tcp.fast.retransmits")).toBe(1);
    expect(dataSegments(a, since).map((s) => s.seq)).toEqual([lost]);
    const ssthresh = Number(world.field(a, sa, FIELD.ssthresh));
    expect(ssthresh).toBe(Math.max(Math.floor(flight / 2), 2 * mss));
    expect(Number(world.field(a, sa, FIELD.cwnd))).toBe(ssthresh + 3 * mss);
    expect(world.field(a, sa, FIELD.inRecovery)).toBe(1n);
    for (const frame of held.slice(3)) world.inject(a, frame);
    expect(Number(world.field(a, sa, FIELD.cwnd))).toBe(ssthresh + 9 * mss); // inflated by each further duplicate
    world.runFor(50n * MS);
    expect(world.field(a, sa, FIELD.inRecovery)).toBe(0n);
    expect(world.field(a, sa, FIELD.sndUna)).toBe(world.field(a, sa, FIELD.sndMax));
    expect(Number(world.field(a, sa, FIELD.cwnd))).toBeLessThanOrEqual(ssthresh);
    expect(world.counter(a, "tcp.retransmit.timeouts")).toBe(0);
  });

  it("recovers two losses in one window with a partial ACK, without a timeout (NewReno)", () => {
    const [a, b] = twoStacks(world);
    const [sa, , sb] = establish(world, a, b);
    const random = new Random(undefined, 8);
    transfer(a, sa, b, sb, pattern(300_000, random));
    const mss = Number(world.field(a, sa, FIELD.mss));
    const first = Number(world.field(a, sa, FIELD.sndNxt));
    const losses = new Set([first, (first + 4 * mss) >>> 0]);
    world.tap = (from, bytes) => {
      const tcp = parseFrame(bytes).tcp;
      if (from === a && tcp && losses.has(tcp.seq) && tcp.data.length > 0) {
        losses.delete(tcp.seq);
        return "drop";
      }
      return "deliver";
    };
    const burst = pattern(12 * mss, random);
    const got = transfer(a, sa, b, sb, burst, 1n * SECOND);
    world.runFor(100n * MS);
    expect(Buffer.from(got).equals(Buffer.from(burst))).toBe(true);
    expect(losses.size).toBe(0);
    expect(world.counter(a, "tcp.fast.retransmits")).toBe(1);
    expect(world.counter(a, "tcp.retransmit.timeouts")).toBe(0);
    expect(world.field(a, sa, FIELD.inRecovery)).toBe(0n);
  });

  it("probes a closed window with backing-off persist timers and goes on when it reopens", () => {
    const [a, b] = twoStacks(world, {}, { bufferBytes: 4096 });
    const [sa, , sb] = establish(world, a, b);
    const data = pattern(20_000, new Random(undefined, 9));
    expect(world.send(a, sa, data)).toBe(data.length);
    world.runFor(100n * MS);
    expect(world.field(b, sb, FIELD.receiveQueued)).toBe(4096n);
    expect(world.field(a, sa, FIELD.sndWnd)).toBe(0n);
    expect(world.field(a, sa, FIELD.persistAt)).not.toBe(0n);
    const since = world.transmitted.length;
    world.runFor(7n * SECOND);
    const probes = dataSegments(a, since).map((s) => s.at);
    expect(probes.length).toBeGreaterThanOrEqual(4);
    const intervals = gaps(probes);
    for (let i = 1; i < intervals.length; i++) expect(intervals[i]).toBe(intervals[i - 1] * 2n);
    expect(world.counter(a, "tcp.probes")).toBe(probes.length);
    expect(world.state(a, sa)).toBe(TCP.ESTABLISHED);
    const received: number[] = [];
    world.runUntil(() => {
      for (let r = world.receive(b, sb); typeof r !== "number" && r.length > 0; r = world.receive(b, sb)) received.push(...r);
      return received.length === data.length;
    }, 10n * SECOND);
    expect(Buffer.from(received).equals(Buffer.from(data))).toBe(true);
  });

  it("delays the ACK of one segment by 40 ms and acknowledges every second segment at once", () => {
    const [a, b] = twoStacks(world);
    const [sa, , sb] = establish(world, a, b);
    world.runFor(100n * MS);
    const since = world.transmitted.length;
    const sentAt = world.now;
    world.send(a, sa, new Uint8Array(100));
    world.runFor(100n * MS);
    const acks = segments(b, since);
    expect(acks.length).toBe(1);
    expect(acks[0].at - sentAt).toBe(1n * MS + 40n * MS);
    expect(world.counter(b, "tcp.delayed.acks")).toBe(1);
    const mss = Number(world.field(a, sa, FIELD.mss));
    const again = world.transmitted.length;
    const twoAt = world.now;
    world.send(a, sa, new Uint8Array(2 * mss));
    world.runFor(100n * MS);
    const quick = segments(b, again);
    expect(quick.length).toBe(1);
    expect(quick[0].at - twoAt).toBe(1n * MS);
    void sb;
  });
});
