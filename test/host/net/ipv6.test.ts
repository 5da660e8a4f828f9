// Guards IPv6 on the stack (kernel/net/ipv6.ts, icmpv6.ts, nd.ts,
// neighbors.ts): link-local addresses from the MAC, neighbor discovery
// (solicitations answered and learned from, frames held until a neighbor
// answers), echo over link-local and global addresses, stateless
// autoconfiguration from a router advertisement (global address, default
// router, off-link traffic through it), router solicitations retried then
// stopped, duplicate address detection (our own looped probe ignored,
// another node's claim counted and a global address given up), and
// malformed or corrupted messages dropped and counted, never trapping.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { NetWorld, IPV6, MS, SECOND, MAC_A, MAC_B, twoStacks } from "./client";
import {
  ALL_NODES_MAC, echoRequest6, icmpv6Frame, linkLocalOf, multicastMacOf, neighborAdvertisement, neighborSolicitation, parseFrame6,
  routerAdvertisement, slaacOf, solicitedNode, v6,
} from "./frames6";
import { Random, suiteSeed } from "../random";

const harness = await Harness.withMemory(256);
let world: NetWorld;
const ROUTER_MAC = 0x52_55_0a_00_02_02n;
const ROUTER = v6("fe80::2");
const PREFIX = v6("2001:db8:1:2::");
const MAC_C = 0x02_00_00_00_00_0cn;

beforeEach(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
});

afterEach(() => {
  world.dispose();
});

const sent6 = (from: number, since = 0) => world.transmitted.slice(since).filter((f) => f.from === from).map((f) => parseFrame6(f.bytes)).filter((p) => p !== null);

/** Two stacks with IPv6 started, their start-up traffic (probes, router solicitations) exchanged. */
function twoIpv6Stacks(): [number, number] {
  const [a, b] = twoStacks(world);
  world.e.netIpv6Start(a);
  world.e.netIpv6Start(b);
  world.runFor(10n * MS);
  return [a, b];
}

describe("net: IPv6 addresses and neighbors", () => {
  it("starts with the MAC's link-local address, probes it, and asks for routers", () => {
    const [a] = twoStacks(world);
    world.e.netIpv6Start(a);
    expect(world.ipv6Address(a, IPV6.LINK_LOCAL)).toEqual(linkLocalOf(MAC_A));
    expect(world.formatIpv6(linkLocalOf(MAC_A))).toBe("fe80::ff:fe00:a");
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toBeNull();
    expect(world.ipv6Address(a, IPV6.ROUTER)).toBeNull();
    const [probe, solicitation] = sent6(a);
    expect(probe).toMatchObject({ type: 135, hopLimit: 255, src: new Uint8Array(16), dst: solicitedNode(linkLocalOf(MAC_A)), checksumOk: true });
    expect(probe.dstMac).toBe(multicastMacOf(solicitedNode(linkLocalOf(MAC_A))));
    expect(probe.target).toEqual(linkLocalOf(MAC_A));
    expect(probe.options.get(14)).toHaveLength(6); // the nonce
    expect(solicitation).toMatchObject({ type: 133, hopLimit: 255, src: linkLocalOf(MAC_A), dst: v6("ff02::2"), dstMac: 0x3333_0000_0002n, checksumOk: true });
    expect(solicitation.options.get(1)).toEqual(Uint8Array.from([2, 0, 0, 0, 0, 0x0a]));
  });

  it("pings a neighbor's link-local address: a solicitation, an advertisement, the echo, and both learn", () => {
    const [a, b] = twoIpv6Stacks();
    const since = world.transmitted.length;
    world.ping6(a, linkLocalOf(MAC_B), 9, 3, 40);
    world.runFor(10n * MS);
    expect(world.e.netLastEchoReply(a)).toBe((9 << 16) | 3);
    expect(world.counter(b, "icmp.echoes.answered")).toBe(1);
    expect(world.neighbor(a, linkLocalOf(MAC_B))).toBe(MAC_B);
    expect(world.neighbor(b, linkLocalOf(MAC_A))).toBe(MAC_A);
    const types = world.transmitted.slice(since).map((f) => parseFrame6(f.bytes)!.type);
    expect(types).toEqual([135, 136, 128, 129]); // B learned A from the solicitation: no second one
    const [solicitation, advertisement, echo, reply] = world.transmitted.slice(since).map((f) => parseFrame6(f.bytes)!);
    expect(solicitation.dst).toEqual(solicitedNode(linkLocalOf(MAC_B)));
    expect(advertisement).toMatchObject({ src: linkLocalOf(MAC_B), dst: linkLocalOf(MAC_A), dstMac: MAC_A, target: linkLocalOf(MAC_B) });
    expect(advertisement.message[4]).toBe(0x60); // solicited, override
    expect(advertisement.options.get(2)).toEqual(Uint8Array.from([2, 0, 0, 0, 0, 0x0b]));
    expect(echo.message.subarray(8)).toEqual(Uint8Array.from({ length: 40 }, (_, i) => i));
    expect(reply.message.subarray(4)).toEqual(echo.message.subarray(4)); // identifier, sequence and data come back
    expect(reply.checksumOk && echo.checksumOk).toBe(true);
  });

  it("holds frames while it asks, asks three times a second apart, then drops them", () => {
    const [a] = twoIpv6Stacks();
    world.peers.clear();
    const since = world.transmitted.length;
    for (let i = 0; i < 6; i++) world.ping6(a, linkLocalOf(MAC_C), 1, i, 8);
    expect(world.counter(a, "nd.queue.full")).toBe(2);
    world.runFor(5n * SECOND);
    const asked = sent6(a, since).filter((p) => p.type === 135);
    expect(asked).toHaveLength(3);
    expect(world.counter(a, "nd.unresolved")).toBe(4);
    expect(world.neighbor(a, linkLocalOf(MAC_C))).toBe(0n);
  });

  it("answers echo only to its own unicast addresses, from an address it can answer", () => {
    const [a] = twoIpv6Stacks();
    world.peers.clear();
    const since = world.transmitted.length;
    world.inject(a, echoRequest6(MAC_C, MAC_A, linkLocalOf(MAC_C), linkLocalOf(MAC_A), 1, 1, new Uint8Array(8)));
    world.inject(a, echoRequest6(MAC_C, ALL_NODES_MAC, linkLocalOf(MAC_C), v6("ff02::1"), 1, 2, new Uint8Array(8)));
    world.inject(a, echoRequest6(MAC_C, MAC_A, new Uint8Array(16), linkLocalOf(MAC_A), 1, 3, new Uint8Array(8)));
    world.inject(a, echoRequest6(MAC_C, MAC_A, linkLocalOf(MAC_C), v6("fe80::99"), 1, 4, new Uint8Array(8)));
    expect(world.counter(a, "icmp.echoes.answered")).toBe(1);
    expect(world.counter(a, "icmp.unhandled")).toBe(2);
    expect(world.counter(a, "ip.not.for.us")).toBe(1);
    // The one answer goes to C's MAC, learned by asking.
    world.inject(a, neighborAdvertisement(MAC_C, MAC_A, linkLocalOf(MAC_C), linkLocalOf(MAC_A), linkLocalOf(MAC_C), 0x60));
    const replies = sent6(a, since).filter((p) => p.type === 129);
    expect(replies).toHaveLength(1);
    expect(replies[0].dstMac).toBe(MAC_C);
  });
});

describe("net: IPv6 autoconfiguration from a router", () => {
  it("takes a global address and a default router from an advertisement, and stops soliciting", () => {
    const [a, b] = twoIpv6Stacks();
    for (const stack of [a, b]) world.inject(stack, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX }));
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toEqual(slaacOf(PREFIX, MAC_A));
    expect(world.formatIpv6(slaacOf(PREFIX, MAC_A))).toBe("2001:db8:1:2:0:ff:fe00:a");
    expect(world.ipv6Address(a, IPV6.ROUTER)).toEqual(ROUTER);
    expect(world.neighbor(a, ROUTER)).toBe(ROUTER_MAC); // from the advertisement's source link-layer option
    expect(world.counter(a, "nd.addresses.configured")).toBe(1);
    // Globals reach each other on the link; the probe for the new address went out first.
    world.runFor(10n * MS);
    world.ping6(a, slaacOf(PREFIX, MAC_B), 4, 4, 16);
    world.runFor(10n * MS);
    expect(world.e.netLastEchoReply(a)).toBe((4 << 16) | 4);
    // Beyond the prefix, through the router, from the global address.
    const since = world.transmitted.length;
    world.ping6(a, v6("2001:db8:99::1"), 5, 5, 16);
    const [out] = sent6(a, since);
    expect(out).toMatchObject({ type: 128, dstMac: ROUTER_MAC, src: slaacOf(PREFIX, MAC_A), dst: v6("2001:db8:99::1") });
    // No more router solicitations after the advertisement.
    const before = world.counter(a, "nd.router.solicitations.sent");
    world.runFor(20n * SECOND);
    expect(world.counter(a, "nd.router.solicitations.sent")).toBe(before);
  });

  it("without routers: three solicitations four seconds apart, then off-link traffic has no route", () => {
    const [a] = twoStacks(world);
    world.peers.clear();
    world.e.netIpv6Start(a);
    world.runFor(30n * SECOND);
    const solicitations = world.transmitted.filter((f) => parseFrame6(f.bytes)?.type === 133);
    expect(solicitations.map((f) => f.at - solicitations[0].at)).toEqual([0n, 4n * SECOND, 8n * SECOND]);
    world.ping6(a, v6("2001:db8::1"), 1, 1, 8);
    expect(world.counter(a, "ip.no.route")).toBe(1);
  });

  it("ignores prefixes it cannot use, and forgets the router and address when their lifetimes end", () => {
    const [a] = twoIpv6Stacks();
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX, prefixLength: 48 }));
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX, autonomous: false }));
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX, validLifetime: 10, preferredLifetime: 20 }));
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toBeNull();
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX, routerLifetime: 30, validLifetime: 60, preferredLifetime: 60 }));
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toEqual(slaacOf(PREFIX, MAC_A));
    world.runFor(31n * SECOND);
    expect(world.ipv6Address(a, IPV6.ROUTER)).toBeNull();
    expect(world.ipv6Address(a, IPV6.GLOBAL)).not.toBeNull();
    world.runFor(30n * SECOND);
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toBeNull();
  });
});

describe("net: IPv6 duplicate addresses", () => {
  it("ignores its own probe looped back, counts another node's, and defends its link-local address", () => {
    const [a] = twoIpv6Stacks();
    world.peers.clear();
    const [probe] = sent6(a).filter((p) => p.type === 135 && p.src.every((byte) => byte === 0));
    const nonce = [...probe.options.get(14)!];
    const since = world.transmitted.length;
    world.inject(a, neighborSolicitation(MAC_A, new Uint8Array(16), linkLocalOf(MAC_A), nonce));
    expect(world.counter(a, "nd.duplicate.address")).toBe(0);
    world.inject(a, neighborSolicitation(MAC_C, new Uint8Array(16), linkLocalOf(MAC_A), [1, 2, 3, 4, 5, 6]));
    expect(world.counter(a, "nd.duplicate.address")).toBe(1);
    const [defence] = sent6(a, since);
    expect(defence).toMatchObject({ type: 136, dst: v6("ff02::1"), dstMac: ALL_NODES_MAC, target: linkLocalOf(MAC_A) });
    expect(world.ipv6Address(a, IPV6.LINK_LOCAL)).toEqual(linkLocalOf(MAC_A));
  });

  it("gives up a global address another node advertises", () => {
    const [a] = twoIpv6Stacks();
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX }));
    const global = world.ipv6Address(a, IPV6.GLOBAL)!;
    world.inject(a, neighborAdvertisement(MAC_C, ALL_NODES_MAC, linkLocalOf(MAC_C), v6("ff02::1"), global, 0x20));
    expect(world.counter(a, "nd.duplicate.address")).toBe(1);
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toBeNull();
  });
});

describe("net: IPv6 bad input", () => {
  it("drops and counts malformed neighbor discovery", () => {
    const [a] = twoIpv6Stacks();
    const malformed = () => world.counter(a, "nd.malformed");
    const ra = routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX });
    const message = ra.subarray(54);
    const cases: Uint8Array[] = [
      icmpv6Frame(ROUTER_MAC, ALL_NODES_MAC, ROUTER, v6("ff02::1"), message, 64), // hop limit not 255
      icmpv6Frame(ROUTER_MAC, ALL_NODES_MAC, v6("2001:db8::2"), v6("ff02::1"), message), // router not link-local
      icmpv6Frame(ROUTER_MAC, ALL_NODES_MAC, ROUTER, v6("ff02::1"), Uint8Array.from([...message.subarray(0, 16), 1, 0, 0, 0, 0, 0, 0, 0])), // option length 0
      icmpv6Frame(ROUTER_MAC, ALL_NODES_MAC, ROUTER, v6("ff02::1"), Uint8Array.from([...message.subarray(0, 16), 1, 2, 1, 2, 3, 4, 5, 6])), // option past the end
      icmpv6Frame(ROUTER_MAC, ALL_NODES_MAC, ROUTER, v6("ff02::1"), message.subarray(0, 12)), // too short
      icmpv6Frame(MAC_C, MAC_A, linkLocalOf(MAC_C), linkLocalOf(MAC_A), Uint8Array.from([135, 0, 0, 0, 0, 0, 0, 0, ...v6("ff02::1")])), // multicast target
      icmpv6Frame(MAC_C, MAC_A, linkLocalOf(MAC_C), linkLocalOf(MAC_A), Uint8Array.from([135, 1, 0, 0, 0, 0, 0, 0, ...linkLocalOf(MAC_A)])), // code 1
    ];
    cases.forEach((frame, i) => {
      world.inject(a, frame);
      expect(malformed(), `case ${i}`).toBe(i + 1);
    });
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toBeNull();
    expect(world.ipv6Address(a, IPV6.ROUTER)).toBeNull();
    world.inject(a, icmpv6Frame(MAC_C, MAC_A, linkLocalOf(MAC_C), linkLocalOf(MAC_A), Uint8Array.from([128, 0, 0, 0, 0, 1, 0, 1]), 64, true));
    expect(world.counter(a, "icmp.bad.checksum")).toBe(1);
  });

  it("every single-byte corruption of captured IPv6 frames is taken or counted, never a trap", () => {
    const random = new Random(suiteSeed(), 6);
    const [a, b] = twoIpv6Stacks();
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX }));
    world.ping6(a, linkLocalOf(MAC_B), 1, 1, 24);
    world.runFor(10n * MS);
    const captured = [
      ...world.transmitted.map((f) => f.bytes).filter((bytes) => parseFrame6(bytes) !== null),
      routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX }),
    ];
    expect(captured.length).toBeGreaterThanOrEqual(6);
    world.peers.clear();
    let frames = 0;
    for (const frame of captured) {
      for (let at = 0; at < frame.length; at++) {
        const bad = frame.slice();
        bad[at] ^= 1 << random.int(0, 7);
        world.inject(b, bad);
        frames++;
      }
    }
    world.runFor(SECOND);
    expect(world.counter(b, "frames.in")).toBeGreaterThanOrEqual(frames);
    expect(world.ipv6Address(b, IPV6.LINK_LOCAL)).toEqual(linkLocalOf(MAC_B));
  });
});

describe("net: static IPv6 (ip6=ADDR/PREFIX[,ROUTER])", () => {
  const configure = (handle: number, text: string) => world.e.netConfigureIp6(handle, harness.newString(text));

  it("takes the address and router given, asks no router, and routes by the prefix length", () => {
    const [a] = twoStacks(world);
    world.peers.clear();
    expect(configure(a, "2001:db8::a/120,fe80::1")).toBe(0);
    world.e.netIpv6Start(a);
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toEqual(v6("2001:db8::a"));
    expect(world.ipv6Address(a, IPV6.ROUTER)).toEqual(v6("fe80::1"));
    const start = sent6(a);
    expect(start.map((p) => p.type)).toEqual([135, 135]); // two probes, no router solicitation
    expect(start[1].target).toEqual(v6("2001:db8::a"));
    // Within the /120: asked for directly; beyond it: the router is asked for.
    let since = world.transmitted.length;
    world.ping6(a, v6("2001:db8::ff"), 1, 1, 8);
    expect(sent6(a, since)[0]).toMatchObject({ type: 135, target: v6("2001:db8::ff"), src: v6("2001:db8::a") });
    since = world.transmitted.length;
    world.ping6(a, v6("2001:db8::1:0"), 1, 2, 8);
    expect(sent6(a, since)[0]).toMatchObject({ type: 135, target: v6("fe80::1"), src: linkLocalOf(MAC_A) });
    // An advertisement neither moves the router nor adds a prefix.
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX }));
    expect(world.ipv6Address(a, IPV6.ROUTER)).toEqual(v6("fe80::1"));
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toEqual(v6("2001:db8::a"));
  });

  it("without a router takes one from advertisements, keeping its address", () => {
    const [a] = twoStacks(world);
    expect(configure(a, "2001:db8::a/64")).toBe(0);
    world.e.netIpv6Start(a);
    expect(world.ipv6Address(a, IPV6.ROUTER)).toBeNull();
    world.inject(a, routerAdvertisement({ routerMac: ROUTER_MAC, router: ROUTER, prefix: PREFIX }));
    expect(world.ipv6Address(a, IPV6.ROUTER)).toEqual(ROUTER);
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toEqual(v6("2001:db8::a"));
  });

  it("ip6=off and on", () => {
    const [a] = twoStacks(world);
    expect(configure(a, "off")).toBe(0);
    expect(configure(a, "on")).toBe(0);
  });

  for (const [text, why] of [
    ["2001:db8::a", "ip6= takes on, off, or ADDR/PREFIX[,ROUTER] (e.g. ip6=2001:db8::15/64,fe80::1)"],
    ["2001:db8::g/64", "ip6=: the address is not an IPv6 address (ip6= takes on, off, or ADDR/PREFIX[,ROUTER] (e.g. ip6=2001:db8::15/64,fe80::1))"],
    ["fe80::a/64", "ip6=: the address must be a global unicast one (the link-local one comes from the MAC)"],
    ["ff02::1/64", "ip6=: the address must be a global unicast one (the link-local one comes from the MAC)"],
    ["2001:db8::a/129", "ip6=: the prefix is not a number from 1 to 128"],
    ["2001:db8::a/,fe80::1", "ip6=: the prefix is not a number from 1 to 128"],
    ["2001:db8::a/0", "ip6=: the prefix is not a number from 1 to 128"],
    ["2001:db8::a/64,ff02::2", "ip6=: the router is not a unicast IPv6 address (ip6= takes on, off, or ADDR/PREFIX[,ROUTER] (e.g. ip6=2001:db8::15/64,fe80::1))"],
    ["2001:db8::a/64,fe80::1::2", "ip6=: the router is not a unicast IPv6 address (ip6= takes on, off, or ADDR/PREFIX[,ROUTER] (e.g. ip6=2001:db8::15/64,fe80::1))"],
  ]) {
    it(`refuses ip6=${text}`, () => {
      const [a] = twoStacks(world);
      expect(configure(a, text)).toBe(-22);
      expect(harness.string(world.e.netParseFailure())).toBe(why);
    });
  }
});
