// Guards TCP and UDP over IPv6 (kernel/net/ip.ts and the transports'
// address pairs): connections between link-local and between global
// addresses carry data both ways, with the right addresses on the wire and
// in the sockets' reports, IPv6's MSS (MTU less 60) and checksums over
// IPv6's pseudo-header; a lossy link still delivers every byte in order;
// an IPv4-only listener refuses IPv6 connections while taking IPv4 ones;
// UDP datagrams go both ways with their sender's address, and one without
// a checksum (which IPv6 forbids) or with a wrong one is dropped and
// counted; destinations that cannot be reached are refused at once.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { NetWorld, IPV6, TCP, FIELD, MS, SECOND, MAC_A, MAC_B, NET_ERRNO, twoStacks, exchange, pattern, ip, IP_B } from "./client";
import { linkLocalOf, parseTransport6, udp6Frame, v6 } from "./frames6";
import { Random, suiteSeed } from "../random";

const harness = await Harness.withMemory(256);
let world: NetWorld;
const MIB = 1 << 20;
const PREFIX_A = "2001:db8:5::a";
const PREFIX_B = "2001:db8:5::b";

beforeEach(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
});

afterEach(() => {
  world.dispose();
});

/** Two stacks with IPv6 started (global addresses too when `global`), their start-up traffic done. */
function ipv6Stacks(global = false): [number, number] {
  const [a, b] = twoStacks(world);
  if (global) {
    expect(world.e.netConfigureIp6(a, harness.newString(`${PREFIX_A}/64`))).toBe(0);
    expect(world.e.netConfigureIp6(b, harness.newString(`${PREFIX_B}/64`))).toBe(0);
  }
  world.e.netIpv6Start(a);
  world.e.netIpv6Start(b);
  world.runFor(2n * SECOND); // duplicate address detection ends before a global address is used
  return [a, b];
}

/** B listens on `port`, A connects to `address`: [A's socket, B's listener, B's socket], established. */
function connect6(a: number, b: number, address: Uint8Array, port = 80): [number, number, number] {
  const listener = world.e.netListen(b, port, 4);
  expect(listener).toBeGreaterThanOrEqual(0);
  const client = world.connect6(a, address, port);
  expect(client).toBeGreaterThanOrEqual(0);
  let server = -1;
  expect(world.runUntil(() => {
    if (server < 0) server = world.e.netAccept(b, listener);
    return server >= 0 && world.state(a, client) === TCP.ESTABLISHED;
  }, 30n * SECOND)).toBe(true);
  return [client, listener, server];
}

const tcp6 = (from: number, since = 0) => world.transmitted.slice(since).filter((f) => f.from === from)
  .map((f) => parseTransport6(f.bytes)).filter((p) => p !== null && p.next === 6);

describe("net: TCP over IPv6", () => {
  it("connects between link-local addresses and moves data both ways, IPv6 on the wire", () => {
    const [a, b] = ipv6Stacks();
    const since = world.transmitted.length;
    const [sa, listener, sb] = connect6(a, b, linkLocalOf(MAC_B));
    const syn = tcp6(a, since)[0]!;
    expect(syn.src).toEqual(linkLocalOf(MAC_A));
    expect(syn.dst).toEqual(linkLocalOf(MAC_B));
    expect(syn.checksumOk).toBe(true);
    expect(syn.payload[13] & 2).toBe(2); // SYN
    expect([syn.payload[20], syn.payload[21], (syn.payload[22] << 8) | syn.payload[23]]).toEqual([2, 4, 1440]); // MSS: 1500 - 40 - 20
    expect(world.socketAddress(a, sa, false)).toEqual({ address: linkLocalOf(MAC_A), port: expect.any(Number) });
    expect(world.socketAddress(a, sa, true)).toEqual({ address: linkLocalOf(MAC_B), port: 80 });
    const mine = world.socketAddress(a, sa, false) as { port: number };
    expect(world.socketAddress(b, sb, true)).toEqual({ address: linkLocalOf(MAC_A), port: mine.port });
    expect(world.socketAddress(b, sb, false)).toEqual({ address: linkLocalOf(MAC_B), port: 80 });
    expect(world.socketAddress(b, listener, false)).toEqual({ address: new Uint8Array(16), port: 80 });
    expect(world.socketAddress(b, listener, true)).toBe(-NET_ERRNO.ENOTCONN);

    const random = new Random(suiteSeed(), 1);
    const toB = pattern(256 << 10, random);
    const toA = pattern(256 << 10, random);
    const [gotB, gotA] = exchange(world, a, sa, b, sb, toB, toA, 60n * SECOND);
    expect(Buffer.from(gotB).equals(Buffer.from(toB)), random.label).toBe(true);
    expect(Buffer.from(gotA).equals(Buffer.from(toA)), random.label).toBe(true);
    const segments = tcp6(a, since);
    expect(segments.every((s) => s!.checksumOk)).toBe(true);
    expect(Math.max(...segments.map((s) => s!.payload.length - ((s!.payload[12] >> 4) << 2)))).toBe(1440);
    expect(world.counter(a, "tcp.bad.checksum") + world.counter(b, "tcp.bad.checksum")).toBe(0);

    expect(world.e.netClose(a, sa) + world.e.netClose(b, sb) + world.e.netClose(b, listener)).toBe(0);
    expect(world.runUntil(() => world.e.netConnectionCount(a) + world.e.netConnectionCount(b) === 0, 600n * SECOND)).toBe(true);
  });

  it("connects between global addresses, from the global source", () => {
    const [a, b] = ipv6Stacks(true);
    expect(world.ipv6Address(a, IPV6.GLOBAL)).toEqual(v6(PREFIX_A));
    const [sa, , sb] = connect6(a, b, v6(PREFIX_B), 8080);
    expect(world.socketAddress(a, sa, false)).toMatchObject({ address: v6(PREFIX_A) });
    expect(world.socketAddress(b, sb, true)).toMatchObject({ address: v6(PREFIX_A) });
    expect(world.send(a, sa, new TextEncoder().encode("over the global prefix"))).toBe(22);
    world.runFor(100n * MS);
    expect(new TextDecoder().decode(world.receive(b, sb) as Uint8Array)).toBe("over the global prefix");
  });

  it("delivers 1 MiB each way intact over a link that loses, duplicates and reorders", () => {
    const [a, b] = ipv6Stacks();
    const random = new Random(suiteSeed(), 2);
    const [sa, , sb] = connect6(a, b, linkLocalOf(MAC_B));
    world.link = { loss: 0.03, duplicate: 0.02, delay: 1n * MS, jitter: 4n * MS, random };
    const toB = pattern(MIB, random);
    const toA = pattern(MIB, random);
    const [gotB, gotA] = exchange(world, a, sa, b, sb, toB, toA, 3600n * SECOND);
    expect(Buffer.from(gotB).equals(Buffer.from(toB)), random.label).toBe(true);
    expect(Buffer.from(gotA).equals(Buffer.from(toA)), random.label).toBe(true);
    expect(world.counter(a, "tcp.retransmit.timeouts") + world.counter(a, "tcp.fast.retransmits")).toBeGreaterThan(0);
  });

  it("an IPv4-only listener resets IPv6 connections and takes IPv4 ones on the same port", () => {
    const [a, b] = ipv6Stacks();
    expect(world.e.netListen4(b, 81, 4)).toBeGreaterThanOrEqual(0);
    const refused = world.connect6(a, linkLocalOf(MAC_B), 81);
    expect(refused).toBeGreaterThanOrEqual(0);
    world.runFor(100n * MS);
    expect(BigInt.asIntN(64, world.field(a, refused, FIELD.error))).toBe(-BigInt(NET_ERRNO.ECONNREFUSED));
    expect(world.state(a, refused)).toBe(TCP.CLOSED);
    const v4 = world.e.netConnect(a, ip(IP_B), 81);
    world.runFor(100n * MS);
    expect(world.state(a, v4)).toBe(TCP.ESTABLISHED);
  });

  it("drops a segment whose checksum fails over IPv6's pseudo-header, and the retransmission gets through", () => {
    const [a, b] = ipv6Stacks();
    const [sa, , sb] = connect6(a, b, linkLocalOf(MAC_B));
    let corrupted = 0;
    world.tap = (from, bytes) => {
      const segment = parseTransport6(bytes);
      if (from === a && segment !== null && segment.payload.length > 20 && corrupted === 0) {
        corrupted++;
        bytes[bytes.length - 1] ^= 0x40;
      }
      return "deliver";
    };
    expect(world.send(a, sa, new TextEncoder().encode("checked twice"))).toBe(13);
    world.runFor(5n * SECOND);
    expect(corrupted).toBe(1);
    expect(world.counter(b, "tcp.bad.checksum")).toBe(1);
    expect(new TextDecoder().decode(world.receive(b, sb) as Uint8Array)).toBe("checked twice");
  });

  it("refuses destinations it cannot reach, at once", () => {
    const [a] = twoStacks(world);
    expect(world.connect6(a, linkLocalOf(MAC_B), 80)).toBe(-NET_ERRNO.ENETUNREACH); // IPv6 is not started
    world.e.netIpv6Start(a);
    expect(world.connect6(a, v6("2001:db8:9::1"), 80)).toBe(-NET_ERRNO.ENETUNREACH); // no router
    expect(world.connect6(a, v6("ff02::1"), 80)).toBe(-NET_ERRNO.EINVAL);
    expect(world.connect6(a, new Uint8Array(16), 80)).toBe(-NET_ERRNO.EINVAL);
    expect(world.connect6(a, linkLocalOf(MAC_B), 0)).toBe(-NET_ERRNO.EINVAL);
  });
});

describe("net: UDP over IPv6", () => {
  it("carries datagrams both ways with the sender's address and port", () => {
    const [a, b] = ipv6Stacks(true);
    const server = world.e.netUdpOpen(b, 5353);
    const client = world.e.netUdpOpen(a, 0);
    const question = new TextEncoder().encode("who is there?");
    expect(world.udpSendTo6(a, client, v6(PREFIX_B), 5353, question)).toBe(question.length);
    world.runFor(10n * MS);
    const got = world.udpReceive6(b, server);
    expect(got).toMatchObject({ data: question, from: v6(PREFIX_A) });
    const { from, port } = got as { from: Uint8Array; port: number };
    expect(world.udpSendTo6(b, server, from, port, new TextEncoder().encode("b is"))).toBe(4);
    world.runFor(10n * MS);
    expect(world.udpReceive6(a, client)).toEqual({ data: new TextEncoder().encode("b is"), from: v6(PREFIX_B), port: 5353 });
    const datagrams = world.transmitted.map((f) => parseTransport6(f.bytes)).filter((p) => p !== null && p.next === 17);
    expect(datagrams).toHaveLength(2);
    expect(datagrams.every((d) => d!.checksumOk)).toBe(true);
  });

  it("drops a datagram without a checksum or with a wrong one, and counts it", () => {
    const [a, b] = ipv6Stacks();
    const server = world.e.netUdpOpen(b, 7000);
    const payload = new TextEncoder().encode("unchecked");
    world.inject(b, udp6Frame(MAC_A, MAC_B, linkLocalOf(MAC_A), linkLocalOf(MAC_B), 9000, 7000, payload, false));
    const corrupt = udp6Frame(MAC_A, MAC_B, linkLocalOf(MAC_A), linkLocalOf(MAC_B), 9000, 7000, payload);
    corrupt[corrupt.length - 1] ^= 1;
    world.inject(b, corrupt);
    expect(world.counter(b, "udp.bad.checksum")).toBe(2);
    expect(world.udpReceive6(b, server)).toBe(-NET_ERRNO.EAGAIN);
    world.inject(b, udp6Frame(MAC_A, MAC_B, linkLocalOf(MAC_A), linkLocalOf(MAC_B), 9000, 7000, payload));
    expect(world.udpReceive6(b, server)).toEqual({ data: payload, from: linkLocalOf(MAC_A), port: 9000 });
    void a;
  });

  it("a connected UDP socket takes datagrams from its IPv6 peer only", () => {
    const [a, b] = ipv6Stacks();
    const server = world.e.netUdpOpen(b, 7001);
    world.harness.write(world.io, linkLocalOf(MAC_A));
    expect(world.e.netUdpConnect6(b, server, world.io, 9001)).toBe(0);
    const payload = new TextEncoder().encode("x");
    world.inject(b, udp6Frame(MAC_A, MAC_B, linkLocalOf(MAC_A), linkLocalOf(MAC_B), 9002, 7001, payload));
    expect(world.counter(b, "udp.wrong.peer")).toBe(1);
    world.inject(b, udp6Frame(MAC_A, MAC_B, linkLocalOf(MAC_A), linkLocalOf(MAC_B), 9001, 7001, payload));
    expect(world.udpReceive6(b, server)).toMatchObject({ data: payload, port: 9001 });
    void a;
  });
});
