// Guards the DHCP client (kernel/net/dhcp.ts) against a DHCP server played
// in JavaScript: DISCOVER, OFFER, REQUEST, ACK gives the stack its address,
// prefix and gateway, after which it is reachable; lost messages are sent
// again with backing-off timers; the lease is renewed at T1 by a unicast
// REQUEST; a lease that runs out takes the address away; a NAK starts over;
// malformed replies are dropped and counted, other clients' ignored.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { NetWorld, DHCP, MS, SECOND, ip } from "./client";
import { arpFrame, macBytes, parseFrame, udpFrame, BROADCAST, ETHERTYPE } from "./frames";

const harness = await Harness.withMemory(256);
const MAC_CLIENT = 0x02_00_00_00_00_01n;
const MAC_SERVER = 0x02_00_00_00_00_fen;
const MAC_PEER = 0x02_00_00_00_00_02n;
const SERVER = "10.0.0.254";
const OFFER_ADDRESS = "10.0.0.42";
let world: NetWorld;

interface Seen { at: bigint; type: number; xid: number; flags: number; ciaddr: number; options: Map<number, Uint8Array>; to: number }

/** A DHCP server on the link: offers OFFER_ADDRESS, answers ARP for its address, and can be told to stay silent or refuse. */
class FakeDhcpServer {
  readonly seen: Seen[] = [];
  silent = 0;
  refuse = false;
  lease = 100;
  /** Changes each reply's bytes before it goes (for malformed replies). */
  mangle: ((reply: Uint8Array) => Uint8Array) | null = null;

  constructor(readonly client: number) {}

  /** The tap: takes DHCP and ARP for the server; everything else goes on. */
  tap(from: number, bytes: Uint8Array): "deliver" | "drop" {
    const p = parseFrame(bytes);
    if (from !== this.client) return "deliver";
    if (p.type === ETHERTYPE.ARP && p.arp!.op === 1 && p.arp!.targetIp === ip(SERVER)) {
      world.deliverLater(this.client, arpFrame(2, MAC_SERVER, ip(SERVER), p.arp!.senderMac, p.arp!.senderIp, p.arp!.senderMac));
      return "drop";
    }
    if (!p.udp || p.udp.dport !== 67) return "deliver";
    const m = p.udp.data;
    const view = new DataView(m.buffer, m.byteOffset, m.byteLength);
    const options = new Map<number, Uint8Array>();
    for (let at = 240; at < m.length && m[at] !== 255;) {
      if (m[at] === 0) { at++; continue; }
      options.set(m[at], m.subarray(at + 2, at + 2 + m[at + 1]));
      at += 2 + m[at + 1];
    }
    const seen: Seen = { at: world.now, type: options.get(53)![0], xid: view.getUint32(4), flags: view.getUint16(10), ciaddr: view.getUint32(12), options, to: p.ip!.dst };
    this.seen.push(seen);
    if (this.silent > 0) {
      this.silent--;
      return "drop";
    }
    if (seen.type === 1) this.reply(seen, 2);
    else if (seen.type === 3) this.reply(seen, this.refuse ? 6 : 5);
    return "drop";
  }

  reply(request: Seen, type: number): void {
    const m = new Uint8Array(300);
    const view = new DataView(m.buffer);
    m.set([2, 1, 6, 0]);
    view.setUint32(4, request.xid);
    view.setUint16(10, request.flags);
    if (type !== 6) view.setUint32(16, ip(OFFER_ADDRESS));
    view.setUint32(20, ip(SERVER));
    m.set(macBytes(MAC_CLIENT), 28);
    view.setUint32(236, 0x63825363);
    const options = [53, 1, type, 54, 4, ...[10, 0, 0, 254]];
    if (type !== 6) options.push(1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 0, 254, 51, 4, 0, 0, this.lease >> 8, this.lease & 255);
    options.push(255);
    m.set(options, 240);
    const broadcast = (request.flags & 0x8000) !== 0;
    let frame = udpFrame(MAC_SERVER, broadcast ? BROADCAST : MAC_CLIENT, ip(SERVER), broadcast ? 0xffffffff : ip(OFFER_ADDRESS), 67, 68, m);
    if (this.mangle) frame = this.mangle(frame);
    world.deliverLater(this.client, frame);
  }
}

let client = -1;
let peer = -1;
let server: FakeDhcpServer;

beforeEach(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
  client = world.addStack({ mac: MAC_CLIENT, address: "0.0.0.0", secret: 0x77n });
  peer = world.addStack({ mac: MAC_PEER, address: "10.0.0.2" });
  world.connect(client, peer);
  server = new FakeDhcpServer(client);
  world.tap = (from, bytes) => server.tap(from, bytes);
});

afterEach(() => {
  world.dispose();
});

const address = () => [world.e.netAddressOf(client, 0) >>> 0, world.e.netAddressOf(client, 1), world.e.netAddressOf(client, 2) >>> 0];

describe("net: DHCP", () => {
  it("takes a lease (DISCOVER, OFFER, REQUEST, ACK) and is reachable at its address", () => {
    expect(world.e.netDhcpStart(client)).toBe(0);
    world.runFor(100n * MS);
    expect(server.seen.map((s) => s.type)).toEqual([1, 3]);
    const [discover, request] = server.seen;
    expect(discover.flags & 0x8000).toBe(0x8000);
    expect(discover.to).toBe(0xffffffff);
    expect(request.xid).toBe(discover.xid);
    expect(Array.from(request.options.get(50)!)).toEqual([10, 0, 0, 42]);
    expect(Array.from(request.options.get(54)!)).toEqual([10, 0, 0, 254]);
    expect(world.e.netDhcpState(client)).toBe(DHCP.BOUND);
    expect(address()).toEqual([ip(OFFER_ADDRESS), 24, ip(SERVER)]);
    expect(world.counter(client, "dhcp.leases")).toBe(1);
    world.e.netPing(peer, ip(OFFER_ADDRESS), 3, 4, 16);
    world.runFor(100n * MS);
    expect(world.e.netLastEchoReply(peer)).toBe((3 << 16) | 4);
  });

  it("sends again after 2, 4 and 8 s while nobody answers", () => {
    server.silent = 3;
    world.e.netDhcpStart(client);
    world.runFor(20n * SECOND);
    const times = server.seen.filter((s) => s.type === 1).map((s) => s.at);
    expect(times.slice(1).map((t, i) => t - times[i])).toEqual([2n * SECOND, 4n * SECOND, 8n * SECOND]);
    expect(world.e.netDhcpState(client)).toBe(DHCP.BOUND);
  });

  it("renews at T1 with a unicast REQUEST, and loses the address when the lease runs out", () => {
    world.e.netDhcpStart(client);
    world.runFor(100n * MS);
    const boundAt = server.seen[1].at;
    world.runFor(51n * SECOND);
    const renewal = server.seen[2];
    expect(renewal.type).toBe(3);
    expect(renewal.at - boundAt).toBeGreaterThanOrEqual(50n * SECOND);
    expect(renewal.to).toBe(ip(SERVER));
    expect(renewal.ciaddr).toBe(ip(OFFER_ADDRESS));
    expect(renewal.options.has(50)).toBe(false);
    expect(world.e.netDhcpState(client)).toBe(DHCP.BOUND);
    server.silent = 1000;
    world.runFor(200n * SECOND);
    expect(address()[0]).toBe(0);
    expect(world.e.netDhcpState(client)).toBe(DHCP.SELECTING);
    expect(server.seen.some((s) => s.type === 3 && s.to === 0xffffffff && s.ciaddr === ip(OFFER_ADDRESS))).toBe(true); // rebinding
  });

  it("starts over on a NAK", () => {
    server.refuse = true;
    world.e.netDhcpStart(client);
    world.runFor(100n * MS);
    expect(server.seen.map((s) => s.type)).toEqual([1, 3]);
    expect(world.e.netDhcpState(client)).toBe(DHCP.INIT);
    expect(address()[0]).toBe(0);
    server.refuse = false;
    world.runFor(2n * SECOND);
    expect(server.seen.map((s) => s.type)).toEqual([1, 3, 1, 3]);
    expect(server.seen[2].at - server.seen[1].at).toBe(2n * SECOND + 1n * MS); // 2 s after the NAK arrived
    expect(world.e.netDhcpState(client)).toBe(DHCP.BOUND);
  });

  it("drops malformed replies (counted) and ignores other clients' replies", () => {
    server.mangle = (frame) => {
      const broken = frame.slice();
      broken[14 + 20 + 8 + 241] = 200; // the type option's length runs off the end
      const view = new DataView(broken.buffer);
      view.setUint16(14 + 20 + 6, 0); // no UDP checksum
      return broken;
    };
    world.e.netDhcpStart(client);
    world.runFor(100n * MS);
    expect(world.counter(client, "dhcp.malformed")).toBe(1);
    expect(world.e.netDhcpState(client)).toBe(DHCP.SELECTING);
    server.mangle = (frame) => {
      const other = frame.slice();
      other[14 + 20 + 8 + 4] ^= 0xff; // another transaction
      const view = new DataView(other.buffer);
      view.setUint16(14 + 20 + 6, 0);
      return other;
    };
    world.runFor(3n * SECOND);
    expect(world.counter(client, "dhcp.malformed")).toBe(1);
    expect(world.e.netDhcpState(client)).toBe(DHCP.SELECTING);
    server.mangle = null;
    world.runFor(5n * SECOND);
    expect(world.e.netDhcpState(client)).toBe(DHCP.BOUND);
  });
});
