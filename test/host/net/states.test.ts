// Guards the TCP state machine (RFC 9293 3.3.2) transition by transition:
// the handshake on both sides, active and passive close, simultaneous open
// and simultaneous close, half-close, a reset in every state (and resets
// outside the window ignored), resets for closed ports and bad ACKs, a
// listener's close resetting its queue, and a SYN flood dropping the oldest
// half-open connection.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Harness } from "../harness-client";
import {
  NetWorld, TCP, FIELD, READY, SHUT, NET_ERRNO, MS, SECOND, MAC_A, MAC_B, IP_A, IP_B, ip, twoStacks, establish, ScriptedPeer,
} from "./client";
import { FLAG, tcpFrame } from "./frames";

const harness = await Harness.withMemory(256);
let world: NetWorld;

beforeEach(() => {
  world = new NetWorld(harness);
  world.link.delay = 1n * MS;
});

afterEach(() => {
  world.dispose();
});

/** Moves to the next event (a frame's arrival or a timer) and does it. */
function next(): void {
  world.step(world.now + 10n * SECOND);
}

/** A reset to `socket`'s connection on `handle`, as its peer would send it (in the window unless told otherwise). */
function resetFromPeer(handle: number, socket: number, offset = 0, ack?: number): void {
  const fromA = handle !== world.stacks[0];
  world.inject(handle, tcpFrame({
    srcMac: fromA ? MAC_A : MAC_B, dstMac: fromA ? MAC_B : MAC_A, src: ip(fromA ? IP_A : IP_B), dst: ip(fromA ? IP_B : IP_A),
    sport: Number(world.field(handle, socket, FIELD.remotePort)), dport: Number(world.field(handle, socket, FIELD.localPort)),
    seq: Number(world.field(handle, socket, FIELD.rcvNxt)) + offset, ack: ack ?? 0, flags: ack === undefined ? FLAG.RST : FLAG.RST | FLAG.ACK,
  }));
}

describe("net: TCP states", () => {
  it("walks the three-way handshake on both sides", () => {
    const [a, b] = twoStacks(world);
    const listener = world.e.netListen(b, 80, 4);
    expect(world.state(b, listener)).toBe(TCP.LISTEN);
    const client = world.e.netConnect(a, ip(IP_B), 80);
    expect(world.state(a, client)).toBe(TCP.SYN_SENT);
    world.runUntil(() => world.e.netConnectionCount(b) === 1); // ARP, then the SYN
    expect(world.e.netAccept(b, listener)).toBe(-NET_ERRNO.EAGAIN); // half-open: SYN_RECEIVED
    expect(world.e.netReadiness(b, listener)).toBe(0);
    next(); // the SYN-ACK
    expect(world.state(a, client)).toBe(TCP.ESTABLISHED);
    expect(world.e.netAccept(b, listener)).toBe(-NET_ERRNO.EAGAIN);
    next(); // the ACK
    expect(world.e.netReadiness(b, listener)).toBe(READY.READ);
    const server = world.e.netAccept(b, listener);
    expect(world.state(b, server)).toBe(TCP.ESTABLISHED);
    expect(world.e.netReadiness(a, client)).toBe(READY.WRITE);
  });

  it("closes actively (FIN_WAIT_1, FIN_WAIT_2, TIME_WAIT) and passively (CLOSE_WAIT, LAST_ACK)", () => {
    const [a, b] = twoStacks(world, { mslMilliseconds: 1000 });
    const [client, , server] = establish(world, a, b);
    expect(world.e.netShutdown(a, client, SHUT.WR)).toBe(0);
    expect(world.state(a, client)).toBe(TCP.FIN_WAIT_1);
    next();
    expect(world.state(b, server)).toBe(TCP.CLOSE_WAIT);
    expect(world.e.netReadiness(b, server) & (READY.READ | READY.HANGUP)).toBe(READY.READ | READY.HANGUP);
    next();
    expect(world.state(a, client)).toBe(TCP.FIN_WAIT_2);
    expect(world.e.netShutdown(b, server, SHUT.WR)).toBe(0);
    expect(world.state(b, server)).toBe(TCP.LAST_ACK);
    next();
    expect(world.state(a, client)).toBe(TCP.TIME_WAIT);
    const closedAt = world.now;
    next();
    expect(world.state(b, server)).toBe(TCP.CLOSED);
    world.runUntil(() => world.state(a, client) === TCP.CLOSED);
    expect(world.now - closedAt).toBe(2000n * MS);
    expect(world.receive(a, client)).toEqual(new Uint8Array(0));
    expect(world.e.netClose(a, client)).toBe(0);
    expect(world.e.netClose(b, server)).toBe(0);
    expect(world.e.netConnectionCount(a) + world.e.netConnectionCount(b)).toBe(0);
  });

  it("opens simultaneously: both SYN_SENT, both SYN_RECEIVED, both ESTABLISHED", () => {
    // Each stack's first ephemeral port is 49152 + secret % 8192.
    const [a, b] = twoStacks(world, { secret: 1000n }, { secret: 2000n });
    world.e.netPing(a, ip(IP_B), 1, 1, 8); // resolve addresses first, so that both SYNs cross
    world.runFor(100n * MS);
    const sa = world.e.netConnect(a, ip(IP_B), 49152 + 2000);
    const sb = world.e.netConnect(b, ip(IP_A), 49152 + 1000);
    expect([world.state(a, sa), world.state(b, sb)]).toEqual([TCP.SYN_SENT, TCP.SYN_SENT]);
    next();
    expect([world.state(a, sa), world.state(b, sb)]).toEqual([TCP.SYN_RECEIVED, TCP.SYN_RECEIVED]);
    world.runUntil(() => world.state(a, sa) === TCP.ESTABLISHED && world.state(b, sb) === TCP.ESTABLISHED, 1n * SECOND);
    expect([world.state(a, sa), world.state(b, sb)]).toEqual([TCP.ESTABLISHED, TCP.ESTABLISHED]);
    expect(world.send(a, sa, new Uint8Array([1, 2, 3]))).toBe(3);
    world.runFor(100n * MS);
    expect(world.receive(b, sb)).toEqual(new Uint8Array([1, 2, 3]));
  });

  it("closes simultaneously: both FIN_WAIT_1, both CLOSING, both TIME_WAIT", () => {
    const [a, b] = twoStacks(world);
    const [client, , server] = establish(world, a, b);
    world.e.netShutdown(a, client, SHUT.WR);
    world.e.netShutdown(b, server, SHUT.WR);
    expect([world.state(a, client), world.state(b, server)]).toEqual([TCP.FIN_WAIT_1, TCP.FIN_WAIT_1]);
    next();
    expect([world.state(a, client), world.state(b, server)]).toEqual([TCP.CLOSING, TCP.CLOSING]);
    next();
    expect([world.state(a, client), world.state(b, server)]).toEqual([TCP.TIME_WAIT, TCP.TIME_WAIT]);
    world.runFor(61n * SECOND);
    expect([world.state(a, client), world.state(b, server)]).toEqual([TCP.CLOSED, TCP.CLOSED]);
  });

  it("half-closes: the side that shut its sending side still receives", () => {
    const [a, b] = twoStacks(world);
    const [client, , server] = establish(world, a, b);
    world.send(a, client, new TextEncoder().encode("request"));
    world.e.netShutdown(a, client, SHUT.WR);
    expect(world.send(a, client, new Uint8Array(1))).toBe(-NET_ERRNO.EPIPE);
    world.runFor(100n * MS);
    expect(new TextDecoder().decode(world.receive(b, server) as Uint8Array)).toBe("request");
    expect(world.receive(b, server)).toEqual(new Uint8Array(0)); // EOF
    const reply = new Uint8Array(100_000).fill(7);
    let sent = 0;
    const got: number[] = [];
    world.runUntil(() => {
      if (sent < reply.length) sent += Math.max(0, world.send(b, server, reply.subarray(sent)));
      const r = world.receive(a, client);
      if (typeof r !== "number") got.push(...r);
      return got.length === reply.length;
    }, 10n * SECOND);
    expect(got.length).toBe(reply.length);
    world.e.netShutdown(b, server, SHUT.WR);
    world.runFor(100n * MS);
    expect(world.receive(a, client)).toEqual(new Uint8Array(0));
    expect(world.state(a, client)).toBe(TCP.TIME_WAIT);
  });

  describe("a reset", () => {
    it("in SYN_SENT (acknowledging our SYN) refuses the connection", () => {
      const [a, b] = twoStacks(world);
      world.e.netPing(a, ip(IP_B), 1, 1, 8);
      world.runFor(100n * MS);
      world.peers.clear();
      const client = world.e.netConnect(a, ip(IP_B), 80);
      const iss = Number(world.field(a, client, FIELD.iss));
      resetFromPeer(a, client, 0, iss + 1);
      expect(world.state(a, client)).toBe(TCP.CLOSED);
      expect(world.receive(a, client)).toBe(-NET_ERRNO.ECONNREFUSED);
      expect(world.e.netReadiness(a, client) & READY.ERROR).toBe(READY.ERROR);
      void b;
    });

    it("from a closed port refuses the connection (and the closed side counts it)", () => {
      const [a, b] = twoStacks(world);
      const client = world.e.netConnect(a, ip(IP_B), 81);
      world.runFor(100n * MS);
      expect(world.state(a, client)).toBe(TCP.CLOSED);
      expect(world.receive(a, client)).toBe(-NET_ERRNO.ECONNREFUSED);
      expect(world.counter(b, "tcp.no.listener")).toBe(1);
      expect(world.counter(b, "tcp.resets.sent")).toBe(1);
    });

    it("in SYN_RECEIVED drops the half-open connection", () => {
      const [a, b] = twoStacks(world);
      const listener = world.e.netListen(b, 80, 4);
      const peer = new ScriptedPeer(world, b, MAC_B, IP_B);
      peer.introduce();
      peer.tcp({ sport: 5000, dport: 80, seq: 1000, flags: FLAG.SYN, mss: 1460 });
      const synAck = peer.heard().find((p) => p.tcp)!.tcp!;
      expect(synAck.flags).toBe(FLAG.SYN | FLAG.ACK);
      expect(synAck.ack).toBe(1001);
      expect(world.e.netConnectionCount(b)).toBe(1);
      peer.tcp({ sport: 5000, dport: 80, seq: 1001, flags: FLAG.RST });
      expect(world.e.netConnectionCount(b)).toBe(0);
      expect(world.e.netAccept(b, listener)).toBe(-NET_ERRNO.EAGAIN);
      void a;
    });

    for (const [name, state] of [["ESTABLISHED", TCP.ESTABLISHED], ["FIN_WAIT_1", TCP.FIN_WAIT_1], ["FIN_WAIT_2", TCP.FIN_WAIT_2], ["CLOSE_WAIT", TCP.CLOSE_WAIT]] as const) {
      it(`in ${name} resets the connection (ECONNRESET)`, () => {
        const [a, b] = twoStacks(world);
        const [client, , server] = establish(world, a, b);
        if (state === TCP.FIN_WAIT_1) {
          world.peers.clear();
          world.e.netShutdown(a, client, SHUT.WR);
        } else if (state === TCP.FIN_WAIT_2) {
          world.e.netShutdown(a, client, SHUT.WR);
          world.runFor(10n * MS);
        } else if (state === TCP.CLOSE_WAIT) {
          world.e.netShutdown(b, server, SHUT.WR);
          world.runFor(10n * MS);
        }
        expect(world.state(a, client)).toBe(state);
        resetFromPeer(a, client, 100_000); // outside the window: ignored
        expect(world.state(a, client)).toBe(state);
        expect(world.counter(a, "tcp.outside.window")).toBe(1);
        resetFromPeer(a, client);
        expect(world.state(a, client)).toBe(TCP.CLOSED);
        expect(world.receive(a, client)).toBe(-NET_ERRNO.ECONNRESET);
        expect(world.send(a, client, new Uint8Array(1))).toBe(-NET_ERRNO.ECONNRESET);
        expect(world.e.netReadiness(a, client)).toBe(READY.READ | READY.WRITE | READY.HANGUP | READY.ERROR);
        expect(world.counter(a, "tcp.resets.received")).toBe(1);
      });
    }

    for (const [name, state] of [["CLOSING", TCP.CLOSING], ["LAST_ACK", TCP.LAST_ACK], ["TIME_WAIT", TCP.TIME_WAIT]] as const) {
      it(`in ${name} ends the connection without an error`, () => {
        const [a, b] = twoStacks(world);
        const [client, , server] = establish(world, a, b);
        if (state === TCP.CLOSING) {
          world.tap = (from) => (from === a ? "drop" : "deliver");
          world.e.netShutdown(a, client, SHUT.WR);
          world.e.netShutdown(b, server, SHUT.WR);
          world.runFor(10n * MS);
        } else if (state === TCP.LAST_ACK) {
          world.e.netShutdown(b, server, SHUT.WR);
          world.runFor(10n * MS);
          world.peers.clear();
          world.e.netShutdown(a, client, SHUT.WR);
        } else {
          world.e.netShutdown(a, client, SHUT.WR);
          world.e.netShutdown(b, server, SHUT.WR);
          world.runFor(10n * MS);
        }
        expect(world.state(a, client)).toBe(state);
        resetFromPeer(a, client);
        expect(world.state(a, client)).toBe(TCP.CLOSED);
        expect(world.field(a, client, FIELD.error)).toBe(0n);
      });
    }
  });

  it("answers a bad ACK in SYN_RECEIVED with a reset", () => {
    const [, b] = twoStacks(world);
    world.e.netListen(b, 80, 4);
    const peer = new ScriptedPeer(world, b, MAC_B, IP_B);
    peer.introduce();
    peer.tcp({ sport: 5001, dport: 80, seq: 7000, flags: FLAG.SYN });
    const synAck = peer.heard().find((p) => p.tcp)!.tcp!;
    peer.tcp({ sport: 5001, dport: 80, seq: 7001, ack: synAck.seq + 1000, flags: FLAG.ACK });
    const reset = peer.heard().find((p) => p.tcp)!.tcp!;
    expect(reset.flags).toBe(FLAG.RST);
    expect(reset.seq).toBe((synAck.seq + 1000) >>> 0);
    expect(world.counter(b, "tcp.bad.ack")).toBe(1);
    // An ACK to a listener (no connection) is answered the same way.
    peer.tcp({ sport: 5002, dport: 80, seq: 1, ack: 12345, flags: FLAG.ACK });
    expect(peer.heard().find((p) => p.tcp)!.tcp!.seq).toBe(12345);
  });

  it("answers a FIN retransmitted into TIME_WAIT with an ACK and starts 2 MSL again", () => {
    const [a, b] = twoStacks(world, { mslMilliseconds: 1000 });
    const [client, , server] = establish(world, a, b);
    world.e.netShutdown(a, client, SHUT.WR);
    world.runFor(10n * MS);
    world.tap = (from) => (from === a ? "drop" : "deliver"); // A's last ACK is lost
    world.e.netShutdown(b, server, SHUT.WR);
    world.runFor(10n * MS);
    expect(world.state(a, client)).toBe(TCP.TIME_WAIT);
    expect(world.state(b, server)).toBe(TCP.LAST_ACK);
    world.tap = null;
    world.runUntil(() => world.state(b, server) === TCP.CLOSED, 5n * SECOND); // B sends its FIN again; A answers
    const again = world.now;
    expect(world.field(a, client, FIELD.lingerAt)).toBe(again - 1n * MS + 2000n * MS);
    expect(world.counter(a, "tcp.outside.window")).toBe(1);
  });

  it("resets a connection that receives data after the app closed it", () => {
    const [a, b] = twoStacks(world);
    const [client, , server] = establish(world, a, b);
    world.e.netClose(a, client);
    world.runFor(10n * MS);
    expect(world.state(b, server)).toBe(TCP.CLOSE_WAIT);
    world.send(b, server, new Uint8Array(10));
    world.runFor(10n * MS);
    expect(world.counter(a, "tcp.after.close")).toBe(1);
    expect(world.receive(b, server)).toBe(-NET_ERRNO.ECONNRESET);
    expect(world.e.netConnectionCount(a)).toBe(0);
  });

  it("resets the connections waiting in a listener's queue when it closes", () => {
    const [a, b] = twoStacks(world);
    const listener = world.e.netListen(b, 80, 4);
    const client = world.e.netConnect(a, ip(IP_B), 80);
    world.runFor(100n * MS);
    expect(world.state(a, client)).toBe(TCP.ESTABLISHED);
    expect(world.e.netClose(b, listener)).toBe(0);
    world.runFor(100n * MS);
    expect(world.receive(a, client)).toBe(-NET_ERRNO.ECONNRESET);
    expect(world.e.netConnectionCount(b)).toBe(0);
  });

  it("keeps a bounded SYN queue under a SYN flood, dropping the oldest half-open connection", () => {
    const [a, b] = twoStacks(world);
    const listener = world.e.netListen(b, 80, 2); // SYN queue: 8
    const peer = new ScriptedPeer(world, b, MAC_B, IP_B);
    peer.introduce();
    for (let port = 6000; port < 6020; port++) peer.tcp({ sport: port, dport: 80, seq: port * 1000, flags: FLAG.SYN });
    expect(world.e.netConnectionCount(b)).toBe(8);
    expect(world.counter(b, "tcp.syn.queue.overflow")).toBe(12);
    // The newest can still complete; the oldest cannot.
    const answers = peer.heard().filter((p) => p.tcp && p.tcp.flags === (FLAG.SYN | FLAG.ACK));
    const last = answers.find((p) => p.tcp!.dport === 6019)!.tcp!;
    peer.tcp({ sport: 6019, dport: 80, seq: 6019 * 1000 + 1, ack: last.seq + 1, flags: FLAG.ACK });
    expect(world.e.netAccept(b, listener)).toBeGreaterThanOrEqual(0);
    const first = answers.find((p) => p.tcp!.dport === 6000)!.tcp!;
    peer.tcp({ sport: 6000, dport: 80, seq: 6000 * 1000 + 1, ack: first.seq + 1, flags: FLAG.ACK });
    expect(world.e.netAccept(b, listener)).toBe(-NET_ERRNO.EAGAIN);
    void a;
  });
});

describe("net: orphans", () => {
  it("resets a closed connection whose peer never opens its window, after 4 MSL", () => {
    const [a, b] = twoStacks(world, { mslMilliseconds: 1000 }, { bufferBytes: 4096 });
    const [client, , server] = establish(world, a, b);
    world.send(a, client, new Uint8Array(20_000));
    world.runFor(100n * MS);
    expect(world.field(a, client, FIELD.sndWnd)).toBe(0n);
    world.e.netClose(a, client); // B never reads
    world.runFor(3900n * MS);
    expect(world.e.netConnectionCount(a)).toBe(1);
    world.runFor(200n * MS);
    expect(world.e.netConnectionCount(a)).toBe(0);
    expect(world.counter(a, "tcp.aborts")).toBe(1);
    expect(world.receive(b, server)).toBe(-NET_ERRNO.ECONNRESET); // the reset fits B's shut window
  });
});
