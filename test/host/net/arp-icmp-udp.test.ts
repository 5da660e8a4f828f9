// Guards the layers under TCP: the ARP cache (requests answered and learned
// from, frames held while an address is resolved and sent when it is, the
// hold queue bounded, requests retried then given up, entries expiring),
// ICMP echo (answered byte for byte; a stack's own ping), UDP (delivered
// to a bound port, checksums checked, unbound ports counted), and the ip=
// option's parsing (an address, or dhcp) and refusals.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import { NetWorld, MS, SECOND, MAC_A, MAC_B, IP_A, IP_B, ip, twoStacks } from "./client";
import { arpFrame, icmpEchoFrame, parseFrame, ETHERTYPE, BROADCAST } from "./frames";

const harness = await Harness.withMemory(256);
let world: NetWorld;
const MAC_C = 0x02_00_00_00_00_0cn;
const IP_C = "10.0.0.3";

beforeEach(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
});

afterEach(() => {
  world.dispose();
});

const framesFrom = (from: number, since = 0) => world.transmitted.slice(since).filter((f) => f.from === from).map((f) => parseFrame(f.bytes));

describe("net: ARP", () => {
  it("answers a request for its address, and learns the asker", () => {
    const [a] = twoStacks(world);
    world.peers.clear();
    world.inject(a, arpFrame(1, MAC_C, ip(IP_C), 0n, ip(IP_A)));
    const [reply] = framesFrom(a);
    expect(reply.dst).toBe(MAC_C);
    expect(reply.arp).toEqual({ op: 2, senderMac: MAC_A, senderIp: ip(IP_A), targetMac: MAC_C, targetIp: ip(IP_C) });
    expect(world.e.netArpLookup(a, ip(IP_C))).toBe(MAC_C);
    // A request for another address is neither answered nor learned from.
    world.inject(a, arpFrame(1, 0x02_00_00_00_00_0dn, ip("10.0.0.4"), 0n, ip("10.0.0.9")));
    expect(framesFrom(a).length).toBe(1);
    expect(world.e.netArpLookup(a, ip("10.0.0.4"))).toBe(0n);
    expect(world.counter(a, "arp.not.for.us")).toBe(1);
  });

  it("holds frames while it asks, sends them when answered, and both sides learn", () => {
    const [a, b] = twoStacks(world);
    world.e.netPing(a, ip(IP_B), 7, 1, 32);
    const [request] = framesFrom(a);
    expect(request.dst).toBe(BROADCAST);
    expect(request.arp).toMatchObject({ op: 1, senderIp: ip(IP_A), targetIp: ip(IP_B) });
    world.runFor(10n * MS);
    expect(world.e.netArpLookup(a, ip(IP_B))).toBe(MAC_B);
    expect(world.e.netArpLookup(b, ip(IP_A))).toBe(MAC_A);
    expect(world.e.netLastEchoReply(a)).toBe((7 << 16) | 1);
    expect(world.counter(a, "icmp.echo.replies")).toBe(1);
    expect(world.counter(b, "icmp.echoes.answered")).toBe(1);
  });

  it("holds at most four frames, asks three times a second apart, then drops them", () => {
    const [a] = twoStacks(world);
    world.peers.clear();
    for (let i = 0; i < 6; i++) world.e.netPing(a, ip(IP_B), 1, i, 8);
    expect(world.counter(a, "arp.queue.full")).toBe(2);
    const start = world.now;
    world.runFor(5n * SECOND);
    const requests = world.transmitted.filter((f) => f.from === a && parseFrame(f.bytes).type === ETHERTYPE.ARP).map((f) => f.at - start);
    expect(requests).toEqual([0n, 1n * SECOND, 2n * SECOND]);
    expect(world.counter(a, "arp.unresolved")).toBe(4);
    expect(world.e.netArpSize(a)).toBe(0);
  });

  it("forgets an address after 60 s and asks again", () => {
    const [a, b] = twoStacks(world);
    world.e.netPing(a, ip(IP_B), 1, 1, 8);
    world.runFor(59n * SECOND);
    expect(world.e.netArpLookup(a, ip(IP_B))).toBe(MAC_B);
    world.runFor(2n * SECOND);
    expect(world.e.netArpLookup(a, ip(IP_B))).toBe(0n);
    world.e.netPing(a, ip(IP_B), 1, 2, 8);
    world.runFor(10n * MS);
    expect(world.counter(a, "arp.requests.sent")).toBe(2);
    expect(world.e.netLastEchoReply(a)).toBe((1 << 16) | 2);
    void b;
  });
});

describe("net: ICMP", () => {
  it("answers an echo request with the same identifier, sequence and data", () => {
    const [a] = twoStacks(world);
    world.peers.clear();
    world.inject(a, arpFrame(1, MAC_C, ip(IP_C), 0n, ip(IP_A)));
    const data = new TextEncoder().encode("abcdefghijklmnopqrstuvwxyz0123456789");
    world.inject(a, icmpEchoFrame(MAC_C, MAC_A, ip(IP_C), ip(IP_A), 0x1234, 0x5678, data));
    const reply = framesFrom(a).find((p) => p.icmp)!;
    expect(reply.dst).toBe(MAC_C);
    expect(reply.ip).toMatchObject({ src: ip(IP_A), dst: ip(IP_C), protocol: 1, headerOk: true });
    expect(reply.icmp).toMatchObject({ type: 0, code: 0, id: 0x1234, seq: 0x5678, checksumOk: true });
    expect(Buffer.from(reply.icmp!.data).toString()).toBe(Buffer.from(data).toString());
  });

  it("does not answer an echo request sent to a broadcast address", () => {
    const [a] = twoStacks(world);
    world.peers.clear();
    world.inject(a, arpFrame(1, MAC_C, ip(IP_C), 0n, ip(IP_A)));
    world.inject(a, icmpEchoFrame(MAC_C, BROADCAST, ip(IP_C), ip("10.0.0.255"), 1, 1, new Uint8Array(8)));
    expect(framesFrom(a).filter((p) => p.icmp)).toEqual([]);
    expect(world.counter(a, "icmp.unhandled")).toBe(1);
  });
});

describe("net: UDP", () => {
  it("delivers a datagram to a bound port and counts one for an unbound port", () => {
    const [a, b] = twoStacks(world);
    const e = world.e;
    const into = e.mmMalloc(2048) >>> 0;
    e.netUdpRecordInto(into, 2048);
    expect(e.netUdpBind(b, 67)).toBe(0);
    expect(e.netUdpBind(b, 67)).toBe(-98);
    const message = new TextEncoder().encode("DHCPDISCOVER, more or less");
    harness.write(world.io, message);
    const before = e.netUdpReceived(0);
    expect(e.netUdpSend(a, 68, ip(IP_B), 67, world.io, message.length)).toBe(0);
    world.runFor(10n * MS);
    expect(e.netUdpReceived(0)).toBe(before + 1);
    expect([e.netUdpReceived(1) >>> 0, e.netUdpReceived(2), e.netUdpReceived(3), e.netUdpReceived(4)]).toEqual([ip(IP_A), 68, 67, message.length]);
    expect(Buffer.from(harness.bytes().slice(into, into + message.length)).toString()).toBe(Buffer.from(message).toString());
    expect(e.netUdpSend(a, 68, ip(IP_B), 99, world.io, 4)).toBe(0);
    world.runFor(10n * MS);
    expect(world.counter(b, "udp.no.port")).toBe(1);
    expect(e.netUdpSend(a, 68, ip(IP_B), 67, world.io, 1473)).toBe(-90);
    expect(e.netUdpUnbind(b, 67)).toBe(0);
    e.mmFree(into);
  });
});

describe("net: the ip= option", () => {
  const parse = (text: string) => world.e.netParseIp(harness.newString(text));
  it("takes ADDR/PREFIX,GATEWAY", () => {
    expect(parse("10.0.2.15/24,10.0.2.2")).toBe(0);
    expect([world.e.netParsed(0), world.e.netParsed(1), world.e.netParsed(2), world.e.netParsed(3)]).toEqual([ip("10.0.2.15"), 24, ip("10.0.2.2"), 0]);
  });

  it("takes dhcp", () => {
    expect(parse("dhcp")).toBe(0);
    expect([world.e.netParsed(0), world.e.netParsed(3)]).toEqual([0, 1]);
  });

  it("takes a name server after either, with a port or not", () => {
    expect(parse("10.0.2.15/24,10.0.2.2,dns=10.0.2.3")).toBe(0);
    expect([world.e.netParsed(0), world.e.netParsed(2), world.e.netParsed(4), world.e.netParsed(5)]).toEqual([ip("10.0.2.15"), ip("10.0.2.2"), ip("10.0.2.3"), 53]);
    expect(parse("dhcp,dns=10.0.2.2:5353")).toBe(0);
    expect([world.e.netParsed(3), world.e.netParsed(4), world.e.netParsed(5)]).toEqual([1, ip("10.0.2.2"), 5353]);
    expect(parse("10.0.2.15/24,10.0.2.2")).toBe(0);
    expect(world.e.netParsed(4)).toBe(0);
  });

  for (const [text, why] of [
    ["10.0.2.15", "ip= needs ADDR/PREFIX,GATEWAY or dhcp, then optionally ,dns=ADDR[:PORT], e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3"],
    ["10.0.2/24,10.0.2.2", "ip=: the address is not a dotted quad (ip= needs ADDR/PREFIX,GATEWAY or dhcp, then optionally ,dns=ADDR[:PORT], e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3)"],
    ["10.0.2.256/24,10.0.2.2", "ip=: the address is not a dotted quad (ip= needs ADDR/PREFIX,GATEWAY or dhcp, then optionally ,dns=ADDR[:PORT], e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3)"],
    ["10.0.2.15/33,10.0.2.2", "ip=: the prefix is not a number from 1 to 30"],
    ["10.0.2.15/,10.0.2.2", "ip=: the prefix is not a number from 1 to 30"],
    ["10.0.2.15/24,10.0.3.2", "ip=: the gateway is not on the address's network"],
    ["10.0.2.15/24,10.0.2", "ip=: the gateway is not a dotted quad (ip= needs ADDR/PREFIX,GATEWAY or dhcp, then optionally ,dns=ADDR[:PORT], e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3)"],
    ["10.0.2.0/24,10.0.2.2", "ip=: the address is the network's own or its broadcast address"],
    ["10.0.2.2/24,10.0.2.2", "ip=: the gateway is the address itself"],
    ["10.0.2.15/24,10.0.2.2,dns=10.0.2", "ip=...,dns=: the name server is not a dotted quad (ip= needs ADDR/PREFIX,GATEWAY or dhcp, then optionally ,dns=ADDR[:PORT], e.g. ip=10.0.2.15/24,10.0.2.2,dns=10.0.2.3)"],
    ["dhcp,dns=10.0.2.3:0", "ip=...,dns=ADDR:PORT: the port is not a number from 1 to 65535"],
    ["dhcp,dns=10.0.2.3:65536", "ip=...,dns=ADDR:PORT: the port is not a number from 1 to 65535"],
    ["dhcp,dns=10.0.2.3:", "ip=...,dns=ADDR:PORT: the port is not a number from 1 to 65535"],
  ]) {
    it(`refuses ${text}`, () => {
      expect(parse(text)).toBe(-22);
      expect(harness.string(world.e.netParseFailure())).toBe(why);
    });
  }
});

describe("net: UDP sockets (udp-sockets.ts)", () => {
  const READ = 1;
  const WRITE = 2;
  const text = (bytes: Uint8Array) => Buffer.from(bytes).toString();

  it("carry datagrams both ways with their senders, whole or cut to the buffer, peeked or taken", () => {
    const [a, b] = twoStacks(world);
    const e = world.e;
    const into = e.mmMalloc(2048) >>> 0;
    const server = e.netUdpOpen(b, 5353);
    const client = e.netUdpOpen(a, 0);
    expect(server).toBeGreaterThanOrEqual(0);
    expect(e.netUdpOpen(b, 5353)).toBe(-98); // EADDRINUSE
    const clientPort = Number(e.netUdpEndpoints(a, client) & 0xffffn);
    expect(clientPort).toBeGreaterThanOrEqual(49152);
    expect(e.netUdpReadiness(b, server)).toBe(WRITE);
    harness.write(world.io, new TextEncoder().encode("first datagram"));
    expect(e.netUdpSendTo(a, client, ip(IP_B), 5353, world.io, 14)).toBe(14n);
    harness.write(world.io, new TextEncoder().encode("second"));
    expect(e.netUdpSendTo(a, client, ip(IP_B), 5353, world.io, 6)).toBe(6n);
    world.runFor(10n * MS);
    expect(e.netUdpReadiness(b, server)).toBe(READ | WRITE);
    expect(e.netUdpReceiveFrom(b, server, into, 5, 1)).toBe(5n); // RECEIVE_PEEK: it stays
    expect(e.netUdpReceiveFrom(b, server, into, 5, 0)).toBe(5n); //  cut to 5 bytes, the rest lost
    expect([e.netUdpLastReceived(0) >>> 0, e.netUdpLastReceived(1), e.netUdpLastReceived(2)]).toEqual([ip(IP_A), clientPort, 14]);
    expect(text(harness.bytes().slice(into, into + 5))).toBe("first");
    expect(e.netUdpReceiveFrom(b, server, into, 2048, 0)).toBe(6n);
    expect(text(harness.bytes().slice(into, into + 6))).toBe("second");
    expect(e.netUdpReceiveFrom(b, server, into, 2048, 0)).toBe(-11n); // EAGAIN
    // The answer goes back to the sender's port.
    harness.write(world.io, new TextEncoder().encode("reply"));
    expect(e.netUdpSendTo(b, server, ip(IP_A), clientPort, world.io, 5)).toBe(5n);
    world.runFor(10n * MS);
    expect(e.netUdpReceiveFrom(a, client, into, 2048, 0)).toBe(5n);
    expect([e.netUdpLastReceived(0) >>> 0, e.netUdpLastReceived(1)]).toEqual([ip(IP_B), 5353]);
    expect(e.netUdpClose(a, client)).toBe(0);
    expect(e.netUdpClose(a, client)).toBe(-9); // EBADF
    expect(e.netUdpClose(b, server)).toBe(0);
    e.mmFree(into);
  });

  it("a connected socket sends to its peer and drops datagrams from anyone else; sends are checked", () => {
    const [a, b] = twoStacks(world);
    const e = world.e;
    const into = e.mmMalloc(2048) >>> 0;
    const server = e.netUdpOpen(b, 7000);
    const other = e.netUdpOpen(a, 7001);
    const client = e.netUdpOpen(a, 7002);
    expect(e.netUdpSendTo(a, client, 0, 0, world.io, 4)).toBe(-89n); // EDESTADDRREQ: no peer yet
    expect(e.netUdpConnect(b, server, ip(IP_A), 7002)).toBe(0);
    expect(e.netUdpConnect(a, client, ip(IP_B), 7000)).toBe(0);
    harness.write(world.io, new TextEncoder().encode("ping"));
    expect(e.netUdpSendTo(a, client, 0, 0, world.io, 4)).toBe(4n);
    expect(e.netUdpSendTo(a, other, ip(IP_B), 7000, world.io, 4)).toBe(4n);
    world.runFor(10n * MS);
    expect(e.netUdpReceiveFrom(b, server, into, 2048, 0)).toBe(4n);
    expect(e.netUdpLastReceived(1)).toBe(7002);
    expect(e.netUdpReceiveFrom(b, server, into, 2048, 0)).toBe(-11n);
    expect(world.counter(b, "udp.wrong.peer")).toBe(1);
    expect(e.netUdpEndpoints(b, server)).toBe(7000n | (7002n << 16n) | (BigInt(ip(IP_A)) << 32n));
    expect(e.netUdpSendTo(a, client, ip(IP_B), 7000, world.io, 1473)).toBe(-90n); // EMSGSIZE: past the MTU
    expect(e.netUdpSendTo(a, client, ip("10.0.0.255"), 7000, world.io, 4)).toBe(-13n); // EACCES: broadcast
    expect(e.netUdpSendTo(a, client, ip(IP_B), 0, world.io, 4)).toBe(-22n);
    for (const socket of [server]) e.netUdpClose(b, socket);
    for (const socket of [other, client]) e.netUdpClose(a, socket);
    e.mmFree(into);
  });

  it("a full queue drops what would not fit, counted, and memory comes back on close", () => {
    const [a, b] = twoStacks(world);
    const e = world.e;
    const client = e.netUdpOpen(a, 0);
    e.netUdpSendTo(a, client, ip(IP_B), 9999, world.io, 10); // both ARP caches learn each other first
    world.runFor(10n * MS);
    const held = e.netHeldBytes(b);
    const server = e.netUdpOpen(b, 9000);
    expect(e.netUdpSetQueueLimit(b, server, 0)).toBe(0); // at least one full datagram: the MTU
    for (let i = 0; i < 3; i++) expect(e.netUdpSendTo(a, client, ip(IP_B), 9000, world.io, 1000)).toBe(1000n);
    world.runFor(10n * MS);
    expect(world.counter(b, "udp.queue.full")).toBe(2);
    expect(e.netHeldBytes(b)).toBeGreaterThan(held);
    expect(e.netUdpClose(b, server)).toBe(0);
    expect(e.netHeldBytes(b)).toBe(held);
    e.netUdpClose(a, client);
  });
});

